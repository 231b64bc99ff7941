import { execFile } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { openOsKeychain, toKeychainError } from '../../src/keychain/os-keychain.js';
import type { Keychain } from '../../src/keychain/keychain.js';
import { Secret } from '../../src/secrets/secret.js';
import { tempDir } from '../support/context.js';
import { transpileForChild } from '../support/transpile.js';

const run = promisify(execFile);
const realSecretService = process.env.PIKACTL_SECRET_SERVICE === '1';

/** Every file below dir, recursively (to prove nothing was written). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => !d.isDirectory())
    .map((d) => join(d.parentPath, d.name));
}

interface ChildResult {
  ok: boolean;
  /** Where it failed: open (the probe), get or set. */
  stage?: string;
  code?: string;
  exitCode?: number;
  message?: string;
  hint?: string;
  value?: string | null;
}

/** Runs openOsKeychain (+ set/get) in a fresh node process with exactly `env`. */
async function inChild(
  modulePath: string,
  env: NodeJS.ProcessEnv,
  command?: { file: string; args: string[] },
): Promise<ChildResult> {
  const script = join(modulePath, '..', `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    `import { openOsKeychain } from ${JSON.stringify(modulePath)};
     import { Secret } from ${JSON.stringify(join(modulePath, '..', '..', 'secrets', 'secret.js'))};
     let stage = 'open';
     try {
       const k = await openOsKeychain({ env: process.env, service: 'pikactl-test-child' });
       stage = 'get';
       const before = await k.get('server-key:https://child.example');
       stage = 'set';
       await k.set('server-key:https://child.example', new Secret('child-canary-value', 'test'));
       console.log(JSON.stringify({ ok: true, value: before && before.reveal() }));
     } catch (e) {
       console.log(JSON.stringify({ ok: false, stage, code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint }));
     }`,
  );
  const [file, args] = command
    ? [command.file, [...command.args, process.execPath, script]]
    : [process.execPath, [script]];
  const { stdout } = await run(file, args, { env, timeout: 20_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildResult;
}

describe.runIf(process.platform === 'linux')('OS keychain without a Secret Service', () => {
  let child: ReturnType<typeof transpileForChild>;
  beforeAll(() => {
    child = transpileForChild('src/keychain/os-keychain.ts');
  });
  afterAll(() => rmSync(child.dir, { recursive: true, force: true }));

  for (const [name, bus] of [
    ['a bus address that points nowhere', 'unix:path=/nonexistent/pikactl-test-bus'],
    ['no bus address at all', undefined],
  ] as const) {
    it(`reports keychain_unavailable with ${name}, and writes no file`, async () => {
      const home = tempDir('pikactl-nobus-home-');
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_RUNTIME_DIR: join(home, 'run'),
      };
      if (bus) env.DBUS_SESSION_BUS_ADDRESS = bus;
      const r = await inChild(child.path('src/keychain/os-keychain.ts'), env);
      expect(r).toMatchObject({ ok: false, stage: 'open', code: 'keychain_unavailable', exitCode: 1 });
      expect(r.message).toMatch(/Secret Service.*not usable.*D-Bus/);
      expect(r.hint).toMatch(/PIKA_SESSION/);
      expect(r.hint).toMatch(/gnome-keyring/);
      expect(r.hint).toMatch(/never falls back to a plaintext file/);
      if (!bus) expect(r.hint).toMatch(/DBUS_SESSION_BUS_ADDRESS is not set/);
      expect(filesUnder(home)).toEqual([]);
      rmSync(home, { recursive: true, force: true });
    });
  }
});

describe('keychain error mapping (texts captured from @napi-rs/keyring 2.1 on gnome-keyring 42)', () => {
  const map = (text: string) =>
    toKeychainError(new Error(text), 'Secret Service (D-Bus)', 'linux', { DBUS_SESSION_BUS_ADDRESS: 'x' });
  it.each([
    ['zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object', /locked/],
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", /locked/],
    ['Platform failure: DBus error: Failed to connect to socket /x: No such file or directory', /no D-Bus session bus/],
    ["Couldn't access platform storage: Secret Service: no result found", /no default keyring/],
  ])('%s', (text, reason) => {
    const err = map(text);
    expect(err).toBeInstanceOf(CliError);
    expect(err.code).toBe('keychain_unavailable');
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(reason);
  });
  it('an ambiguous entry is an error, not "unavailable"', () => {
    expect(map('Entry is matched by 2 credentials: Ambiguous').code).toBe('error');
  });
});

describe.runIf(realSecretService)('OS keychain against a real Secret Service (CI: gnome-keyring)', () => {
  const service = `pikactl-test-${process.pid}-${Date.now()}`;
  let kc: Keychain;
  beforeAll(async () => {
    kc = await openOsKeychain({ env: process.env, service });
  });
  afterAll(async () => {
    for (const a of await kc.list()) await kc.delete(a);
  });

  it('names its backend', () => {
    expect(kc.backend).toBe('Secret Service (D-Bus)');
  });

  it('stores, reads, lists and deletes entries', async () => {
    const a = 'server-key:https://pika.example:8080/pika';
    const b = 'session:https://pika.example:8080/pika';
    expect(await kc.get(a)).toBeNull();
    await kc.set(a, new Secret('first value', 't'));
    await kc.set(a, new Secret('correct horse battery staple', 't'));
    await kc.set(b, new Secret('cookie-value', 't'));
    const got = await kc.get(a);
    expect(got?.reveal()).toBe('correct horse battery staple');
    expect(got?.source).toBe(`keychain:${a}`);
    expect(await kc.list()).toEqual([a, b]); // sorted
    expect(await kc.delete(a)).toBe(true);
    expect(await kc.get(a)).toBeNull();
    expect(await kc.delete(a)).toBe(false);
    expect(await kc.list()).toEqual([b]);
  });

  it('really writes to the Secret Service (secret-tool sees it), not the kernel keyring', async () => {
    const account = 'server-key:https://secret-tool.example';
    await kc.set(account, new Secret('seen-by-secret-tool', 't'));
    const { stdout } = await run('secret-tool', ['lookup', 'service', service, 'username', account], {
      timeout: 10_000,
    });
    expect(stdout).toBe('seen-by-secret-tool');
    await kc.delete(account);
  });

  it('reports a Secret Service without a default keyring as unavailable when writing (private bus)', async () => {
    // No daemon started: the bus activates gnome-keyring, which has no login collection and cannot prompt.
    const child = transpileForChild('src/keychain/os-keychain.ts');
    const home = tempDir('pikactl-nocollection-home-');
    try {
      const env = { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data') };
      const r = await inChild(child.path('src/keychain/os-keychain.ts'), env, {
        file: 'dbus-run-session',
        args: ['--'],
      });
      expect(r).toMatchObject({ ok: false, stage: 'set', code: 'keychain_unavailable' });
      expect(r.message).toMatch(/no default keyring/);
    } finally {
      rmSync(child.dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('reports a locked keyring as unavailable instead of "not found" (private bus)', async () => {
    // A private bus + keyring: locking the shared one would disturb other test files.
    const child = transpileForChild('src/keychain/os-keychain.ts');
    const home = tempDir('pikactl-locked-home-');
    try {
      const script = join(child.dir, 'locked.sh');
      writeFileSync(
        script,
        `set -e
         export HOME=${JSON.stringify(home)} XDG_DATA_HOME=${JSON.stringify(join(home, 'data'))}
         mkdir -p "$XDG_DATA_HOME/keyrings"
         eval "$(printf 'throwaway' | gnome-keyring-daemon --unlock --components=secrets)"
         printf 'stored-before-lock' | secret-tool store --label=t service pikactl-test-child username server-key:https://child.example
         dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
           org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
         exec "$@"`,
      );
      const env = { PATH: process.env.PATH, HOME: home };
      const r = await inChild(child.path('src/keychain/os-keychain.ts'), env, {
        file: 'dbus-run-session',
        args: ['--', 'bash', script],
      });
      // The probe finds the locked item: no "not found" that would send the operator to re-create the entry.
      expect(r).toMatchObject({ ok: false, stage: 'open', code: 'keychain_unavailable' });
      expect(r.message).toMatch(/locked/);
    } finally {
      rmSync(child.dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
