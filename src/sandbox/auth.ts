import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { readJson, USERS_FILE, writeJsonAtomic, type StoredUser, type UsersFile } from './store.js';
import { verifyTotp } from './totp.js';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: { N: number; r: number; p: number },
) => Promise<Buffer>;

/** Pika's capability catalogue (authentication guide). A superadmin holds all of them. */
export const CAPABILITIES = [
  'files.read',
  'files.write',
  'external.read',
  'external.write',
  'settings.manage',
  'tokens.manage',
  'users.manage',
  'permissions.manage',
] as const;

export interface SandboxUser {
  username: string;
  /** Omit to keep the password already stored in the data dir for this user. */
  password?: string;
  /** Capability keys; ignored for a superadmin (who has them all). */
  permissions?: string[];
  /** Default: true for the first user, false for the others. */
  superadmin?: boolean;
  /** Base32 TOTP seed: the user must pass a TOTP step-up at login. */
  totpSecret?: string;
}

const N = 16384;
const R = 8;
const P = 1;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(got, want);
}

/** Users live in users.json; options passed at start are merged in (password re-hashed when given). */
export class UserDb {
  private constructor(
    private readonly users: Map<string, StoredUser>,
    private readonly dir: string,
  ) {}

  static async open(dir: string, wanted: readonly SandboxUser[]): Promise<UserDb> {
    const file = await readJson<UsersFile>(dir, USERS_FILE);
    const users = new Map((file?.users ?? []).map((u) => [u.username, u]));
    for (const [i, u] of wanted.entries()) {
      if (!u.username) throw new Error('a sandbox user needs a username');
      const existing = users.get(u.username);
      if (!u.password && !existing)
        throw new Error(`user "${u.username}" has no password and none is stored in ${dir}`);
      const superadmin = u.superadmin ?? existing?.superadmin ?? i === 0;
      users.set(u.username, {
        username: u.username,
        password_hash: u.password ? await hashPassword(u.password) : existing!.password_hash,
        superadmin,
        permissions: superadmin ? [...CAPABILITIES] : [...(u.permissions ?? existing?.permissions ?? [])],
        ...((u.totpSecret ?? existing?.totp_secret) ? { totp_secret: u.totpSecret ?? existing?.totp_secret } : {}),
      });
    }
    if (users.size === 0) throw new Error(`no users: pass at least one user (none stored in ${dir})`);
    if (wanted.length > 0)
      await writeJsonAtomic(dir, USERS_FILE, { version: 1, users: [...users.values()] } satisfies UsersFile);
    return new UserDb(users, dir);
  }

  all(): StoredUser[] {
    return structuredClone([...this.users.values()]);
  }

  /** A backup restore: the backup's users overwrite same-named ones; `wipe` drops the rest. Persisted first. */
  async restore(users: readonly StoredUser[], wipe: boolean): Promise<void> {
    const next = new Map(wipe ? [] : this.users);
    for (const u of users) next.set(u.username, structuredClone(u));
    await writeJsonAtomic(this.dir, USERS_FILE, { version: 1, users: [...next.values()] } satisfies UsersFile);
    this.users.clear();
    for (const [k, v] of next) this.users.set(k, v);
  }

  get(username: string): StoredUser | undefined {
    return this.users.get(username);
  }

  /** The user when the password matches; undefined otherwise (same cost either way). */
  async verify(username: string, password: string): Promise<StoredUser | undefined> {
    const u = this.users.get(username);
    const ok = await checkPassword(password, u?.password_hash ?? DUMMY_HASH);
    return u && ok ? u : undefined;
  }

  verifyTotp(user: StoredUser, code: string): boolean {
    return Boolean(user.totp_secret) && verifyTotp(user.totp_secret!, code);
  }
}

// A fixed hash to compare against for unknown users, so timing does not reveal them.
const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

export interface Session {
  id: string;
  username: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * Sessions are kept in memory only: a sandbox restart logs everyone out. (Real Pika
 * stores them in its database; for rehearsals a restart that also ends sessions is
 * the stricter case, and it keeps session ids out of the data dir.)
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly pending = new Map<string, { username: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(username: string): Session {
    const t = this.now();
    const s = { id: randomBytes(32).toString('base64url'), username, issuedAt: t, expiresAt: t + this.ttlMs };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session, 'expired' for a known but timed-out one, undefined for an unknown id. */
  resolve(id: string): Session | 'expired' | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return 'expired';
    }
    return s;
  }

  revoke(id: string): void {
    this.sessions.delete(id);
  }

  all(): Session[] {
    return [...this.sessions.values()].map((s) => ({ ...s }));
  }

  /** A backup restore: sessions live in Pika's database, so a wipe replaces them all (the restoring one too). */
  restore(sessions: readonly Session[], wipe: boolean): void {
    if (wipe) this.sessions.clear();
    for (const s of sessions) this.sessions.set(s.id, { ...s });
  }

  /** TOTP step-up: a one-shot id for phase 2. */
  savePending(username: string, ttlMs: number): string {
    const id = randomBytes(24).toString('base64url');
    this.pending.set(id, { username, expiresAt: this.now() + ttlMs });
    return id;
  }

  consumePending(id: string): string | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p && p.expiresAt > this.now() ? p.username : undefined;
  }
}
