/**
 * The kubeconfig `pikactl sandbox --kube` prints: one cluster (server URL + the
 * stand-in's CA), one token user, one context whose namespace is the workload's.
 * YAML by hand (the document is fixed and small; JSON would do too, but operators read it).
 */
export interface KubeconfigParts {
  server: string;
  caPem: string;
  token: string;
  namespace: string;
  name?: string;
}

export function kubeconfigYaml(p: KubeconfigParts): string {
  const n = p.name ?? 'pikactl-sandbox';
  const ca = Buffer.from(p.caPem, 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${n}`,
    '  cluster:',
    `    server: ${p.server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${n}-admin`,
    '  user:',
    `    token: ${p.token}`,
    'contexts:',
    `- name: ${n}`,
    '  context:',
    `    cluster: ${n}`,
    `    user: ${n}-admin`,
    `    namespace: ${p.namespace}`,
    `current-context: ${n}`,
    'preferences: {}',
    '',
  ].join('\n');
}
