import { randomBytes } from 'node:crypto';
import { b64, open, OpenError, seal } from './crypto.js';
import { readJson, SETTINGS_FILE, writeJsonAtomic, type SampleSecrets, type SettingsRow } from './store.js';

/**
 * The settings row and the sealing wrapper around it (upstream
 * internal/secret/settings_seal.go): reads open `sensitive_payload` with the live key
 * when unlocked, and fail as a whole when it does not decrypt (AEAD is all-or-nothing);
 * while locked they return the public fields with no secrets and no error.
 */
export const SEALED_CORRUPT = 'settings: sealed payload corrupt or unreadable';

export class SettingsCorruptError extends Error {
  constructor(cause: string) {
    super(`${SEALED_CORRUPT}: ${cause}`);
  }
}

export interface SettingsView {
  row: SettingsRow;
  /** Plain secrets; null while locked (sealed and no key to open them). */
  secrets: SampleSecrets | null;
}

function freshRow(): SettingsRow {
  const token = (n: number) => randomBytes(n).toString('base64url');
  return {
    version: 1,
    public: {
      server_name: 'pika-sandbox',
      mounts: [{ name: 'backups', url: 'sftp://backup.example.internal/pika' }],
      hooks: [{ name: 'deploy-notify', url: 'https://hooks.example.internal/pika' }],
    },
    plain_secrets: { mount_password: `mount-${token(12)}`, hook_token: `hook-${token(18)}` },
  };
}

/** The persisted row, mirrored in memory. The mirror changes only after a write reached the disk. */
export class SettingsDb {
  private constructor(
    private readonly dir: string,
    private row: SettingsRow,
  ) {}

  static async load(dir: string): Promise<SettingsDb> {
    const existing = await readJson<SettingsRow>(dir, SETTINGS_FILE);
    if (existing) return new SettingsDb(dir, existing);
    const row = freshRow();
    await writeJsonAtomic(dir, SETTINGS_FILE, row);
    return new SettingsDb(dir, row);
  }

  /** A copy of the row as it is on disk (no decryption). */
  raw(): SettingsRow {
    return structuredClone(this.row);
  }

  /** The single settings write: atomic, then the mirror follows. */
  async write(row: SettingsRow): Promise<void> {
    await writeJsonAtomic(this.dir, SETTINGS_FILE, row);
    this.row = structuredClone(row);
  }
}

export function openSecrets(key: Uint8Array, sealedB64: string): SampleSecrets {
  try {
    return JSON.parse(Buffer.from(open(key, b64.decode(sealedB64))).toString('utf8')) as SampleSecrets;
  } catch (err) {
    throw new SettingsCorruptError(err instanceof OpenError ? err.message : `parse: ${(err as Error).message}`);
  }
}

export function sealSecrets(key: Uint8Array, secrets: SampleSecrets): string {
  return b64.encode(seal(key, Buffer.from(JSON.stringify(secrets), 'utf8')));
}

/** Wrapper Get: the row plus its secrets, or SettingsCorruptError when the live key cannot open them. */
export function readSettings(db: SettingsDb, liveKey: Uint8Array | null): SettingsView {
  const row = db.raw();
  if (row.sensitive_payload) {
    if (!liveKey) return { row, secrets: null };
    return { row, secrets: openSecrets(liveKey, row.sensitive_payload) };
  }
  return { row, secrets: row.plain_secrets ?? null };
}

/** Wrapper Set: the row to persist with `secrets` sealed under `key` (plaintext dropped). */
export function sealedRow(row: SettingsRow, secrets: SampleSecrets | null, key: Uint8Array): SettingsRow {
  const out: SettingsRow = { ...row };
  delete out.plain_secrets;
  if (secrets) out.sensitive_payload = sealSecrets(key, secrets);
  return out;
}

/** The GET /api/v1/settings body: public fields, "is set" flags instead of secret values. */
export function publicSettingsView(view: SettingsView): Record<string, unknown> {
  const { row, secrets } = view;
  return {
    server_name: row.public.server_name,
    mounts: row.public.mounts.map((m) => ({ ...m, password_set: Boolean(secrets?.mount_password) })),
    hooks: row.public.hooks.map((h) => ({ ...h, token_set: Boolean(secrets?.hook_token) })),
    // Upstream serialises these []byte fields too (base64); they hold no key material.
    ...(row.encryption_verifier ? { encryption_verifier: row.encryption_verifier } : {}),
    ...(row.sensitive_payload ? { sensitive_payload: row.sensitive_payload } : {}),
  };
}
