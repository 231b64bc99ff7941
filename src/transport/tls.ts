import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { buildConnector as BuildConnector } from 'undici';
import { buildConnector } from './undici-parts.js';
import { usageError } from '../errors.js';
import { normalizePin } from './options.js';

/** Marks errors raised while connecting (before any request byte was sent). */
export const CONNECT_PHASE = Symbol.for('pikactl.connectPhase');

/** The presented certificate does not match --pin. Raised from the connector, before any request is sent. */
export class PinMismatchError extends Error {
  readonly code = 'ERR_PIKACTL_TLS_PIN_MISMATCH';
  constructor(
    readonly host: string,
    readonly expected: string,
    readonly presented: string,
  ) {
    super(`certificate pin mismatch for ${host}: expected SHA-256 ${expected}, server presented ${presented}`);
    this.name = 'PinMismatchError';
  }
}

/** Upper-case hex SHA-256 of a DER certificate: the format of Pika's fingerprint_sha256. */
export function certFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

/**
 * Reads a PEM file to trust. Pika's auto-generated certificate is a self-signed
 * leaf (not a CA); OpenSSL accepts it as a trust anchor for exactly that server,
 * which test/transport proves.
 */
export function loadCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(
      `cannot read --cacert file ${path}${code ? ` (${code})` : ''}`,
      "Copy the server's certificate (Pika: <storage>/tls/server.crt) to this machine, or use --pin SHA256.",
    );
  }
  if (/PRIVATE KEY-----/.test(pem)) {
    throw usageError(
      `--cacert file ${path} contains a private key`,
      'Pass the certificate (server.crt), never the key (server.key); remove the key from this machine.',
    );
  }
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  try {
    if (!first) throw new Error('no certificate');
    new X509Certificate(first[0]);
  } catch {
    throw usageError(`--cacert file ${path} holds no PEM certificate`, 'Expected a file starting with -----BEGIN CERTIFICATE-----.');
  }
  return pem;
}

export interface ConnectorOptions {
  ca?: string;
  /** Normalised or raw fingerprint; verified on every new TLS connection. */
  pin?: string;
  insecure: boolean;
  connectTimeoutMs: number;
}

/**
 * An undici connector that applies the trust decision:
 * - cacert: verify against that file only (not the system roots);
 * - pin without cacert: skip chain/hostname checks and accept exactly the pinned certificate;
 * - pin with cacert: both must hold;
 * - insecure: verify nothing (except a pin, if one was given).
 * Node does not call checkServerIdentity when rejectUnauthorized is false, so the
 * pin is checked here, on secureConnect, before undici writes the request.
 */
export function createConnector(opts: ConnectorOptions): BuildConnector.connector {
  const pin = opts.pin === undefined ? undefined : normalizePin(opts.pin);
  const verifyChain = !opts.insecure && (opts.ca !== undefined || pin === undefined);
  const base = buildConnector({
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    rejectUnauthorized: verifyChain,
    timeout: opts.connectTimeoutMs,
    // A resumed TLS session might not carry the peer certificate: pinning re-handshakes fully.
    ...(pin !== undefined ? { maxCachedSessions: 0 } : {}),
  });
  return (connectOpts, callback) =>
    base(connectOpts, (err, socket) => {
      if (err) {
        tagConnectPhase(err);
        return callback(err, null);
      }
      if (pin !== undefined && connectOpts.protocol === 'https:') {
        const raw = (socket as TLSSocket).getPeerCertificate?.()?.raw;
        const presented = raw ? certFingerprint(raw) : '(no certificate)';
        if (presented !== pin) {
          const mismatch = new PinMismatchError(connectOpts.host ?? connectOpts.hostname, pin, presented);
          tagConnectPhase(mismatch);
          socket!.destroy();
          return callback(mismatch, null);
        }
      }
      callback(null, socket!);
    });
}

function tagConnectPhase(err: Error): void {
  try {
    Object.defineProperty(err, CONNECT_PHASE, { value: true, enumerable: false });
  } catch {
    // frozen error objects: classification then falls back to the error code
  }
}
