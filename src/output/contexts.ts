import { colonFingerprint } from '../transport/pin.js';
import type { ConfigFile, ContextConfig } from '../config/schema.js';
import type { CertInfo } from '../config/tls-probe.js';
import { serverText } from './server-text.js';
import { keyValues } from './layout.js';
import { renderTable } from './table.js';

/** Pure renderers for contexts and certificates (no IO). */

/** A context as JSON: the file's field names, every field present (null when unset). */
export function contextJson(name: string, c: ContextConfig, current: boolean): Record<string, unknown> {
  return {
    name,
    current,
    servers: c.servers,
    cacert: c.cacert ?? null,
    pin: c.pin ?? null,
    user: c.user ?? null,
    key_from: c.key_from ?? null,
    timeout: c.timeout ?? null,
    insecure: c.insecure ?? false,
    allow_http: c.allow_http ?? false,
    proxy: c.proxy ?? null,
    ...(c.kube ? { kube: c.kube } : {}),
  };
}

/** How a context trusts TLS, in a few words. */
export function tlsSummary(c: ContextConfig): string {
  const parts: string[] = [];
  if (c.pin) parts.push(`pin ${c.pin.slice(0, 8)}…`);
  if (c.cacert) parts.push('cacert');
  if (c.insecure) parts.push('INSECURE');
  return parts.length > 0 ? parts.join(' + ') : 'system CAs';
}

export function renderContextTable(config: ConfigFile): string {
  const columns = ['', 'NAME', 'SERVERS', 'TLS', 'USER', 'KEY FROM'].map((header) => ({ header }));
  const rows = Object.entries(config.contexts).map(([name, c]) => [
    name === config.current_context ? '*' : '',
    name,
    c.kube ? `kube:${c.kube.ref}` : c.servers.join(','),
    tlsSummary(c),
    c.user ?? '-',
    c.key_from ?? '-',
  ]);
  return `${renderTable(columns, rows).lines.join('\n')}\n`;
}

export function renderContext(name: string, c: ContextConfig, current: boolean, file: string): string {
  const lines: Array<[string, string]> = [
    ['Context', `${name}${current ? ' (current)' : ''}`],
    [
      'Servers',
      c.kube
        ? `the pods of ${c.kube.ref} (namespace ${c.kube.namespace ?? 'of the kubeconfig'})`
        : c.servers.join('\n' + ' '.repeat(12)),
    ],
    ['TLS', tlsSummary(c)],
  ];
  if (c.pin) lines.push(['Pin', colonFingerprint(c.pin)]);
  if (c.cacert) lines.push(['CA file', c.cacert]);
  lines.push(['User', c.user ?? '-'], ['Key from', c.key_from ?? '-'], ['Timeout', c.timeout ?? 'default (30s)']);
  if (c.allow_http) lines.push(['Allow HTTP', 'yes']);
  if (c.proxy) lines.push(['Proxy', c.proxy]);
  lines.push(['Config', file]);
  return `${keyValues(lines, { width: 12 }).join('\n')}\n`;
}

/** `context list --json`. */
export function contextListJson(config: ConfigFile, file: string): Record<string, unknown> {
  return {
    current_context: config.current_context ?? null,
    contexts: Object.entries(config.contexts).map(([n, c]) => contextJson(n, c, n === config.current_context)),
    config_file: file,
  };
}

/** `context add --json`. */
export function contextAddedJson(
  name: string,
  c: ContextConfig,
  done: { existed: boolean; makeCurrent: boolean; file: string },
): Record<string, unknown> {
  return {
    ok: true,
    action: done.existed ? 'replaced' : 'added',
    ...contextJson(name, c, done.makeCurrent),
    config_file: done.file,
  };
}

