import type { Deps } from '../../deps.js';
import type { KubeFlags } from '../../config/kube-ref.js';
import type { KubeSourceRead } from '../../secrets/reader.js';

/**
 * The kube: secret source for a SourceReader, with the kubeconfig, context and namespace
 * (-n) of this invocation. The Kubernetes client loads on the first kube: read only.
 */
export function kubeSource(
  ctx: Deps,
  kube: Pick<KubeFlags, 'kubeconfig' | 'kubeContext' | 'namespace'>,
): KubeSourceRead {
  return async (spec, flag) => (await import('../../kube/secret-source.js')).readKubeSource(ctx, spec, flag, kube);
}
