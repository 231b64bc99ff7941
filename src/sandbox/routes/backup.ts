import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { Session } from '../auth.js';
import { ApiError, fail, header, json, type Reply, type Req } from '../http.js';
import type { SettingsRow, StoredUser } from '../store.js';
import { errorReply, isReply, requirePerm, requireUser, SETTINGS_MANAGE, type ServerCtx } from './context.js';
import {
  buildHeader,
  containerKey,
  HEADER_SIZE,
  MAGIC,
  MAX_PAYLOAD,
  NONCE_BYTES,
  SEAL_OVERHEAD,
} from '../../backup/format.js';

/**
 * Backups in upstream's shapes (api/backup.go, service/backup.go; shared/pika-api.md §12):
 * the same 25-byte header and container encryption, with the sandbox's own state dump
 * (settings row as stored, users, sessions) as the payload in place of Badger's stream.
 * The sandbox keeps no versions: db_version is the export time in ms, and since/until
 * are validated as upstream does but always give the whole state.
 */
interface StateDump {
  kind: 'pikactl-sandbox-state';
  version: 1;
  settings: SettingsRow;
  users: StoredUser[];
  sessions: Session[];
}

const restoreFailed = (why: string) => new ApiError(400, `restore failed: ${why}: bad request`);

/** The password's raw octets: the percent-decoded query (UTF-8), else the header's bytes as sent (Node reads them as Latin-1). */
function password(req: Req): Buffer {
  const q = req.query.get('encryption_password');
  if (q) return Buffer.from(q, 'utf8');
  return Buffer.from(header(req, 'x-encryption-password') ?? '', 'latin1');
}

function guarded(ctx: ServerCtx, req: Req, fn: () => Reply | Promise<Reply>): Promise<Reply> | Reply {
  const user = requireUser(ctx, req);
  if (isReply(user)) return user;
  const denied = requirePerm(user, SETTINGS_MANAGE, req);
  if (denied) return denied;
  return Promise.resolve()
    .then(fn)
    .catch((err: unknown) => errorReply(err, req));
}

function bound(req: Req, name: 'since' | 'until'): bigint {
  const raw = req.query.get(name) ?? '';
  if (raw === '') return 0n;
  if (!/^\d+$/.test(raw)) {
    throw new ApiError(
      400,
      `${name} must be a non-negative integer: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax\nbad request`,
    );
  }
  return BigInt(raw);
}

const dbVersion = () => BigInt(Date.now());

/** GET /api/v1/backup/info */
export function backupInfo(ctx: ServerCtx, req: Req): Reply | Promise<Reply> {
  return guarded(ctx, req, () => json(200, { db_version: Number(dbVersion()) }));
}

/** GET /api/v1/backup: the whole container built in memory first, as upstream does. */
export function backupExport(ctx: ServerCtx, req: Req): Reply | Promise<Reply> {
  return guarded(ctx, req, () => {
    if (bound(req, 'since') > 0n && bound(req, 'until') > 0n)
      throw new ApiError(400, 'since and until are mutually exclusive\nbad request');
    const dump: StateDump = {
      kind: 'pikactl-sandbox-state',
      version: 1,
      settings: ctx.keys.rawSettings(),
      users: ctx.users.all(),
      sessions: ctx.sessions.all(),
    };
    let payload: Buffer = Buffer.from(JSON.stringify(dump), 'utf8');
    const pw = password(req);
    if (pw.length > 0) {
      const nonce = randomBytes(NONCE_BYTES);
      payload = Buffer.concat([nonce, xchacha20poly1305(containerKey(pw), nonce).encrypt(payload)]);
    }
    const ver = dbVersion();
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    ctx.log(`backup: exported ${payload.length} payload bytes${pw.length > 0 ? ' (encrypted)' : ''}`);
    return {
      status: 200,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="pika-backup-${stamp}-v${ver}.pikabw"`,
      },
      body: Buffer.concat([
        buildHeader({ encrypted: pw.length > 0, payloadSize: payload.length, dbVersion: ver }),
        payload,
      ]),
    };
  });
}

/** The container checks, all before anything is written (upstream's order and messages). */
function openContainer(req: Req): StateDump {
  const b = req.body;
  if (b.length === 0) throw restoreFailed('reading header: EOF');
  if (b.length < HEADER_SIZE) throw restoreFailed('reading header: unexpected EOF');
  if (!b.subarray(0, 8).equals(MAGIC)) throw restoreFailed('not a pika backup (bad magic)');
  const size = b.readBigUInt64BE(9);
  if (size > BigInt(MAX_PAYLOAD)) throw restoreFailed(`backup payload size ${size} exceeds ${MAX_PAYLOAD} byte limit`);
  const have = b.length - HEADER_SIZE;
  if (BigInt(have) < size)
    throw restoreFailed(`reading payload (truncated?): ${have === 0 ? 'EOF' : 'unexpected EOF'}`);
  let payload = b.subarray(HEADER_SIZE, HEADER_SIZE + Number(size));
  if ((b[8] & 1) !== 0) {
    const pw = password(req);
    if (pw.length === 0) throw restoreFailed('encryption password is required for this backup');
    if (payload.length < SEAL_OVERHEAD) throw restoreFailed('decrypting backup (wrong password?)');
    try {
      payload = Buffer.from(
        xchacha20poly1305(containerKey(pw), payload.subarray(0, NONCE_BYTES)).decrypt(payload.subarray(NONCE_BYTES)),
      );
    } catch {
      throw restoreFailed('decrypting backup (wrong password?)');
    }
  }
  // Upstream does not check the inner stream first; its storage fails with a 500. So does this.
  let dump: StateDump;
  try {
    dump = JSON.parse(payload.toString('utf8')) as StateDump;
  } catch {
    throw fail.internal('restore failed: loading backup: not a sandbox state dump');
  }
  if (
    dump?.kind !== 'pikactl-sandbox-state' ||
    !dump.settings ||
    !Array.isArray(dump.users) ||
    !Array.isArray(dump.sessions)
  ) {
    throw fail.internal('restore failed: loading backup: not a sandbox state dump');
  }
  return dump;
}

/** POST /api/v1/backup: merge by default, `wipe` (query, else X-Pika-Wipe) makes the state exactly the backup. */
export function backupRestore(ctx: ServerCtx, req: Req): Reply | Promise<Reply> {
  return guarded(ctx, req, async () => {
    const raw = req.query.get('wipe') || header(req, 'x-pika-wipe') || '';
    let wipe = false;
    if (raw !== '') {
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) wipe = true;
      else if (!['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) {
        throw new ApiError(
          400,
          `wipe must be a boolean: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax\nbad request`,
        );
      }
    }
    const dump = openContainer(req);
    // Rows only: the live key and the in-memory initialized flag stay as they were (§12.5).
    // The settings table has one row, so merge and wipe both replace it.
    await ctx.keys.restoreSettings(dump.settings);
    await ctx.users.restore(dump.users, wipe);
    ctx.sessions.restore(dump.sessions, wipe);
    ctx.log(`backup: restored (${wipe ? 'wipe' : 'merge'}, ${dump.users.length} users)`);
    return json(200, {
      message: wipe ? 'database wiped and backup restored successfully' : 'backup restored successfully',
    });
  });
}
