/**
 * What kubectl reads before it touches a resource: /version, the group lists, and one
 * APIResourceList per group version. Served in the legacy (unaggregated) form; kubectl
 * asks for the aggregated apidiscovery.k8s.io/v2 form first and falls back when the
 * answer's Content-Type is plain application/json, as against older servers.
 */
type Res = { name: string; singularName: string; kind: string; verbs: string[]; shortNames?: string[] };

const res = (name: string, singularName: string, kind: string, verbs: string[], shortNames?: string[]): Res => ({
  name,
  singularName,
  kind,
  verbs,
  ...(shortNames ? { shortNames } : {}),
});

const CORE: Res[] = [
  res('namespaces', 'namespace', 'Namespace', ['get', 'list'], ['ns']),
  res('pods', 'pod', 'Pod', ['delete', 'get', 'list'], ['po']),
  res('pods/portforward', '', 'PodPortForwardOptions', ['create', 'get']),
  res('secrets', 'secret', 'Secret', ['get', 'list', 'patch', 'update']),
  res('services', 'service', 'Service', ['get', 'list'], ['svc']),
];

const APPS: Res[] = [
  res('deployments', 'deployment', 'Deployment', ['get', 'list'], ['deploy']),
  res('statefulsets', 'statefulset', 'StatefulSet', ['get', 'list'], ['sts']),
];

const list = (groupVersion: string, resources: Res[]) => ({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion,
  resources: resources.map((r) => ({
    ...r,
    namespaced: r.kind !== 'Namespace' && r.kind !== 'SelfSubjectAccessReview',
    storageVersionHash: '',
  })),
});

export function discovery(path: string, serverAddress: string): Record<string, unknown> | undefined {
  switch (path) {
    case '/version':
      return {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0-pikactl-sandbox',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.23.0',
        compiler: 'gc',
        platform: 'linux/amd64',
      };
    case '/api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      };
    case '/apis': {
      const group = (name: string) => {
        const v = { groupVersion: `${name}/v1`, version: 'v1' };
        return { name, versions: [v], preferredVersion: v };
      };
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group('apps'), group('authorization.k8s.io')] };
    }
    case '/apis/authorization.k8s.io/v1':
      return list('authorization.k8s.io/v1', [
        res('selfsubjectaccessreviews', 'selfsubjectaccessreview', 'SelfSubjectAccessReview', ['create']),
      ]);
    case '/api/v1':
      return list('v1', CORE);
    case '/apis/apps/v1':
      return list('apps/v1', APPS);
    case '/apis/apps':
      return {
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: 'apps',
        versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
      };
    default:
      return undefined;
  }
}
