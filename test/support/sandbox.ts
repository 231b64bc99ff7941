import { randomBytes, scryptSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import type { SandboxUser } from '../../src/sandbox/auth.js';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../src/sandbox/index.js';
import { USERS_FILE, type UsersFile } from '../../src/sandbox/store.js';
import { assertOwnProcess } from './own-process.js';

/** The default admin every test sandbox has. */
export const TEST_ADMIN = { username: 'admin', password: 'admin-password-for-tests' } as const;

/** Thresholds so high and delays so short that rate limiting never gets in a test's way. */
export const FAST_RATE_LIMIT = { soft: 1000, hard: 10_000, delayScale: 0.001 } as const;

export interface TestSandbox extends SandboxHandle {
  readonly options: SandboxOptions;
  /** Stop, then start again on the same data dir with the same options (plus overrides). */
  restart(overrides?: Partial<SandboxOptions>): Promise<TestSandbox>;
}

const outsideTests: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of outsideTests.splice(0).reverse()) await fn();
});

/** Runs `fn` when the current test ends, or after the file when called outside a test (beforeAll). */
function cleanup(fn: () => Promise<void>): void {
  try {
    onTestFinished(fn);
  } catch {
    assertOwnProcess('startTestSandbox');
    outsideTests.push(fn);
  }
}

/** scrypt's work factor for the users a test sandbox starts with (the sandbox's own is 16384). */
const TEST_SCRYPT_N = 1024;

/**
 * Stores `users` in a fresh data dir (made when missing) as the sandbox does (users.json,
 * scrypt$N$r$p$salt$hash) but with a cheap work factor, and returns them without passwords:
 * the sandbox then keeps the stored hash. Its own (N=16384) costs ~50 ms of CPU at every
 * start and every login, about four times per test (5 sandbox-heavy files: 21 s of CPU,
 * 7.7 s with this). Logins are checked the same way: scrypt with the stored parameters.
 */
export function storedUsers(dataDir: string, users: readonly SandboxUser[]): SandboxUser[] {
  if (users.some((u) => u.password === undefined)) return [...users]; // the sandbox says what is missing
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file: UsersFile = {
    version: 1,
    users: users.map((u, i) => {
      const salt = randomBytes(16);
      const hash = scryptSync(u.password ?? '', salt, 32, { N: TEST_SCRYPT_N, r: 8, p: 1 });
      return {
        username: u.username,
        password_hash: `scrypt$${TEST_SCRYPT_N}$8$1$${salt.toString('base64')}$${hash.toString('base64')}`,
        superadmin: u.superadmin ?? i === 0,
        permissions: [...(u.permissions ?? [])],
      };
    }),
  };
  writeFileSync(join(dataDir, USERS_FILE), JSON.stringify(file), { mode: 0o600 });
  return users.map(({ password: _stored, ...rest }) => rest);
}

/**
 * A sandbox on 127.0.0.1:0 with a fresh temp data dir, the default admin, fast rate
 * limits, and cleanup registered (server stopped, data dir removed). Restarted
 * instances are stopped by the same cleanup. In a fresh data dir the users' passwords
 * are stored in advance with a cheap scrypt (see storedUsers).
 */
export async function startTestSandbox(opts: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pikactl-sandbox-test-'));
  const started: SandboxHandle[] = [];
  const users = opts.users ?? [{ ...TEST_ADMIN }];
  const options: SandboxOptions = {
    host: '127.0.0.1',
    port: 0,
    ...opts,
    users: opts.dataDir ? users : storedUsers(dataDir, users),
    dataDir,
    rateLimit: { ...FAST_RATE_LIMIT, ...(opts.rateLimit ?? {}) },
  };
  const track = async (o: SandboxOptions): Promise<TestSandbox> => {
    const handle = await startSandbox(o);
    started.push(handle);
    return {
      ...handle,
      options: o,
      async restart(overrides = {}) {
        await handle.stop();
        return track({ ...o, ...overrides });
      },
    };
  };
  cleanup(async () => {
    for (const h of started) await h.stop();
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return track(options);
}

/** A response read in full. */
export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json<T = any>(): T;
  setCookies: string[];
}

export interface CallOptions {
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Send the stored session cookie (default true). */
  auth?: boolean;
}

/** A tiny cookie-keeping client over the global fetch; never follows redirects. */
export class SandboxClient {
  cookie?: string;

  constructor(
    readonly baseUrl: string,
    readonly cookieName = 'pika_session',
  ) {}

  async call(method: string, path: string, opts: CallOptions = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.json !== undefined) headers['content-type'] ??= 'application/json';
    if (this.cookie && opts.auth !== false) headers.cookie = `${this.cookieName}=${this.cookie}`;
    const r = await fetch(this.baseUrl + path, {
      method,
      headers,
      redirect: 'manual',
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
    });
    const text = await r.text();
    return {
      status: r.status,
      headers: r.headers,
      text,
      json: () => JSON.parse(text),
      setCookies: r.headers.getSetCookie(),
    };
  }

  /** Logs in with the password strategy and keeps the session cookie. */
  async login(username: string = TEST_ADMIN.username, password: string = TEST_ADMIN.password): Promise<Res> {
    const r = await this.call('POST', '/login/pass/local', { json: { username, password }, auth: false });
    const c = sessionCookie(r, this.cookieName);
    if (c) this.cookie = c;
    return r;
  }
}

/** The session cookie value set by a response, if any. */
export function sessionCookie(r: Res, name = 'pika_session'): string | undefined {
  const line = r.setCookies.find((c) => c.startsWith(`${name}=`));
  return line?.slice(name.length + 1).split(';')[0] || undefined;
}

/** A logged-in admin client for `sb`. */
export async function adminClient(sb: SandboxHandle): Promise<SandboxClient> {
  const c = new SandboxClient(sb.url, sb.cookieName);
  const r = await c.login();
  if (r.status !== 200) throw new Error(`test admin login failed: ${r.status} ${r.text}`);
  return c;
}

/**
 * The CI-style login of TEST_ADMIN for a command run against `sb`: PIKA_SERVER, PIKA_USER and
 * the password read from $PW; `extra` (keys, HOME, PIKA_ALLOW_HTTP where a file wants it) is
 * added last. `null`: no PIKA_SERVER (the servers come from argv or a kubeconfig).
 */
export function adminEnv(sb: { url: string } | null, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(sb ? { PIKA_SERVER: sb.url } : {}),
    PIKA_USER: TEST_ADMIN.username,
    PIKA_PASSWORD_FROM: 'env:PW',
    PW: TEST_ADMIN.password,
    ...extra,
  };
}
