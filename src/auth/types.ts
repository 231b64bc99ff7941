import type { Secret } from '../secrets/secret.js';
import type { LoginStore, StoredLogin } from '../keychain/login-store.js';

export type { LoginStore, StoredLogin };

export type LoginSource = 'env' | 'stored' | 'login';

/** The session the client now carries. close() logs out only sessions this command opened. */
export interface Login {
  source: LoginSource;
  /** Who is logged in: the login's user name, or the one stored with the session. */
  user?: string;
  close(): Promise<void>;
}

/** A session this command logged in itself: its cookie, and keep() to hand it to a store instead of logging it out. */
export interface InlineLogin extends Login {
  source: 'login';
  user: string;
  cookie: Secret;
  /** close() no longer logs out: the session now lives on in the store. */
  keep(): void;
}
