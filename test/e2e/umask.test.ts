import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/context.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';
import { BIN } from '../support/spawn.js';
import { handoverStartArgs } from '../support/handover.js';

/**
 * Under umask 000 every file pikactl writes is still 0600 and every folder it makes
 * 0700: a world-writable handover record would let anyone choose where the key goes.
 * The real binary, started by a shell that set the umask.
 */

function runUmask000(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('sh', ['-c', `umask 000; exec ${quoted}`], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Every entry under root, with its mode. */
function modes(root: string): Array<{ path: string; dir: boolean; mode: number }> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const st = statSync(path);
    out.push({ path, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) out.push(...modes(path));
  }
  return out;
}

const KEY = 'correct-horse-battery-staple-1';
const NEW_KEY = 'tr0ub4dor-and-3-more-words-2';

describe.runIf(process.platform !== 'win32')('umask 000', () => {
  it('config, handover record and checklist, journals and the sandbox data dir are 0600 files in 0700 folders', async () => {
    const sb = await startTestSandbox({ faults: ['rotate-write'] });
    const home = tempDir('pikactl-umask-');
    const work = join(home, 'work');
    const env = adminEnv(sb, { HOME: home, KEY, NEW_KEY, USER: 'alice' });
    const init = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env });
    expect(init.code, init.stderr).toBe(0);

    const mk = await runUmask000(['context', 'add', 'prod', '--server', sb.url], env, home);
    expect(mk.code, mk.stderr).toBe(0);
    // A rotation that fails half way, then a journaled recovery.
    const rot = await runUmask000(
      ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'],
      env,
      home,
    );
    expect(rot.code, rot.stderr).toBe(8);
    const rec = await runUmask000(
      ['recover-rotation', '--yes', '--old-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY'],
      env,
      home,
    );
    expect(rec.code, rec.stderr).toBe(0);
    const start = await runUmask000(
      handoverStartArgs({ currentKeyFrom: 'env:NEW_KEY', newKeyFrom: 'env:KEY', record: join(home, 'h.json') }),
      env,
      home,
    );
    expect(start.code, start.stderr).toBe(0);
    const sbx = await runUmask000(
      [
        'sandbox',
        '--data',
        join(work, 'deep', 'data'),
        '--port',
        String(sb.port),
        '--quiet',
        '--password-from',
        'env:PW',
      ],
      env,
      home,
    );
    expect(sbx.code).toBe(1); // the port is the test sandbox's: the data dir was made first

    const all = modes(home);
    const names = all.map((e) => e.path.slice(home.length + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        '.config',
        '.config/pikactl/config.json',
        'h.json',
        'h.md',
        '.local/state/pikactl/journals',
        'work/deep/data',
      ]),
    );
    expect(names.some((n) => n.startsWith('.local/state/pikactl/journals/recover-rotation-'))).toBe(true);
    expect(all.filter((e) => !e.dir && e.mode !== 0o600).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
    expect(all.filter((e) => e.dir && e.mode !== 0o700).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
  });
});
