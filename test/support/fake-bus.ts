import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeBus {
  /** For DBUS_SESSION_BUS_ADDRESS. */
  address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections still open (a client that died has closed its socket). */
  readonly open: number;
  close(): Promise<void>;
}

/**
 * A D-Bus "session bus" that accepts connections and reads forever without ever
 * answering (not even the auth handshake): what a wedged dbus-daemon looks like
 * to libdbus, whose calls then block in the calling thread.
 */
export async function startFakeBus(): Promise<FakeBus> {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-fakebus-'));
  const path = join(dir, 'bus');
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    address: `unix:path=${path}`,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
