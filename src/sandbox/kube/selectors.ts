import { kubeErrors } from './status.js';

/**
 * Label and field selectors as the API server parses them (k8s.io/apimachinery/pkg/labels):
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, joined by commas.
 */
export type Matcher = (values: Record<string, string>) => boolean;

function splitTop(sel: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function term(t: string, fieldOnly: boolean): Matcher {
  let m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(t);
  if (m) {
    const [, k, op, v] = m;
    return op === '!=' ? (o) => o[k] !== v : (o) => o[k] === v;
  }
  if (!fieldOnly) {
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
    if (m) {
      const [, k, op, list] = m;
      const set = new Set(list.split(',').map((s) => s.trim()));
      return op === 'in' ? (o) => k in o && set.has(o[k]) : (o) => !(k in o) || !set.has(o[k]);
    }
    m = /^(!?)([A-Za-z0-9][-A-Za-z0-9_./]*)$/.exec(t);
    if (m) return m[1] ? (o) => !(m![2] in o) : (o) => m![2] in o;
  }
  throw kubeErrors.badRequest(
    `unable to parse requirement: found '${t}', expected: ${fieldOnly ? '=, ==, or !=' : 'in, notin, =, ==, !=, gt, lt'}`,
  );
}

export function parseSelector(sel: string | null, fieldOnly = false): Matcher {
  if (!sel) return () => true;
  const terms = splitTop(sel).map((t) => term(t, fieldOnly));
  return (o) => terms.every((f) => f(o));
}
