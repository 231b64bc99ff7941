import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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
 * leaf, O=Pika Self-Signed, CN=localhost, SANs localhost/127.0.0.1/::1), created
 * with openssl at test time, served by a real node:https server on 127.0.0.1:0.
 */
export async function startPikaTlsServer(): Promise<PikaTlsServer> {
  const dir = tempDir('pikactl-tls-');
  const keyFile = join(dir, 'server.key');
  const certFile = join(dir, 'server.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '3650',
      '-subj',
      '/O=Pika Self-Signed/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ],
    { stdio: 'ignore' },
  );
  const out = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', certFile], {
    encoding: 'utf8',
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
        server.close(() => resolve());
      }),
  };
}
