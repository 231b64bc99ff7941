import { describe, expect, it } from 'vitest';
import { MemoryKeychain, runCli } from '../support/context.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { ciEnv, KEY, NEW_KEY, recordingFetch } from './support.js';

const names = (sb: TestSandbox) => ({
  live: `server-key:${sb.url}`,
  pending: `server-key-pending:${sb.url}`,
  previous: `server-key-previous:${sb.url}`,
});

const ROTATE = ['rotate', '--new-key-from', 'env:NEW_KEY', '--confirm-saved', '--save-to-keychain'];

describe('init --save-to-keychain', () => {
  it('writes the pending entry before the key is sent, then promotes it', async () => {
    const sb = await startTestSandbox();
    const n = names(sb);
    const kc = new MemoryKeychain();
    const { fetch, sent } = recordingFetch(kc, sb);
    const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved', '--save-to-keychain', '--json'], {
      env: ciEnv(sb),
      keychain: kc,
      fetch,
    });
    expect(r.code, r.stderr).toBe(0);
    const atSend = sent.find((s) => s.path === '/api/v1/key/initialize')!;
    expect(atSend.keychain).toEqual({ [n.pending]: KEY });
    expect(Object.fromEntries(kc.entries)).toEqual({ [n.live]: KEY });
    expect(r.json()).toMatchObject({ ok: true, keychain: { live: n.live } });
    // and unlock finds it after a restart
    const sb2 = await sb.restart({ port: sb.port });
    expect((await runCli(['unlock'], { env: ciEnv(sb2), keychain: kc })).code).toBe(0);
  });

  it('without a keychain: exit 1, nothing sent, encryption stays off', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved', '--save-to-keychain'], {
      env: ciEnv(sb),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('init --save-to-keychain needs the OS keychain');
    expect(r.stderr).toContain('Nothing was sent');
    expect((await runCli(['status', '--json'], { env: ciEnv(sb) })).json().state).toBe('off');
  });
});

describe('rotate --save-to-keychain', () => {
  async function initializedWithEntry(opts: Parameters<typeof startTestSandbox>[0] = {}) {
    const sb = await startTestSandbox(opts);
    const kc = new MemoryKeychain();
    const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved', '--save-to-keychain'], {
      env: ciEnv(sb),
      keychain: kc,
    });
    expect(r.code, r.stderr).toBe(0);
    return { sb, kc, n: names(sb) };
  }

  it('stages the new key before sending, then keeps the old one as previous', async () => {
    const { sb, kc, n } = await initializedWithEntry();
    const { fetch, sent } = recordingFetch(kc, sb);
    const r = await runCli(ROTATE, { env: ciEnv(sb), keychain: kc, fetch });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Using the current server key from the keychain entry "${n.live}"`);
    expect(r.stderr).toContain(`Saved the new key to the keychain entry "${n.pending}" before sending it`);
    expect(sent.find((s) => s.path === '/api/v1/key/rotate')!.keychain).toEqual({
      [n.live]: KEY,
      [n.pending]: NEW_KEY,
    });
    expect(Object.fromEntries(kc.entries)).toEqual({ [n.live]: NEW_KEY, [n.previous]: KEY });
    expect(r.stdout).toContain(`kept as "${n.previous}"`);
    expect(r.stdout + r.stderr).not.toMatch(new RegExp(`${KEY}|${NEW_KEY}`));
    const sb2 = await sb.restart({ port: sb.port });
    expect((await runCli(['unlock'], { env: ciEnv(sb2), keychain: kc })).code).toBe(0);
  });

  it('a rotation with an unknown outcome (rotate-write fault) leaves the pending entry and says so', async () => {
    const { sb, kc, n } = await initializedWithEntry({ faults: ['rotate-write'] });
    const r = await runCli([...ROTATE, '--json'], { env: ciEnv(sb), keychain: kc });
    expect(r.code).toBe(8);
    const e = r.json().error;
    expect(e.hint).toContain('pikactl recover-rotation');
    expect(e.hint).toContain(`"${n.pending}"`);
    expect(e.pending_entry).toBe(n.pending);
    expect(Object.fromEntries(kc.entries)).toEqual({ [n.live]: KEY, [n.pending]: NEW_KEY });
  });

  it('refuses to overwrite a pending entry left by an unfinished run; a leftover equal to the live key is fine', async () => {
    const { sb, kc, n } = await initializedWithEntry();
    kc.entries.set(n.pending, 'a-key-the-server-may-hold');
    const { fetch, sent } = recordingFetch(kc, sb);
    const r = await runCli(ROTATE, { env: ciEnv(sb), keychain: kc, fetch });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('did not finish');
    expect(r.stderr).toContain('pikactl recover-rotation');
    expect(sent.some((s) => s.path === '/api/v1/key/rotate' || s.path.startsWith('/login'))).toBe(false);
    expect(kc.entries.get(n.pending)).toBe('a-key-the-server-may-hold');
    // A crash between "live := new" and "delete pending" leaves pending == live: not unfinished business.
    kc.entries.set(n.pending, KEY);
    const ok = await runCli(ROTATE, { env: ciEnv(sb), keychain: kc });
    expect(ok.code, ok.stderr).toBe(0);
    expect(Object.fromEntries(kc.entries)).toEqual({ [n.live]: NEW_KEY, [n.previous]: KEY });
  });

  it('a rotation the server refused (wrong current key) drops the pending entry again', async () => {
    const { sb, kc, n } = await initializedWithEntry();
    kc.entries.set(n.live, 'stale-key-in-the-keychain');
    const { fetch, sent } = recordingFetch(kc, sb);
    const r = await runCli(ROTATE, { env: ciEnv(sb), keychain: kc, fetch });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`rejected the current key from the keychain entry "${n.live}"`);
    expect(sent.find((s) => s.path === '/api/v1/key/rotate')!.keychain[n.pending]).toBe(NEW_KEY);
    expect(Object.fromEntries(kc.entries)).toEqual({ [n.live]: 'stale-key-in-the-keychain' });
  });

  it('a connection lost after the rotation applied keeps the pending entry (rotate-drop)', async () => {
    const { sb, kc, n } = await initializedWithEntry({ faults: ['rotate-drop'] });
    const r = await runCli(ROTATE, { env: ciEnv(sb), keychain: kc });
    expect(r.code).toBe(8);
    expect(kc.entries.get(n.pending)).toBe(NEW_KEY);
    expect(kc.entries.get(n.live)).toBe(KEY);
  });
});
