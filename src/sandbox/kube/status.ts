/**
 * Kubernetes `Status` objects, the error body every API server answer carries
 * (k8s.io/apimachinery metav1.Status): kind Status, status Failure, a reason and the code.
 */

export type StatusReason =
  | 'NotFound'
  | 'Conflict'
  | 'Unauthorized'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'Forbidden'
  | 'Expired';

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string },
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** The real messages, so clients that match on them behave as they would against Kubernetes. */
export const kubeErrors = {
  notFound: (resource: string, name: string, group = '') =>
    new KubeError(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    }),
  conflict: (resource: string, name: string) =>
    new KubeError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, kind: resource },
    ),
  unauthorized: () => new KubeError(401, 'Unauthorized', 'Unauthorized'),
  badRequest: (message: string) => new KubeError(400, 'BadRequest', message),
  invalid: (resource: string, name: string, message: string) =>
    new KubeError(422, 'Invalid', `${resource} "${name}" is invalid: ${message}`, { name, kind: resource }),
  methodNotAllowed: () =>
    new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  unsupportedMediaType: (type: string) =>
    new KubeError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type || 'none'})`,
    ),
  pathNotFound: () => new KubeError(404, 'NotFound', 'the server could not find the requested resource'),
};
