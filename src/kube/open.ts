import type { Deps } from '../deps.js';
import type { Connection } from '../config/resolve.js';
import { addTargetFlags, shellArg } from '../output/target-flags.js';
import type { GlobalOptions } from '../globals.js';
import { openKubeApi } from './api.js';
import type { KubeOptions } from '../config/kube-ref.js';
import { selectPods, type KubeSelection } from './targets.js';

/**
 * The pods of one invocation. `--kube REF` for openInvocation: finds the pods, opens a way
 * to each (port-forward or direct: `targets.ts`), and records the flags that reach one pod
 * again, so every printed hint (`pikactl unlock …`) runs as printed: `--kube pod/pika-1
 * -n pika` plus the kube and trust flags that were typed.
 */
export async function openKubeTargets(
  ctx: Deps,
  g: GlobalOptions,
  conn: Connection & { kube: KubeOptions },
): Promise<KubeSelection> {
  const api = await openKubeApi(ctx, conn.kube, g.timeoutMs);
  const selection = await selectPods(api, conn.kube, ctx.env);
  for (const t of selection.targets) addTargetFlags(t.server.id, podFlags(conn, g, t.pod.name, selection.namespace));
  return selection;
}

/** The flags that name one pod the way this invocation reached it. */
export function podFlags(
  conn: Connection & { kube: KubeOptions },
  g: Pick<GlobalOptions, 'typed'>,
  pod: string,
  namespace: string,
): string {
  const k = conn.kube;
  const parts = ['--kube', `pod/${pod}`, '-n', namespace];
  if (conn.contextName !== undefined) parts.unshift('--context', shellArg(conn.contextName));
  if (k.kubeContext) parts.push('--kube-context', shellArg(k.kubeContext));
  if (k.kubeconfig) parts.push('--kubeconfig', shellArg(k.kubeconfig));
  if (k.port) parts.push('--kube-port', 'number' in k.port ? String(k.port.number) : k.port.name);
  if (k.connect) parts.push('--kube-connect', k.connect);
  if (g.typed.cacert) parts.push('--cacert', shellArg(g.typed.cacert));
  if (g.typed.insecure) parts.push('-k');
  return parts.join(' ');
}
