import { readFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type TestContextOptions } from '../support/context.js';
import { startPikaTlsServer, type PikaTlsServer } from '../config/tls-fixture.js';

let srv: PikaTlsServer;
beforeAll(async () => {
  srv = await startPikaTlsServer();
});
afterAll(async () => {
  await srv?.close();
});

function env(extra: Partial<TestContextOptions> = {}): { opts: TestContextOptions; file: string } {
  const xdg = tempDir('pikactl-xdg-');
  return { opts: { ...extra, env: { XDG_CONFIG_HOME: xdg } }, file: join(xdg, 'pikactl', 'config.json') };
}
const readConfig = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const colons = (hex: string) => hex.replace(/(..)(?!$)/g, '$1:');

describe('pikactl trust', () => {
  it('--expect-fingerprint (openssl form) matches and stores the pin in a new context named after the host', async () => {
    const { opts, file } = env();
    const r = await runCli(
      ['trust', '--server', srv.url, '--expect-fingerprint', `sha256 Fingerprint=${colons(srv.opensslFingerprint)}`],
      opts,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Subject:      O=Pika Self-Signed, CN=localhost');
    expect(r.stdout).toContain('IP addresses: 127.0.0.1, ::1');
    expect(r.stdout).toContain(srv.opensslFingerprint);
    expect(r.stdout).toContain(colons(srv.opensslFingerprint));
    expect(r.stdout).toContain('a normal connection would refuse it');
    expect(r.stdout).toContain(`Created context 127.0.0.1 for ${srv.url} with pin SHA-256 ${srv.opensslFingerprint}`);
    expect(r.stdout).toContain('pikactl trust --context 127.0.0.1'); // how to re-trust
    expect(readConfig(file)).toEqual({
      version: 1,
      current_context: '127.0.0.1',
      contexts: { '127.0.0.1': { servers: [srv.url], pin: srv.opensslFingerprint } },
    });

    // Trusting again is a no-op; the context is found by its server.
    const again = await runCli(['trust', '--server', srv.url, '--expect-fingerprint', srv.opensslFingerprint], opts);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already pins this certificate');
  });

  it('a mismatching --expect-fingerprint exits 7 naming both fingerprints and stores nothing', async () => {
    const { opts, file } = env();
    const wrong = 'AB'.repeat(32);
    const r = await runCli(['trust', '--server', srv.url, '--expect-fingerprint', wrong], opts);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(`expected ${wrong}`);
    expect(r.stderr).toContain(`presented ${srv.opensslFingerprint}`);
    expect(existsSync(file)).toBe(false);
    const j = await runCli(['--json', 'trust', '--server', srv.url, '--expect-fingerprint', wrong], opts);
    expect(j.code).toBe(7);
    expect(j.json()).toMatchObject({
      ok: false,
      exit_code: 7,
      error: { code: 'tls', expected: wrong, presented: srv.opensslFingerprint },
    });
  });

  it('without a terminal and without --expect-fingerprint it is a usage error (exit 2)', async () => {
    const { opts, file } = env();
    const r = await runCli(['trust', '--server', srv.url, '--yes'], opts);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--expect-fingerprint');
    expect(existsSync(file)).toBe(false);
  });

  it('on a terminal the operator types yes, and the pin lands in the named context', async () => {
    const { opts, file } = env({ tty: true, answers: [{ match: /Type "yes"/, answer: 'yes' }] });
    await runCli(['context', 'add', 'prod', '--server', srv.url, '--insecure'], { env: opts.env });
    const r = await runCli(['trust', '--context', 'prod'], opts);
    expect(r.code).toBe(0);
    expect(r.io.prompts.remaining()).toBe(0);
    expect(r.stderr).toContain('openssl x509 -noout -fingerprint -sha256 -in <storage>/tls/server.crt');
    expect(r.stdout).toContain('Turned off "insecure"');
    expect(readConfig(file).contexts.prod).toEqual({ servers: [srv.url], pin: srv.opensslFingerprint });
  });

  it('answering anything but yes stores nothing (exit 130)', async () => {
    const { opts, file } = env({ tty: true, answers: [{ answer: '' }] });
    const r = await runCli(['trust', '--server', srv.url], opts);
    expect(r.code).toBe(130);
    // A declined confirmation is an answer, not an error.
    expect(r.stderr).toContain('Not trusted: the fingerprint was not confirmed; nothing was stored.');
    expect(r.stderr).not.toContain('Error:');
    expect(existsSync(file)).toBe(false);
  });

  it('replacing a different pin without a terminal needs --yes; --json reports the change', async () => {
    const { opts, file } = env();
    const old = 'CD'.repeat(32);
    await runCli(['context', 'add', 'prod', '--server', srv.url, '--pin', old], opts);
    let r = await runCli(['trust', '--context', 'prod', '--expect-fingerprint', srv.opensslFingerprint], opts);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`pins ${old}`);
    expect(readConfig(file).contexts.prod.pin).toBe(old);
    r = await runCli(
      ['--json', 'trust', '--context', 'prod', '--expect-fingerprint', srv.opensslFingerprint, '--yes'],
      opts,
    );
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      context: 'prod',
      changed: true,
      created_context: false,
      previous_pin: old,
      fingerprint_sha256: srv.opensslFingerprint,
      servers: [
        {
          server: srv.url,
          certificate: {
            fingerprint_sha256: srv.opensslFingerprint,
            dns_names: ['localhost'],
            ip_addresses: ['127.0.0.1', '::1'],
            self_signed: true,
            verified: false,
          },
        },
      ],
    });
    expect(readConfig(file).contexts.prod.pin).toBe(srv.opensslFingerprint);
  });

  it('says so when normal verification already passes (here: with --cacert), and pins anyway when asked', async () => {
    const { opts, file } = env();
    const r = await runCli(
      ['trust', '--server', srv.url, '--cacert', srv.certFile, '--expect-fingerprint', srv.opensslFingerprint],
      opts,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('a normal connection already accepts it');
    expect(r.stderr).toContain('already trusts this certificate; a pin is optional');
    expect(readConfig(file).contexts['127.0.0.1'].pin).toBe(srv.opensslFingerprint);
  });

  it('http:// has nothing to trust; a closed port is unreachable (exit 7)', async () => {
    const { opts } = env();
    let r = await runCli(['trust', '--server', 'http://127.0.0.1:8080'], opts);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no certificate to trust');
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const url = `https://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((res) => closed.close(res));
    r = await runCli(['trust', '--server', url, '--expect-fingerprint', srv.opensslFingerprint], opts);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('ECONNREFUSED');
  });
});
