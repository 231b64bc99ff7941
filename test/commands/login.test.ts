import { describe, expect, it } from 'vitest';
import { MemoryKeychain, runCli, tempDir, testContext } from '../support/context.js';
import { startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';
import { ciEnv, filesUnder, KEY, NEW_KEY, recordingFetch } from '../keychain/support.js';

const session = (sb: TestSandbox) => `session:${sb.url}`;

/** Logs in with the password from env (as on a terminal, the password could be typed instead). */
async function login(sb: TestSandbox, kc: MemoryKeychain, extra: Record<string, string> = {}) {
  const r = await runCli(['login'], { env: ciEnv(sb, extra), keychain: kc });
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Only the server and the keys: no user, no password, no PIKA_SESSION. */
const noPassword = (sb: TestSandbox) => ({ PIKA_SERVER: sb.url, KEY, NEW_KEY });

describe('pikactl login', () => {
  it('logs in once; lock and rotate then run without a password, and the cookie is shown nowhere', async () => {
    const sb = await startTestSandbox();
    const kc = new MemoryKeychain();
    const r = await login(sb, kc);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Logged in to ${sb.url} as admin`);
    expect(r.stdout).toContain(`keychain entry "${session(sb)}"`);
    expect(r.stdout).toMatch(/settings\.manage: yes/);
    const cookie = kc.entries.get(session(sb))!;
    expect(cookie).toMatch(/\S{20,}/);

    const outputs = [r.stdout + r.stderr];
    for (const argv of [
      ['init', '--key-from', 'env:KEY', '--confirm-saved'],
      ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'],
      ['lock', '--yes'],
      ['unlock', '--key-from', 'env:NEW_KEY'],
      ['whoami'],
    ]) {
      const c = await runCli(argv, { env: noPassword(sb), keychain: kc });
      expect(c.code, `${argv.join(' ')}: ${c.stderr}`).toBe(0);
      outputs.push(c.stdout + c.stderr);
    }
    // The stored session survives each command: commands never log a stored session out.
    expect(kc.entries.get(session(sb))).toBe(cookie);
    for (const out of outputs) {
      expect(out).not.toContain(cookie);
      expect(out).not.toContain(TEST_ADMIN.password);
    }
  });

  it('whoami reports the user and settings.manage; not logged in is exit 4', async () => {
    const sb = await startTestSandbox({ users: [{ ...TEST_ADMIN }, { username: 'viewer', password: 'viewer-password', permissions: [], superadmin: false }] });
    const kc = new MemoryKeychain();
    const none = await runCli(['whoami', '--json'], { env: noPassword(sb), keychain: kc });
    expect(none.code).toBe(4);
    expect(none.json().error.hint).toContain('pikactl login');
    await login(sb, kc, { PIKA_USER: 'viewer', PW: 'viewer-password' });
    const me = await runCli(['whoami', '--json'], { env: noPassword(sb), keychain: kc });
    expect(me.code).toBe(0);
    expect(me.json()).toMatchObject({ user: 'viewer', settings_manage: false, superadmin: false, entry: session(sb) });
    const human = await runCli(['whoami'], { env: noPassword(sb), keychain: kc });
    expect(human.stdout).toMatch(/settings\.manage: no/);
    expect(human.stderr).toContain('ask an administrator');
    // No keychain at all: still exit 4, and it says why.
    const nokc = await runCli(['whoami'], { env: noPassword(sb) });
    expect(nokc.code).toBe(4);
    expect(nokc.stderr).toMatch(/no keychain is usable/);
  });

  it('an expired stored session (307) is removed and the operator is told to log in again', async () => {
    const sb = await startTestSandbox({ sessionTtlMs: 1000 });
    const kc = new MemoryKeychain();
    expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: ciEnv(sb) })).code).toBe(0);
    await login(sb, kc);
    await new Promise((r) => setTimeout(r, 1100));
    const r = await runCli(['lock', '--yes'], { env: noPassword(sb), keychain: kc });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no longer accepts the stored session');
    expect(r.stderr).toContain('The stale stored session was removed');
    expect(r.stderr).toContain(`pikactl login --server ${sb.url}`);
    expect(kc.entries.has(session(sb))).toBe(false);
    expect((await runCli(['status'], { env: noPassword(sb) })).code).toBe(0); // still unlocked
  });

  it('logout ends the session on the server and deletes the entry; a server that is down is said so', async () => {
    const sb = await startTestSandbox();
    const kc = new MemoryKeychain();
    await login(sb, kc);
    const cookie = kc.entries.get(session(sb))!;
    const out = await runCli(['logout'], { env: noPassword(sb), keychain: kc });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('ended on the server');
    expect(kc.entries.size).toBe(0);
    const revoked = await runCli(['whoami'], { env: { ...noPassword(sb), PIKA_SESSION: cookie } });
    expect(revoked.code).toBe(4);
    const again = await runCli(['logout'], { env: noPassword(sb), keychain: kc });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');

    await login(sb, kc);
    await sb.stop();
    const down = await runCli(['logout', '--json'], { env: noPassword(sb), keychain: kc });
    expect(down.code).toBe(0);
    expect(down.json()).toMatchObject({ action: 'logged_out', revoked: false });
    expect(kc.entries.size).toBe(0);
    const downHuman = await runCli(['logout'], { env: noPassword(sb), keychain: kc });
    expect(downHuman.stdout).toContain('nothing to do');
  });

  it('a second login replaces the stored session and ends the old one', async () => {
    const sb = await startTestSandbox();
    const kc = new MemoryKeychain();
    await login(sb, kc);
    const first = kc.entries.get(session(sb))!;
    await login(sb, kc);
    expect(kc.entries.get(session(sb))).not.toBe(first);
    expect((await runCli(['whoami'], { env: { ...noPassword(sb), PIKA_SESSION: first } })).code).toBe(4);
  });

  it('without a keychain: exit 1 before the password is read, pointing to PIKA_SESSION; no file is written', async () => {
    const sb = await startTestSandbox();
    const home = tempDir('pikactl-login-home-');
    const env = { ...ciEnv(sb), XDG_CONFIG_HOME: `${home}/.config`, XDG_STATE_HOME: `${home}/.local/state` };
    const kc = new MemoryKeychain();
    const { fetch, sent } = recordingFetch(kc, sb);
    const r = await runCli(['login'], { env, home, fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs the OS keychain');
    expect(r.stderr).toMatch(/PIKA_SESSION/);
    expect(r.stderr).toMatch(/--user NAME --password-from SPEC/);
    expect(r.stderr).toMatch(/never falls back to a plaintext file/);
    expect(sent).toEqual([]); // not even a login request
    expect(filesUnder(home)).toEqual([]);
  });

  it('commands that need no session never open the keychain', async () => {
    const sb = await startTestSandbox();
    expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: ciEnv(sb) })).code).toBe(0);
    let opened = 0;
    const ctx = () => {
      const c = testContext({ env: noPassword(sb), keychain: new MemoryKeychain() });
      const open = c.keychain;
      c.keychain = () => (opened++, open());
      return c;
    };
    expect((await runCli(['status'], ctx())).code).toBe(0);
    expect((await runCli(['unlock'], ctx())).code).toBe(0); // already unlocked
    expect((await runCli(['lock', '--yes'], testContext({ env: { ...ciEnv(sb), PIKA_SESSION: 'x' } }))).code).toBe(4); // PIKA_SESSION wins
    expect(opened).toBe(0);
  });
});
