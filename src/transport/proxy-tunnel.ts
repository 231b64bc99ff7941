import type { Socket } from 'node:net';
import { CliError } from '../errors.js';
import type { ProxyChoice } from './proxy-config.js';
import { loadProxyParts } from './undici-parts.js';

/**
 * A raw CONNECT tunnel to host:port through the proxy, for `pikactl trust`, which reads
 * the certificate with its own TLS handshake (no HTTP request). undici's pool sends the
 * CONNECT, as its ProxyAgent does for every other command. `hostPort` is URL.host form
 * with the port ("[fd00::1]:8443"). The caller owns the socket; `close()` ends the pool.
 */
export async function openTunnel(
  proxy: ProxyChoice,
  hostPort: string,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ socket: Socket; close(): void }> {
  const { Pool, connectVia } = loadProxyParts();
  const u = new URL(proxy.url);
  const pool = connectVia(new Pool(u.origin, { connect: { timeout: opts.timeoutMs } }));
  const close = () => void pool.close().catch(() => {});
  const headers: Record<string, string> = { host: hostPort };
  if (u.username || u.password) {
    headers['proxy-authorization'] =
      `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  }
  const named = `the proxy ${proxy.shown} (from ${proxy.from})`;
  try {
    const { socket, statusCode } = await pool.connect({ path: hostPort, headers, signal: opts.signal ?? null });
    if (statusCode !== 200) {
      socket.destroy();
      throw new CliError(`${named} answered ${statusCode} when asked to connect to ${hostPort}`, {
        code: 'unreachable',
        hint:
          statusCode === 407
            ? 'Put the proxy credentials in the proxy URL in HTTPS_PROXY (never on the command line).'
            : `Check the server URL and the proxy's rules, or bypass the proxy with NO_PROXY.`,
      });
    }
    return { socket: socket as Socket, close };
  } catch (err) {
    close();
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CliError(`cannot connect to ${hostPort} through ${named}: the proxy cannot be reached (${code})`, {
      code: 'unreachable',
      hint: 'Check that the proxy runs and that its URL is right, or reach the server without it (NO_PROXY, or --proxy "").',
      cause: err,
    });
  }
}
