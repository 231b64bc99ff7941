import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { colonFingerprint, fetchPeerCertificate, normalizePin, parseSans } from '../../src/config/tls-probe.js';
import { startPikaTlsServer, type PikaTlsServer } from './tls-fixture.js';

let srv: PikaTlsServer;
beforeAll(async () => {
  srv = await startPikaTlsServer();
});
afterAll(async () => {
  await srv?.close();
});

describe('fetchPeerCertificate', () => {
  it("reports Pika's fields; the fingerprint equals openssl's", async () => {
    const info = await fetchPeerCertificate(parseServerUrl(srv.url), { timeoutMs: 5_000 });
    expect(info.fingerprintSha256).toBe(srv.opensslFingerprint);
    expect(info.fingerprintSha256).toMatch(/^[0-9A-F]{64}$/);
    const openssl = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', srv.certFile], {
      encoding: 'utf8',
    });
    expect(openssl.trim().endsWith(`=${info.fingerprintColons}`)).toBe(true);
    expect(info).toMatchObject({
      subject: 'O=Pika Self-Signed, CN=localhost',
      issuer: 'O=Pika Self-Signed, CN=localhost',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      selfSigned: true,
      verified: false,
    });
    expect(info.verifyError).toMatch(/SELF_SIGNED/);
    expect(info.daysRemaining).toBeGreaterThanOrEqual(3648);
    expect(info.daysRemaining).toBeLessThanOrEqual(3650);
    expect(Date.parse(info.notAfter)).toBeGreaterThan(Date.parse(info.notBefore));
  });

  it('verified when the certificate is given as the CA (Node accepts the self-signed leaf as an anchor)', async () => {
    const ca = readFileSync(srv.certFile, 'utf8');
    const ok = await fetchPeerCertificate(parseServerUrl(srv.url), { timeoutMs: 5_000, ca });
    expect(ok.verified).toBe(true);
    expect(ok.verifyError).toBeUndefined();
  });

  it('times out on a server that never completes the handshake (exit 7), and honours an abort signal', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const server = parseServerUrl(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    try {
      const started = Date.now();
      const err = await fetchPeerCertificate(server, { timeoutMs: 200 }).catch((e) => e);
      expect(err).toBeInstanceOf(CliError);
      expect(err).toMatchObject({ exitCode: 7, code: 'timeout' });
      expect(Date.now() - started).toBeLessThan(3_000);
      const ac = new AbortController();
      const p = fetchPeerCertificate(server, { timeoutMs: 10_000, signal: ac.signal }).catch((e) => e);
      setTimeout(() => ac.abort(), 50);
      expect(await p).toMatchObject({ exitCode: 130 });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a plain-TCP (non-TLS) answer is a TLS error, exit 7', async () => {
    // Like Pika's port with plain HTTP off: answers 426 in clear text. resume() so 'end' (and close) can happen.
    const plain = createServer((s) => s.resume().end('HTTP/1.1 426 Upgrade Required\r\n\r\n'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const err = await fetchPeerCertificate(
        parseServerUrl(`https://127.0.0.1:${(plain.address() as AddressInfo).port}`),
        { timeoutMs: 5_000 },
      ).catch((e) => e);
      expect(err).toBeInstanceOf(CliError);
      expect(err.exitCode).toBe(7);
      expect(err.message).toContain('did not answer with TLS');
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });
});

describe('normalizePin', () => {
  const hex = 'A1'.repeat(32);
  it('accepts Pika, openssl and lower-case forms', () => {
    expect(normalizePin(hex.toLowerCase())).toBe(hex);
    expect(normalizePin(colonFingerprint(hex))).toBe(hex);
    expect(normalizePin(`sha256 Fingerprint=${colonFingerprint(hex)}`)).toBe(hex);
    expect(normalizePin(` ${hex.slice(0, 32)} ${hex.slice(32)} `)).toBe(hex);
  });
  it('anything else is a usage error naming the flag', () => {
    for (const bad of ['', 'A1'.repeat(31), 'G1'.repeat(32), `${hex}00`]) {
      const err = (() => {
        try {
          normalizePin(bad, '--expect-fingerprint');
        } catch (e) {
          return e as CliError;
        }
      })();
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toContain('--expect-fingerprint');
    }
  });
});

describe('parseSans', () => {
  it('splits DNS and IP entries and compresses IPv6 the way Go prints it', () => {
    expect(
      parseSans(
        'DNS:localhost, DNS:"a,b", IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FE80:0:0:0:0:0:0:1',
      ),
    ).toEqual({
      dns: ['localhost', 'a,b'],
      ip: ['127.0.0.1', '::1', 'fe80::1'],
    });
  });
});
