import { connect, type Socket } from 'node:net';
import type { ForwardTarget } from './portforward.js';
import { SpdySession } from './spdy.js';

/**
 * kubectl's port-forward (protocol portforward.k8s.io over SPDY/3.1), as the kubelet
 * serves it: per local connection the client opens an error stream, then a data stream,
 * both with headers streamtype, port and requestid. The data stream is piped to the pod's
 * port; when that connection ends, both streams get FIN (kubectl waits for the error
 * stream's end). A failed dial is reported as text on the error stream.
 */
export function spdyPortForward(
  write: (b: Buffer) => void,
  end: () => void,
  target: ForwardTarget,
  log: (l: string) => void,
): SpdySession {
  const tcp = new Map<number, Socket>();
  const errorStream = new Map<string, number>(); // requestid → stream id
  const finish = (dataId: number, requestId: string, message?: string) => {
    const errId = errorStream.get(requestId);
    if (errId !== undefined && message) session.data(errId, Buffer.from(message));
    session.data(dataId, Buffer.alloc(0), true);
    if (errId !== undefined) session.data(errId, Buffer.alloc(0), true);
    errorStream.delete(requestId);
    tcp.delete(dataId);
  };
  const session: SpdySession = new SpdySession(write, {
    onStream(id, headers) {
      session.reply(id);
      const requestId = headers.requestid ?? '0';
      const port = Number(headers.port);
      if (headers.streamtype === 'error') return void errorStream.set(requestId, id);
      if (headers.streamtype !== 'data' || !Number.isInteger(port)) return session.reset(id, 1);
      const real = target.resolvePort(port);
      const sock = connect({ host: target.ip, port: real });
      tcp.set(id, sock);
      let failed = false;
      sock.on('data', (d: Buffer) => session.data(id, d));
      sock.on('end', () => !failed && finish(id, requestId));
      sock.on('error', (err: NodeJS.ErrnoException) => {
        failed = true;
        const msg = `error forwarding port ${port} to pod ${target.podName}, uid ${target.podUid}: dial tcp4 ${target.ip}:${real}: connect: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`;
        log(`portforward: ${msg}`);
        finish(id, requestId, msg);
      });
      log(`portforward: ${target.podName} port ${port} (SPDY stream ${id})`);
    },
    onData(id, data, fin) {
      const sock = tcp.get(id);
      if (!sock) return;
      if (data.length) sock.write(data);
      if (fin) sock.end();
    },
    onReset(id) {
      tcp.get(id)?.destroy();
      tcp.delete(id);
    },
    onClose() {
      for (const s of tcp.values()) s.destroy();
      tcp.clear();
      end();
    },
  });
  return session;
}
