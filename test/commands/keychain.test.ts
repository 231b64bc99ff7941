import { describe, expect, it } from 'vitest';
import { MemoryKeychain, runCli } from '../support/context.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { ciEnv, KEY, NEW_KEY, recordingFetch } from '../keychain/support.js';

async function initialized(sb: TestSandbox): Promise<void> {
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env: ciEnv(sb) });
  expect(r.code).toBe(0);
}

const live = (sb: TestSandbox) => `server-key:${sb.url}`;
const previous = (sb: TestSandbox) => `server-key-previous:${sb.url}`;

describe('keychain set', () => {
  it('verifies the key against an unlocked server and stores it; a wrong key exits 5 and stores nothing', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const kc = new MemoryKeychain();
    const wrong = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY'], { env: ciEnv(sb), keychain: kc });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain('nothing was stored');
    expect(kc.entries.size).toBe(0);
    const ok = await runCli(['keychain', 'set', '--key-from', 'env:KEY', '--json'], { env: ciEnv(sb), keychain: kc });
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({
      ok: true,
      entry: live(sb),
      backend: 'memory',
      verified: true,
      unlocked: false,
      replaced: false,
    });
    expect(kc.entries.get(live(sb))).toBe(KEY);
    expect(ok.stdout + ok.stderr).not.toContain(KEY);
  });

  it('on a locked server the verification is a real unlock', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart();
    const kc = new MemoryKeychain();
    const r = await runCli(['keychain', 'set', '--key-from', 'env:KEY'], { env: ciEnv(sb2), keychain: kc });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the key unlocked it');
    expect(r.stdout).toContain('verified against the server');
    expect((await runCli(['status'], { env: ciEnv(sb2) })).code).toBe(0);
  });

  it('--no-verify stores without asking the server; encryption off stores with a warning', async () => {
    const sb = await startTestSandbox();
    const kc = new MemoryKeychain();
    const { fetch, sent } = recordingFetch(kc, sb);
    const r = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY', '--no-verify', '--json'], {
      env: ciEnv(sb),
      keychain: kc,
      fetch,
    });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ verified: false, reason: '--no-verify' });
    expect(sent).toEqual([]);
    const off = await runCli(['keychain', 'set', '--key-from', 'env:KEY', '--yes'], { env: ciEnv(sb), keychain: kc });
    expect(off.code).toBe(0);
    expect(off.stderr).toMatch(/NOT verified: encryption is not initialized/);
    expect(off.stdout).toContain('Replaced');
    expect(kc.entries.get(live(sb))).toBe(KEY);
    expect(kc.entries.get(previous(sb))).toBe(NEW_KEY);
  });

  it('over an existing entry it says so and asks (default No); Yes keeps the old key as server-key-previous', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const kc = new MemoryKeychain();
    expect((await runCli(['keychain', 'set', '--key-from', 'env:KEY'], { env: ciEnv(sb), keychain: kc })).code).toBe(0);
    expect(
      (
        await runCli(['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'], {
          env: ciEnv(sb),
        })
      ).code,
    ).toBe(0);
    const no = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY'], {
      tty: true,
      env: ciEnv(sb),
      keychain: kc,
      answers: [{ match: new RegExp(`^Replace the keychain entry "${live(sb)}"\\?`), answer: false }],
    });
    expect(no.code).toBe(130);
    expect(no.stderr).toContain(
      `The keychain entry "${live(sb)}" already holds a different value, and it will be replaced.`,
    );
    expect(no.stderr).toContain(`The current value is kept as "${previous(sb)}".`);
    expect(kc.entries.get(live(sb))).toBe(KEY);
    expect(kc.entries.has(previous(sb))).toBe(false);
    const yes = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY'], {
      tty: true,
      env: ciEnv(sb),
      keychain: kc,
      answers: [{ match: /^Replace/, answer: true }],
    });
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain(`Replaced the keychain entry "${live(sb)}" in memory, verified against the server.`);
    expect(yes.stdout).toContain(`The key it held is kept as "${previous(sb)}".`);
    expect(kc.entries.get(live(sb))).toBe(NEW_KEY);
    expect(kc.entries.get(previous(sb))).toBe(KEY);
    expect(yes.stdout + yes.stderr + no.stdout + no.stderr).not.toContain(KEY);
    // The same key again: nothing to replace, nothing asked (a terminal with no scripted answer).
    const same = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY', '--json'], {
      tty: true,
      env: ciEnv(sb),
      keychain: kc,
      answers: [],
    });
    expect(same.code, same.stderr).toBe(0);
    expect(same.io.prompts.asked).toEqual([]);
    expect(same.json()).toMatchObject({ replaced: false, unchanged: true, verified: true });
  });

  it('without a terminal, replacing needs --yes: exit 2 before the key is read or anything is sent', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const kc = new MemoryKeychain();
    kc.entries.set(live(sb), KEY);
    const { fetch, sent } = recordingFetch(kc, sb);
    const r = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY'], { env: ciEnv(sb), keychain: kc, fetch });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the keychain entry "${live(sb)}" exists`);
    expect(r.stderr).toContain('--yes');
    expect(sent.filter((x) => x.path.startsWith('/api/v1/key'))).toEqual([]);
    expect(kc.entries.get(live(sb))).toBe(KEY);
    const yes = await runCli(['keychain', 'set', '--key-from', 'env:KEY', '--yes', '--json'], {
      env: ciEnv(sb),
      keychain: kc,
    });
    expect(yes.json()).toMatchObject({ replaced: false, unchanged: true });
  });

  it('a key that cannot be verified (server down) is refused unless --no-verify; the entry stays as it was', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const kc = new MemoryKeychain();
    kc.entries.set(live(sb), KEY);
    await sb.stop();
    const r = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY', '--yes'], { env: ciEnv(sb), keychain: kc });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('the key cannot be verified');
    expect(r.stderr).toContain('nothing was stored');
    expect(r.stderr).toContain('--no-verify');
    expect(kc.entries.get(live(sb))).toBe(KEY);
    expect(kc.entries.has(previous(sb))).toBe(false);
    const forced = await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY', '--yes', '--no-verify', '--json'], {
      env: ciEnv(sb),
      keychain: kc,
    });
    expect(forced.code).toBe(0);
    expect(forced.json()).toMatchObject({
      replaced: true,
      verified: false,
      reason: '--no-verify',
      previous: previous(sb),
    });
    expect(kc.entries.get(live(sb))).toBe(NEW_KEY);
    expect(kc.entries.get(previous(sb))).toBe(KEY);
  });

  it('on a terminal the key is typed twice; --name stores an entry that needs no server', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const kc = new MemoryKeychain();
    const r = await runCli(['keychain', 'set'], {
      tty: true,
      env: ciEnv(sb),
      keychain: kc,
      answers: [
        { match: /^Server key:/, answer: KEY },
        { match: /again/, answer: KEY },
      ],
    });
    expect(r.code).toBe(0);
    expect(kc.entries.get(live(sb))).toBe(KEY);
    const named = await runCli(['keychain', 'set', '--name', 'pika-admin-password', '--key-from', 'env:PW'], {
      env: { PW: 'pw-value' },
      keychain: kc,
    });
    expect(named.code).toBe(0);
    expect(kc.entries.get('pika-admin-password')).toBe('pw-value');
  });

  it('without a keychain: exit 1 before anything is read, naming the alternatives', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['keychain', 'set', '--json'], { env: ciEnv(sb) });
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({ code: 'keychain_unavailable' });
    expect(r.json().error.hint).toMatch(/--key-from env:NAME/);
    expect(r.json().error.hint).toMatch(/never falls back to a plaintext file/);
  });
});

