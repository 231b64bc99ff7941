import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryKeychain, runCli, tempDir, testContext, type RunResult } from '../support/context.js';
import { adminEnv, startTestSandbox } from '../support/sandbox.js';
import { Secret } from '../../src/secrets/secret.js';

const KEY = 'hint-key-amber-quarry-58';

/**
 * Splits a printed command the way a POSIX shell would (plain words and '…' quoting,
 * which is all pikactl prints), up to the end of the command: a run of 3+ spaces, a
 * backtick, ", then" or the end of the line.
 */
function printedCommand(text: string, command: string): string[] {
  const at = text.indexOf(`pikactl ${command}`);
  expect(at, `no "pikactl ${command}" in:\n${text}`).toBeGreaterThanOrEqual(0);
  const line = text
    .slice(at)
    .split('\n')[0]
    .split(/ {3,}|`|, then /)[0];
  const words = [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2],
  );
  expect(words[0]).toBe('pikactl');
  return words.slice(1);
}

/** An initialized, locked HTTPS sandbox with a Pika-style self-signed certificate. */
async function lockedHttpsSandbox() {
  const sb = await startTestSandbox({ tls: { selfSigned: true } });
  const env = adminEnv(null, { KEY });
  const trust = ['--server', sb.url, '--cacert', sb.certFile!];
  expect((await runCli(['init', ...trust, '--key-from', 'env:KEY', '--confirm-saved'], { env })).code).toBe(0);
  expect((await runCli(['lock', ...trust, '--yes'], { env })).code).toBe(0);
  return { sb, env };
}

/** Runs a printed hint in a fresh process-like context: other cwd, same env and keychain, nothing added. */
async function runPrinted(
  args: string[],
  env: Record<string, string>,
  keychain: MemoryKeychain,
  cwd: string,
): Promise<RunResult> {
  const ctx = testContext({ env, keychain });
  return runCli(args, { ...ctx, cwd });
}

describe('every command pikactl prints as a hint runs as printed', () => {
  it('--server URL --cacert FILE (relative): "Next:" and the login hint keep the server and an absolute --cacert', async () => {
    const { sb, env } = await lockedHttpsSandbox();
    const work = tempDir('pikactl-cwd-');
    mkdirSync(join(work, 'certs'));
    copyFileSync(sb.certFile!, join(work, 'certs', 'pika.crt'));
    const keychain = new MemoryKeychain();
    await keychain.set(`server-key:${sb.url}`, new Secret(KEY, 'test'));
    const flags = ['--server', sb.url, '--cacert', 'certs/pika.crt'];

    const status = await runCli(['status', ...flags], { ...testContext({ env, keychain }), cwd: work });
    expect(status.code).toBe(3);
    const unlock = printedCommand(status.stdout, 'unlock');
    expect(unlock).toContain(join(work, 'certs', 'pika.crt'));
    // Run from somewhere else: the relative path would not resolve there.
    const ran = await runPrinted(unlock, env, keychain, tempDir('pikactl-elsewhere-'));
    expect(ran.stderr).not.toMatch(/Error/);
    expect(ran.code).toBe(0);

    const whoami = await runCli(['whoami', ...flags], { ...testContext({ env, keychain }), cwd: work });
    expect(whoami.code).toBe(4);
    const login = printedCommand(whoami.stderr, 'login');
    const loggedIn = await runPrinted(login, env, keychain, tempDir('pikactl-elsewhere-'));
    expect(loggedIn.code).toBe(0);
    expect(keychain.entries.has(`session:${sb.url}`)).toBe(true);
  });

  it('a context pinned by `pikactl trust`: --server URL uses its pin, and every hint reaches the same server', async () => {
    const { sb, env: base } = await lockedHttpsSandbox();
    const env = { ...base, XDG_CONFIG_HOME: tempDir('pikactl-xdg-') };
    const keychain = new MemoryKeychain();
    await keychain.set(`server-key:${sb.url}`, new Secret(KEY, 'test'));
    const trusted = await runCli(['trust', '--server', sb.url, '--expect-fingerprint', sb.fingerprint!], { env });
    expect(trusted.code).toBe(0);

    // Trust follows the URL: no --cacert, no --pin, no --context.
    const byUrl = await runCli(['status', '--server', sb.url], { env, keychain });
    expect(byUrl.stdout + byUrl.stderr).not.toMatch(/TLS|certificate/);
    expect(byUrl.code).toBe(3);
    const unlock = printedCommand(byUrl.stdout, 'unlock');
    expect(unlock).toEqual(['unlock', '--server', sb.url]);

    // The current context: hints name it, so they still work after `context use` elsewhere.
    const current = await runCli(['status'], { env, keychain });
    expect(current.code).toBe(3);
    const viaContext = printedCommand(current.stdout, 'unlock');
    expect(viaContext.slice(0, 2)).toEqual(['unlock', '--context']);
    const ran = await runPrinted(viaContext, env, keychain, tempDir('pikactl-elsewhere-'));
    expect(ran.code).toBe(0);
    // And the --server form printed earlier runs too (the server is unlocked now: exit 0, nothing to do).
    expect((await runPrinted(unlock, env, keychain, tempDir('pikactl-elsewhere-'))).code).toBe(0);
  });

  it('an API error hint (a locked server during rotate) carries --pin typed on the command line', async () => {
    const { sb, env } = await lockedHttpsSandbox();
    const keychain = new MemoryKeychain();
    await keychain.set(`server-key:${sb.url}`, new Secret(KEY, 'test'));
    const r = await runCli(
      [
        'rotate',
        '--server',
        sb.url,
        '--pin',
        sb.fingerprint!,
        '--current-key-from',
        'env:KEY',
        '--new-key-from',
        'env:KEY',
        '--confirm-saved',
      ],
      {
        env,
        keychain,
      },
    );
    expect(r.code).toBe(3);
    const unlock = printedCommand(r.stderr, 'unlock');
    expect(unlock).toEqual(['unlock', '--server', sb.url, '--pin', sb.fingerprint!]);
    expect((await runPrinted(unlock, env, keychain, tempDir('pikactl-elsewhere-'))).code).toBe(0);
  });

  it('the recover-rotation instructions (two refused keys) carry --server and an absolute --cacert, and the checks among them run', async () => {
    const { sb, env } = await lockedHttpsSandbox();
    const work = tempDir('pikactl-cwd-');
    copyFileSync(sb.certFile!, join(work, 'pika.crt'));
    const keys = { ...env, WRONG1: 'nobody-holds-this-key-81', WRONG2: 'nor-this-one-either-82' };
    const r = await runCli(
      [
        'recover-rotation',
        '--server',
        sb.url,
        '--cacert',
        'pika.crt',
        '--old-key-from',
        'env:WRONG1',
        '--new-key-from',
        'env:WRONG2',
        '--yes',
      ],
      {
        ...testContext({ env: keys, keychain: new MemoryKeychain() }),
        cwd: work,
      },
    );
    expect(r.code, r.stderr).toBe(5);
    // Every printed command that reads state (status, recover-rotation --plan) is run as printed.
    const printed = [...r.stdout.matchAll(/pikactl (status|recover-rotation) [^\n]*/g)].map((m) =>
      printedCommand(m[0], m[1]),
    );
    // A recover-rotation hint is run read-only (--plan): it must reach the server with the same trust.
    const checks = printed.map((a) => (a[0] === 'recover-rotation' && !a.includes('--plan') ? [...a, '--plan'] : a));
    expect(checks.length).toBeGreaterThan(0);
    for (const args of [...r.stdout.matchAll(/pikactl [a-z-]+ [^\n]*/g)].map((m) => m[0])) {
      if (args.includes('--server')) expect(args).toContain(join(work, 'pika.crt'));
    }
    for (const args of checks) {
      const ran = await runPrinted(args, keys, new MemoryKeychain(), tempDir('pikactl-elsewhere-'));
      expect(ran.code, `${args.join(' ')}\n${ran.stdout}${ran.stderr}`).not.toBe(7);
    }
  });
});
