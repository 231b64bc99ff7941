import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeSelfSigned, writeCertFiles } from '../../src/sandbox/certs.js';
import { tempDir } from '../support/context.js';

export interface PikaTlsServer {
  url: string;
  port: number;
  certFile: string;
  /** `openssl x509 -noout -fingerprint -sha256` output, normalised to Pika's form. */
  opensslFingerprint: string;
  close(): Promise<void>;
}

/**
 * A certificate made exactly like Pika's auto-managed one (ECDSA P-256 self-signed
 * leaf, O=Pika Self-Signed, CN=localhost, SANs localhost/127.0.0.1/::1), made by
 * src/sandbox/certs.ts at test time, served by a real node:https server on 127.0.0.1:0.
 */
export async function startPikaTlsServer(): Promise<PikaTlsServer> {
  const dir = tempDir('pikactl-tls-');
  const made = await makeSelfSigned({
    subject: '/O=Pika Self-Signed/CN=localhost',
    sans: ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'],
    days: 3650,
  });
  const { certFile, keyFile } = await writeCertFiles(join(dir, 'server'), made);
  // openssl's own reading of the fingerprint, the independent answer the probe is checked against.
  const out = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', certFile], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const opensslFingerprint = out.trim().split('=')[1].replace(/:/g, '').toUpperCase();
  const server: Server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    certFile,
    opensslFingerprint,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
