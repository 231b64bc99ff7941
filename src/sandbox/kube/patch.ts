import { KubeError, kubeErrors } from './status.js';

/**
 * The three PATCH types the API server takes. For a Secret (maps and scalars only) a
 * strategic merge patch is a JSON merge patch: no lists to merge by key.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge, null deletes, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // strategic-merge directives ($patch, $retainKeys): nothing to do on a Secret
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw kubeErrors.badRequest(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Obj | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (next === undefined || next === null || typeof next !== 'object')
      throw unprocessable(`doc is missing path: "${path}"`);
    cur = next;
  }
  if (cur === null || typeof cur !== 'object') throw unprocessable(`doc is missing path: "${path}"`);
  return { parent: cur, key: parts[parts.length - 1] };
}

const unprocessable = (m: string) => new KubeError(422, 'Invalid', m);

/** RFC 6902 add/remove/replace/test (what the CLI and kubectl send; move/copy too for completeness). */
export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw kubeErrors.badRequest('json patch must be an array of operations');
  let out: Json = structuredClone(doc);
  const get = (path: string): Json | undefined => {
    let cur: Json | undefined = out;
    for (const p of pointer(path)) cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    return cur;
  };
  const put = (path: string, value: Json, replace: boolean) => {
    const parts = pointer(path);
    if (parts.length === 0) {
      out = value;
      return;
    }
    const { parent, key } = parentOf(out, parts, path);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw unprocessable(`index out of range: "${path}"`);
      parent.splice(i, replace ? 1 : 0, value);
    } else {
      if (replace && !(key in parent))
        throw unprocessable(`replace operation does not apply: doc is missing key: ${path}`);
      parent[key] = value;
    }
  };
  const remove = (path: string) => {
    const { parent, key } = parentOf(out, pointer(path), path);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (key in parent) delete parent[key];
    else throw unprocessable(`remove operation does not apply: doc is missing path: "${path}"`);
  };
  for (const op of ops as Array<{ op?: string; path?: string; from?: string; value?: Json }>) {
    const path = op.path ?? '';
    switch (op.op) {
      case 'add':
        put(path, op.value ?? null, false);
        break;
      case 'replace':
        put(path, op.value ?? null, true);
        break;
      case 'remove':
        remove(path);
        break;
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(op.value)) throw unprocessable(`testing value ${path} failed`);
        break;
      case 'move':
      case 'copy': {
        const v = get(op.from ?? '');
        if (v === undefined)
          throw unprocessable(`${op.op} operation does not apply: doc is missing from path: "${op.from}"`);
        if (op.op === 'move') remove(op.from ?? '');
        put(path, structuredClone(v), false);
        break;
      }
      default:
        throw kubeErrors.badRequest(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return out;
}

export const PATCH_TYPES = [
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
] as const;

export function applyPatch(contentType: string, doc: Json, body: unknown): Json {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'application/json-patch+json') return jsonPatch(doc, body);
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
    if (!isObj(body)) throw kubeErrors.badRequest('a merge patch must be a JSON object');
    return mergePatch(doc, body as Json);
  }
  throw kubeErrors.unsupportedMediaType(type);
}
export type { Json };
