import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { NGINX, proxyTo, startNginx, type TestNginx } from '../support/nginx.js';
import { adminClient, adminEnv, SandboxClient, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

/**
 * pikactl behind a real nginx (TLS at nginx, a throwaway CA, Pika under /pika), as
 * operators deploy it. While the backend restarts nginx answers 502; a maintenance
 * location answers 503 with its HTML page; a stalled upstream gets nginx's 504. None of
 * them is Pika's own 500, so none may say "needs recovery".
 */
const KEY = 'gateway-key-quiet-lantern-4';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The answer Pika's lock gate gives (shared/pika-api.md §4), served by nginx for key/status. */
const GATE_BODY = '{"code":"server_locked","message":"Server is locked. An administrator must unlock it."}';

let sb: TestSandbox;
let nginx: TestNginx;
const held = new Set<Socket>();
let silent: ReturnType<typeof createServer>;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return adminEnv({ url: `${nginx.origin}/pika` }, { PIKA_CACERT: nginx.caFile, PIKA_KEY: KEY, ...extra });
}

/** The sandbox's own key/status, asked directly (not through nginx). */
async function directStatus(): Promise<unknown> {
  return (await new SandboxClient(sb.url).call('GET', '/api/v1/key/status')).json();
}

/** nginx's error-log lines for requests it could not pass on because the backend was down (each a 502). */
const refusals = () => nginx.errorLog().split('Connection refused').length - 1;

/** Polls (bounded) until cond() holds. */
async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

/**
 * Once nginx has answered the waiting command with a 502 (more refusals than `before`),
 * the backend comes back on the same port and data dir: locked. Its request lines go to `log`.
 */
async function restartAfter502(before: number, log: string[] = []): Promise<void> {
  await until(() => refusals() > before, 'nginx answering the waiting command with a 502');
  sb = await sb.restart({ port: sb.port, logger: (l) => log.push(l) });
}

describe.skipIf(!NGINX && !process.env.CI)('behind a real nginx', () => {
  beforeAll(async () => {
    sb = await startTestSandbox({ basePath: '/pika' });
    const admin = await adminClient(sb);
    expect((await admin.call('POST', '/api/v1/key/initialize', { json: { key: KEY } })).status).toBe(200);
    // An upstream that accepts and never answers: nginx gives up after proxy_read_timeout.
    silent = createServer((s) => (held.add(s), s.on('error', () => {})));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const slowPort = (silent.address() as AddressInfo).port;
    nginx = await startNginx([
      { path: '/pika/', body: proxyTo(sb.port) },
      { path: '/maint/', body: 'return 503;' },
      { path: '/slow/', body: proxyTo(slowPort, 'proxy_read_timeout 500ms;') },
      {
        path: '= /gate/api/v1/key/status',
        body: `add_header X-Pika-Locked true always; default_type application/json; return 503 '${GATE_BODY}';`,
      },
    ]);
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('a 502 while the backend is down is the gateway: exit 7, named with its status, never "needs recovery"', async () => {
    await sb.stop();
    try {
      const r = await runCli(['status'], { env: env() });
      expect(r.code).toBe(7);
      const all = r.stdout + r.stderr;
      expect(all).toContain(`502 Bad Gateway from the proxy in front of ${nginx.origin}/pika`);
      expect(all).not.toMatch(/HTTP 500|recover-rotation|unreadable/);
      const u = await runCli(['unlock', '--key-from', 'env:PIKA_KEY'], { env: env() });
      expect(u.code).toBe(7);
      expect(u.stderr).toContain('502 Bad Gateway from the proxy in front of');
      expect(u.stderr).not.toMatch(/recover-rotation|cannot read its own settings/);
    } finally {
      sb = await sb.restart({ port: sb.port });
    }
  });

  it('unlock --wait 30s waits through the 502 of a restart and unlocks the server that comes back locked', async () => {
    await sb.stop();
    const before = refusals();
    const pending = runCli(['unlock', '--key-from', 'env:PIKA_KEY', '--wait', '30s'], { env: env() });
    await restartAfter502(before);
    const r = await pending;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Unlocked');
    expect(await directStatus()).toEqual({ initialized: true, unlocked: true });
  }, 40_000);

  it('status --wait (no --for) waits through 502 and then the locked state, until the server serves', async () => {
    await sb.stop();
    const before = refusals();
    const pending = runCli(['status', '--wait', '30s', '--json'], { env: env() });
    const log: string[] = [];
    await restartAfter502(before, log);
    // Seen locked (its key/status reached the restarted server): still waiting.
    await until(() => log.some((l) => l.includes('/api/v1/key/status')), 'the command seeing the server locked');
    const admin = await adminClient(sb);
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: KEY } })).status).toBe(200);
    const r = await pending;
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ state: 'unlocked', exit_code: 0 });
  }, 40_000);

  it("nginx's 503 maintenance page is the gateway (exit 7 without --wait), for status and unlock alike", async () => {
    const e = env({ PIKA_SERVER: `${nginx.origin}/maint` });
    const r = await runCli(['status'], { env: e });
    expect(r.code).toBe(7);
    expect(r.stdout + r.stderr).toContain(`503 Service Unavailable from the proxy in front of ${nginx.origin}/maint`);
    const u = await runCli(['unlock', '--key-from', 'env:PIKA_KEY'], { env: e });
    expect(u.code).toBe(7);
    expect(u.stderr).not.toMatch(/recover-rotation|HTTP 500/);
  });

  it("a stalled upstream's 504 (proxy_read_timeout 500ms) is the gateway too, and --wait says what it saw", async () => {
    const e = env({ PIKA_SERVER: `${nginx.origin}/slow` });
    const r = await runCli(['status'], { env: e });
    expect(r.code).toBe(7);
    expect(r.stdout + r.stderr).toContain('504 Gateway Timeout from the proxy in front of');
    const w = await runCli(['status', '--wait', '1500ms'], { env: e }); // 3x the 504's 500 ms
    expect(w.code).toBe(7);
    expect(w.stderr).toMatch(
      /Gave up after 2s waiting for .*\/slow to be unlocked: the gateway answered 504 (once|twice|\d+ times)/,
    );
  }, 20_000);

  it("the lock gate's 503 on key/status means locked for status (exit 3) and lock (already locked, exit 0)", async () => {
    const e = env({ PIKA_SERVER: `${nginx.origin}/gate` });
    const r = await runCli(['status', '--json'], { env: e });
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ state: 'locked', exit_code: 3 });
    expect(r.json().error).toBeUndefined();
    const l = await runCli(['lock', '--yes'], { env: e });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toContain('already locked');
  });
});
