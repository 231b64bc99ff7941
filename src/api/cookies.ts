import { Secret } from '../secrets/secret.js';
import { ApiError } from './types.js';

interface SetCookie {
  name: string;
  value: string;
  cleared: boolean;
}

/** Parses one Set-Cookie header: name, value, and whether it clears the cookie (Max-Age<=0 or a past Expires). */
export function parseSetCookie(header: string, now = Date.now()): SetCookie | undefined {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  let value = pair.slice(eq + 1).trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
  let cleared = value === '';
  for (const attr of attrs) {
    const [k, v = ''] = attr.split('=');
    const key = k.trim().toLowerCase();
    if (key === 'max-age' && Number(v.trim()) <= 0) cleared = true;
    if (key === 'expires') {
      const at = Date.parse(v.trim());
      if (!Number.isNaN(at) && at <= now) cleared = true;
    }
  }
  return { name, value, cleared };
}

/**
 * The session cookie from a successful login. Pika also sets `auth_success=true`;
 * only the configured session cookie counts. Cookie names are not secret and are
 * named in the error; values never are.
 */
export function sessionFromSetCookie(headers: string[], cookieName: string, path: string): Secret {
  const parsed = headers.map((h) => parseSetCookie(h)).filter((c): c is SetCookie => c !== undefined);
  const hit = parsed.find((c) => c.name === cookieName && !c.cleared);
  if (hit) return new Secret(hit.value, 'login');
  const names = [...new Set(parsed.map((c) => c.name))];
  throw new ApiError(
    `POST ${path}: login succeeded but set no "${cookieName}" cookie${names.length ? ` (cookies set: ${names.join(', ')})` : ''}`,
    {
      kind: 'unexpected',
      method: 'POST',
      path,
      status: 200,
      hint: `If the server uses another session cookie name (auth.cookie.name), pass --cookie-name NAME.`,
    },
  );
}
