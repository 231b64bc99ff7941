import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin, type BinResult } from '../support/spawn.js';
import { allFiles, argvWatcher } from '../support/canary.js';
import { adminEnv, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

/**
 * The backup canary, on the real binary: unique keys and a unique backup password go
 * through export, inspect, restore and recover-from-backup; afterwards none of them (nor
 * their SHA-256: that IS the key) is in any output, any process's argv, the journal, or
 * any file except the backup itself (which holds only ciphertext under them).
 */
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe.runIf(statSync('/proc/self/cmdline', { throwIfNoEntry: false })?.isFile() ?? false)(
  'backup secrets canary',
  () => {
    it('keys and the backup password never reach output, argv, the journal or other files', async () => {
      const tag = randomBytes(6).toString('hex');
      const KEY = `canary-bkey-${tag}-alpha`;
      const NEW = `canary-bnew-${tag}-bravo`;
      const BPW = `canary-bpw-${tag}-charlie`;
      const root = mkdtempSync(join(tmpdir(), 'pikactl-bcanary-'));
      roots.push(root);
      const home = join(root, 'home');
      mkdirSync(home);
      const pwFile = join(root, 'bpw');
      writeFileSync(pwFile, `${BPW}\n`, { mode: 0o600 });
      const a = await startTestSandbox({ dataDir: join(root, 'a') });
      const b = await startTestSandbox({ dataDir: join(root, 'b') });
      const env = (sb: TestSandbox) =>
        adminEnv(sb, { PIKA_ALLOW_HTTP: '1', K: KEY, N: NEW, HOME: home, XDG_STATE_HOME: join(home, '.state') });
      const outputs: BinResult[] = [];
      const run = async (sb: TestSandbox, args: string[], expected = 0, input?: string) => {
        const watch = argvWatcher([KEY, NEW, BPW]);
        const r = await runBin(args, { env: env(sb), cwd: root, input });
        expect(watch.stop(), `argv leak during ${args.join(' ')}`).toEqual([]);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(expected);
        outputs.push(r);
        return r;
      };
      const file = join(root, 'x.pikabw');
      await run(a, ['init', '--key-from', 'env:K', '--confirm-saved']);
      await run(a, ['backup', 'export', '--out', file, '--encrypt-with', `file:${pwFile}`]);
      await run(a, ['backup', 'inspect', file, '--decrypt-with', '-'], 0, `${BPW}\n`);
      await run(a, ['--json', 'backup', 'inspect', file, '--decrypt-with', 'env:K'], 5);
      await run(
        b,
        [
          'recover-from-backup',
          '--backup',
          file,
          '--backup-key-from',
          'env:N',
          '--new-key-from',
          'env:K',
          '--decrypt-with',
          `file:${pwFile}`,
          '--yes',
          '--confirm-saved',
        ],
        5,
      );
      await run(b, [
        '--debug',
        'recover-from-backup',
        '--backup',
        file,
        '--backup-key-from',
        'env:K',
        '--new-key-from',
        'env:N',
        '--decrypt-with',
        `file:${pwFile}`,
        '--yes',
        '--confirm-saved',
      ]);
      await run(b, ['backup', 'restore', file, '--wipe', '--decrypt-with', `file:${pwFile}`, '--yes']);

      const needles = [KEY, NEW, BPW, sha(KEY), sha(NEW), sha(BPW)];
      for (const r of outputs) {
        for (const n of needles) {
          expect(r.stdout).not.toContain(n);
          expect(r.stderr).not.toContain(n);
        }
      }
      const files = allFiles(root).filter((f) => f !== pwFile && f !== file);
      expect(files.some((f) => f.includes('recover-from-backup-'))).toBe(true); // the journal is among them
      for (const f of files) {
        const content = readFileSync(f);
        for (const n of needles) expect(content.includes(n), `${n.slice(0, 14)}… found in ${f}`).toBe(false);
      }
      // The backup itself is ciphertext: not even the password or the keys in plain.
      const backup = readFileSync(file);
      for (const n of needles) expect(backup.includes(n)).toBe(false);
    });
  },
);
