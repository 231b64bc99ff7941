import { parseServerUrl } from '../api/url.js';
import { CliError, usageError } from '../errors.js';
import { isSecretSpec } from '../secrets/spec.js';
import { parseDuration } from '../util/duration.js';
import { normalizePin } from './pin.js';
import { parseProxyUrl } from '../transport/proxy-config.js';

/**
 * The config file's shape (`$XDG_CONFIG_HOME/pikactl/config.json`). Field names
 * are snake_case like Pika's API. It never holds a secret: `key_from` is a secret
 * SOURCE ("keychain", "file:/path", ...), never a passphrase.
 */
export interface ContextConfig {
  servers: string[];
  cacert?: string;
  pin?: string;
  user?: string;
  key_from?: string;
  timeout?: string;
  insecure?: boolean;
  allow_http?: boolean;
  /** HTTP(S) proxy URL for this context's servers (no credentials: the file never holds a secret). */
  proxy?: string;
}

export interface ConfigFile {
  version: 1;
  current_context?: string;
  /** Null-prototype record: context names are user text and must not hit Object.prototype. */
  contexts: Record<string, ContextConfig>;
}

export const CONTEXT_KEYS = ['servers', 'cacert', 'pin', 'user', 'key_from', 'timeout', 'insecure', 'allow_http', 'proxy'] as const;
const TOP_KEYS = ['version', 'current_context', 'contexts'] as const;

export function emptyConfig(): ConfigFile {
  return { version: 1, contexts: Object.create(null) as Record<string, ContextConfig> };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function isValidContextName(name: string): boolean {
  return NAME_RE.test(name);
}

export function checkContextName(name: string): string {
  if (!isValidContextName(name)) {
    throw usageError(
      `invalid context name "${name}"`,
      'Use letters, digits, ".", "_", ":" and "-" (starting with a letter or digit), at most 100 characters.',
    );
  }
  return name;
}

/** `contexts.prod.servers[1]`, or `contexts["odd name"]` when the name is not identifier-like. */
export function configPathOf(...parts: Array<string | number>): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

export function schemaError(file: string, path: string, problem: string): CliError {
  return new CliError(`${file}: ${path}: ${problem}`, {
    code: 'error',
    hint: `Fix ${path} in ${file} with an editor (pikactl never rewrites a config file it cannot read).`,
    details: { file, path },
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Validates parsed JSON into a ConfigFile, or throws a CliError naming file and path. Canonicalises pins. */
export function validateConfig(raw: unknown, file: string): ConfigFile {
  const fail = (parts: Array<string | number>, problem: string) => schemaError(file, configPathOf(...parts) || '(top level)', problem);
  if (!isObject(raw)) throw fail([], `expected an object, found ${typeName(raw)}`);
  for (const k of Object.keys(raw)) {
    if (!(TOP_KEYS as readonly string[]).includes(k)) throw fail([k], `unknown key (known: ${TOP_KEYS.join(', ')})`);
  }
  if (raw.version !== undefined && raw.version !== 1) {
    throw fail(['version'], `unsupported version ${JSON.stringify(raw.version)}; this pikactl reads version 1`);
  }
  const config = emptyConfig();
  if (raw.current_context !== undefined) {
    if (typeof raw.current_context !== 'string') throw fail(['current_context'], `expected a string, found ${typeName(raw.current_context)}`);
    config.current_context = raw.current_context;
  }
  const contexts = raw.contexts ?? {};
  if (!isObject(contexts)) throw fail(['contexts'], `expected an object, found ${typeName(contexts)}`);
  for (const [name, entry] of Object.entries(contexts)) {
    if (!isValidContextName(name)) throw fail(['contexts', name], 'invalid context name (letters, digits, ".", "_", ":" and "-")');
    config.contexts[name] = validateContext(entry, (parts, problem) => fail(['contexts', name, ...parts], problem));
  }
  return config;
}

type Fail = (parts: Array<string | number>, problem: string) => CliError;

function validateContext(entry: unknown, fail: Fail): ContextConfig {
  if (!isObject(entry)) throw fail([], `expected an object, found ${typeName(entry)}`);
  for (const k of Object.keys(entry)) {
    if (!(CONTEXT_KEYS as readonly string[]).includes(k)) throw fail([k], `unknown key (known: ${CONTEXT_KEYS.join(', ')})`);
  }
  const str = (k: string): string | undefined => {
    const v = entry[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw fail([k], `expected a non-empty string, found ${typeName(v)}`);
    return v;
  };
  const bool = (k: string): boolean | undefined => {
    const v = entry[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw fail([k], `expected true or false, found ${typeName(v)}`);
    return v;
  };
  if (!Array.isArray(entry.servers) || entry.servers.length === 0) {
    throw fail(['servers'], entry.servers === undefined ? 'missing (a list of server URLs)' : 'expected a non-empty list of server URLs');
  }
  const seen = new Set<string>();
  const servers = entry.servers.map((s, i) => {
    if (typeof s !== 'string') throw fail(['servers', i], `expected a URL string, found ${typeName(s)}`);
    let id: string;
    try {
      id = parseServerUrl(s).id;
    } catch (err) {
      throw fail(['servers', i], err instanceof Error ? err.message : String(err));
    }
    if (seen.has(id)) throw fail(['servers', i], `duplicate server ${id}`);
    seen.add(id);
    return s;
  });
  const out: ContextConfig = { servers };
  const cacert = str('cacert');
  if (cacert !== undefined) out.cacert = cacert;
  const pin = str('pin');
  if (pin !== undefined) {
    try {
      out.pin = normalizePin(pin);
    } catch {
      throw fail(['pin'], 'expected a SHA-256 fingerprint: 64 hex digits');
    }
  }
  const user = str('user');
  if (user !== undefined) out.user = user;
  const keyFrom = str('key_from');
  if (keyFrom !== undefined) {
    if (!isSecretSpec(keyFrom)) {
      throw fail(['key_from'], 'not a secret source (prompt, -, file:PATH, env:NAME, keychain[:NAME], cmd:COMMAND); never put a passphrase here');
    }
    out.key_from = keyFrom;
  }
  const timeout = str('timeout');
  if (timeout !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(timeout, 'timeout');
    } catch {
      ms = NaN;
    }
    if (!(ms > 0)) throw fail(['timeout'], `invalid duration "${timeout}" (e.g. 30s, 2m)`);
    out.timeout = timeout;
  }
  const insecure = bool('insecure');
  if (insecure !== undefined) out.insecure = insecure;
  const allowHttp = bool('allow_http');
  if (allowHttp !== undefined) out.allow_http = allowHttp;
  const proxy = str('proxy');
  if (proxy !== undefined) {
    try {
      parseProxyUrl(proxy, 'proxy', false);
    } catch (err) {
      throw fail(['proxy'], err instanceof CliError ? err.message : String(err));
    }
    out.proxy = proxy;
  }
  return out;
}

/** The JSON written to disk: fixed key order, only the fields that are set. */
export function serializeConfig(config: ConfigFile): string {
  const contexts: Record<string, Record<string, unknown>> = {};
  for (const [name, c] of Object.entries(config.contexts)) {
    const o: Record<string, unknown> = {};
    for (const k of CONTEXT_KEYS) if (c[k] !== undefined) o[k] = c[k];
    contexts[name] = o;
  }
  const doc = { version: 1, ...(config.current_context ? { current_context: config.current_context } : {}), contexts };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
