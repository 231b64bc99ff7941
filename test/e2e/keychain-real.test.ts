import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOsKeychain } from '../../src/keychain/os-keychain.js';
import type { Keychain } from '../../src/keychain/keychain.js';
import { runCli, tempDir } from '../support/context.js';
import { adminEnv, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';
import { transpileForChild } from '../support/transpile.js';
import { filesUnder } from '../keychain/support.js';
import { decodeStoredLogin } from '../../src/keychain/login-store.js';

/**
 * The keychain features against the real backend: pikactl as a separate process
 * with the real systemDeps (the native library fixes its D-Bus address per
 * process), and in-process runs with the real openOsKeychain. The Secret Service
 * part runs under .ci/session.sh (a throwaway gnome-keyring):
 *   dbus-run-session -- bash .ci/session.sh npx vitest run test/e2e/keychain-real.test.ts
 */
const realSecretService = process.env.PIKACTL_SECRET_SERVICE === '1';
/** session.sh's throwaway HOME: only there may the child write to service "pikactl" itself. */
const throwawayKeyring = realSecretService && process.env.PIKACTL_CI_HOME !== undefined;

// Unique per run: the canary. Neither may appear in any output or file.
const KEY = `canary-passphrase-${process.pid}-${Date.now().toString(36)}`;
const NEW_KEY = `canary-new-passphrase-${process.pid}-${Date.now().toString(36)}`;

let tree: ReturnType<typeof transpileForChild>;
let main: string;
beforeAll(() => {
  tree = transpileForChild('src/cli.ts', 'src/deps.ts');
  // src/version.ts reads the package.json next to src/.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  writeFileSync(join(tree.dir, 'package.json'), JSON.stringify({ type: 'module', version: pkg.version }));
  main = join(tree.dir, 'pikactl.mjs');
  writeFileSync(
    main,
    `import { run } from './src/cli.js';\nimport { systemDeps } from './src/deps.js';\nprocess.exitCode = await run(process.argv.slice(2), systemDeps());\n`,
  );
}, 60_000);
afterAll(() => rmSync(tree.dir, { recursive: true, force: true }));

interface Child {
  code: number;
  stdout: string;
  stderr: string;
}

/** pikactl in its own process; stdin is not a terminal (so it never prompts). */
function pikactl(args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function expectNoCanary(outputs: string[], dirs: string[], secrets: string[]): void {
  for (const out of outputs) for (const s of secrets) expect(out).not.toContain(s);
  for (const dir of dirs) {
    for (const f of filesUnder(dir))
      for (const s of secrets) expect(f.text.includes(s), `${s.slice(0, 6)}… in ${f.path}`).toBe(false);
  }
}

async function initialized(sb: TestSandbox): Promise<void> {
  const env = adminEnv(sb, { KEY });
  const r = await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env });
  expect(r.code, r.stderr).toBe(0);
}

describe.runIf(process.platform === 'linux')('no session bus (CI without a keychain)', () => {
  it('login and keychain test fail clearly, while unlock falls through to the inline login', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const sb2 = await sb.restart();
    const home = tempDir('pikactl-nobus-home-');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_STATE_HOME: join(home, '.local/state'),
      PIKA_SERVER: sb2.url,
      PW: TEST_ADMIN.password,
      KEY,
    };
    const test = await pikactl(['keychain', 'test'], env);
    expect(test.code).toBe(1);
    expect(test.stderr).toMatch(/not usable/);
    const login = await pikactl(['login', '--user', 'admin', '--password-from', 'env:PW'], env);
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/PIKA_SESSION/);
    expect(login.stderr).toMatch(/never falls back to a plaintext file/);
    const unlock = await pikactl(
      ['unlock', '--user', 'admin', '--password-from', 'env:PW', '--key-from', 'env:KEY'],
      env,
    );
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stderr).toBe('');
    expectNoCanary(
      [test, login, unlock].flatMap((c) => [c.stdout, c.stderr]),
      [home],
      [KEY, TEST_ADMIN.password],
    );
    rmSync(home, { recursive: true, force: true });
  });
});

