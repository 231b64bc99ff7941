import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN, startTestSandbox } from '../support/sandbox.js';

async function get(url: string, ca: string, init: { method?: string; body?: string; cookie?: string } = {}) {
  const dispatcher = new Agent({ connect: { ca } });
  try {
    const r = await request(url, {
      method: (init.method ?? 'GET') as 'GET',
      dispatcher,
      body: init.body,
      headers: { 'content-type': 'application/json', ...(init.cookie ? { cookie: init.cookie } : {}) },
    });
    return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
  } finally {
    await dispatcher.close();
  }
}

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

describe('HTTPS', () => {
  it('self-signed like Pika: P-256 leaf in <data>/tls, trusted as its own CA, reported by tls/status', async () => {
    const sb = await startTestSandbox({ tls: { selfSigned: true } });
    expect(sb.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const certFile = join(sb.dataDir, 'tls', 'server.crt');
    expect(sb.certFile).toBe(certFile);
    expect(statSync(join(sb.dataDir, 'tls', 'server.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(sb.dataDir, 'tls')).mode & 0o777).toBe(0o700);
    const x = new X509Certificate(readFileSync(certFile));
    expect(x.ca).toBe(false);
    expect(x.subject).toContain('O=Pika Self-Signed');
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const fp = createHash('sha256').update(x.raw).digest('hex').toUpperCase();
    expect(sb.fingerprint).toBe(fp);

    expect((await get(`${sb.url}/healthz`, sb.certPem!)).text).toBe('OK');
    expect((await get(`https://localhost:${sb.port}/healthz`, sb.certPem!)).status).toBe(200);
    await expect(fetch(`${sb.url}/healthz`)).rejects.toThrow(); // not trusted by default

    const login = await get(`${sb.url}/login/pass/local`, sb.certPem!, {
      method: 'POST',
      body: JSON.stringify(TEST_ADMIN),
    });
    expect(login.status).toBe(200);
    const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const session = cookies.find((c) => c.startsWith('pika_session='))!;
    expect(session).toContain('; Secure');
    const tls = await get(`${sb.url}/api/v1/tls/status`, sb.certPem!, { cookie: session.split(';')[0] });
    expect(tls.status).toBe(200);
    const body = JSON.parse(tls.text);
    expect(body).toMatchObject({ process_enabled: true, https_enabled: true, plain_http_enabled: false });
    expect(body.certificate).toMatchObject({
      loaded: true,
      cert_file: certFile,
      subject: 'CN=localhost,O=Pika Self-Signed',
      dns_names: ['localhost'],
      ip_addresses: ['127.0.0.1', '::1'],
      fingerprint_sha256: fp,
      self_signed: true,
    });
    expect(body.certificate.days_remaining).toBeGreaterThan(3600);

    // Restart reuses the certificate.
    const again = await sb.restart();
    expect(again.fingerprint).toBe(fp);
  });

  it('serves a given PEM certificate and key', async () => {
    const first = await startTestSandbox({ tls: { selfSigned: true } });
    const cert = readFileSync(join(first.dataDir, 'tls', 'server.crt'), 'utf8');
    const key = readFileSync(join(first.dataDir, 'tls', 'server.key'), 'utf8');
    const sb = await startTestSandbox({ tls: { cert, key } });
    expect(sb.fingerprint).toBe(first.fingerprint);
    expect((await get(`${sb.url}/api/v1/key/status`, cert)).text).toBe('{"initialized":false,"unlocked":false}\n');
  });

  it('fails clearly when openssl is missing', async () => {
    process.env.PATH = '/nonexistent-dir';
    await expect(startTestSandbox({ tls: { selfSigned: true } })).rejects.toThrow(/openssl not found/);
  });
});
