import { constants, inflateSync } from 'node:zlib';
import { adler32, SPDY3_DICTIONARY } from './spdy-dictionary.js';

/**
 * A server-side SPDY/3.1 session, the framing kubectl's port-forward speaks (directly
 * after an `Upgrade: SPDY/3.1`, or tunnelled in WebSocket binary messages). Only what
 * port-forward uses: SYN_STREAM in, SYN_REPLY out, DATA both ways with FIN, RST_STREAM,
 * PING echo, GOAWAY; SETTINGS and WINDOW_UPDATE are read and ignored (the peer,
 * moby/spdystream, sends without waiting on windows too).
 * Header blocks in: one zlib stream per direction, so the compressed bytes seen so far
 * are inflated again as one prefix (few blocks per session). Header blocks out: zlib
 * stored blocks, a valid continuation for any inflater and no compressor state to keep.
 */
export type Headers = Record<string, string>;

export interface SpdyHandlers {
  onStream(id: number, headers: Headers, fin: boolean): void;
  onData(id: number, data: Buffer, fin: boolean): void;
  onReset(id: number): void;
  onClose(): void;
}

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;

export class SpdySession {
  private buf: Buffer = Buffer.alloc(0);
  private inflated = 0;
  private compressedIn: Buffer[] = [];
  private sentHeader = false;
  private closed = false;

  constructor(
    private readonly write: (b: Buffer) => void,
    private readonly h: SpdyHandlers,
  ) {}

  feed(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (!this.closed && this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) return;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      try {
        this.frame(frame);
      } catch {
        this.goAway();
      }
    }
  }

  private frame(f: Buffer): void {
    const flags = f[4];
    const body = f.subarray(8);
    if ((f[0] & 0x80) === 0) {
      this.h.onData(f.readUInt32BE(0) & 0x7fffffff, Buffer.from(body), (flags & FLAG_FIN) !== 0);
      return;
    }
    const type = f.readUInt16BE(2);
    const id = body.length >= 4 ? body.readUInt32BE(0) & 0x7fffffff : 0;
    if (type === SYN_STREAM) this.h.onStream(id, this.headers(body.subarray(10)), (flags & FLAG_FIN) !== 0);
    else if (type === RST_STREAM) this.h.onReset(id);
    else if (type === PING) this.write(Buffer.from(f));
    else if (type === GOAWAY) this.close();
    else if (type === 8 /* HEADERS */) this.headers(body.subarray(4)); // keep the inflater in step
  }

  private headers(block: Buffer): Headers {
    this.compressedIn.push(Buffer.from(block));
    const all = inflateSync(Buffer.concat(this.compressedIn), {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const raw = all.subarray(this.inflated);
    this.inflated = all.length;
    const out: Headers = {};
    let off = 4;
    const n = raw.readUInt32BE(0);
    for (let i = 0; i < n; i++) {
      const kl = raw.readUInt32BE(off);
      const k = raw.subarray(off + 4, off + 4 + kl).toString('latin1');
      off += 4 + kl;
      const vl = raw.readUInt32BE(off);
      out[k.toLowerCase()] = raw.subarray(off + 4, off + 4 + vl).toString('latin1');
      off += 4 + vl;
    }
    return out;
  }

  private block(headers: Headers): Buffer {
    const parts: Buffer[] = [u32(Object.keys(headers).length)];
    for (const [k, v] of Object.entries(headers))
      parts.push(u32(k.length), Buffer.from(k, 'latin1'), u32(v.length), Buffer.from(v, 'latin1'));
    const raw = Buffer.concat(parts);
    const head = this.sentHeader
      ? Buffer.alloc(0)
      : Buffer.concat([Buffer.from([0x78, 0xbb]), u32(adler32(SPDY3_DICTIONARY))]);
    this.sentHeader = true;
    // A stored (uncompressed) deflate block, not final: LEN, ~LEN, bytes.
    const stored = Buffer.alloc(5);
    stored[0] = 0;
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    // Then an empty stored block, the sync-flush marker: Go's inflater hands out the bytes
    // only when it reaches one, and would otherwise read past the frame and fail for good.
    return Buffer.concat([head, stored, raw, Buffer.from([0, 0, 0, 0xff, 0xff])]);
  }

  private control(type: number, flags: number, body: Buffer): void {
    if (this.closed) return;
    const h = Buffer.from([0x80, 0x03, 0, type, flags, 0, 0, 0]);
    h.writeUIntBE(body.length, 5, 3);
    this.write(Buffer.concat([h, body]));
  }

  reply(id: number, headers: Headers = {}): void {
    this.control(SYN_REPLY, 0, Buffer.concat([u32(id), this.block(headers)]));
  }

  data(id: number, payload: Buffer, fin = false): void {
    if (this.closed) return;
    for (let off = 0; off < payload.length || (off === 0 && fin); off += 65536) {
      const chunk = payload.subarray(off, off + 65536);
      const last = off + 65536 >= payload.length;
      const h = Buffer.alloc(8);
      h.writeUInt32BE(id & 0x7fffffff, 0);
      h[4] = fin && last ? FLAG_FIN : 0;
      h.writeUIntBE(chunk.length, 5, 3);
      this.write(Buffer.concat([h, chunk]));
      if (payload.length === 0) break;
    }
  }

  reset(id: number, status = 5 /* CANCEL */): void {
    this.control(RST_STREAM, 0, Buffer.concat([u32(id), u32(status)]));
  }

  goAway(): void {
    this.control(GOAWAY, 0, Buffer.concat([u32(0), u32(0)]));
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.h.onClose();
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}
