import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The server side of RFC 6455, just enough for the port-forward subresource: the
 * upgrade handshake, masked client frames (fragmented or not), ping/pong, close, and
 * unmasked binary frames out. Written here because `ws` is only a transitive
 * dependency (of @kubernetes/client-node) and pikactl must not lean on it.
 */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export class WsConn extends EventEmitter<{ message: [Buffer]; close: [] }> {
  private buf: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (d: Buffer) => this.feed(d));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  private feed(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0] & 0x80) !== 0;
      const op = this.buf[0] & 0x0f;
      const masked = (this.buf[1] & 0x80) !== 0;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (len > 64 * 1024 * 1024) return void this.close(1009);
      const need = off + (masked ? 4 : 0) + len;
      if (this.buf.length < need) return;
      const payload = Buffer.from(this.buf.subarray(off + (masked ? 4 : 0), need));
      if (masked) {
        const key = this.buf.subarray(off, off + 4);
        for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
      }
      this.buf = this.buf.subarray(need);
      if (op === 0x8) return void this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
      if (op === 0x9) this.frame(0xa, payload);
      else if (op === 0x0 || op === 0x1 || op === 0x2) {
        this.parts.push(payload);
        if (fin) this.emit('message', Buffer.concat(this.parts.splice(0)));
      }
    }
  }

  private frame(op: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | op, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (len >= 126 && len < 65536) {
      head[0] = 0x80 | op;
      head[1] = 126;
      head.writeUInt16BE(len, 2);
    } else if (len >= 65536) {
      head[0] = 0x80 | op;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    this.socket.write(Buffer.concat([head, payload]));
  }

  send(data: Buffer): void {
    this.frame(0x2, data);
  }

  close(code = 1000): void {
    if (this.closed) return;
    const p = Buffer.alloc(2);
    p.writeUInt16BE(code, 0);
    this.frame(0x8, p);
    this.socket.end();
    this.finish();
  }
}

/** Completes the handshake with the first of `supported` the client offered; undefined when none. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  supported: string[],
): { conn: WsConn; protocol: string } | undefined {
  const key = req.headers['sec-websocket-key'];
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim());
  const protocol = supported.find((p) => offered.includes(p));
  if (typeof key !== 'string' || !protocol) return undefined;
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  return { conn: new WsConn(socket), protocol };
}
