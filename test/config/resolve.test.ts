import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/commands/app.js';
import type { RegisterCommand } from '../../src/commands/app.js';
import { resolveConnection, type Connection } from '../../src/config/resolve.js';
import { CliError } from '../../src/errors.js';
import { buildProgram } from '../../src/program.js';
import { tempDir, testContext } from '../support/context.js';

const PIN_A = 'AA'.repeat(32);
const PIN_B = 'BB'.repeat(32);

/** Parses argv with the real program (real global flags) and resolves the connection. */
async function resolveWith(argv: string[], env: Record<string, string>, config?: unknown): Promise<Connection> {
  const xdg = tempDir('pikactl-xdg-');
  if (config !== undefined) {
    mkdirSync(join(xdg, 'pikactl'), { recursive: true });
    writeFileSync(join(xdg, 'pikactl', 'config.json'), JSON.stringify(config), { mode: 0o600 });
  }
  const ctx = testContext({ env: { XDG_CONFIG_HOME: xdg, ...env } });
  const app = createApp(ctx, { exitCode: 0 });
  let result: Connection | undefined;
  const probe: RegisterCommand = (program, a) => {
    a.action(program.command('probe'), async (_o, g) => {
      result = await resolveConnection(ctx, g);
    });
  };
  const program = await buildProgram(ctx, app, { commands: [probe] });
  program.exitOverride();
  await program.parseAsync(['probe', ...argv], { from: 'user' });
  return result!;
}

const CONFIG = {
  version: 1,
  current_context: 'prod',
  contexts: {
    prod: {
      servers: ['https://p0:8080', 'https://p1:8080'],
      pin: PIN_A,
      user: 'ctxuser',
      key_from: 'keychain',
      timeout: '90s',
      cacert: 'certs/ca.pem',
    },
    lab: { servers: ['http://10.0.0.5:8080'], allow_http: true, insecure: true },
  },
};

