import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, type BinResult } from '../support/spawn.js';
import { allFiles, argvWatcher } from '../support/canary.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';

const hasProc = (() => {
  try {
    return statSync('/proc/self/cmdline').isFile();
  } catch {
    return false;
  }
})();

/**
 * The canary: unique passphrases go through every command and every secret source;
 * afterwards they (and their SHA-256, which IS Pika's key) must appear in no output,
 * no process argv, and no file pikactl or the sandbox wrote.
 */
describe.runIf(hasProc)('secrets canary', () => {
  it('passphrases never reach output, argv or files', async () => {
    const tag = randomBytes(6).toString('hex');
    const KEY = `canary-key-${tag}-alpha`;
    const NEW = `canary-new-${tag}-bravo`;
    const root = mkdtempSync(join(tmpdir(), 'pikactl-canary-'));
    const home = join(root, 'home');
    mkdirSync(home);
    const keyFile = join(root, 'key');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    // A stand-in password manager: prints the new key; its own argv holds only a path.
    const pm = join(root, 'pm.sh');
    writeFileSync(pm, `#!/bin/sh\nprintf '%s\\n' '${NEW}'\n`, { mode: 0o700 });
    const newKeyFile = join(root, 'new');
    writeFileSync(newKeyFile, NEW, { mode: 0o600 });

    let sb = await startTestSandbox({ dataDir: join(root, 'data') });
    const env = () =>
      adminEnv(sb, {
        CANARY_KEY: KEY,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_STATE_HOME: join(home, '.state'),
      });
    const needles = [KEY, NEW, sha(KEY), sha(NEW)];
    const outputs: BinResult[] = [];
    const run = async (args: string[], input?: string, expected = 0) => {
      const watch = argvWatcher([KEY, NEW]);
      const r = await runBin(args, { env: env(), input, cwd: root });
      const hits = watch.stop();
      expect(hits, `argv leak during ${args.join(' ')}`).toEqual([]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(expected);
      outputs.push(r);
      return r;
    };

    await run(['status']);
    await run(['init', '--key-from', 'env:CANARY_KEY', '--confirm-saved']);
    await run(['--json', 'status']);
    await run(['lock', '--yes']);
    await run(['unlock', '--key-from', `file:${keyFile}`]);
    await run(['unlock', '--key-from', `cmd:${pm}`], undefined, 0); // already unlocked: no-op
    await run(['rotate', '--current-key-from', '-', '--new-key-from', `cmd:${pm}`, '--confirm-saved'], `${KEY}\n`);
    sb = await sb.restart();
    await run(['unlock', '--key-from', `file:${keyFile}`], undefined, 5); // old key: wrong now
    await run(['--json', 'unlock', '--key-from', `file:${newKeyFile}`]);
    await run(
      [
        '--debug',
        'rotate',
        '--current-key-from',
        `file:${newKeyFile}`,
        '--new-key-from',
        `file:${newKeyFile}`,
        '--confirm-saved',
      ],
      undefined,
      2,
    );

    for (const r of outputs) {
      for (const n of needles) {
        expect(r.stdout).not.toContain(n);
        expect(r.stderr).not.toContain(n);
      }
    }
    const files = allFiles(root).filter((f) => f !== keyFile && f !== pm && f !== newKeyFile);
    expect(files.length).toBeGreaterThanOrEqual(2); // at least the sandbox's settings and users
    for (const f of files) {
      const content = readFileSync(f);
      for (const n of needles) expect(content.includes(n), `${n.slice(0, 12)}… found in ${f}`).toBe(false);
      for (const raw of [KEY, NEW].map((k) => createHash('sha256').update(k).digest())) {
        expect(content.includes(raw), `raw key bytes found in ${f}`).toBe(false);
      }
    }
  });
});

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
