import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryKeychain, runCli, tempDir, type TestContextOptions } from '../support/context.js';
import { adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';

const KEY = 'the-key-live-at-backup-time-1';
const NEW_KEY = 'a-brand-new-key-for-the-server-2';
const BPW = 'the-backup-file-password-3';

function ci(sb: TestSandbox, home: string, extra: Record<string, string> = {}): TestContextOptions {
  return { home, env: adminEnv(sb, { PIKA_ALLOW_HTTP: '1', KEY, NEW_KEY, BPW, WRONG: 'some-other-key-4', ...extra }) };
}

/** A server with data (user carol) under KEY, exported encrypted; the source is then "lost" (stopped). */
async function backupFile(home: string): Promise<string> {
  const a = await startTestSandbox({
    users: [{ ...TEST_ADMIN }, { username: 'carol', password: 'carol-password-1234' }],
  });
  expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], ci(a, home))).code).toBe(0);
  const out = join(home, 'lost.pikabw');
  expect((await runCli(['backup', 'export', '--out', out, '--encrypt-with', 'env:BPW'], ci(a, home))).code).toBe(0);
  await a.stop();
  return out;
}

const args = (file: string, backupKey = 'env:KEY') => [
  'recover-from-backup',
  '--backup',
  file,
  '--backup-key-from',
  backupKey,
  '--new-key-from',
  'env:NEW_KEY',
  '--decrypt-with',
  'env:BPW',
];
const users = (sb: TestSandbox) =>
  (JSON.parse(readFileSync(join(sb.dataDir, 'users.json'), 'utf8')) as { users: Array<{ username: string }> }).users
    .map((u) => u.username)
    .sort();

async function servesOnNewKey(b: TestSandbox, home: string): Promise<void> {
  const again = await b.restart();
  expect((await runCli(['unlock', '--key-from', 'env:KEY'], ci(again, home))).code).toBe(5);
  expect((await runCli(['unlock', '--key-from', 'env:NEW_KEY'], ci(again, home))).code).toBe(0);
  expect((await runCli(['status', '--json'], ci(again, home))).json()).toMatchObject({ state: 'unlocked' });
}

describe('pikactl recover-from-backup', () => {
  it("takes a fresh server from nothing to serving the backup's data on a new key", async () => {
    const home = tempDir();
    const file = await backupFile(home);
    const b = await startTestSandbox();
    const plan = await runCli([...args(file), '--plan'], ci(b, home));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Plan only');
    expect(users(b)).toEqual(['admin']);

    const r = await runCli([...args(file), '--yes', '--confirm-saved', '--json'], ci(b, home));
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === 'step' && e.state === 'done').map((e) => e.id)).toEqual([
      'check-target',
      'restore',
      'unlock-backup-key',
      'check-settings',
      'rotate',
      'verify-serving',
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'result', ok: true, outcome: 'serving_on_new_key' });
    expect(users(b)).toEqual(['admin', 'carol']);
    await servesOnNewKey(b, home);
  });

  it('a wrong backup key stops at the unlock (exit 5, nothing rotated); the run resumes there with the right one', async () => {
    const home = tempDir();
    const file = await backupFile(home);
    const b = await startTestSandbox();
    const wrong = await runCli([...args(file, 'env:WRONG'), '--yes', '--confirm-saved'], ci(b, home));
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain("refused the backup's key; nothing was changed");
    expect(wrong.stderr).toContain('resume with: pikactl recover-from-backup');
    expect((await runCli(['status', '--json'], ci(b, home))).json()).toMatchObject({ state: 'locked' });

    const resumed = await runCli([...args(file), '--yes', '--confirm-saved'], ci(b, home));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('Resuming run');
    expect(resumed.stderr).toContain('2/6 restore the backup (merge) (already done)');
    await servesOnNewKey(b, home);
  });

  it('interrupted at the restore and again at the rotation (host name not typed), then resumed to the end', async () => {
    const home = tempDir();
    const file = await backupFile(home);
    const b = await startTestSandbox();
    const tty = (answers: Array<{ match?: RegExp; answer: string | boolean }>) => ({
      ...ci(b, home),
      tty: true,
      answers,
    });
    const atRestore = await runCli(args(file), tty([{ match: /Severe step/, answer: 'no' }]));
    expect(atRestore.code).toBe(130);
    expect(users(b)).toEqual(['admin']);

    const atRotate = await runCli(
      args(file),
      tty([
        { match: /Severe step/, answer: '127.0.0.1' },
        { match: /unlock with the backup/, answer: true },
        { match: /Severe step/, answer: 'no' },
      ]),
    );
    expect(atRotate.code).toBe(130);
    expect(atRotate.stderr).toContain('Resuming run');
    expect((await runCli(['status', '--json'], ci(b, home))).json()).toMatchObject({ state: 'unlocked' });

    const done = await runCli([...args(file), '--yes', '--confirm-saved'], ci(b, home));
    expect(done.code).toBe(0);
    expect(done.stderr).toContain("3/6 unlock with the backup's key (already done)");
    await servesOnNewKey(b, home);
    // One journal for the whole incident, and it finished.
    const dir = join(home, '.local', 'state', 'pikactl', 'journals');
    const journals = readdirSync(dir).filter((n) => n.startsWith('recover-from-backup-'));
    expect(journals).toHaveLength(1);
    expect(readFileSync(join(dir, journals[0]), 'utf8').trim().split('\n').at(-1)).toContain('"finished"');
  });

  it('a locked target is refused before any key is asked for (exit 3)', async () => {
    const home = tempDir();
    const file = await backupFile(home);
    const b = await startTestSandbox();
    expect((await runCli(['init', '--key-from', 'env:WRONG', '--confirm-saved'], ci(b, home))).code).toBe(0);
    const locked = await b.restart();
    const r = await runCli(args(file), ci(locked, home));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Start a fresh Pika');
  });

  it('the runbook names the command', async () => {
    const r = await runCli(['runbook', 'show', 'lost-key-with-backup']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pikactl recover-from-backup --backup FILE --backup-key-from SPEC');
  });

  it('--save-to-keychain keeps the new key as server-key:<url> once verified; the export then names that entry', async () => {
    const home = tempDir();
    const file = await backupFile(home);
    const b = await startTestSandbox();
    const keychain = new MemoryKeychain();
    const r = await runCli([...args(file), '--yes', '--confirm-saved', '--save-to-keychain'], {
      ...ci(b, home),
      keychain,
    });
    expect(r.code).toBe(0);
    expect(keychain.entries.get(`server-key:${b.url}`)).toBe(NEW_KEY);
    expect(r.stdout).toContain(`keychain entry "server-key:${b.url}"`);
    const e = await runCli(['backup', 'export', '--out', join(home, 'after.pikabw')], { ...ci(b, home), keychain });
    expect(e.code).toBe(0);
    expect(e.stdout).toContain(`the keychain entry "server-key:${b.url}"`);
    expect(e.stdout).toContain('same secure store');
  });
});
