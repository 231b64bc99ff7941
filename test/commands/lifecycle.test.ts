import { describe, expect, it } from 'vitest';
import { runCli, type TestContextOptions } from '../support/context.js';
import { adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';

const KEY = 'correct-horse-battery-staple-1';
const NEW_KEY = 'tr0ub4dor-and-3-more-words-2';

/** Non-interactive (CI-like) environment: login and key from env vars. */
function ci(sb: TestSandbox, extra: Record<string, string> = {}): TestContextOptions {
  return { env: adminEnv(sb, { KEY, NEW_KEY, ...extra }) };
}

async function initialized(sb: TestSandbox): Promise<void> {
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], ci(sb));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('status', () => {
  it('reports encryption off on a fresh server and exits 0', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['status', '--json'], ci(sb));
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      server: sb.url,
      state: 'off',
      initialized: false,
      unlocked: false,
      exit_code: 0,
    });
  });

  it('exits 3 when locked, with the next step in human output', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart();
    const r = await runCli(['status'], ci(sb2));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Encryption:\s+locked/);
    expect(r.stdout).toContain('pikactl unlock');
  });

  it('exits 7 when nothing listens, and --wait gives up after the deadline', async () => {
    const sb = await startTestSandbox();
    const url = sb.url;
    await sb.stop();
    const r = await runCli(['status', '--wait', '600ms', '--for', 'reachable'], { env: { PIKA_SERVER: url } });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(
      /Gave up after 600ms waiting for .* to be reachable: nothing answered \(ECONNREFUSED\) \d+ times/,
    );
  });

  it('--wait waits through a restart until the server answers', async () => {
    const sb = await startTestSandbox();
    const port = sb.port;
    await sb.stop();
    const pending = runCli(['status', '--wait', '20s', '--for', 'reachable', '--json'], {
      env: { PIKA_SERVER: sb.url },
    });
    // Up before the third attempt (250 + 500 ms of backoff): 700 ms just missed it, costing a 1 s step.
    await new Promise((r) => setTimeout(r, 400));
    await sb.restart({ port });
    const r = await pending;
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ state: 'off' });
  });

  it('calls out a URL that is not a Pika API (HTML fallback)', async () => {
    const sb = await startTestSandbox({ basePath: '/pika' });
    const r = await runCli(['status'], { env: { PIKA_SERVER: sb.origin } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/base path|not .*Pika/i);
  });

  it('--for without --wait is a usage error', async () => {
    const r = await runCli(['status', '--for', 'unlocked'], { env: { PIKA_SERVER: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(2);
  });
});

describe('init', () => {
  it('without a terminal needs --confirm-saved (exit 2) and changes nothing', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['init', '--key-from', 'env:KEY'], ci(sb));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--confirm-saved');
    expect((await runCli(['status', '--json'], ci(sb))).json().state).toBe('off');
  });

  it('refuses a second init, unlocked (409 shape) or locked (503 shape)', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const again = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved', '--json'], ci(sb));
    expect(again.code).toBe(1);
    expect(again.json().error.code).toBe('already_initialized');
    const sb2 = await sb.restart();
    const locked = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], ci(sb2));
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('locked');
  });

  it('on a terminal asks the key twice and a typed "saved", and warns about a weak key', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['init'], {
      tty: true,
      env: { PIKA_SERVER: sb.url, PIKA_USER: 'admin' },
      answers: [
        { match: /password for admin/i, answer: TEST_ADMIN.password },
        { match: /new server key:/i, answer: 'short' },
        { match: /again/i, answer: 'short' },
        { match: /saved/i, answer: 'saved' },
      ],
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/weak/);
    expect(r.stdout).toContain('Encryption is on');
  });

  it('a mismatched confirmation on the terminal applies nothing', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['init', '--confirm-saved'], {
      tty: true,
      env: adminEnv(sb),
      answers: [{ answer: KEY }, { answer: 'something else' }, { answer: KEY }, { answer: 'different again' }],
    });
    expect(r.code).toBe(2);
    expect((await runCli(['status', '--json'], ci(sb))).json().state).toBe('off');
  });
});

