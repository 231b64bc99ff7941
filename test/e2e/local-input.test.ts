import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/context.js';
import { adminEnv, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { runBin } from '../support/spawn.js';

const KEY = 'local-input-e2e-key-cobalt-lynx-3';

/** The real binary against odd local files: nothing may block, nothing may be silently changed or echoed. */
describe.runIf(process.platform !== 'win32')('local input, real binary', () => {
  let home: string;
  beforeEach(() => {
    home = tempDir('pikactl-local-input-');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const configDir = () => join(home, 'config', 'pikactl');
  const env = (extra: Record<string, string> = {}) => ({ HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ...extra });

  async function lockedSandbox(): Promise<{ sb: TestSandbox; creds: Record<string, string> }> {
    let sb = await startTestSandbox();
    const creds = (url: string) => adminEnv({ url }, { KEY });
    const init = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: env(creds(sb.url)) });
    expect(init.code, init.stderr).toBe(0);
    sb = await sb.restart();
    return { sb, creds: creds(sb.url) };
  }

  it('file: keys that are a FIFO, not UTF-8 or hold a NUL are refused; nothing reaches the server', async () => {
    const { creds } = await lockedSandbox();
    const fifo = join(home, 'key.fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const t0 = Date.now();
    const r = await runBin(['unlock', '--key-from', `file:${fifo}`], { env: env(creds), timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/named pipe \(FIFO\), not a regular file/);
    expect(Date.now() - t0).toBeLessThan(8000);

    // The key with one byte that is not UTF-8: before, it became U+FFFD and the server said "wrong key" (exit 5).
    const bad = join(home, 'key-latin1.txt');
    writeFileSync(bad, Buffer.concat([Buffer.from(KEY), Buffer.from([0xe9])]), { mode: 0o600 });
    const u = await runBin(['unlock', '--key-from', `file:${bad}`], { env: env(creds) });
    expect(u.code, u.stderr).toBe(1);
    expect(u.stderr).toMatch(/is not valid UTF-8/);
    const nul = join(home, 'key-nul.txt');
    writeFileSync(nul, `${KEY}\u0000`, { mode: 0o600 });
    const n = await runBin(['unlock', '--key-from', `file:${nul}`], { env: env(creds) });
    expect(n.code, n.stderr).toBe(1);
    expect(n.stderr).toMatch(/contains a NUL byte/);

    // No unlock was attempted: still locked.
    const s = await runBin(['status', '--json'], { env: env(creds) });
    expect(s.code, s.stdout).toBe(3);
  });

  it('a FIFO config.json is refused at once', async () => {
    mkdirSync(configDir(), { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', join(configDir(), 'config.json')]);
    const t0 = Date.now();
    const r = await runBin(['context', 'list'], { env: env(), timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/config\.json: it is a named pipe \(FIFO\), not a regular file/);
    expect(Date.now() - t0).toBeLessThan(8000);
  });

  it('a config.json above 1 MiB, or a directory, is refused without being read', async () => {
    mkdirSync(configDir(), { recursive: true, mode: 0o700 });
    // Valid JSON, so only the size can be the reason.
    writeFileSync(join(configDir(), 'config.json'), `{"version": 1, "contexts": {}}${' '.repeat(2 * 1024 * 1024)}`, {
      mode: 0o600,
    });
    const big = await runBin(['context', 'list'], { env: env() });
    expect(big.code, big.stderr).toBe(1);
    expect(big.stderr).toMatch(/config\.json is larger than 1 MiB/);
    rmSync(join(configDir(), 'config.json'));
    mkdirSync(join(configDir(), 'config.json'));
    const dir = await runBin(['context', 'list'], { env: env() });
    expect(dir.code, dir.stderr).toBe(1);
    expect(dir.stderr).toMatch(/config\.json: it is a directory, not a regular file/);
  });

  it('12 parallel context add runs keep all 12 contexts', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `ctx-${i}`);
    const runs = await Promise.all(
      names.map((n, i) =>
        runBin(['context', 'add', n, '--server', `https://pika-${i}.example:8080`], { env: env(), timeoutMs: 30_000 }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(configDir(), 'config.json'), 'utf8'));
    expect(Object.keys(doc.contexts).sort()).toEqual([...names].sort());
  });

  it('a malformed config does not echo what was pasted into it', async () => {
    mkdirSync(configDir(), { recursive: true, mode: 0o700 });
    const pasted = 'hunter2-Pasted-Passphrase';
    for (const text of [
      `{"version": 1, "contexts": {${pasted}}}`,
      `${pasted}`,
      `{"version": 1, "contexts": {"prod": {"servers": ["https://a"], "timeout": "${pasted}"}}}`,
      `{"version": 1, "contexts": {"prod": {"servers": ["https://a"], "${pasted}": 1}}}`,
      `{"version": 1, "contexts": {"${pasted} x": {"servers": ["https://a"]}}}`,
    ]) {
      writeFileSync(join(configDir(), 'config.json'), text, { mode: 0o600 });
      const r = await runBin(['context', 'list'], { env: env() });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/config\.json(:\d+:\d+)?: /);
      // Not even the first character, as in V8's "Unexpected token 'h'".
      expect(r.stderr).not.toMatch(/hunter|'h'/);
    }
  });
});
