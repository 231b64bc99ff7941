import { createServer, type AddressInfo } from 'node:net';

/**
 * A loopback port that was free a moment ago (bound on 127.0.0.1, then closed): for a
 * server a test starts on it, or as a port nothing listens on (connection refused).
 */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