/** `context list`: the table (stdout), or why there is none, and a current context that does not exist (stderr). */
export function contextListText(config: ConfigFile): { out: string; warning?: string } {
  if (Object.keys(config.contexts).length === 0)
    return { out: '', warning: 'No contexts yet. Add one with: pikactl context add NAME --server URL\n' };
  const out = renderContextTable(config);
  const current = config.current_context;
  if (current === undefined || Object.hasOwn(config.contexts, current)) return { out };
  return {
    out,
    warning: `Warning: the current context "${current}" does not exist. Pick one: pikactl context use NAME\n`,
  };
}

/** What `context add` did: the stdout lines, and a warning (stderr) for an insecure context with https servers. */
export function contextAddedText(
  name: string,
  c: ContextConfig,
  done: { existed: boolean; makeCurrent: boolean; file: string },
): { out: string; warning?: string } {
  const n = c.servers.length;
  const what = c.kube
    ? `the pods of ${c.kube.ref}${c.kube.namespace ? ` in namespace ${c.kube.namespace}` : ''}`
    : `${n} server${n === 1 ? '' : 's'}`;
  let out = `${done.existed ? 'Replaced' : 'Added'} context ${name} (${what}) in ${done.file}\n`;
  if (done.makeCurrent) out += `Current context is now ${name}.\n`;
  // As with -k on a command: an http:// server has no TLS to skip, and trust refuses it.
  const tls = c.kube !== undefined || c.servers.some((s) => s.startsWith('https://'));
  if (!c.insecure || !tls) return { out };
  const warning = `Warning: context ${name} skips TLS verification. Pin the certificate instead: pikactl trust --context ${name}\n`;
  return { out, warning };
}

/** `context remove --json`. */
export function contextRemovedJson(name: string, done: { file: string; current?: string }): Record<string, unknown> {
  return { ok: true, removed: name, current_context: done.current ?? null, config_file: done.file };
}

/** What `context remove` did. */
export function contextRemovedText(name: string, wasCurrent: boolean): string {
  return (
    `Removed context ${name}.\n` +
    (wasCurrent ? 'There is no current context now; pick one with: pikactl context use NAME\n' : '')
  );
}

/** The certificate as Pika's GET /api/v1/tls/status names its fields. */
export function certJson(c: CertInfo): Record<string, unknown> {
  return {
    subject: c.subject,
    issuer: c.issuer,
    dns_names: c.dnsNames,
    ip_addresses: c.ipAddresses,
    not_before: c.notBefore,
    not_after: c.notAfter,
    days_remaining: c.daysRemaining,
    self_signed: c.selfSigned,
    fingerprint_sha256: c.fingerprintSha256,
    fingerprint_sha256_colons: c.fingerprintColons,
    verified: c.verified,
    ...(c.verifyError ? { verify_error: c.verifyError } : {}),
  };
}

export function renderCert(server: string, c: CertInfo): string {
  const row = (k: string, v: string) => keyValues([[k, v]], { indent: '  ', width: 14 })[0];
  // Subject, issuer and alternative names are whatever the server's certificate says: rendered safe.
  const names = (list: string[]) => serverText(list.join(', '), { max: 600 }) || '-';
  return [
    `Certificate presented by ${server}`,
    row('Subject', serverText(c.subject)),
    row('Issuer', `${serverText(c.issuer)}${c.selfSigned ? ' (self-signed)' : ''}`),
    row('DNS names', names(c.dnsNames)),
    row('IP addresses', names(c.ipAddresses)),
    row(
      'Valid',
      `${c.notBefore} to ${c.notAfter} (${c.daysRemaining >= 0 ? `${c.daysRemaining} days left` : `EXPIRED ${-c.daysRemaining} days ago`})`,
    ),
    row('SHA-256', `${c.fingerprintSha256}   (Pika's fingerprint_sha256)`),
    row('', `${c.fingerprintColons}   (openssl -fingerprint)`),
    row(
      'Verification',
      c.verified
        ? 'a normal connection already accepts it (trusted CA, host name matches)'
        : `a normal connection would refuse it (${c.verifyError ? serverText(c.verifyError) : 'not trusted'})`,
    ),
    '',
  ].join('\n');
}
