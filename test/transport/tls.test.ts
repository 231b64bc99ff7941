import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorToCli } from '../../src/api/errors.js';
import { createPikaClient } from '../../src/api/client.js';
import { ApiError } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { insecureWarning, normalizePin, type TransportOptions } from '../../src/transport/options.js';
import { makeLeafCert, type TestCert } from './certs.js';

interface Running {
  port: number;
  server: Server;
  hits: number;
}

async function serve(cert: TestCert): Promise<Running> {
  const state = { hits: 0 } as Running;
  const server = createServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
    state.hits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ initialized: true, unlocked: true }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.server = server;
  state.port = (server.address() as AddressInfo).port;
  return state;
}

let pika: TestCert; // Pika-style self-signed leaf for localhost/127.0.0.1/::1
let other: TestCert; // a leaf for another name only
let pikaSrv: Running;
let otherSrv: Running;

beforeAll(async () => {
  pika = await makeLeafCert('pika');
  other = await makeLeafCert('other', 'DNS:pika.internal');
  [pikaSrv, otherSrv] = await Promise.all([serve(pika), serve(other)]);
});
afterAll(() => {
  for (const s of [pikaSrv, otherSrv]) {
    s?.server.closeAllConnections();
    s?.server.close();
  }
  for (const c of [pika, other]) if (c) rmSync(c.dir, { recursive: true, force: true });
});

const base: TransportOptions = { insecure: false, allowHttp: false, timeoutMs: 5_000 };

async function status(url: string, t: Partial<TransportOptions>) {
  const c = createPikaClient({ server: parseServerUrl(url), transport: { ...base, ...t } });
  try {
    return await c.keyStatus();
  } finally {
    await c.close();
  }
}

async function tlsFailure(url: string, t: Partial<TransportOptions>): Promise<ApiError> {
  try {
    await status(url, t);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).kind).toBe('tls');
    return err as ApiError;
  }
  throw new Error('expected a TLS failure');
}

const at = (s: Running, host = '127.0.0.1') => `https://${host}:${s.port}`;

describe('--cacert', () => {
  it("trusts Pika's self-signed leaf certificate file (by IP and by localhost)", async () => {
    expect(await status(at(pikaSrv), { cacert: pika.certFile })).toEqual({ initialized: true, unlocked: true });
    expect(await status(at(pikaSrv, 'localhost'), { cacert: pika.certFile })).toEqual({
      initialized: true,
      unlocked: true,
    });
  });

  it('without it the self-signed certificate is refused, with a hint', async () => {
    const e = await tlsFailure(at(pikaSrv), {});
    expect(e.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(e.hint).toContain('--cacert');
    expect(e.hint).toContain('--pin');
    const cli = apiErrorToCli(e, parseServerUrl(at(pikaSrv)), 'status');
    expect(cli.exitCode).toBe(7);
    expect(cli.code).toBe('tls');
  });

  it('a certificate for another host name fails verification', async () => {
    const e = await tlsFailure(at(otherSrv), { cacert: other.certFile });
    expect(e.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(e.hint).toContain('--pin');
  });

  it('a trusted file that is not the server certificate fails', async () => {
    await tlsFailure(at(pikaSrv), { cacert: other.certFile });
  });

  it('an unreadable file or a private key is a usage error', () => {
    const make = (cacert: string) => () =>
      createPikaClient({ server: parseServerUrl(at(pikaSrv)), transport: { ...base, cacert } });
    expect(make('/nonexistent/server.crt')).toThrowError(CliError);
    expect(make(pika.keyFile)).toThrowError(/private key/);
    expect(make(pika.keyFile)).toThrowError(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('--pin', () => {
  it('accepts the pinned certificate with no CA and no host name check', async () => {
    expect(await status(at(pikaSrv), { pin: pika.fingerprint })).toEqual({ initialized: true, unlocked: true });
    expect(await status(at(otherSrv), { pin: other.fingerprint })).toEqual({ initialized: true, unlocked: true });
  });

  it('ignores colons, spaces and case', async () => {
    const messy = pika.fingerprint.toLowerCase().replace(/(..)(?!$)/g, '$1:');
    expect(normalizePin(` sha256 Fingerprint=${messy} `)).toBe(pika.fingerprint);
    expect(await status(at(pikaSrv), { pin: messy })).toEqual({ initialized: true, unlocked: true });
    expect(() => normalizePin('ABCD')).toThrowError(/64 hex/);
  });

  it('a mismatch is a hard tls error naming both fingerprints, and no request is sent', async () => {
    const before = pikaSrv.hits;
    const e = await tlsFailure(at(pikaSrv), { pin: other.fingerprint });
    expect(e.message).toContain(other.fingerprint);
    expect(e.message).toContain(pika.fingerprint);
    expect(e.hint).toContain('pikactl trust');
    expect(pikaSrv.hits).toBe(before);
  });

  it('is enforced even with --insecure', async () => {
    await tlsFailure(at(pikaSrv), { pin: other.fingerprint, insecure: true });
  });

  it('with --cacert both must hold', async () => {
    expect(await status(at(pikaSrv), { cacert: pika.certFile, pin: pika.fingerprint })).toEqual({
      initialized: true,
      unlocked: true,
    });
    await tlsFailure(at(pikaSrv), { cacert: pika.certFile, pin: other.fingerprint });
    // pinned, but the chain/host check fails: other's cert names only pika.internal
    await tlsFailure(at(otherSrv), { cacert: other.certFile, pin: other.fingerprint });
  });

  it('serves several calls through one pinned client', async () => {
    const c = createPikaClient({ server: parseServerUrl(at(pikaSrv)), transport: { ...base, pin: pika.fingerprint } });
    try {
      for (let i = 0; i < 3; i++) expect((await c.keyStatus()).unlocked).toBe(true);
    } finally {
      await c.close();
    }
  });
});

describe('--insecure', () => {
  it('connects without any verification; the caller prints the warning', async () => {
    expect(await status(at(otherSrv), { insecure: true })).toEqual({ initialized: true, unlocked: true });
    const w = insecureWarning(parseServerUrl(at(otherSrv)));
    expect(w).toMatch(/WARNING/);
    expect(w).toContain('--cacert');
  });
});
