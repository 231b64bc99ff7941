import { basename, dirname, join, resolve } from 'node:path';
import type { SandboxCommandOptions } from '../run.js';
import type { Deps } from '../../deps.js';
import { writeJson } from '../../output/json.js';
import { CliError } from '../../errors.js';
import type { Secret } from '../../secrets/secret.js';
import { writeFileAtomic } from '../store.js';
import type { SandboxClusterOptions } from '../cluster.js';
import { startKubeSandbox, type KubeSandbox } from './index.js';

/**
 * `pikactl sandbox --kube N`, the output half: the kubeconfig is always written
 * (0600) to --kubeconfig-out or <data>/kubeconfig; without --kubeconfig-out it is
 * also printed on stdout (it holds the stand-in's own token, nothing of the user's).
 */
export type KubeStartOptions = Omit<SandboxClusterOptions, 'nodes' | 'tls' | 'basePath'>;

export function startKubeFromCli(
  o: SandboxCommandOptions,
  start: KubeStartOptions,
  boot?: Secret,
): Promise<KubeSandbox> {
  return startKubeSandbox({
    ...start,
    pods: o.kube!,
    namespace: o.kubeNamespace,
    apiPort: o.port === 8080 ? 0 : o.port,
    bootPassword: boot?.reveal(),
  });
}

export async function announceKube(
  ctx: Deps,
  o: SandboxCommandOptions,
  k: KubeSandbox,
  notes: { dataDir: string; created: boolean; user: string; userNote: string },
): Promise<void> {
  const file = o.kubeconfigOut ? resolve(ctx.cwd, o.kubeconfigOut) : join(notes.dataDir, 'kubeconfig');
  // Replaced atomically (0600): a restart on the same --data or the same --kubeconfig-out rewrites it.
  await writeFileAtomic(dirname(file), basename(file), k.kubeconfig).catch(async (err: NodeJS.ErrnoException) => {
    await k.stop();
    throw new CliError(`cannot write the kubeconfig to ${file}: ${err.code ?? err.message}`, {
      code: 'error',
      hint: 'Pass --kubeconfig-out with a path in a folder you can write.',
    });
  });
  const w = k.world.workload;
  const pods = k.world.pods.map((p, i) => ({
    name: `${w.name}-${p.index}`,
    ip: p.ip,
    port: p.port,
    url: k.podUrl(i),
    role: i === k.world.cluster.leader() ? 'leader' : 'follower',
  }));
  if (o.json) {
    writeJson(ctx.io, {
      kube: {
        server: k.server,
        namespace: k.namespace,
        statefulset: w.name,
        kubeconfig_file: file,
        boot_secret: w.bootSecret ? `${w.bootSecret.name}/${w.bootSecret.key}` : null,
        pods,
      },
      data_dir: notes.dataDir,
      data_dir_created: notes.created,
      user: notes.user,
    });
    return;
  }
  if (!o.kubeconfigOut) ctx.io.stdout.write(k.kubeconfig);
  const lines = [
    'pikactl sandbox --kube: a Kubernetes API stand-in over a simulated Pika cluster (not for production)',
    `  API server:  ${k.server}  (its own CA; bearer token in the kubeconfig)`,
    `  kubeconfig:  ${file}`,
    `  data dir:    ${notes.dataDir}${notes.created ? ' (new)' : ''}`,
    `  user:        ${notes.user} ${notes.userNote}`,
    `  StatefulSet: ${w.namespace}/${w.name}, boot password in Secret ${w.bootSecret ? `${w.bootSecret.name} key ${w.bootSecret.key}` : '(none)'}`,
    ...pods.map((p) => `    pod/${p.name.padEnd(8)} ${p.url}  ${p.role}`),
    'Try:',
    `  KUBECONFIG=${file} kubectl get pods -n ${w.namespace} -o wide`,
    `  KUBECONFIG=${file} kubectl delete pod ${w.name}-1 -n ${w.namespace}    # comes back, unlocked by the Secret`,
    'Stop with Ctrl-C.',
  ];
  ctx.io.stderr.write(`${lines.join('\n')}\n`);
}