describe('resolveConnection', () => {
  it('uses the current context when nothing else is given', async () => {
    const c = await resolveWith([], {}, CONFIG);
    expect(c.contextName).toBe('prod');
    expect(c.servers.map((s) => s.id)).toEqual(['https://p0:8080', 'https://p1:8080']);
    expect(c.transport).toMatchObject({ pin: PIN_A, timeoutMs: 90_000, insecure: false, allowHttp: false });
    expect(c.transport.cacert).toMatch(/pikactl[\\/]certs[\\/]ca\.pem$/); // relative to the config file
    expect(c.user).toBe('ctxuser');
    expect(c.keyFrom).toBe('keychain');
  });

  it('flags win over env vars, env vars win over context values', async () => {
    const env = { PIKACTL_CONTEXT: 'prod', PIKA_TLS_PIN: PIN_B, PIKA_TIMEOUT: '5s', PIKA_USER: 'envuser' };
    let c = await resolveWith([], env, CONFIG);
    expect(c.transport.pin).toBe(PIN_B);
    expect(c.transport.timeoutMs).toBe(5_000);
    expect(c.user).toBe('envuser');
    c = await resolveWith(['--pin', PIN_A.toLowerCase(), '--timeout', '7s', '--user', 'flaguser'], env, CONFIG);
    expect(c.transport.pin).toBe(PIN_A);
    expect(c.transport.timeoutMs).toBe(7_000);
    expect(c.user).toBe('flaguser');
    // --server with --context: the servers are replaced, the rest of the context still applies.
    c = await resolveWith(['--context', 'prod', '--server', 'https://p1:8080'], {}, CONFIG);
    expect(c.servers.map((s) => s.id)).toEqual(['https://p1:8080']);
    expect(c.transport.pin).toBe(PIN_A);
  });

  it('--context beats PIKACTL_CONTEXT beats current_context; booleans from the context apply', async () => {
    let c = await resolveWith([], { PIKACTL_CONTEXT: 'lab' }, CONFIG);
    expect(c.contextName).toBe('lab');
    expect(c.transport).toMatchObject({ insecure: true, allowHttp: true, timeoutMs: 30_000 });
    c = await resolveWith(['--context', 'prod'], { PIKACTL_CONTEXT: 'lab' }, CONFIG);
    expect(c.contextName).toBe('prod');
  });

  it('a --server without --context does not pick up the current context', async () => {
    const c = await resolveWith(['--server', 'https://elsewhere:8080'], {}, CONFIG);
    expect(c.contextName).toBeUndefined();
    expect(c.transport.pin).toBeUndefined();
    expect(c.user).toBeUndefined();
    const e = await resolveWith([], { PIKA_SERVER: 'https://a:1, https://b:2,https://a:1' }, CONFIG);
    expect(e.servers.map((s) => s.id)).toEqual(['https://a:1', 'https://b:2']);
  });

  it('trust follows the URL: --server URL that a context lists gets its pin, CA and timeout, not its user', async () => {
    const c = await resolveWith(['--server', 'https://P1:8080/'], {}, CONFIG);
    expect(c.contextName).toBeUndefined();
    expect(c.trustFrom).toBe('prod');
    expect(c.servers.map((s) => s.id)).toEqual(['https://p1:8080']);
    expect(c.transport).toMatchObject({ pin: PIN_A, timeoutMs: 90_000 });
    expect(c.transport.cacert).toMatch(/pikactl[\\/]certs[\\/]ca\.pem$/);
    expect(c.user).toBeUndefined();
    expect(c.keyFrom).toBeUndefined();
    // A flag still wins over the context's value.
    expect((await resolveWith(['--server', 'https://p1:8080', '--pin', PIN_B], {}, CONFIG)).transport.pin).toBe(PIN_B);
    // Through PIKA_SERVER too, and for booleans.
    const lab = await resolveWith([], { PIKA_SERVER: 'http://10.0.0.5:8080' }, CONFIG);
    expect(lab.transport).toMatchObject({ insecure: true, allowHttp: true });
    // A list is lent a context's trust only when that context lists every server in it.
    const mixed = await resolveWith(['--server', 'https://p0:8080', '--server', 'https://elsewhere:8080'], {}, CONFIG);
    expect(mixed.trustFrom).toBeUndefined();
    expect(mixed.transport.pin).toBeUndefined();
  });

  it('a URL in several contexts: same trust is one answer, different trust prefers the current context, else asks', async () => {
    const twin = { servers: ['https://p1:8080'], pin: PIN_A, timeout: '90s', cacert: 'certs/ca.pem', user: 'other' };
    expect(
      (await resolveWith(['--server', 'https://p1:8080'], {}, { ...CONFIG, contexts: { ...CONFIG.contexts, twin } }))
        .transport.pin,
    ).toBe(PIN_A);
    const rival = { servers: ['https://p1:8080'], pin: PIN_B };
    const both = { ...CONFIG, contexts: { ...CONFIG.contexts, rival } };
    expect((await resolveWith(['--server', 'https://p1:8080'], {}, both)).transport.pin).toBe(PIN_A); // prod is current
    const err = await resolveWith(['--server', 'https://p1:8080'], {}, { ...both, current_context: 'lab' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('"prod" and "rival"');
    expect(err.hint).toContain('--context prod');
    // Naming the context settles it.
    expect(
      (
        await resolveWith(
          ['--context', 'rival', '--server', 'https://p1:8080'],
          {},
          { ...both, current_context: 'lab' },
        )
      ).transport.pin,
    ).toBe(PIN_B);
  });

  it('a broken config file does not block --server URL (no context trust then), but does block --context', async () => {
    const c = await resolveWith(['--server', 'https://p1:8080'], {}, 'not an object');
    expect(c.trustFrom).toBeUndefined();
    expect(c.transport.pin).toBeUndefined();
    const err = await resolveWith(['--context', 'prod'], {}, 'not an object').catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
  });

  it('an unknown context is a usage error listing the known ones', async () => {
    const err = await resolveWith(['--context', 'nope'], {}, CONFIG).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('"nope"');
    expect(err.hint).toContain('prod, lab');
  });

  it('no server anywhere is a usage error with the three ways to give one', async () => {
    const err = await resolveWith([], {}).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(2);
    expect(err.hint).toContain('--server URL');
    expect(err.hint).toContain('PIKA_SERVER');
    expect(err.hint).toContain('pikactl context add');
  });

  it('a malformed PIKA_TLS_PIN names the env var', async () => {
    const err = await resolveWith(['--server', 'https://a'], { PIKA_TLS_PIN: 'nope' }).catch((e) => e);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('PIKA_TLS_PIN');
  });
});
