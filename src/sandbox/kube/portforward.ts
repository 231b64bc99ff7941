import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptWebSocket } from './websocket.js';

/**
 * The pod `portforward` subresource over WebSocket, as the kubelet serves it to
 * @kubernetes/client-node's PortForward (protocol v4.channel.k8s.io, binary): for the
 * i-th requested port, channel 2i carries data and 2i+1 errors; the first frame on each
 * channel is the port number, 2 bytes little-endian. Every message is one channel byte
 * plus payload. One TCP connection per port per WebSocket; when it ends, the WebSocket
 * closes (the client opens a new WebSocket per local connection).
 */
export const PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io'];

export interface ForwardTarget {
  podName: string;
  podUid: string;
  ip: string;
  /** Requested (container) port → the port actually listening on ip. */
  resolvePort(port: number): number;
}

const frame = (channel: number, payload: Buffer) => Buffer.concat([Buffer.from([channel]), payload]);

function portFrame(channel: number, port: number): Buffer {
  const b = Buffer.alloc(3);
  b[0] = channel;
  b.writeUInt16LE(port, 1);
  return b;
}

export function parsePorts(query: URLSearchParams): number[] | string {
  const raw = query.getAll('ports').flatMap((p) => p.split(','));
  if (raw.length === 0) return 'query parameter "ports" is required';
  const ports = raw.map((p) => Number(p.trim()));
  const bad = raw.find((_, i) => !Number.isInteger(ports[i]) || ports[i] < 1 || ports[i] > 65535);
  return bad !== undefined ? `unable to parse "${bad}" as a port: invalid port` : ports;
}

export function servePortForward(
  req: IncomingMessage,
  socket: Duplex,
  ports: number[],
  target: ForwardTarget,
  log: (l: string) => void,
): boolean {
  const ws = acceptWebSocket(req, socket, PORTFORWARD_PROTOCOLS);
  if (!ws) return false;
  const { conn } = ws;
  const tcps: Socket[] = [];
  ports.forEach((port, i) => {
    conn.send(portFrame(2 * i, port));
    conn.send(portFrame(2 * i + 1, port));
    const real = target.resolvePort(port);
    const tcp = connect({ host: target.ip, port: real });
    tcps.push(tcp);
    tcp.on('data', (d: Buffer) => conn.send(frame(2 * i, d)));
    tcp.on('error', (err: NodeJS.ErrnoException) => {
      const msg = `error forwarding port ${port} to pod ${target.podName}, uid ${target.podUid}: dial tcp4 ${target.ip}:${real}: connect: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`;
      log(`portforward: ${msg}`);
      conn.send(frame(2 * i + 1, Buffer.from(msg)));
      conn.close();
    });
    tcp.on('end', () => conn.close());
  });
  conn.on('message', (m) => {
    if (m.length < 1) return;
    const ch = m[0];
    if (ch % 2 === 0 && tcps[ch / 2]) tcps[ch / 2].write(m.subarray(1));
  });
  conn.on('close', () => {
    for (const t of tcps) t.destroy();
  });
  log(`portforward: ${target.podName} ports ${ports.join(',')} (websocket ${ws.protocol})`);
  return true;
}
