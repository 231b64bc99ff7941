import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/spawn.js';
import { adminEnv, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { EXIT_CODE_DOCS } from '../../src/errors.js';

const KEY = 'e2e-key-amber-falcon-river-7';
const OTHER = 'e2e-other-key-slate-owl-9';

function env(sb: TestSandbox, extra: Record<string, string> = {}): Record<string, string> {
  return adminEnv(sb, { KEY, OTHER, HOME: sb.dataDir, ...extra });
}

async function initializedAndRestarted(opts: Parameters<typeof startTestSandbox>[0] = {}): Promise<TestSandbox> {
  const sb = await startTestSandbox(opts);
  const r = await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: env(sb) });
  expect(r.code, r.stderr).toBe(0);
  return sb.restart();
}

/** Each documented exit code, reached through the real binary. */
describe('exit codes of the real binary', () => {
  const seen = new Set<number>();
  const expectCode = (r: { code: number | null; stderr: string }, code: number) => {
    expect(r.code, r.stderr).toBe(code);
    seen.add(code);
    // Never a stack trace without --debug.
    expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  };

  it('0 serving, 3 locked, 5 wrong key, 0 unlocked via stdin', async () => {
    const sb = await initializedAndRestarted();
    expectCode(await runBin(['status'], { env: env(sb) }), 3);
    expectCode(await runBin(['unlock', '--key-from', 'env:OTHER'], { env: env(sb) }), 5);
    expectCode(await runBin(['unlock', '--key-from', '-'], { env: env(sb), input: `${KEY}\n` }), 0);
    expectCode(await runBin(['status'], { env: env(sb) }), 0);
  });

  it('1 already initialized, 2 usage, 6 not initialized', async () => {
    const sb = await startTestSandbox();
    expectCode(await runBin(['unlock', '--key-from', 'env:KEY'], { env: env(sb) }), 6);
    expectCode(await runBin(['unlock', '--key-from', 'not-a-source'], { env: env(sb) }), 2);
    expectCode(await runBin(['status', '--bogus-flag'], { env: env(sb) }), 2);
    expectCode(await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: env(sb) }), 0);
    expectCode(await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: env(sb) }), 1);
  });

  it('4 bad credentials, 9 rate limited', async () => {
    const sb = await initializedAndRestarted({ rateLimit: { soft: 100, hard: 3, delayScale: 0.001 } });
    expectCode(await runBin(['unlock', '--key-from', 'env:KEY'], { env: env(sb, { PW: 'wrong-password' }) }), 4);
    for (let i = 0; i < 3; i++) await runBin(['unlock', '--key-from', 'env:OTHER'], { env: env(sb) });
    const r = await runBin(['unlock', '--key-from', 'env:KEY'], { env: env(sb) });
    expectCode(r, 9);
    expect(r.stderr).toMatch(/retry|try again/i);
  });

  it('7 unreachable, 8 half-done rotation', async () => {
    const sb = await startTestSandbox({ faults: ['rotate-write'] });
    expectCode(await runBin(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: env(sb) }), 0);
    const rot = await runBin(
      ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:OTHER', '--confirm-saved'],
      { env: env(sb) },
    );
    expectCode(rot, 8);
    expect(rot.stderr).toContain('pikactl recover-rotation');
    const url = sb.url;
    await sb.stop();
    expectCode(await runBin(['status'], { env: { PIKA_SERVER: url } }), 7);
  });

  it('130 when interrupted while waiting', async () => {
    // A server that accepts and never answers: once pikactl has connected, it is certainly
    // running (its signal handler installed), so the interrupt cannot race start-up.
    const sockets: Socket[] = [];
    const hang = createServer((sock) => sockets.push(sock));
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const port = (hang.address() as AddressInfo).port;
    try {
      const r = await runBin(['status', '--wait', '30s', '--for', 'reachable'], {
        env: { PIKA_SERVER: `http://127.0.0.1:${port}` },
        onSpawn: (child) => hang.once('connection', () => setTimeout(() => child.kill('SIGINT'), 100)),
      });
      expectCode(r, 130);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });

  it('--json errors are one JSON document on stdout', async () => {
    const r = await runBin(['--json', 'unlock', '--key-from', 'env:K'], {
      env: { PIKA_SERVER: 'http://127.0.0.1:9', K: 'x' },
    });
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      exit_code: 7,
      error: { code: 'unreachable', message: expect.stringContaining('127.0.0.1:9') },
    });
    // status reports an unreachable server as a state, still one document.
    const st = await runBin(['--json', 'status'], { env: { PIKA_SERVER: 'http://127.0.0.1:9' } });
    expect(st.code).toBe(7);
    expect(JSON.parse(st.stdout)).toMatchObject({ ok: false, state: 'unreachable', exit_code: 7 });
  });

  it('covered every documented code', () => {
    // Runs last in this file (vitest keeps declaration order within a file).
    for (const { code } of EXIT_CODE_DOCS) expect(seen.has(code), `exit code ${code} not reached`).toBe(true);
  });
});
