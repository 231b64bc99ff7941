import { describe, expect, it } from 'vitest';
import { MemoryKeychain, runCli, tempDir, testContext } from '../support/context.js';
import { SandboxClient, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';
import { decodeStoredLogin } from '../../src/keychain/login-store.js';
import { Secret } from '../../src/secrets/secret.js';
import { ciEnv, filesUnder, KEY, NEW_KEY, recordingFetch } from '../keychain/support.js';

const session = (sb: TestSandbox) => `session:${sb.url}`;
/** The cookie in the stored entry (which also names the user). */
const storedCookie = (kc: MemoryKeychain, sb: TestSandbox): string =>
  decodeStoredLogin(new Secret(kc.entries.get(session(sb))!, 'test')).cookie.reveal();

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
    const cookie = storedCookie(kc, sb);
    expect(cookie).toMatch(/\S{20,}/);
    expect(decodeStoredLogin(new Secret(kc.entries.get(session(sb))!, 'test')).user).toBe('admin');

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
    expect(storedCookie(kc, sb)).toBe(cookie);
    for (const out of outputs) {
      expect(out).not.toContain(cookie);
      expect(out).not.toContain(TEST_ADMIN.password);
    }
  });

  it('whoami reports the user and settings.manage; not logged in is exit 4', async () => {
    const sb = await startTestSandbox({
      users: [
        { ...TEST_ADMIN },
        { username: 'viewer', password: 'viewer-password', permissions: [], superadmin: false },
      ],
    });
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

  it('"Log in again and retry? Yes" after a 307 of the stored session: the new session replaces it, the user name is not asked', async () => {
    const sb = await startTestSandbox();
    const kc = new MemoryKeychain();
    expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: ciEnv(sb) })).code).toBe(0);
    await login(sb, kc);
    const stale = storedCookie(kc, sb);
    // The server stops accepting it (as when its TTL runs out): every protected call now gets the 307.
    const other = new SandboxClient(sb.url, sb.cookieName);
    other.cookie = stale;
    expect((await other.call('POST', '/logout')).status).toBeLessThan(300);
    // No user anywhere in the environment: only the stored session knows it is admin's.
    const r = await runCli(['lock'], {
      tty: true,
      env: noPassword(sb),
      keychain: kc,
      answers: [
        { match: /^Lock /, answer: true },
        { match: /again and retry/, answer: true },
        { match: /password for admin/i, answer: TEST_ADMIN.password },
      ],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.io.prompts.remaining()).toBe(0);
    expect(r.io.prompts.asked.filter((p) => /user name/i.test(p))).toEqual([]);
    expect(r.stderr).toContain('no longer accepts the stored session');
    expect(r.stderr).toContain(`Logged in to ${sb.url} again as admin; the new session replaces the stored one.`);
    const fresh = storedCookie(kc, sb);
    expect(fresh).not.toBe(stale);
    expect(r.stdout + r.stderr).not.toContain(fresh);
    // The next command sees the new session, and it was not logged out when lock ended.
    const me = await runCli(['whoami', '--json'], { env: noPassword(sb), keychain: kc });
    expect(me.code, me.stderr).toBe(0);
    expect(me.json()).toMatchObject({ user: 'admin', entry: session(sb) });
    expect((await runCli(['status'], { env: noPassword(sb) })).code).toBe(3);
  });

  it('an inline login that expires mid-command logs in again as the same user without asking the name', async () => {
    const sb = await startTestSandbox();
    expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: ciEnv(sb) })).code).toBe(0);
    let ended = false;
    // Right before lock is sent, the session this command logged in with is ended on the server.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!ended && url.endsWith('/api/v1/key/lock')) {
        ended = true;
        const cookie = new Headers(init?.headers).get('cookie');
        await globalThis.fetch(`${sb.url}/logout`, { method: 'POST', headers: { cookie: cookie ?? '' } });
      }
      return globalThis.fetch(input, init);
    };
    const r = await runCli(['lock'], {
      tty: true,
      env: { ...noPassword(sb), PIKA_PASSWORD_FROM: 'env:PW', PW: TEST_ADMIN.password },
      fetch,
      answers: [
        { match: /^Lock /, answer: true },
        { match: /^Pika user name/, answer: 'admin' },
        { match: /again and retry/, answer: true },
      ],
    });
    expect(ended).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.io.prompts.remaining()).toBe(0);
    expect(r.io.prompts.asked.filter((p) => /user name/i.test(p))).toHaveLength(1);
  });

  it('logout ends the session on the server and deletes the entry; a server that is down is said so', async () => {
    const sb = await startTestSandbox();
    const kc = new MemoryKeychain();
    await login(sb, kc);
    const cookie = storedCookie(kc, sb);
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
    const first = storedCookie(kc, sb);
    await login(sb, kc);
    expect(storedCookie(kc, sb)).not.toBe(first);
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
