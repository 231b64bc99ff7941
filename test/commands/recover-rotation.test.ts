import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keychainAccount } from '../../src/keychain/accounts.js';
import { parseServerUrl } from '../../src/api/url.js';
import { MemoryKeychain, runCli, testContext, type TestContextOptions } from '../support/context.js';
import { adminClient, adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';

const KEY = 'correct-horse-battery-staple-1';
const NEW_KEY = 'tr0ub4dor-and-3-more-words-2';
const OTHER = 'nobody-holds-this-key-3';
const OTHER2 = 'nor-this-one-either-4';
const BOTH = ['--old-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY'];

function env(sb: TestSandbox, extra: Record<string, string> = {}): Record<string, string> {
  return adminEnv(sb, { KEY, NEW_KEY, OTHER, OTHER2, ...extra });
}
const ci = (sb: TestSandbox, extra: Record<string, string> = {}): TestContextOptions => ({ env: env(sb, extra) });

/** A sandbox with encryption on under KEY, and the given fault armed. */
async function initialized(faults: string[] = [], log?: string[]): Promise<TestSandbox> {
  const sb = await startTestSandbox({ faults, ...(log ? { logger: (l: string) => log.push(l) } : {}) });
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], ci(sb));
  expect(r.code, r.stderr).toBe(0);
  return sb;
}

/** Runs the faulty rotation KEY → NEW_KEY (exit 8: needs recovery). */
async function failedRotation(sb: TestSandbox): Promise<void> {
  const r = await runCli(
    ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'],
    ci(sb),
  );
  expect(r.code, r.stderr).toBe(8);
}

/** Which key the server takes after a restart: restarts on the same port and unlocks. */
async function keyAfterRestart(sb: TestSandbox): Promise<{ sb: TestSandbox; key: 'KEY' | 'NEW_KEY' | null }> {
  const sb2 = await sb.restart({ port: sb.port });
  for (const k of ['NEW_KEY', 'KEY'] as const) {
    const r = await runCli(['unlock', '--key-from', `env:${k}`], ci(sb2));
    if (r.code === 0) {
      expect((await runCli(['status'], ci(sb2))).code).toBe(0); // unlocked and settings open
      return { sb: sb2, key: k };
    }
  }
  return { sb: sb2, key: null };
}

function journals(home: string): string[] {
  const dir = join(home, '.local', 'state', 'pikactl', 'journals');
  return existsSync(dir) ? readdirSync(dir).map((n) => join(dir, n)) : [];
}

/** No passphrase, and not its SHA-256 (hex or base64) either: Pika's key IS that hash. */
function expectNoSecret(text: string): void {
  for (const s of [KEY, NEW_KEY, OTHER, OTHER2, TEST_ADMIN.password]) {
    const d = createHash('sha256').update(s).digest();
    for (const form of [s, d.toString('hex'), d.toString('base64')]) expect(text).not.toContain(form);
  }
}

const unlockPosts = (log: string[]) => log.filter((l) => l.startsWith('POST') && l.includes('/key/unlock'));

