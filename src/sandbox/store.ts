import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { ensurePrivateDir } from '../util/private-fs.js';
import { join } from 'node:path';

/**
 * The sandbox's "database": two JSON files in the data directory, each replaced
 * atomically (temp file + fsync + rename + directory fsync), so a crash or a kill
 * leaves either the old or the new file, never half of one. Directory 0700, files 0600.
 * The server key is never written here, and neither is its SHA-256.
 */

/** The secrets Pika seals in `sensitive_payload` (a mount password and a hook token stand in for them). */
export interface SampleSecrets {
  mount_password: string;
  hook_token: string;
}

export interface PublicSettings {
  server_name: string;
  mounts: Array<{ name: string; url: string }>;
  hooks: Array<{ name: string; url: string }>;
}

/** The persisted settings row. Byte fields are base64, as Go's encoding/json writes []byte. */
export interface SettingsRow {
  version: 1;
  public: PublicSettings;
  /** Sealed verifier; present once encryption is initialized. */
  encryption_verifier?: string;
  /** Sealed JSON of SampleSecrets under the key that was live when it was written. */
  sensitive_payload?: string;
  /** Plaintext-at-rest mode (before initialize), as a fresh Pika install runs. */
  plain_secrets?: SampleSecrets;
  /**
   * Set only by the `rotate-runbook` fault: the rotation had the secrets in hand and
   * left them sealed under the NEW key here, while `sensitive_payload` stays under the
   * old one. A rotate with current_key == new_key == the new key moves them back and
   * clears this field (the runbook's promised repair).
   */
  runbook_recovery?: { pending_payload: string };
}

export interface StoredUser {
  username: string;
  /** scrypt$N$r$p$salt$hash (base64 parts). */
  password_hash: string;
  superadmin: boolean;
  permissions: string[];
  /** Base32 TOTP seed; present when the user has 2FA. */
  totp_secret?: string;
}

export interface UsersFile {
  version: 1;
  users: StoredUser[];
}

export const SETTINGS_FILE = 'settings.json';
export const USERS_FILE = 'users.json';

export async function ensureDataDir(dir: string): Promise<void> {
  await ensurePrivateDir(dir);
}

export async function readJson<T>(dir: string, name: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${join(dir, name)}: ${(err as Error).message}`);
  }
}

/** Replaces dir/name atomically with `data`. */
export async function writeFileAtomic(
  dir: string,
  name: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    // The mode above is masked by the umask: set it on the handle before any byte is written.
    await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, join(dir, name));
  // fsync the directory so the rename itself survives a power cut.
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

export async function writeJsonAtomic(dir: string, name: string, value: unknown): Promise<void> {
  await writeFileAtomic(dir, name, `${JSON.stringify(value, null, 2)}\n`);
}
