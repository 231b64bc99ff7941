import { X509Certificate } from 'node:crypto';
import { certFingerprint } from '../transport/pin.js';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { ServerUrl } from '../api/url.js';
import type { ProxyChoice } from '../transport/proxy-config.js';
import { CliError, usageError } from '../errors.js';
import { colonFingerprint } from '../transport/pin.js';

export { normalizePin, colonFingerprint } from '../transport/pin.js';

/** The certificate a server presents, in the terms of Pika's GET /api/v1/tls/status. */
export interface CertInfo {
  subject: string;
  issuer: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysRemaining: number;
  selfSigned: boolean;
  /** Upper-case hex SHA-256 of the DER, no separators: Pika's fingerprint_sha256. */
  fingerprintSha256: string;
  /** "AB:CD:…", as `openssl x509 -noout -fingerprint -sha256` prints it. */
  fingerprintColons: string;
  /** Whether a normal connection (system roots, or opts.ca; host name checked) would accept it. */
  verified: boolean;
  /** Why it would not, e.g. DEPTH_ZERO_SELF_SIGNED_CERT or ERR_TLS_CERT_ALTNAME_INVALID. */
  verifyError?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra trust anchors (PEM) for the "would verification pass" answer, e.g. a context's cacert. */
  ca?: string;
  /** For daysRemaining; defaults to Date.now(). */
  now?: number;
  /** Reach the server through this proxy (a CONNECT tunnel), as every other command would. */
  proxy?: ProxyChoice;
}

/**
 * Connects with verification OFF and returns the peer certificate, so the operator
 * can compare its fingerprint with the one the server shows. Nothing is sent over
 * the connection: it is closed right after the handshake.
 */
export async function fetchPeerCertificate(server: ServerUrl, opts: ProbeOptions): Promise<CertInfo> {
  if (server.url.protocol !== 'https:') {
    throw usageError(
      `${server.id} is plain http: there is no certificate to trust`,
      'Use the https:// URL of the server.',
    );
  }
  const port = Number(server.url.port || 443);
  if (!opts.proxy) return handshake(server, port, opts);
  const { openTunnel } = await import('../transport/proxy-tunnel.js');
  const tunnel = await openTunnel(opts.proxy, `${server.url.hostname}:${port}`, opts);
  try {
    return await handshake(server, port, opts, tunnel.socket);
  } finally {
    tunnel.socket.destroy();
    tunnel.close();
  }
}

function handshake(server: ServerUrl, port: number, opts: ProbeOptions, through?: Socket): Promise<CertInfo> {
  const host = server.host.replace(/^\[|\]$/g, '');
  return new Promise<CertInfo>((resolve, reject) => {
    let socket: TLSSocket | undefined;
    const finish = (err: Error | undefined, info?: CertInfo) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      if (err) reject(err);
      else resolve(info!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new CliError(`timed out after ${opts.timeoutMs} ms connecting to ${server.id}`, {
            code: 'timeout',
            hint: 'Check the URL and port, or raise --timeout.',
          }),
        ),
      opts.timeoutMs,
    );
    const onAbort = () => finish(new CliError('cancelled', { code: 'cancelled' }));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    socket = connect({
      ...(through ? { socket: through } : { host, port }),
      // SNI must be a DNS name; Node warns when given an IP address.
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ALPNProtocols: ['http/1.1'],
    });
    socket.once('secureConnect', () => {
      try {
        const peer = socket!.getPeerCertificate(true);
        if (!peer?.raw) throw new Error('the server presented no certificate');
        // Chain result from OpenSSL plus the host-name check, done here explicitly: that is what a verifying client would do.
        const chainError = socket!.authorizationError ? String(socket!.authorizationError) : undefined;
        const nameError = chainError ? undefined : checkServerIdentity(host, peer as PeerCertificate);
        finish(
          undefined,
          describe(
            peer.raw,
            opts.now ?? Date.now(),
            chainError ?? (nameError ? ((nameError as NodeJS.ErrnoException).code ?? nameError.message) : undefined),
          ),
        );
      } catch (err) {
        finish(
          new CliError(`could not read the certificate of ${server.id}: ${(err as Error).message}`, {
            code: 'tls',
            cause: err,
          }),
        );
      }
    });
    // `on`, not `once`: a second error after destroy must not become an unhandled 'error' event.
    socket.on('error', (err: NodeJS.ErrnoException) => finish(connectError(server, err)));
  });
}

function connectError(server: ServerUrl, err: NodeJS.ErrnoException): CliError {
  const code = err.code ?? '';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT/.test(code)) {
    return new CliError(`cannot connect to ${server.id}: ${code}`, {
      code: 'unreachable',
      hint: 'Check the host name and port, and that the server is running.',
      cause: err,
    });
  }
  // OpenSSL's message is a wall of internals; its code says it ("ERR_SSL_WRONG_VERSION_NUMBER": not TLS at all).
  const why = code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? 'the server did not answer with TLS' : code || err.message;
  return new CliError(`TLS handshake with ${server.id} failed: ${why}`, {
    code: 'tls',
    hint: 'Is this port serving TLS? If the server speaks plain HTTP, there is nothing to trust.',
    cause: err,
  });
}

/** Builds CertInfo from the DER. Exported for tests and for callers that already hold a certificate. */
export function describe(der: Buffer, now: number, verifyError?: string): CertInfo {
  const x = new X509Certificate(der);
  const fingerprintSha256 = certFingerprint(der);
  const { dns, ip } = parseSans(x.subjectAltName ?? '');
  const notBefore = new Date(x.validFrom);
  const notAfter = new Date(x.validTo);
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    dnsNames: dns,
    ipAddresses: ip,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysRemaining: Math.floor((notAfter.getTime() - now) / 86_400_000),
    selfSigned: x.subject === x.issuer && safeVerify(x),
    fingerprintSha256,
    fingerprintColons: colonFingerprint(fingerprintSha256),
    verified: verifyError === undefined,
    ...(verifyError !== undefined ? { verifyError } : {}),
  };
}

function safeVerify(x: X509Certificate): boolean {
  try {
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** Node prints "O=Pika Self-Signed\nCN=localhost"; show it on one line. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" → lists (values may be JSON-quoted). */
export function parseSans(text: string): { dns: string[]; ip: string[] } {
  const dns: string[] = [];
  const ip: string[] = [];
  const re = /(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    let v = m[2].trim();
    if (v.startsWith('"')) {
      try {
        v = JSON.parse(v) as string;
      } catch {
        // keep the quoted text
      }
    }
    (m[1] === 'DNS' ? dns : ip).push(m[1] === 'DNS' ? v : compressIpv6(v));
  }
  return { dns, ip };
}

/** Node 20 spells ::1 as 0:0:0:0:0:0:0:1; Go (and Pika's status page) prints ::1. */
function compressIpv6(ip: string): string {
  if (!ip.includes(':') || ip.includes('::')) return ip.toLowerCase();
  const parts = ip
    .toLowerCase()
    .split(':')
    .map((p) => p.replace(/^0+(?=.)/, ''));
  let best = { start: -1, len: 0 };
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < parts.length && parts[j] === '0') j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j;
  }
  if (best.len < 2) return parts.join(':');
  return `${parts.slice(0, best.start).join(':')}::${parts.slice(best.start + best.len).join(':')}`;
}
