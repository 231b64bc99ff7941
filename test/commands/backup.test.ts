import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { once, rawResponse, startAnswerProxy } from '../support/answer-proxy.js';
import { runCli, tempDir, type TestContextOptions } from '../support/context.js';
import { adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';

const KEY = 'backup-test-key-alpha-1';
const BPW = 'backup-password-beta-2';

function ci(sb: TestSandbox, home: string, extra: Record<string, string> = {}): TestContextOptions {
  return { home, env: adminEnv(sb, { PIKA_ALLOW_HTTP: '1', KEY, BPW, WRONG: 'not-the-password', ...extra }) };
}

async function source(home: string): Promise<TestSandbox> {
  const sb = await startTestSandbox();
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], ci(sb, home));
  expect(r.code).toBe(0);
  return sb;
}

const users = (sb: TestSandbox) =>
  (JSON.parse(readFileSync(join(sb.dataDir, 'users.json'), 'utf8')) as { users: Array<{ username: string }> }).users
    .map((u) => u.username)
    .sort();

describe('pikactl backup export → inspect → restore', () => {
  it('round trip: a complete 0600 file under its final name, its SHA-256 and db_version, then merge and wipe restores', async () => {
    const home = tempDir();
    const a = await source(home);
    const out = join(home, 'a.pikabw');
    const e = await runCli(['backup', 'export', '--out', out, '--json'], ci(a, home));
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const bytes = readFileSync(out);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(home).filter((n) => n.includes('.partial'))).toEqual([]);
    expect(e.json()).toMatchObject({
      ok: true,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      encrypted: false,
    });
    // Exists: refused without --force.
    expect((await runCli(['backup', 'export', '--out', out], ci(a, home))).code).toBe(2);

    const i = await runCli(['backup', 'inspect', out, '--json'], ci(a, home));
    expect(i.code).toBe(0);
    expect(i.json()).toMatchObject({
      complete: true,
      encrypted: false,
      db_version: e.json().db_version,
      sha256: e.json().sha256,
      opens: 'not_checked',
    });

    // Merge into a fresh server that has a user of its own: both stay, and it now reads initialized + locked.
    const b = await startTestSandbox({
      users: [{ ...TEST_ADMIN }, { username: 'bob', password: 'bob-password-1234' }],
    });
    const m = await runCli(['backup', 'restore', out, '--yes', '--json'], ci(b, home));
    expect(m.code).toBe(0);
    expect(m.json()).toMatchObject({
      restored: true,
      mode: 'merge',
      key_status: { initialized: true, unlocked: false },
    });
    expect(users(b)).toEqual(['admin', 'bob']);
    // The restored data opens under the backup's key.
    expect((await runCli(['unlock', '--key-from', 'env:KEY'], ci(b, home))).code).toBe(0);

    // Wipe: bob is gone, the session that restored is gone, and pikactl logs in again.
    const w = await runCli(['backup', 'restore', out, '--wipe', '--yes'], ci(b, home));
    expect(w.code).toBe(0);
    expect(w.stderr).toContain('no longer exists');
    expect(w.stderr).toContain('Logged in again as admin');
    expect(users(b)).toEqual(['admin']);
  });

  it('the default file name comes from Content-Disposition, in the current directory', async () => {
    const home = tempDir();
    const a = await source(home);
    const r = await runCli(['backup', 'export'], ci(a, home));
    expect(r.code).toBe(0);
    const names = readdirSync(home).filter((n) => n.endsWith('.pikabw'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^pika-backup-\d{8}-\d{6}-v\d+\.pikabw$/);
    expect(r.stdout).toContain('same secure store');
  });

  it('an encrypted backup: the right password opens it, a wrong one is exit 5 and nothing is sent, a missing one needs input', async () => {
    const home = tempDir();
    const a = await source(home);
    const out = join(home, 'enc.pikabw');
    expect((await runCli(['backup', 'export', '--out', out, '--encrypt-with', 'env:BPW'], ci(a, home))).code).toBe(0);
    const right = await runCli(['backup', 'inspect', out, '--decrypt-with', 'env:BPW', '--json'], ci(a, home));
    expect(right.code).toBe(0);
    expect(right.json()).toMatchObject({ encrypted: true, opens: 'yes' });
    const wrong = await runCli(['backup', 'inspect', out, '--decrypt-with', 'env:WRONG'], ci(a, home));
    expect(wrong.code).toBe(5);
    expect(wrong.stdout).toContain('does NOT open');

    const lines: string[] = [];
    const b = await startTestSandbox({ logger: (l) => lines.push(l) });
    const bad = await runCli(['backup', 'restore', out, '--decrypt-with', 'env:WRONG', '--yes'], ci(b, home));
    expect(bad.code).toBe(5);
    const missing = await runCli(['backup', 'restore', out, '--yes'], ci(b, home));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/backup password is needed/i);
    expect(lines.filter((l) => l.startsWith('POST /api/v1/backup'))).toEqual([]);
    const ok = await runCli(['backup', 'restore', out, '--decrypt-with', 'env:BPW', '--yes'], ci(b, home));
    expect(ok.code).toBe(0);
    expect(lines.filter((l) => l.startsWith('POST /api/v1/backup') && l.includes('-> 200'))).toHaveLength(1);
  });

  it('a truncated file is refused before anything is sent (inspect and restore, exit 2)', async () => {
    const home = tempDir();
    const a = await source(home);
    const out = join(home, 't.pikabw');
    expect((await runCli(['backup', 'export', '--out', out], ci(a, home))).code).toBe(0);
    truncateSync(out, statSync(out).size - 7);
    const i = await runCli(['backup', 'inspect', out], ci(a, home));
    expect(i.code).toBe(2);
    expect(i.stderr).toContain('truncated');
    const lines: string[] = [];
    const b = await startTestSandbox({ logger: (l) => lines.push(l) });
    const r = await runCli(['backup', 'restore', out, '--yes'], ci(b, home));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('7 missing');
    expect(lines.filter((l) => /^(GET|POST) /.test(l))).toEqual([]);
    writeFileSync(out, 'not a backup at all, just text');
    expect((await runCli(['backup', 'inspect', out], ci(a, home))).stderr).toContain('bad magic');
  });

  it('a locked target is refused with the reason and the way forward (exit 3), nothing posted', async () => {
    const home = tempDir();
    const a = await source(home);
    const out = join(home, 'l.pikabw');
    expect((await runCli(['backup', 'export', '--out', out], ci(a, home))).code).toBe(0);
    const lines: string[] = [];
    const locked = await a.restart({ logger: (l) => lines.push(l) });
    const r = await runCli(['backup', 'restore', out, '--yes'], ci(locked, home));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('is locked: Pika refuses a restore there');
    expect(r.stderr).toContain('Start a fresh Pika');
    expect(r.stderr).toContain('pikactl recover-from-backup');
    expect(lines.filter((l) => l.startsWith('POST /api/v1/backup'))).toEqual([]);
    // An export from the locked server is refused by the gate too (exit 3), and leaves no file.
    const ex = await runCli(['backup', 'export', '--out', join(home, 'from-locked.pikabw')], ci(locked, home));
    expect(ex.code).toBe(3);
    expect(readdirSync(home).filter((n) => n.startsWith('from-locked') || n.includes('.partial'))).toEqual([]);
  });

  it('without a terminal a restore needs --yes; on a terminal the host name is typed', async () => {
    const home = tempDir();
    const a = await source(home);
    const out = join(home, 'c.pikabw');
    expect((await runCli(['backup', 'export', '--out', out], ci(a, home))).code).toBe(0);
    const b = await startTestSandbox();
    expect((await runCli(['backup', 'restore', out], ci(b, home))).code).toBe(2);
    const no = await runCli(['backup', 'restore', out], {
      ...ci(b, home),
      tty: true,
      answers: [{ match: /host name/, answer: 'nope' }, { answer: 'nope' }, { answer: 'nope' }],
    });
    expect(no.code).toBe(130);
    expect(no.stderr).toContain('Type the host name 127.0.0.1 (1 try left; Ctrl-C stops).');
    const yes = await runCli(['backup', 'restore', out], {
      ...ci(b, home),
      tty: true,
      answers: [{ match: /host name \(127\.0\.0\.1\)/, answer: '127.0.0.1' }],
    });
    expect(yes.code).toBe(0);
    expect(yes.stderr).toContain('MERGE');
  });

  it('a restore whose answer is lost or unreadable is maybe-done (exit 8) with the command that finds out', async () => {
    const home = tempDir();
    const a = await source(home);
    const out = join(home, 'm.pikabw');
    expect((await runCli(['backup', 'export', '--out', out], ci(a, home))).code).toBe(0);
    for (const rewrite of [
      { raw: rawResponse('200 OK', { 'Content-Type': 'text/html' }, '<html>proxy</html>') },
      { raw: '' },
    ]) {
      const b = await startTestSandbox();
      const proxy = await startAnswerProxy(b, once('/api/v1/backup', rewrite));
      const r = await runCli(['backup', 'restore', out, '--yes', '--server', proxy.url], ci(b, home));
      expect(proxy.rewritten).toEqual(['POST /api/v1/backup']);
      expect(r.code).toBe(8);
      expect(r.stderr).toContain('the backup restore on');
      expect(r.stderr).toContain('may have been applied');
      expect(r.stderr).toContain(`pikactl status --server ${proxy.url}`);
      // It was applied: the fresh server now reads initialized and locked.
      expect((await runCli(['status', '--json'], ci(b, home))).json()).toMatchObject({ state: 'locked' });
    }
  });

  it('a non-ASCII backup password is sent as its UTF-8 bytes: the server seals with it, inspect and restore open it', async () => {
    const home = tempDir();
    const a = await source(home);
    const out = join(home, 'u.pikabw');
    const env = { BPW_U: 'pässwörd-ünïcødé-€-6' };
    expect(
      (await runCli(['backup', 'export', '--out', out, '--encrypt-with', 'env:BPW_U'], ci(a, home, env))).code,
    ).toBe(0);
    expect(
      (await runCli(['backup', 'inspect', out, '--decrypt-with', 'env:BPW_U', '--json'], ci(a, home, env))).json(),
    ).toMatchObject({ opens: 'yes' });
    const b = await startTestSandbox();
    expect(
      (await runCli(['backup', 'restore', out, '--decrypt-with', 'env:BPW_U', '--yes'], ci(b, home, env))).code,
    ).toBe(0);
  });
});