describe('recover-rotation against the sandbox faults', () => {
  it('rotate-write (memory new, disk old): goes back to the old key, rotates again with --yes, ends on the new key', async () => {
    const log: string[] = [];
    const sb = await initialized(['rotate-write'], log);
    await failedRotation(sb);
    const ctx = testContext(ci(sb));
    const r = await runCli(['recover-rotation', ...BOTH, '--yes'], ctx);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Half-rotated (the upstream case)');
    expect(r.stdout).toContain('Nothing to do');
    // Back to the old key without one refused key, then the rotation once more.
    expect(unlockPosts(log).filter((l) => l.includes('-> 403'))).toHaveLength(0);
    const [journal] = journals(ctx.homedir);
    const text = readFileSync(journal, 'utf8');
    expectNoSecret(text + r.stdout + r.stderr);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.step}:${l.state}`)).toEqual(
      expect.arrayContaining(['plan:decided', 'lock:done', 'unlock-old:done', 'check-settings:done', 'rotate:done']),
    );
    expect(lines.at(-1)).toMatchObject({ step: '-', state: 'finished' });
    expect((await keyAfterRestart(sb)).key).toBe('NEW_KEY');
  });

  it('rotate-write on a terminal: declining the offered re-rotation leaves it consistent on the old key (exit 0)', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', ...BOTH], {
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Severe step\. Type the server host name \(127\.0\.0\.1\)/, answer: '127.0.0.1' },
        { match: /Run "unlock with the old key" on 127\.0\.0\.1\?/, answer: true },
        { match: /Optional severe step.*or no to skip it/, answer: 'no' },
      ],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('consistent on the OLD key');
    expect(r.stdout).toContain('pikactl rotate');
    expect((await keyAfterRestart(sb)).key).toBe('KEY');
  });

  it('a key pasted at a severe step is recognised, whether typed at the key prompt or read from a flag; no then stops', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const severe = /^Severe step\. Type the server host name \(127\.0\.0\.1\) to run it, or no to stop:$/;
    const r = await runCli(['recover-rotation', '--new-key-from', 'env:NEW_KEY'], {
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Old server key.*leave empty/, answer: KEY },
        { match: /Old server key.*again to confirm/, answer: KEY },
        { match: severe, answer: KEY }, // the key typed a moment ago
        { match: severe, answer: NEW_KEY }, // the key --new-key-from read
        { match: severe, answer: 'no' },
      ],
    });
    expect(r.code, r.stderr).toBe(130);
    const pasted = 'That was a key, not the host name "127.0.0.1": it has been cleared from the screen.';
    expect(r.stderr).toContain(`${pasted} Type the host name 127.0.0.1 (2 tries left; no stops).`);
    expect(r.stderr).toContain(`${pasted} Type the host name 127.0.0.1 (1 try left; no stops).`);
    expectNoSecret(r.stdout + r.stderr);
    expect((await runCli(['status', '--json'], ci(sb))).json().state).toBe('unreadable'); // not locked
  });

  it('an interrupted run (No at a confirm, exit 130) resumes from its journal and skips what is done', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const ctx1 = testContext({
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Type the server host name/, answer: '127.0.0.1' },
        { match: /unlock with the old key/, answer: false },
      ],
    });
    const first = await runCli(['recover-rotation', ...BOTH], ctx1);
    expect(first.code).toBe(130);
    expect(first.stderr).toContain('recover-rotation --server');
    expect((await runCli(['status'], ci(sb))).code).toBe(3); // the lock step ran, the unlock did not
    const [journal] = journals(ctx1.homedir);
    expect(JSON.parse(readFileSync(journal, 'utf8').trim().split('\n').at(-1)!)).toMatchObject({
      step: 'unlock-old',
      state: 'cancelled',
    });

    // Same HOME, non-interactive: resumes the same plan (no new-key attempt on the locked server).
    const second = await runCli(['recover-rotation', ...BOTH, '--yes'], testContext({ ...ci(sb), home: ctx1.homedir }));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/Resuming run/);
    expect(journals(ctx1.homedir)).toEqual([journal]);
    const states = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((l) => `${l.step}:${l.state}`);
    const resumedAt = states.indexOf('-:resume');
    expect(resumedAt).toBeGreaterThan(0);
    expect(states.slice(resumedAt)).toEqual(expect.arrayContaining(['lock:skipped', 'unlock-old:done', 'rotate:done']));
    expect(states.at(-1)).toBe('-:finished');
    expectNoSecret(readFileSync(journal, 'utf8'));
    expect((await keyAfterRestart(sb)).key).toBe('NEW_KEY');
  });

  it('an unfinished journal whose plan no longer fits the server is closed, and the run diagnoses afresh', async () => {
    const sb = await initialized(['rotate-runbook']);
    await failedRotation(sb);
    const ctx1 = testContext({
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Type the server host name/, answer: '127.0.0.1' }, // lock
        { match: /unlock with the old key/, answer: true }, // refused: the verifier is on the new key
        { match: /unlock with the new key/, answer: true },
        { match: /Type the server host name/, answer: 'no' }, // the runbook's retry: cancelled
      ],
    });
    expect((await runCli(['recover-rotation', ...BOTH], ctx1)).code).toBe(130);
    const sb2 = await sb.restart({ port: sb.port, faults: [] }); // locked now: the retry cannot run as planned
    const r = await runCli(['recover-rotation', ...BOTH, '--yes'], testContext({ ...ci(sb2), home: ctx1.homedir }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /An earlier run \(\S+\) stopped at "rotate-retry" \(cancelled\); its plan no longer fits the server/,
    );
    const files = journals(ctx1.homedir);
    expect(files).toHaveLength(2);
    const old = files.map((f) => readFileSync(f, 'utf8')).find((t) => t.includes('"cancelled"'))!;
    expect(JSON.parse(old.trim().split('\n').at(-1)!)).toMatchObject({
      state: 'finished',
      note: expect.stringContaining('not resumed'),
    });
    expect((await keyAfterRestart(sb2)).key).toBe('NEW_KEY');
  });

  it("rotate-runbook (verifier new, secrets old) where the sandbox allows the runbook's retry: repaired, ends on the new key", async () => {
    const log: string[] = [];
    const sb = await initialized(['rotate-runbook'], log);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', ...BOTH, '--yes', '--json'], ci(sb));
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const plans = events.filter((e) => e.event === 'diagnosis').map((e) => e.plan);
    expect(plans).toContain('runbook_retry');
    expect(events.at(-1)).toMatchObject({ event: 'result', ok: true, exit_code: 0 });
    // Each key refused at most once.
    expect(unlockPosts(log).filter((l) => l.includes('-> 403')).length).toBeLessThanOrEqual(1);
    expectNoSecret(r.stdout);
    expect((await keyAfterRestart(sb)).key).toBe('NEW_KEY');
  });

  it('rotate-runbook on a server that refuses identical keys (current Pika): ends at the restore step, exit 8', async () => {
    const sb = await initialized(['rotate-runbook']);
    await failedRotation(sb);
    // Make it behave like upstream code: drop the sandbox's repair copy, then restart (locked).
    await sb.stop();
    const file = join(sb.dataDir, 'settings.json');
    const row = JSON.parse(readFileSync(file, 'utf8'));
    delete row.runbook_recovery;
    writeFileSync(file, JSON.stringify(row));
    const sb2 = await sb.restart({ port: sb.port });
    const r = await runCli(['recover-rotation', ...BOTH, '--yes'], ci(sb2));
    expect(r.code, r.stderr).toBe(8);
    expect(r.stdout).toContain('restore path');
    expect(r.stdout).toContain('refused with 400');
    expect(r.stdout).toMatch(/1\. Restart the Pika process/);
    expect(r.stdout).toMatch(/2\. Unlock it with the NEW key: pikactl unlock --server \S+ --key-from env:NEW_KEY/);
    expect(r.stdout).toContain('opens whole or not at all');
    expect(r.stdout).toMatch(/4\. Restore a backup/);
  });

  it('rotate-drop (applied, answer lost): nothing to do on the new key, no journal', async () => {
    const sb = await initialized(['rotate-drop']);
    await failedRotation(sb);
    const ctx = testContext(ci(sb));
    const r = await runCli(['recover-rotation', ...BOTH], ctx);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Nothing to do: the server is on the new key');
    expect(journals(ctx.homedir)).toEqual([]);
  });

  it('locked after a restart: tries the new key, then the old one, re-diagnoses and rotates again', async () => {
    const log: string[] = [];
    const sb = await initialized(['rotate-write'], log);
    await failedRotation(sb);
    const sb2 = await sb.restart({ port: sb.port, faults: [] });
    const r = await runCli(['recover-rotation', ...BOTH, '--yes'], ci(sb2));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('The server is locked: unlock it with the new key');
    expect(r.stderr).toMatch(/verifier refused the new key/);
    expect(r.stderr).toContain('The server is locked: unlock it with the old key');
    expect(r.stderr).toContain('The server is consistent on the OLD key');
    expect(r.stdout).toContain('Nothing to do');
    expect(unlockPosts(log).filter((l) => l.includes('-> 403'))).toHaveLength(1);
    expect((await keyAfterRestart(sb2)).key).toBe('NEW_KEY');
  });

  it('a re-rotation that fails again is not offered twice: back on the old key, exit 0', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    sb.armFault('rotate-write');
    const r = await runCli(['recover-rotation', ...BOTH, '--yes'], ci(sb));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/Half-rotated \(the upstream case\)/g)).toHaveLength(2);
    expect(r.stderr.match(/Step \d\/\d: rotate from the old key/g)).toHaveLength(1);
    expect(r.stdout).toContain('consistent on the OLD key');
    expect((await keyAfterRestart(sb)).key).toBe('KEY');
  });

  it('locked, holding only the old key: unlocks and stops, consistent on the old key', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const sb2 = await sb.restart({ port: sb.port });
    const r = await runCli(['recover-rotation', '--old-key-from', 'env:KEY', '--yes'], ci(sb2));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('consistent on the OLD key');
  });

  it('two wrong keys on a locked server: says first that the keys do not open it, with the keychain flags; no restart (exit 5)', async () => {
    const sb = await initialized();
    const sb2 = await sb.restart({ port: sb.port });
    const ctx = testContext(ci(sb2));
    const r = await runCli(
      ['recover-rotation', '--old-key-from', 'env:OTHER', '--new-key-from', 'env:OTHER2', '--yes'],
      ctx,
    );
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout.split('\n')[0]).toBe(
      'The keys you gave do not open this server: its verifier refused both the new and the old key.',
    );
    expect(r.stdout).toMatch(/1\. Check the keys for a typo/);
    expect(r.stdout).toMatch(
      /pikactl recover-rotation --server \S+ --old-key-from keychain:server-key-previous --new-key-from keychain:server-key-pending/,
    );
    // The restore path comes after, as a last resort, and fits a server that is locked already.
    expect(r.stdout.indexOf('typo')).toBeLessThan(r.stdout.indexOf('Restore a backup'));
    expect(r.stdout).not.toMatch(/restart/i);
    expect(r.stdout).not.toContain('Unlock it with the NEW key');
    expect((await runCli(['status'], ci(sb2))).code).toBe(3);
    for (const j of journals(ctx.homedir)) expectNoSecret(readFileSync(j, 'utf8'));
    expectNoSecret(r.stdout + r.stderr);
  });

  it('the instructions are re-checked against key/status right before they are printed', async () => {
    const sb = await initialized();
    const admin = await adminClient(sb);
    let refused = 0;
    // Someone locks the server right after pikactl's second refused key: the diagnosis it had is stale.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.endsWith('/api/v1/key/unlock') && res.status === 403 && ++refused === 2)
        expect((await admin.call('POST', '/api/v1/key/lock')).status).toBe(200);
      return res;
    };
    const r = await runCli(
      ['recover-rotation', '--old-key-from', 'env:OTHER', '--new-key-from', 'env:OTHER2', '--yes'],
      { ...ci(sb), fetch },
    );
    expect(refused).toBe(2);
    expect(r.stderr).toContain('The server changed while pikactl looked (key/status now: locked): diagnosing again.');
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout).toContain('The keys you gave do not open this server');
    expect(r.stdout).not.toContain('Do NOT restart or lock it');
    expect(r.stdout).not.toMatch(/restart/i);
  });
});

describe('recover-rotation: holding only the new key, or no key the server runs on', () => {
  it('half-state with only the new key: the diagnostic lock is asked like a severe step; the refused key is said first, and the locked server is not told to restart', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', '--new-key-from', 'env:NEW_KEY'], {
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Old server key.*leave empty/, answer: '' },
        { match: /Severe step\. Type the server host name \(127\.0\.0\.1\)/, answer: '127.0.0.1' },
        { match: /Run "unlock with the new key"/, answer: true },
      ],
    });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain('Locked the server to see which key the verifier takes.');
    expect(r.stdout.split('\n')[0]).toBe('The new key you gave does not open this server: its verifier refused it.');
    expect(r.stdout).toContain('The old key was not given: with it (--old-key-from) pikactl could go back to it');
    expect(r.stdout).toContain('--old-key-from keychain:server-key-previous');
    // pikactl locked it itself a moment ago: key/status is read again, and there is nothing to restart.
    expect((await runCli(['status'], ci(sb))).code).toBe(3);
    expect(r.stdout).toContain('It is locked already, with no key in memory');
    expect(r.stdout).not.toMatch(/restart/i);
  });

  it('declining the diagnostic lock changes nothing and ends at the restore path', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', '--new-key-from', 'env:NEW_KEY'], {
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Old server key/, answer: '' },
        { match: /Type the server host name/, answer: 'no' },
      ],
    });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('Diagnostic lock declined.');
    expect((await runCli(['status', '--json'], ci(sb))).json().state).toBe('unreadable');
  });

  it('healthy on a key nobody here holds: says do not restart, exit 8, and changes nothing', async () => {
    const sb = await initialized();
    const r = await runCli(
      ['recover-rotation', '--old-key-from', 'env:OTHER', '--new-key-from', 'env:OTHER2', '--yes'],
      ci(sb),
    );
    expect(r.code).toBe(8);
    expect(r.stdout).toContain('not on a key you supplied');
    expect(r.stdout).toContain('Do NOT restart or lock it');
    expect((await runCli(['status'], ci(sb))).code).toBe(0);
  });
});

describe('recover-rotation: --plan, --json, exit codes, key sources', () => {
  it('--plan diagnoses with GETs only: no key sent, nothing changed, steps with their live state', async () => {
    const log: string[] = [];
    const sb = await initialized(['rotate-write'], log);
    await failedRotation(sb);
    const before = log.length;
    const ctx = testContext(ci(sb));
    const r = await runCli(['recover-rotation', ...BOTH, '--plan'], ctx);
    expect(r.code).toBe(8);
    expect(r.stdout).toContain('Half-rotated (the upstream case)');
    expect(r.stdout).toMatch(/to do\s+1\/4 lock the server \[severe\]/);
    expect(r.stdout).toMatch(/4\/4 rotate from the old key to the new key \[severe\] \(optional\)/);
    expect(r.stdout).toContain('Nothing was changed (--plan)');
    const requests = log.slice(before).filter((l) => /^(GET|POST)/.test(l));
    // Only the login and logout of the session itself: no key operation.
    expect(requests.filter((l) => l.startsWith('POST') && !/\/(login\/|logout)/.test(l))).toEqual([]);
    expect(journals(ctx.homedir)).toEqual([]);
    expect((await runCli(['status', '--json'], ci(sb))).json().state).toBe('unreadable');
  });

  it('--plan on a healthy server says the unlock probe is skipped and exits 0', async () => {
    const log: string[] = [];
    const sb = await initialized(['rotate-drop'], log);
    await failedRotation(sb);
    const before = log.length;
    const r = await runCli(['recover-rotation', ...BOTH, '--plan'], ci(sb));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('skipped in --plan mode (a wrong key counts toward the unlock rate limit)');
    expect(unlockPosts(log.slice(before))).toHaveLength(0);
  });

  it('--json streams one event per line and ends with the result', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', ...BOTH, '--yes', '--json'], ci(sb));
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: 'diagnosis', round: 1, plan: 'revert_to_old', exit_code: 8 });
    expect(events.filter((e) => e.event === 'step' && e.state === 'done').map((e) => e.id)).toEqual([
      'lock',
      'unlock-old',
      'check-settings',
      'rotate',
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'result', ok: true, outcome: 'nothing_to_do', exit_code: 0 });
    expect(r.stderr).toBe('');
  });

  it('without a terminal and without --yes it stops before the first step and names --yes (exit 2)', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', ...BOTH], ci(sb));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect((await runCli(['status', '--json'], ci(sb))).json().state).toBe('unreadable');
  });

  it('rate limited: exit 9, and no further key is sent', async () => {
    const sb = await initialized();
    const sb2 = await sb.restart({ port: sb.port, rateLimit: { soft: 100, hard: 2, delayScale: 0.001 } });
    for (let i = 0; i < 2; i++) expect((await runCli(['unlock', '--key-from', 'env:OTHER'], ci(sb2))).code).toBe(5);
    const r = await runCli(['recover-rotation', ...BOTH, '--yes'], ci(sb2));
    expect(r.code, r.stderr).toBe(9);
    expect(r.stdout).toContain('rate-limiting unlock attempts');
  });

  it('unreachable: exit 7 without asking for keys or a login', async () => {
    const sb = await startTestSandbox();
    await sb.stop();
    const r = await runCli(['recover-rotation'], { env: { PIKA_SERVER: sb.url }, tty: true });
    expect(r.code).toBe(7);
    expect(r.stdout).toContain('The server did not answer');
    expect(r.io.prompts.asked).toEqual([]);
  });

  it('not initialized: exit 6', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['recover-rotation', ...BOTH], ci(sb));
    expect(r.code).toBe(6);
    expect(r.stdout).toContain('not initialized');
  });

  it('no key at all and no terminal: names both flags (exit 2)', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', '--yes'], ci(sb));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--old-key-from.*--new-key-from/);
  });

  it('takes the keys from the keychain a failed `rotate --save-to-keychain` leaves (live = old, pending = new)', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const kc = new MemoryKeychain();
    const server = parseServerUrl(sb.url);
    kc.entries.set(keychainAccount('server-key', server), KEY);
    kc.entries.set(keychainAccount('server-key-pending', server), NEW_KEY);
    const r = await runCli(['recover-rotation', '--yes'], { ...ci(sb), keychain: kc });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Keys: old keychain:server-key:\S+; new keychain:server-key-pending:/);
    expect(r.stderr).toContain('pikactl keychain set --server');
    expect(r.stderr).toContain('--key-from keychain:server-key-pending');
    expect((await keyAfterRestart(sb)).key).toBe('NEW_KEY');
  });

  it('on a terminal it asks for a missing key; an empty answer means "I do not have it"', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', '--yes'], {
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Old server key.*leave empty/, answer: KEY },
        { match: /Old server key.*again to confirm/, answer: KEY },
        { match: /New server key.*leave empty/, answer: '' },
      ],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.io.prompts.remaining()).toBe(0);
    expect(r.stderr).toContain('Keys: old prompt; new not supplied');
    // Holding only the old key: back to it, no re-rotation offered.
    expect(r.stdout).toContain('consistent on the OLD key');
    expectNoSecret(r.stdout + r.stderr);
  });

  it('a key typed at the prompt is typed again to confirm; a slip is caught before anything is sent', async () => {
    const log: string[] = [];
    const sb = await initialized(['rotate-write'], log);
    await failedRotation(sb);
    const before = unlockPosts(log).length;
    const r = await runCli(['recover-rotation', '--yes'], {
      ...ci(sb),
      tty: true,
      answers: [
        { match: /Old server key.*leave empty/, answer: `${KEY}x` }, // the slip
        { match: /Old server key.*again to confirm/, answer: KEY },
        { match: /Old server key.*leave empty/, answer: KEY },
        { match: /Old server key.*again to confirm/, answer: KEY },
        { match: /New server key.*leave empty/, answer: NEW_KEY },
        { match: /New server key.*again to confirm/, answer: NEW_KEY },
      ],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.io.prompts.remaining()).toBe(0);
    expect(r.stderr).toContain('The two entries do not match. Type the key again.');
    expect(r.stdout).toContain('Nothing to do');
    // Back on the old key without a refused key: the slip never reached the server.
    expect(
      unlockPosts(log)
        .slice(before)
        .filter((l) => l.includes('-> 403')),
    ).toHaveLength(0);
    expectNoSecret(r.stdout + r.stderr);
    expect((await keyAfterRestart(sb)).key).toBe('NEW_KEY');
  });

  it('typed keys that never match end with exit 2 after three tries, and no key is sent', async () => {
    const log: string[] = [];
    const sb = await initialized(['rotate-write'], log);
    await failedRotation(sb);
    const before = unlockPosts(log).length;
    const pair = (n: number) => [
      { match: /Old server key.*leave empty/, answer: `${KEY}${n}` },
      { match: /Old server key.*again to confirm/, answer: KEY },
    ];
    const r = await runCli(['recover-rotation', '--new-key-from', 'env:NEW_KEY', '--yes'], {
      ...ci(sb),
      tty: true,
      answers: [...pair(1), ...pair(2), ...pair(3)],
    });
    expect(r.code).toBe(2);
    expect(r.io.prompts.remaining()).toBe(0);
    expect(r.stderr).toMatch(/did not match \(3 tries\); nothing was sent/);
    expect(r.stderr).toContain('--old-key-from');
    expect(unlockPosts(log).slice(before)).toEqual([]);
  });

  it('--old-key-from prompt is confirmed too; keys from flags are not asked again', async () => {
    const sb = await initialized(['rotate-write']);
    await failedRotation(sb);
    const r = await runCli(['recover-rotation', '--old-key-from', 'prompt', '--new-key-from', 'env:NEW_KEY', '--yes'], {
      ...ci(sb),
      tty: true,
      answers: [
        { match: /^Old server key.*:$/, answer: KEY },
        { match: /again to confirm/, answer: KEY },
      ],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.io.prompts.asked).toHaveLength(2);
    expect(r.stdout).toContain('Nothing to do');
  });
});
