import { KubeError } from './status.js';

/**
 * A switchable stand-in for RBAC, so clients can be tested against the 403s a real
 * cluster gives a user without a Role (everything is allowed until deny()). Also
 * answers SelfSubjectAccessReview, which `kubectl auth can-i` and clients that check
 * their permissions up front send.
 */
export const SANDBOX_USER = 'pikactl-sandbox-admin';

export class Rbac {
  private readonly denied = new Set<string>();

  /** deny('list', 'pods'), deny('patch', 'secrets'), deny('create', 'pods/portforward'), deny('get', 'statefulsets', 'apps'). */
  deny(verb: string, resource: string, group = ''): void {
    this.denied.add(`${verb} ${group}/${resource}`);
  }

  allow(verb: string, resource: string, group = ''): void {
    this.denied.delete(`${verb} ${group}/${resource}`);
  }

  allowed(verb: string, resource: string, group = ''): boolean {
    return !this.denied.has(`${verb} ${group}/${resource}`);
  }

  /** Throws the API server's Forbidden Status. */
  check(verb: string, resource: string, group: string, namespace: string | undefined, name?: string): void {
    if (this.allowed(verb, resource, group)) return;
    const [res, sub] = resource.split('/');
    const what = `${res}${group ? `.${group}` : ''}${sub ? `/${sub}` : ''}`;
    const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    throw new KubeError(
      403,
      'Forbidden',
      `${what}${name ? ` "${name}"` : ''} is forbidden: User "${SANDBOX_USER}" cannot ${verb} resource "${res}"${sub ? ` with subresource "${sub}"` : ''} in API group "${group}"${scope}`,
      { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: res },
    );
  }

  review(body: unknown): Record<string, unknown> {
    const attrs = ((body as { spec?: { resourceAttributes?: Record<string, string> } })?.spec?.resourceAttributes ??
      {}) as Record<string, string>;
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : (attrs.resource ?? '');
    const ok = this.allowed(attrs.verb ?? '', resource, attrs.group ?? '');
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: { resourceAttributes: attrs },
      status: {
        allowed: ok,
        ...(ok ? { reason: 'sandbox: allowed' } : { denied: true, reason: 'sandbox: denied by Rbac.deny()' }),
      },
    };
  }
}