describe('unlock with a stored key', () => {
  it('uses the entry after a restart without asking, and says so on stderr', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const kc = new MemoryKeychain();
    expect((await runCli(['keychain', 'set', '--key-from', 'env:KEY'], { env: ciEnv(sb), keychain: kc })).code).toBe(0);
    const sb2 = await sb.restart({ port: sb.port }); // same URL, same entry
    const r = await runCli(['unlock'], { env: ciEnv(sb2), keychain: kc });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Using the server key from the keychain entry "${live(sb2)}"`);
    expect(r.stdout).toContain('Unlocked');
  });

  it('a wrong stored key exits 5, names the entry, and is sent only once', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart();
    const kc = new MemoryKeychain();
    kc.entries.set(live(sb2), 'not-the-key');
    const { fetch, sent } = recordingFetch(kc, sb2);
    const r = await runCli(['unlock', '--json'], { env: ciEnv(sb2), keychain: kc, fetch });
    expect(r.code).toBe(5);
    const e = r.json().error;
    expect(e.code).toBe('wrong_key');
    expect(e.message).toContain(`keychain entry "${live(sb2)}"`);
    expect(e.hint).toContain('pikactl keychain set');
    expect(e.entry).toBe(live(sb2));
    expect(sent.filter((s) => s.path === '/api/v1/key/unlock')).toHaveLength(1);
    expect(r.stdout).not.toContain('not-the-key');
  });

  it('an explicit --key-from wins over the entry; with neither and no terminal it names the flag', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart();
    const kc = new MemoryKeychain();
    kc.entries.set(live(sb2), 'not-the-key');
    const explicit = await runCli(['unlock', '--key-from', 'env:KEY'], { env: ciEnv(sb2), keychain: kc });
    expect(explicit.code).toBe(0);
    expect(explicit.stderr).not.toContain('Using the server key');
    const sb3 = await sb2.restart();
    const none = await runCli(['unlock'], { env: ciEnv(sb3), keychain: new MemoryKeychain() });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--key-from');
  });
});

describe('unlock of several replicas', () => {
  it('each server gets its own entry, by default and with --key-from keychain', async () => {
    const a = await startTestSandbox();
    const b = await startTestSandbox();
    await initialized(a);
    expect((await runCli(['init', '--key-from', 'env:NEW_KEY', '--confirm-saved'], { env: ciEnv(b) })).code).toBe(0);
    const kc = new MemoryKeychain();
    let [a2, b2] = [await a.restart({ port: a.port }), await b.restart({ port: b.port })];
    kc.entries.set(live(a2), KEY);
    kc.entries.set(live(b2), NEW_KEY);
    const env = { ...ciEnv(a2), PIKA_SERVER: `${a2.url},${b2.url}` };
    const byDefault = await runCli(['unlock', '--json'], { env, keychain: kc });
    expect(byDefault.code, byDefault.stdout).toBe(0);
    [a2, b2] = [await a2.restart({ port: a.port }), await b2.restart({ port: b.port })];
    const explicit = await runCli(['unlock', '--key-from', 'keychain', '--json'], { env, keychain: kc });
    expect(explicit.code, explicit.stdout).toBe(0);
    expect(explicit.json().nodes.map((n: { action: string }) => n.action)).toEqual(['unlocked', 'unlocked']);
  });
});

describe('keychain list / delete / test', () => {
  const server = 'https://pika.example:8080/pika';
  const seeded = () => {
    const kc = new MemoryKeychain();
    kc.entries.set(`server-key:${server}`, 'value-one-never-shown');
    kc.entries.set(`server-key-previous:${server}`, 'value-two-never-shown');
    kc.entries.set(`session:https://other.example`, 'cookie-never-shown');
    kc.entries.set('my-own-entry', 'value-three-never-shown');
    return kc;
  };

  it('lists kinds and servers, never values, as a table and as JSON', async () => {
    const kc = seeded();
    const human = await runCli(['keychain', 'list'], { keychain: kc });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/server-key\s+https:\/\/pika\.example:8080\/pika/);
    expect(human.stdout).toMatch(/\(other\)\s+my-own-entry/);
    const json = await runCli(['keychain', 'list', '--json', '--server', server], { keychain: kc });
    expect(json.json().entries).toEqual([
      { account: `server-key:${server}`, kind: 'server-key', server },
      { account: `server-key-previous:${server}`, kind: 'server-key-previous', server },
    ]);
    for (const out of [human.stdout + human.stderr, json.stdout + json.stderr]) expect(out).not.toMatch(/never-shown/);
    // Only the flag filters: PIKA_SERVER in the environment does not hide other servers' entries.
    const fromEnv = await runCli(['keychain', 'list', '--json'], { keychain: kc, env: { PIKA_SERVER: server } });
    expect(fromEnv.json().entries).toHaveLength(4);
  });

  it('delete asks (or needs --yes), removes one entry, and fails on a missing one', async () => {
    const kc = seeded();
    const noYes = await runCli(['keychain', 'delete', '--server', server], { keychain: kc });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const no = await runCli(['keychain', 'delete', '--kind', 'server-key-previous', '--server', server], {
      keychain: kc,
      tty: true,
      answers: [{ match: /Delete the keychain entry/, answer: false }],
    });
    expect(no.code).toBe(130);
    expect(no.stderr).toContain('password manager');
    const yes = await runCli(['keychain', 'delete', '--kind', 'server-key-previous', '--server', server, '--yes'], {
      keychain: kc,
    });
    expect(yes.code).toBe(0);
    expect([...kc.entries.keys()]).not.toContain(`server-key-previous:${server}`);
    expect(kc.entries.has(`server-key:${server}`)).toBe(true);
    const byName = await runCli(['keychain', 'delete', '--name', 'my-own-entry', '--yes'], { keychain: kc });
    expect(byName.code).toBe(0);
    const missing = await runCli(['keychain', 'delete', '--name', 'my-own-entry', '--yes', '--json'], { keychain: kc });
    expect(missing.code).toBe(1);
    expect(missing.json().error.code).toBe('keychain_not_found');
  });

  it('test names the backend and leaves nothing behind; without a keychain it exits 1', async () => {
    const kc = new MemoryKeychain();
    const r = await runCli(['keychain', 'test', '--json'], { keychain: kc });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, backend: 'memory', round_trip: true });
    expect(kc.entries.size).toBe(0);
    const none = await runCli(['keychain', 'test'], {});
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no keychain');
  });
});

describe('keychain set after a rotation elsewhere', () => {
  it('a stale entry is caught by unlock, and keychain set replaces it', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const kc = new MemoryKeychain();
    kc.entries.set(live(sb), KEY);
    expect(
      (await runCli(['rotate', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'], { env: ciEnv(sb), keychain: kc }))
        .code,
    ).toBe(0);
    // Rotated without --save-to-keychain: the entry is stale now.
    const sb2 = await sb.restart({ port: sb.port });
    expect((await runCli(['unlock'], { env: ciEnv(sb2), keychain: kc })).code).toBe(5);
    expect(
      (await runCli(['keychain', 'set', '--key-from', 'env:NEW_KEY', '--yes'], { env: ciEnv(sb2), keychain: kc })).code,
    ).toBe(0);
    expect(kc.entries.get(live(sb2))).toBe(NEW_KEY);
    expect(kc.entries.get(previous(sb2))).toBe(KEY);
  });
});
