import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, testContext, type RunResult } from '../support/context.js';
import { SandboxClient } from '../support/sandbox.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pikactl-sandbox-cmd-'));
  dirs.push(d);
  return d;
}

/** Starts `pikactl sandbox …` in-process; resolves once it printed its URL (or exited). */
async function launch(args: string[], env: Record<string, string> = {}) {
  const ac = new AbortController();
  const ctx = { ...testContext({ env }), signal: ac.signal };
  let done: RunResult | undefined;
  const running = runCli(['sandbox', '--port', '0', '--quiet', ...args], ctx).then((r) => (done = r));
  const deadline = Date.now() + 10_000;
  while (!done && !ctx.io.stdoutText.includes('\n') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const stop = async () => {
    ac.abort();
    return running;
  };
  return { ctx, done: () => done, stop, stdout: () => ctx.io.stdoutText, stderr: () => ctx.io.stderrText };
}

describe('pikactl sandbox', () => {
  it('serves with the password from env:, prints only the URL on stdout, stops cleanly on abort', async () => {
    const data = dataDir();
    const s = await launch(['--data', data, '--password-from', 'env:SBX_PW', '--user', 'ops'], {
      SBX_PW: 'pw-from-env-123',
    });
    const url = s.stdout().trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.stderr()).toContain(data);
    expect(s.stderr()).toContain('/login/pass/local');
    expect(s.stderr() + s.stdout()).not.toContain('pw-from-env-123');
    const c = new SandboxClient(url);
    expect((await c.login('ops', 'pw-from-env-123')).status).toBe(200);
    expect((await c.call('POST', '/api/v1/key/initialize', { json: { key: 'rehearsal-key' } })).status).toBe(200);
    const r = await s.stop();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('stopped');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('generates a password, shows it once on stderr only; --json; a restart keeps it and comes back locked', async () => {
    const data = dataDir();
    const s = await launch([
      '--json',
      '--data',
      data,
      '--fault',
      'rotate-drop',
      '--cookie-name',
      'sbx',
      '--base-path',
      '/pika',
    ]);
    const info = JSON.parse(s.stdout());
    expect(info).toMatchObject({
      data_dir: data,
      password_source: 'generated',
      cookie_name: 'sbx',
      base_path: '/pika',
      faults: ['rotate-drop'],
      user: 'admin',
    });
    expect(info.url).toMatch(/\/pika$/);
    const m = /Generated password for admin \(shown once\): (\S+)/.exec(s.stderr());
    expect(m).not.toBeNull();
    const password = m![1];
    expect(s.stdout()).not.toContain(password);
    expect(s.stderr().split(password).length).toBe(2); // exactly once
    const c = new SandboxClient(info.url, 'sbx');
    expect((await c.login('admin', password)).status).toBe(200);
    expect((await c.call('POST', '/api/v1/key/initialize', { json: { key: 'k1' } })).status).toBe(200);
    expect((await s.stop()).code).toBe(0);

    const again = await launch(['--json', '--data', data]);
    const info2 = JSON.parse(again.stdout());
    expect(info2.password_source).toBe('data-dir');
    expect(again.stderr()).not.toContain('Generated password');
    const c2 = new SandboxClient(info2.url);
    expect((await c2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: false });
    expect((await c2.login('admin', password)).status).toBe(200);
    expect((await again.stop()).code).toBe(0);
  });

  it('file: passwords must not be group/other readable', async () => {
    const data = dataDir();
    const f = join(data, '..', `pw-${Date.now()}.txt`);
    writeFileSync(f, 'file-password\n', { mode: 0o644 });
    chmodSync(f, 0o644);
    dirs.push(f);
    const open = await launch(['--data', data, '--password-from', `file:${f}`]);
    expect(open.done()?.code).toBe(2);
    expect(open.stderr()).toContain('chmod 600');
    chmodSync(f, 0o600);
    const ok = await launch(['--data', data, '--password-from', `file:${f}`]);
    expect((await new SandboxClient(ok.stdout().trim()).login('admin', 'file-password')).status).toBe(200);
    expect((await ok.stop()).code).toBe(0);
  });

  it.each([
    [['--fault', 'bogus'], /unknown fault "bogus"/],
    [['--tls-cert', 'x.pem'], /--tls-cert and --tls-key go together/],
    [['--tls-self-signed', '--tls-cert', 'a', '--tls-key', 'b'], /cannot be used with/],
    [['--port', '70000'], /--port must be a whole number/],
    [['--password-from', 'keychain'], /not supported by pikactl sandbox/],
    [['--session-ttl', 'soon'], /invalid --session-ttl/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const s = await launch(['--data', dataDir(), ...args]);
    expect(s.done()?.code).toBe(2);
    expect(s.stderr()).toMatch(message);
  });

  it('a port in use is an error with a hint (exit 1)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const ac = new AbortController();
      const r = await runCli(['sandbox', '--port', String(port), '--data', dataDir()], {
        ...testContext(),
        signal: ac.signal,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: address already in use`);
      expect(r.stderr).toContain('--port');
    } finally {
      blocker.close();
    }
  });

  it('help lists the faults', async () => {
    const r = await runCli(['sandbox', '--help']);
    expect(r.code).toBe(0);
    for (const f of ['rotate-write', 'rotate-runbook', 'rotate-drop']) expect(r.stdout).toContain(f);
  });
});