describe('unlock', () => {
  it('after a restart: wrong key exits 5, the right key unlocks, again is a no-op without credentials', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart();
    const wrong = await runCli(['unlock', '--key-from', 'env:NEW_KEY'], ci(sb2));
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).not.toContain(NEW_KEY);
    const ok = await runCli(['unlock', '--key-from', 'env:KEY', '--json'], ci(sb2));
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({ ok: true, before: 'locked', action: 'unlocked', after: 'unlocked' });
    const noop = await runCli(['unlock', '--json'], { env: { PIKA_SERVER: sb2.url } });
    expect(noop.code).toBe(0);
    expect(noop.json()).toMatchObject({ action: 'none', after: 'unlocked' });
  });

  it('not initialized exits 6', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['unlock', '--key-from', 'env:KEY'], ci(sb));
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('pikactl init');
  });

  it('a user without settings.manage exits 4; bad credentials exit 4', async () => {
    const sb = await startTestSandbox({
      users: [
        { ...TEST_ADMIN },
        { username: 'viewer', password: 'viewer-password', permissions: [], superadmin: false },
      ],
    });
    await initialized(sb);
    const sb2 = await sb.restart();
    const viewer = await runCli(
      ['unlock', '--key-from', 'env:KEY'],
      ci(sb2, { PIKA_USER: 'viewer', PW: 'viewer-password' }),
    );
    expect(viewer.code).toBe(4);
    expect(viewer.stderr).toContain('settings.manage');
    const bad = await runCli(['unlock', '--key-from', 'env:KEY'], ci(sb2, { PW: 'not-the-password' }));
    expect(bad.code).toBe(4);
    expect(bad.stderr).not.toContain('not-the-password');
  });

  it('without a terminal and without a user it names the flag (exit 2)', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart();
    const r = await runCli(['unlock', '--key-from', 'env:KEY'], { env: { PIKA_SERVER: sb2.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--user|PIKA_USER/);
  });

  it('rate limited exits 9 with the retry time', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart({ rateLimit: { soft: 100, hard: 2, delayScale: 0.001 } });
    for (let i = 0; i < 2; i++) expect((await runCli(['unlock', '--key-from', 'env:NEW_KEY'], ci(sb2))).code).toBe(5);
    const r = await runCli(['unlock', '--key-from', 'env:KEY', '--json'], ci(sb2));
    expect(r.code).toBe(9);
    expect(r.json().error.code).toBe('rate_limited');
    expect(r.json().error.message).toMatch(/\d+ ?(s|m|seconds|minutes)/);
  });

  it('a passphrase on the command line is refused and not echoed', async () => {
    const r = await runCli(['unlock', '--key-from', 'hunter2-on-argv'], { env: { PIKA_SERVER: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).not.toContain('hunter2-on-argv');
  });
});

describe('lock', () => {
  it('needs --yes without a terminal, then locks; already locked is success', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const noYes = await runCli(['lock'], ci(sb));
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const ok = await runCli(['lock', '--yes'], ci(sb));
    expect(ok.code).toBe(0);
    expect((await runCli(['status'], ci(sb))).code).toBe(3);
    const again = await runCli(['lock', '--yes', '--json'], ci(sb));
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ action: 'none', after: 'locked' });
  });

  it('answering No on a terminal cancels (130) and leaves it unlocked', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const r = await runCli(['lock'], {
      tty: true,
      env: { PIKA_SERVER: sb.url },
      answers: [{ match: /Lock/, answer: false }],
    });
    expect(r.code).toBe(130);
    expect((await runCli(['status'], ci(sb))).code).toBe(0);
  });

  it('not initialized exits 6', async () => {
    const sb = await startTestSandbox();
    expect((await runCli(['lock', '--yes'], ci(sb))).code).toBe(6);
  });
});

describe('rotate', () => {
  it('rotates, verifies, and the next restart needs the new key', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const r = await runCli(
      ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved', '--json'],
      ci(sb),
    );
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, action: 'rotated', verified: true });
    const sb2 = await sb.restart();
    expect((await runCli(['unlock', '--key-from', 'env:KEY'], ci(sb2))).code).toBe(5);
    expect((await runCli(['unlock', '--key-from', 'env:NEW_KEY'], ci(sb2))).code).toBe(0);
  });

  it('refuses when locked (3), not initialized (6), wrong current key (5), identical keys (2)', async () => {
    const sb = await startTestSandbox();
    const rotate = (current: string, next: string) => [
      'rotate',
      '--current-key-from',
      `env:${current}`,
      '--new-key-from',
      `env:${next}`,
      '--confirm-saved',
    ];
    const args = rotate('KEY', 'NEW_KEY');
    expect((await runCli(args, ci(sb))).code).toBe(6);
    await initialized(sb);
    expect((await runCli(rotate('NEW_KEY', 'KEY'), ci(sb))).code).toBe(5);
    expect((await runCli(rotate('KEY', 'KEY'), ci(sb))).code).toBe(2);
    const sb2 = await sb.restart();
    expect((await runCli(args, ci(sb2))).code).toBe(3);
  });

  it('a failed settings write (upstream half-state) exits 8 and points at recover-rotation', async () => {
    const sb = await startTestSandbox({ faults: ['rotate-write'] });
    await initialized(sb);
    const r = await runCli(
      ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'],
      ci(sb),
    );
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('pikactl recover-rotation');
    expect(r.stderr).toMatch(/request_id/);
    const st = await runCli(['status', '--json'], ci(sb));
    expect(st.code).toBe(8);
    expect(st.json().state).toBe('unreadable');
  });

  it('a connection dropped after the rotation was applied exits 8', async () => {
    const sb = await startTestSandbox({ faults: ['rotate-drop'] });
    await initialized(sb);
    const r = await runCli(
      ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved', '--json'],
      ci(sb),
    );
    expect(r.code).toBe(8);
    expect(r.json().error.code).toBe('maybe_done');
  });
});
