import type { TLSSocket } from 'node:tls';
import type { buildConnector as BuildConnector } from 'undici';
import { buildConnector } from './undici-parts.js';
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

export { certFingerprint } from './pin.js';
import { certFingerprint } from './pin.js';

export { loadCaFile } from './ca.js';

export interface ConnectorOptions {
  ca?: string;
  /** Normalised or raw fingerprint; verified on every new TLS connection. */
  pin?: string;
  insecure: boolean;
  connectTimeoutMs: number;
}

/** The TLS half of the trust decision, as undici's buildConnector (and ProxyAgent's requestTls) take it. */
export function tlsConnectOptions(opts: ConnectorOptions): BuildConnector.BuildOptions {
  const pin = opts.pin === undefined ? undefined : normalizePin(opts.pin);
  const verifyChain = !opts.insecure && (opts.ca !== undefined || pin === undefined);
  return {
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    rejectUnauthorized: verifyChain,
    timeout: opts.connectTimeoutMs,
    // A resumed TLS session might not carry the peer certificate: pinning re-handshakes fully.
    ...(pin !== undefined ? { maxCachedSessions: 0 } : {}),
  };
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
  return withPin(buildConnector(tlsConnectOptions(opts)), opts.pin);
}

/**
 * Wraps any connector (the direct one, or a proxy's CONNECT tunnel) so the pin is
 * checked on the TLS socket it hands back, and connect failures are marked as such.
 */
export function withPin(base: BuildConnector.connector, rawPin: string | undefined): BuildConnector.connector {
  const pin = rawPin === undefined ? undefined : normalizePin(rawPin);
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
