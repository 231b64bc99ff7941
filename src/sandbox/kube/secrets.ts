import { secretJson } from './objects.js';
import { applyPatch, type Json } from './patch.js';
import { KubeError, kubeErrors } from './status.js';
import type { KubeWorld } from './world.js';

/**
 * Writes to the boot-password Secret with the API server's optimistic concurrency: a
 * patch or update whose metadata.resourceVersion is not the stored one is refused with
 * 409 Conflict (a patch without one applies unconditionally, as in Kubernetes).
 * stringData is folded into data; data values must be base64.
 */
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type SecretDoc = {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, unknown> | null;
  stringData?: Record<string, unknown> | null;
  type?: string;
};

function commit(w: KubeWorld, doc: SecretDoc, conditional: boolean): Record<string, unknown> {
  const s = w.secret!;
  if (doc.metadata?.name !== undefined && doc.metadata.name !== s.name)
    throw kubeErrors.badRequest(
      `the name of the object (${doc.metadata.name}) does not match the name on the URL (${s.name})`,
    );
  const rv = doc.metadata?.resourceVersion;
  if (conditional && rv !== undefined && rv !== '' && rv !== String(s.rv)) throw kubeErrors.conflict('secrets', s.name);
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.data ?? {})) {
    if (typeof v !== 'string' || !B64.test(v))
      throw kubeErrors.invalid('Secret', s.name, `data[${k}]: Invalid value: illegal base64 data`);
    data[k] = v;
  }
  for (const [k, v] of Object.entries(doc.stringData ?? {})) {
    if (typeof v !== 'string') throw kubeErrors.badRequest(`stringData[${k}] must be a string`);
    data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  for (const k of Object.keys(data)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(k))
      throw kubeErrors.invalid(
        'Secret',
        s.name,
        `data[${k}]: Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      );
  }
  s.data = data;
  s.rv = w.bump();
  w.secretChanged();
  return secretJson(w.workload, s);
}

export function patchSecret(w: KubeWorld, contentType: string, body: unknown): Record<string, unknown> {
  const current = secretJson(w.workload, w.secret!) as Json;
  const patched = applyPatch(contentType, current, body as Json) as SecretDoc;
  if (typeof patched !== 'object' || patched === null)
    throw new KubeError(422, 'Invalid', 'the patch did not produce an object');
  return commit(w, patched, true);
}

export function replaceSecret(w: KubeWorld, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null) throw kubeErrors.badRequest('the body of an update must be a Secret');
  return commit(w, body as SecretDoc, true);
}
