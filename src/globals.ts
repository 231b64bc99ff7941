import type { Command } from 'commander';
import type { Deps } from './deps.js';
import { usageError } from './errors.js';
import { parseDuration } from './util/duration.js';
import type { KubeFlags } from './config/kube-ref.js';

/** Global options after flags, env vars (and later contexts) are merged. Flags win over env vars. */
export interface GlobalOptions {
  servers: string[];
  context?: string;
  cacert?: string;
  pin?: string;
  insecure: boolean;
  allowHttp: boolean;
  timeoutMs: number;
  /** True when --timeout or PIKA_TIMEOUT set timeoutMs (so it wins over a context's timeout). */
  timeoutExplicit: boolean;
  user?: string;
  passwordFrom?: string;
  totpFrom?: string;
  strategy?: string;
  cookieName: string;
  json: boolean;
  color: boolean;
  input: boolean;
  debug: boolean;
  /** --kube and its companions (src/config/kube-ref.ts parses them; the client loads only when --kube is used). */
  kube: KubeFlags;
  /**
   * The target flags typed on the command line (not from env vars), so printed hints can
   * repeat them: a copied hint must reach the same server with the same trust.
   */
  typed: TypedTargetFlags;
}

export interface TypedTargetFlags {
  servers: boolean;
  context: boolean;
  cacert?: string;
  pin?: string;
  insecure: boolean;
  allowHttp: boolean;
  /** --proxy (PIKA_PROXY is read with the other proxy variables, in transport/proxy-config.ts). */
  proxy?: string;
}

// The env var behind each global flag (shown in --help and `pikactl help environment`), in
// their own module so the root help (src/root-help.ts) can name them without loading this one.
export { GLOBAL_ENV, DEFAULT_TIMEOUT } from './global-env.js';
import { GLOBAL_ENV, DEFAULT_TIMEOUT } from './global-env.js';

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

interface RawGlobals extends KubeFlags {
  server?: string[];
  context?: string;
  cacert?: string;
  pin?: string;
  insecure?: boolean;
  allowHttp?: boolean;
  proxy?: string;
  timeout?: string;
  user?: string;
  passwordFrom?: string;
  totpFrom?: string;
  strategy?: string;
  cookieName?: string;
  json?: boolean;
  color?: boolean;
  input?: boolean;
  debug?: boolean;
}

export function resolveGlobals(cmd: Command, ctx: Pick<Deps, 'env'>): GlobalOptions {
  const o = cmd.optsWithGlobals<RawGlobals>();
  const env = ctx.env;
  const envServers = (env[GLOBAL_ENV.server] ?? '').split(/[\s,]+/).filter((s) => s.length > 0);
  const timeoutText = o.timeout ?? env[GLOBAL_ENV.timeout] ?? DEFAULT_TIMEOUT;
  const timeoutMs = parseDuration(timeoutText, '--timeout');
  if (timeoutMs <= 0) throw usageError('--timeout must be greater than zero');
  return {
    servers: o.server && o.server.length > 0 ? o.server : envServers,
    context: o.context ?? env[GLOBAL_ENV.context],
    cacert: o.cacert ?? env[GLOBAL_ENV.cacert],
    pin: o.pin ?? env[GLOBAL_ENV.pin],
    insecure: Boolean(o.insecure) || truthy(env[GLOBAL_ENV.insecure]),
    allowHttp: Boolean(o.allowHttp) || truthy(env[GLOBAL_ENV.allowHttp]),
    timeoutMs,
    timeoutExplicit: o.timeout !== undefined || env[GLOBAL_ENV.timeout] !== undefined,
    user: o.user ?? env[GLOBAL_ENV.user],
    passwordFrom: o.passwordFrom ?? env[GLOBAL_ENV.passwordFrom],
    totpFrom: o.totpFrom ?? env[GLOBAL_ENV.totpFrom],
    strategy: o.strategy ?? env[GLOBAL_ENV.strategy],
    cookieName: o.cookieName ?? env[GLOBAL_ENV.cookieName] ?? 'pika_session',
    json: Boolean(o.json),
    color: o.color !== false,
    input: o.input !== false,
    debug: Boolean(o.debug),
    kube: {
      ...(o.kube !== undefined ? { kube: o.kube } : {}),
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
      ...(o.kubeContext !== undefined ? { kubeContext: o.kubeContext } : {}),
      ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
      ...(o.kubePort !== undefined ? { kubePort: o.kubePort } : {}),
      ...(o.kubeConnect !== undefined ? { kubeConnect: o.kubeConnect } : {}),
    },
    typed: {
      servers: (o.server?.length ?? 0) > 0,
      context: o.context !== undefined,
      ...(o.cacert !== undefined ? { cacert: o.cacert } : {}),
      ...(o.pin !== undefined ? { pin: o.pin } : {}),
      insecure: Boolean(o.insecure),
      allowHttp: Boolean(o.allowHttp),
      ...(o.proxy !== undefined ? { proxy: o.proxy } : {}),
    },
  };
}
