import type { ServerUrl } from '../api/url.js';
import { KEYCHAIN_SERVICE } from './keychain.js';

/**
 * How pikactl names its keychain entries, so operators can find them in their
 * keychain app (Keychain Access, Credential Manager, Seahorse, KeePassXC):
 *
 *   service  "pikactl"                              (KEYCHAIN_SERVICE)
 *   account  "<kind>:<server id>"
 *
 *   server-key:<server id>           the live server key (passphrase) of that server
 *   server-key-pending:<server id>   a new key written by init/rotate --save-to-keychain
 *                                    BEFORE it is sent, promoted once the server confirms
 *   server-key-previous:<server id>  the key a rotation replaced; kept until deleted
 *   session:<server id>              the login session cookie from `pikactl login`
 *
 * <server id> is ServerUrl.id: scheme, lower-cased host, port when given, and the
 * base path without a trailing slash, e.g. "https://pika.example:8080/pika". Two
 * URLs that reach the same Pika through different names are different entries on
 * purpose: the keychain must never hand one server's key to another.
 *
 * Where to find them: macOS Keychain Access and Windows Credential Manager list
 * them under "pikactl". On Linux (Secret Service) the item is labelled
 * "keyring:<account>@pikactl" with attributes service=pikactl, username=<account>:
 *   secret-tool search --all service pikactl
 *   secret-tool lookup service pikactl username server-key:https://pika.example:8080
 */
export { KEYCHAIN_SERVICE };

export const KEYCHAIN_KINDS = ['server-key', 'server-key-pending', 'server-key-previous', 'session'] as const;
export type KeychainKind = (typeof KEYCHAIN_KINDS)[number];

/** The naming table, for `pikactl help keychain`, the README and the man page. */
export const KEYCHAIN_ACCOUNT_DOCS: ReadonlyArray<{ kind: KeychainKind; account: string; holds: string }> = [
  { kind: 'server-key', account: 'server-key:<server>', holds: 'the server key (passphrase) of that server' },
  {
    kind: 'server-key-pending',
    account: 'server-key-pending:<server>',
    holds: 'a new key saved by init/rotate --save-to-keychain before the server confirmed it',
  },
  {
    kind: 'server-key-previous',
    account: 'server-key-previous:<server>',
    holds: 'the key replaced by the last rotation, kept until you delete it',
  },
  { kind: 'session', account: 'session:<server>', holds: 'the login session cookie from `pikactl login`' },
];

export function isKeychainKind(text: string): text is KeychainKind {
  return (KEYCHAIN_KINDS as readonly string[]).includes(text);
}

/** The account name of an entry, e.g. keychainAccount('server-key', server) -> "server-key:https://pika.example". */
export function keychainAccount(kind: KeychainKind, server: Pick<ServerUrl, 'id'> | string): string {
  const id = typeof server === 'string' ? server : server.id;
  return `${kind}:${id}`;
}

/** The inverse of keychainAccount; null for accounts pikactl did not name (or a malformed one). */
export function parseKeychainAccount(account: string): { kind: KeychainKind; serverId: string } | null {
  const colon = account.indexOf(':');
  if (colon <= 0) return null;
  const kind = account.slice(0, colon);
  const serverId = account.slice(colon + 1);
  if (!isKeychainKind(kind)) return null;
  if (!/^https?:\/\/[^/\s]+/i.test(serverId)) return null;
  return { kind, serverId };
}
