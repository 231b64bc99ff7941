import { parseServerUrl } from '../api/url.js';
import { CliError, usageError } from '../errors.js';
import { isSecretSpec } from '../secrets/spec.js';
import { parseDuration } from '../util/duration.js';
import { normalizePin } from '../transport/pin.js';
import { parseProxyUrl } from '../transport/proxy-config.js';
import { kubeOptionsOf, type KubeFlags } from './kube-ref.js';

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
  /** The servers are pods found through the Kubernetes API (then servers may be empty). */
  kube?: ContextKube;
}

/** A context's Kubernetes target: the same values as --kube, -n, --kube-context, --kubeconfig, --kube-port, --kube-connect. */
export interface ContextKube {
  ref: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  port?: string;
  connect?: string;
}

const KUBE_KEYS = ['ref', 'namespace', 'context', 'kubeconfig', 'port', 'connect'] as const;

/** A context's kube block as the flags it stands for. */
export function kubeFlagsOf(k: ContextKube | undefined): KubeFlags {
  if (!k) return {};
  return {
    kube: k.ref,
    ...(k.namespace ? { namespace: k.namespace } : {}),
    ...(k.context ? { kubeContext: k.context } : {}),
    ...(k.kubeconfig ? { kubeconfig: k.kubeconfig } : {}),
    ...(k.port ? { kubePort: k.port } : {}),
    ...(k.connect ? { kubeConnect: k.connect } : {}),
  };
}

export interface ConfigFile {
  version: 1;
  current_context?: string;
  /** Null-prototype record: context names are user text and must not hit Object.prototype. */
  contexts: Record<string, ContextConfig>;
}

export const CONTEXT_KEYS = [
  'servers',
  'cacert',
  'pin',
  'user',
  'key_from',
  'timeout',
  'insecure',
  'allow_http',
  'proxy',
  'kube',
] as const;
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
  const fail = (parts: Array<string | number>, problem: string) =>
    schemaError(file, configPathOf(...parts) || '(top level)', problem);
  if (!isObject(raw)) throw fail([], `expected an object, found ${typeName(raw)}`);
  const unknown = unknownKey(raw, TOP_KEYS);
  if (unknown) throw fail(unknown.path, unknown.problem);
  if (raw.version !== undefined && raw.version !== 1) {
    throw fail(
      ['version'],
      `unsupported version${typeof raw.version === 'number' ? ` ${raw.version}` : ''}; this pikactl reads version 1`,
    );
  }
  const config = emptyConfig();
  if (raw.current_context !== undefined) {
    if (typeof raw.current_context !== 'string')
      throw fail(['current_context'], `expected a string, found ${typeName(raw.current_context)}`);
    config.current_context = raw.current_context;
  }
  const contexts = raw.contexts ?? {};
  if (!isObject(contexts)) throw fail(['contexts'], `expected an object, found ${typeName(contexts)}`);
  for (const [i, [name, entry]] of Object.entries(contexts).entries()) {
    // Not echoed: an invalid name is text nobody chose as a name (maybe a pasted secret).
    if (!isValidContextName(name))
      throw fail(['contexts'], `context number ${i + 1} has an invalid name (letters, digits, ".", "_", ":" and "-")`);
    config.contexts[name] = validateContext(entry, (parts, problem) => fail(['contexts', name, ...parts], problem));
  }
  return config;
}

type Fail = (parts: Array<string | number>, problem: string) => CliError;

/**
 * The first key of obj that is not in known, for an error. Named only when it is a
 * near miss of a known key (a typo such as "pinn"); anything else is counted, not
 * shown: an error message must not print text that may be a pasted secret.
 */
function unknownKey(
  obj: Record<string, unknown>,
  known: readonly string[],
): { path: string[]; problem: string } | undefined {
  const keys = Object.keys(obj);
  const i = keys.findIndex((k) => !known.includes(k));
  if (i === -1) return undefined;
  const k = keys[i];
  const near = k.length <= 20 ? known.find((n) => editDistance(k, n) <= 2) : undefined;
  if (near) return { path: [k], problem: `unknown key (did you mean ${near}?; known: ${known.join(', ')})` };
  return { path: [], problem: `key number ${i + 1} is not a known key (known: ${known.join(', ')}); it is not shown` };
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

function validateContext(entry: unknown, fail: Fail): ContextConfig {
  if (!isObject(entry)) throw fail([], `expected an object, found ${typeName(entry)}`);
  const unknown = unknownKey(entry, CONTEXT_KEYS);
  if (unknown) throw fail(unknown.path, unknown.problem);
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
  const kube = validateKube(entry.kube, fail);
  const list: unknown = entry.servers ?? (kube ? [] : undefined);
  if (!Array.isArray(list) || (list.length === 0 && !kube)) {
    throw fail(
      ['servers'],
      entry.servers === undefined ? 'missing (a list of server URLs)' : 'expected a non-empty list of server URLs',
    );
  }
  const seen = new Set<string>();
  const servers = list.map((s, i) => {
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
  const out: ContextConfig = { servers, ...(kube ? { kube } : {}) };
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
      throw fail(
        ['key_from'],
        'not a secret source (prompt, -, file:PATH, env:NAME, keychain[:NAME], cmd:COMMAND); never put a passphrase here',
      );
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
    // The value is not echoed: a config error must not print what was pasted into the file.
    if (!(ms > 0)) throw fail(['timeout'], 'expected a duration greater than zero and at most 596h31m (e.g. 30s, 2m)');
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

function validateKube(v: unknown, fail: Fail): ContextKube | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw fail(['kube'], `expected an object, found ${typeName(v)}`);
  const unknown = unknownKey(v, KUBE_KEYS);
  if (unknown) throw fail(['kube', ...unknown.path], unknown.problem);
  const out: Record<string, string> = {};
  for (const k of KUBE_KEYS) {
    const x = v[k];
    if (x === undefined) continue;
    if (typeof x !== 'string' || x === '') throw fail(['kube', k], `expected a non-empty string, found ${typeName(x)}`);
    out[k] = x;
  }
  if (out.ref === undefined) throw fail(['kube', 'ref'], 'missing (e.g. "sts/pika")');
  try {
    kubeOptionsOf(kubeFlagsOf(out as unknown as ContextKube));
  } catch (err) {
    throw fail(['kube'], err instanceof CliError ? err.message : String(err));
  }
  return out as unknown as ContextKube;
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
