import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBus, type FakeBus } from '../support/fake-bus.js';
import { adminEnv, startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';
import { tempDir } from '../support/context.js';
import { runBin } from '../support/spawn.js';

const KEY = 'hang-test-key-copper-heron-42';

/** Polls (bounded) until cond() holds. */
async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A session bus that accepts connections and never answers. The keychain library's
 * D-Bus calls are synchronous: run in pikactl's own thread they freeze the event
 * loop, so neither the keychain timeout nor SIGINT could ever fire.
 */
describe.runIf(process.platform === 'linux')('a D-Bus session bus that never answers', () => {
  let bus: FakeBus;
  let home: string;
  beforeEach(async () => {
    bus = await startFakeBus();
    home = tempDir('pikactl-hang-home-');
  });
  afterEach(async () => {
    await bus.close();
    rmSync(home, { recursive: true, force: true });
  });
  const env = (extra: Record<string, string> = {}) => ({
    HOME: home,
    XDG_CONFIG_HOME: `${home}/config`,
    DBUS_SESSION_BUS_ADDRESS: bus.address,
    ...extra,
  });

  /** `keychain list`, sent `sig` once `ready()` holds on the bus; its result and when the signal went (0: never). */
  async function signalledList(ready: () => boolean, sig: NodeJS.Signals) {
    let sentAt = 0;
    const r = await runBin(['keychain', 'list'], {
      env: env(),
      timeoutMs: 15_000,
      onSpawn: (child) => {
        void until(ready, 10_000).then(() => {
          sentAt = Date.now();
          child.kill(sig);
        });
      },
    });
    return { r, sentAt };
  }

  it('keychain list ends with keychain_unavailable within the timeout', async () => {
    const t0 = Date.now();
    const r = await runBin(['keychain', 'list', '--json'], { env: env(), timeoutMs: 15_000 });
    const took = Date.now() - t0;
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'keychain_unavailable' });
    expect(r.stdout).toMatch(/did not answer within 5s/);
    expect(bus.connections).toBeGreaterThan(0);
    expect(took).toBeLessThan(9000);
  });

  it('SIGINT ends a command stuck on the keychain within 2 s', async () => {
    // Interrupt once the keychain call is really in flight (the bus has a connection).
    const { r, sentAt } = await signalledList(() => bus.connections > 0, 'SIGINT');
    expect(sentAt).toBeGreaterThan(0);
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/cancelled/);
  });

  it('the keychain helper does not outlive pikactl, even when pikactl is killed with SIGKILL', async () => {
    const { sentAt: killedAt } = await signalledList(() => bus.open > 0, 'SIGKILL');
    expect(killedAt).toBeGreaterThan(0);
    // The helper held the bus connection; it is gone when its socket closes.
    await until(() => bus.open === 0, 3000);
    expect(Date.now() - killedAt).toBeLessThan(3000);
  });

  it('an inline login with an env: key never connects to the bus', async () => {
    let sb = await startTestSandbox();
    const creds = () => adminEnv(sb, { KEY });
    const init = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env: env(creds()),
      timeoutMs: 15_000,
    });
    expect(init.code, init.stderr).toBe(0);
    sb = await sb.restart();
    const r = await runBin(['unlock', '--key-from', 'env:KEY'], { env: env(creds()), timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    const lock = await runBin(['lock', '--yes', '--user', TEST_ADMIN.username, '--password-from', 'env:PW'], {
      env: env({ PIKA_SERVER: sb.url, PW: TEST_ADMIN.password }),
      timeoutMs: 15_000,
    });
    expect(lock.code, lock.stderr).toBe(0);
    expect(bus.connections).toBe(0);
  });

  it('PIKA_SESSION never connects to the bus', async () => {
    const sb = await startTestSandbox();
    const { SandboxClient } = await import('../support/sandbox.js');
    const c = new SandboxClient(sb.url);
    await c.login();
    const r = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env: env({ PIKA_SERVER: sb.url, PIKA_SESSION: c.cookie ?? '', KEY }),
      timeoutMs: 15_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(bus.connections).toBe(0);
  });
});
