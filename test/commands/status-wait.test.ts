import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/deps.js';
import type { Spinner } from '../../src/io/types.js';
import { adminClient, startTestSandbox } from '../support/sandbox.js';
import { runCli, testContext, TestIO } from '../support/context.js';

/** What `status --wait` waits for, how long each request may take, and what it shows meanwhile. */

const ci = (url: string) => ({ env: { PIKA_SERVER: url } });

async function lockedSandbox() {
  const sb = await startTestSandbox();
  const c = await adminClient(sb);
  const r = await c.call('POST', '/api/v1/key/initialize', { json: { key: 'the-server-key' } });
  expect(r.status).toBe(200);
  return sb.restart(); // comes back locked
}

/** Virtual time: sleeps return at once and move the clock; requests still go over real HTTP. */
function fakeClock(): Clock {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  };
}

/** A TestIO on a "terminal" whose spinner records every text it was given. */
class SpinnerIO extends TestIO {
  readonly texts: string[] = [];
  stopped = 0;
  constructor() {
    super({ tty: true });
  }
  override spinner(text = ''): Spinner {
    this.texts.push(text);
    return {
      update: (t) => void this.texts.push(t),
      succeed: () => void this.stopped++,
      fail: () => void this.stopped++,
      stop: () => void this.stopped++,
    };
  }
}

const sockets = new Set<Socket>();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const c of closers.splice(0)) await c();
});

/** Accepts connections and never answers (a hung backend, or a gateway that holds the request). */
async function silentServer(): Promise<string> {
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => srv.close(() => r())));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

describe('status --wait', () => {
  it('without --for waits for serving, not for "reachable": a locked server ends in exit 3 and says what was seen', async () => {
    const sb = await lockedSandbox();
    const r = await runCli(['status', '--wait', '1500ms'], ci(sb.url));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Encryption:\s+locked/);
    expect(r.stderr).toMatch(/Gave up after 2s waiting for .* to be unlocked: the server was locked (\d+ times|twice)/);
  });

  it('--json names the give-up reason; --for reachable still exits 0 for a locked server', async () => {
    const sb = await lockedSandbox();
    const r = await runCli(['status', '--wait', '800ms', '--json'], ci(sb.url));
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({
      state: 'locked',
      exit_code: 3,
      gave_up: expect.stringContaining('to be unlocked'),
    });
    const reach = await runCli(['status', '--wait', '800ms', '--for', 'reachable', '--json'], ci(sb.url));
    expect(reach.code).toBe(0);
    expect(reach.json()).toMatchObject({ state: 'locked', exit_code: 0 });
  });

  it('bounds every request by what is left of the wait: --wait 1s against a server that never answers takes ~1 s, not the 30 s timeout', async () => {
    const url = await silentServer();
    const started = Date.now();
    const r = await runCli(['status', '--wait', '1s'], ci(url));
    const took = Date.now() - started;
    expect(r.code).toBe(7);
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(3500);
    expect(r.stderr).toMatch(/Gave up after 1s waiting for .* to be unlocked: no answer came in time (once|twice)/);
  }, 15_000);

  it('unlock --wait 1s is bounded the same way, and says what it waited for and saw', async () => {
    const url = await silentServer();
    const started = Date.now();
    const r = await runCli(['unlock', '--key-from', 'env:KEY', '--wait', '1s'], {
      env: { PIKA_SERVER: url, KEY: 'k-never-sent-1' },
    });
    expect(Date.now() - started).toBeLessThan(3500);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(
      /gave up after 1s waiting for http:\/\/127\.0\.0\.1:\d+ to be reachable: no answer came in time (once|twice)/,
    );
    expect(r.stderr).toContain('--wait time ran out');
  }, 15_000);

  it('without a terminal prints one progress line every 15 s (virtual clock)', async () => {
    const sb = await lockedSandbox();
    const ctx = { ...testContext(ci(sb.url)), clock: fakeClock() };
    const r = await runCli(['status', '--wait', '1m'], ctx);
    expect(r.code).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('Still waiting'));
    // 60 s of polling, one line per >= 15 s: three or four, never one per attempt.
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines[0]).toMatch(
      /^Still waiting for http:\/\/127\.0\.0\.1:\d+ to be unlocked \(\d+s of 1m\): the server was locked \d+ times\.$/,
    );
  });

  it('on a terminal shows a status line: what it waits for, the last answer, elapsed of limit', async () => {
    const sb = await lockedSandbox();
    const io = new SpinnerIO();
    const ctx = { ...testContext(ci(sb.url)), io, clock: fakeClock() };
    const r = await runCli(['status', '--wait', '30s'], ctx);
    expect(r.code).toBe(3);
    expect(
      io.texts.some((t) =>
        /^waiting for http:\/\/127\.0\.0\.1:\d+ to be unlocked \(\d+s of 30s\): the server was locked$/.test(t),
      ),
    ).toBe(true);
    expect(io.stopped).toBeGreaterThan(0);
    expect(r.stderr).not.toContain('Still waiting'); // the status line replaces the progress lines
  });
});
