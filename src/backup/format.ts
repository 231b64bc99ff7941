import { createHash } from 'node:crypto';

/**
 * Pika's `.pikabw` container (shared/pika-api.md §12.3): a 25-byte big-endian header,
 * then `payload_size` bytes. An encrypted payload is XChaCha20-Poly1305 under SHA-256 of
 * the backup password, laid out nonce(24) || ciphertext || tag(16), no associated data.
 * Shared by the client (export, inspect, restore) and the sandbox, so both read the
 * same bytes the same way.
 */
export const MAGIC = Buffer.from('PIKABW\x00\x01', 'latin1');
export const HEADER_SIZE = 25;
export const FORMAT_VERSION = 1;
export const FLAG_ENCRYPTED = 0x01;
/** Readers refuse a larger payload before allocating (upstream's bound). */
export const MAX_PAYLOAD = 4 * 1024 ** 3;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
/** An encrypted payload is the plain one plus this. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export interface BackupHeader {
  version: number;
  encrypted: boolean;
  /** Reserved flag bits that were set (0 in every file Pika writes). */
  reservedFlags: number;
  payloadSize: number;
  dbVersion: bigint;
}

/** Why a header is not a Pika backup; the text is ours, never the file's. */
export class BackupFormatError extends Error {}

export function parseHeader(buf: Uint8Array): BackupHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_SIZE)
    throw new BackupFormatError(`the file is shorter than the ${HEADER_SIZE}-byte header (${b.length} bytes)`);
  if (!b.subarray(0, 7).equals(MAGIC.subarray(0, 7)))
    throw new BackupFormatError('not a Pika backup (bad magic: expected "PIKABW")');
  const version = b[7];
  if (version !== FORMAT_VERSION)
    throw new BackupFormatError(
      `unsupported backup format version ${version} (pikactl reads version ${FORMAT_VERSION})`,
    );
  const flags = b[8];
  const size = b.readBigUInt64BE(9);
  if (size > BigInt(MAX_PAYLOAD))
    throw new BackupFormatError(`payload size ${size} exceeds the ${MAX_PAYLOAD}-byte limit Pika enforces`);
  const payloadSize = Number(size);
  const encrypted = (flags & FLAG_ENCRYPTED) !== 0;
  if (encrypted && payloadSize < SEAL_OVERHEAD)
    throw new BackupFormatError(
      `an encrypted payload of ${payloadSize} bytes is shorter than nonce and tag (${SEAL_OVERHEAD})`,
    );
  return { version, encrypted, reservedFlags: flags & ~FLAG_ENCRYPTED, payloadSize, dbVersion: b.readBigUInt64BE(17) };
}

export function buildHeader(h: { encrypted: boolean; payloadSize: number; dbVersion: bigint }): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(b, 0);
  b[8] = h.encrypted ? FLAG_ENCRYPTED : 0;
  b.writeBigUInt64BE(BigInt(h.payloadSize), 9);
  b.writeBigUInt64BE(h.dbVersion, 17);
  return b;
}

/** The container key: SHA-256 of the password's bytes (a string is taken as UTF-8, which is what pikactl sends). */
export function containerKey(password: string | Uint8Array): Uint8Array {
  const h = createHash('sha256');
  if (typeof password === 'string') h.update(password, 'utf8');
  else h.update(password);
  return new Uint8Array(h.digest());
}

/** File completeness: the header's size against what is there. */
export function completeness(
  h: BackupHeader,
  fileSize: number,
): { ok: true; trailing: number } | { ok: false; missing: number } {
  const want = HEADER_SIZE + h.payloadSize;
  return fileSize >= want ? { ok: true, trailing: fileSize - want } : { ok: false, missing: want - fileSize };
}