describe.runIf(realSecretService)('real Secret Service (gnome-keyring)', () => {
  const service = `pikactl-e2e-${process.pid}-${Date.now()}`;
  let kc: Keychain;
  beforeAll(async () => {
    kc = await openOsKeychain({ env: process.env, service });
  });
  afterAll(async () => {
    for (const a of await kc.list()) await kc.delete(a);
  });

  it('in-process: keychain set, restart, unlock with no prompt; login once, then lock and rotate without a password', async () => {
    const sb = await startTestSandbox();
    await initialized(sb);
    const home = tempDir('pikactl-ss-home-');
    const base = { PIKA_SERVER: sb.url, KEY, NEW_KEY };
    const outputs: string[] = [];
    const cli = async (argv: string[], env: Record<string, string> = base, tty = false) => {
      const r = await runCli(argv, { env, home, keychain: kc, tty, answers: [] });
      outputs.push(r.stdout, r.stderr);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    await cli(['keychain', 'set', '--key-from', 'env:KEY'], adminEnv(null, base));
    const sb2 = await sb.restart({ port: sb.port });
    await cli(['login'], adminEnv(null, base));
    const cookie = decodeStoredLogin((await kc.get(`session:${sb2.url}`))!).cookie.reveal();
    // A terminal with no scripted answers: any prompt would fail the command.
    const unlock = await cli(['unlock'], base, true);
    expect(unlock.stderr).toContain(`keychain entry "server-key:${sb2.url}"`);
    expect(unlock.io.prompts.asked).toEqual([]);
    await cli(['lock', '--yes']);
    await cli(['unlock']);
    await cli(['rotate', '--new-key-from', 'env:NEW_KEY', '--confirm-saved', '--save-to-keychain']);
    expect((await kc.get(`server-key:${sb2.url}`))?.reveal()).toBe(NEW_KEY);
    expect((await kc.get(`server-key-previous:${sb2.url}`))?.reveal()).toBe(KEY);
    const list = await cli(['keychain', 'list', '--server', sb2.url]);
    expect(list.stdout).toMatch(/server-key-previous/);
    await cli(['logout']);
    expect(await kc.get(`session:${sb2.url}`)).toBeNull();
    const xdg = ['HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME']
      .map((v) => process.env[v])
      .filter((d): d is string => !!d);
    expectNoCanary(outputs, [home, ...(throwawayKeyring ? xdg : [])], [KEY, NEW_KEY, cookie, TEST_ADMIN.password]);
    rmSync(home, { recursive: true, force: true });
  });

  it.runIf(throwawayKeyring)(
    'as a separate process with the real system context: keychain set, restart, login, unlock, lock',
    async () => {
      const sb = await startTestSandbox();
      await initialized(sb);
      const env: NodeJS.ProcessEnv = { ...process.env, PIKA_SERVER: sb.url, KEY, PW: TEST_ADMIN.password };
      const outputs: string[] = [];
      const run = async (args: string[]) => {
        const r = await pikactl(args, env);
        outputs.push(r.stdout, r.stderr);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        return r;
      };
      try {
        const test = await run(['keychain', 'test']);
        expect(test.stdout).toContain('Secret Service');
        await run(['keychain', 'set', '--key-from', 'env:KEY', '--user', 'admin', '--password-from', 'env:PW']);
        const sb2 = await sb.restart({ port: sb.port });
        await run(['login', '--user', 'admin', '--password-from', 'env:PW']);
        const unlock = await run(['unlock']); // no key flag, no password, no terminal
        expect(unlock.stderr).toContain('Using the server key from the keychain entry');
        await run(['lock', '--yes']);
        expect((await runCli(['status'], { env: { PIKA_SERVER: sb2.url } })).code).toBe(3);
        const real = await openOsKeychain({ env: process.env });
        const cookie = decodeStoredLogin((await real.get(`session:${sb2.url}`))!).cookie.reveal();
        await run(['logout']);
        await run(['keychain', 'delete', '--yes']);
        const dirs = ['HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME']
          .map((v) => process.env[v])
          .filter((d): d is string => !!d);
        expectNoCanary(outputs, dirs, [KEY, cookie, TEST_ADMIN.password]);
      } finally {
        const real = await openOsKeychain({ env: process.env });
        for (const a of await real.list()) if (a.endsWith(`:${sb.url}`)) await real.delete(a); // restarted on the same port: same URL
      }
    },
  );
});
