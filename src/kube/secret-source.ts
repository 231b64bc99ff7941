import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { openKubeApi } from './api.js';
import type { KubeFlags } from '../config/kube-ref.js';

/**
 * The `kube:secret/NAME/KEY` secret source: one data key of a Kubernetes Secret, read
 * with the invocation's kubeconfig and namespace. The value goes straight into a
 * Secret (reader.ts); messages name the Secret and key, never what it holds.
 */
export async function readKubeSource(
  ctx: Deps,
  spec: { namespace?: string; name: string; key: string },
  flag: string,
  kube: Pick<KubeFlags, 'kubeconfig' | 'kubeContext' | 'namespace'>,
): Promise<string> {
  const api = await openKubeApi(ctx, {
    ...(kube.kubeconfig ? { kubeconfig: kube.kubeconfig } : {}),
    ...(kube.kubeContext ? { kubeContext: kube.kubeContext } : {}),
  });
  const namespace = spec.namespace ?? kube.namespace ?? api.defaultNamespace;
  const s = await api.readSecret(namespace, spec.name);
  const value = s.data[spec.key];
  if (value === undefined) {
    const keys = Object.keys(s.data);
    throw new CliError(
      `${flag} kube:${namespace}/secret/${spec.name}/${spec.key}: the Secret has no key "${spec.key}"`,
      {
        code: 'usage',
        hint: `Its keys: ${keys.length > 0 ? keys.join(', ') : 'none'}.`,
      },
    );
  }
  // A Secret written with `kubectl create secret --from-file` often ends in a newline.
  return value.replace(/\r?\n$/, '');
}
