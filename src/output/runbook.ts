import { plainStyle, type Style } from '../io/types.js';
import type { Runbook } from '../runbooks/index.js';
import { wrapText } from './layout.js';

/** Pure renderers for `pikactl runbook`: text in, text out. */

export const WIDTH = 78;

/** Word wrap (output/layout.ts); `first` prefixes the first line, `rest` the others. */
export function wrap(text: string, first: string, rest: string, width = WIDTH): string {
  return wrapText(text, width, first, rest).join('\n');
}

export function renderRunbookList(runbooks: readonly Runbook[], style: Style = plainStyle): string {
  const pad = Math.max(...runbooks.map((r) => r.name.length)) + 2;
  const rows = runbooks.map((r) =>
    wrap(r.summary, `  ${style.bold(r.name)}${' '.repeat(pad - r.name.length)}`, ' '.repeat(pad + 2)),
  );
  return ['Runbooks (pikactl runbook show NAME):', '', ...rows, ''].join('\n');
}

export function renderRunbook(rb: Runbook, style: Style = plainStyle): string {
  const out: string[] = [];
  const heading = (t: string) => out.push('', style.bold(t));
  out.push(style.bold(`${rb.name}: ${rb.title}`));
  heading('When');
  out.push(wrap(rb.when, '  ', '  '));
  heading('Steps');
  rb.steps.forEach((s, i) => {
    const n = `  ${i + 1}. `;
    out.push(wrap(s, n, ' '.repeat(n.length)));
  });
  if (rb.divergences.length > 0) {
    heading('Upstream guide vs. server code');
    for (const d of rb.divergences) out.push(wrap(d, `  ${style.yellow('!')} `, '    '));
  }
  heading('With pikactl');
  for (const c of rb.commands) {
    out.push(`  ${style.cyan(`$ ${c.run}`)}`);
    out.push(wrap(c.why, '      ', '      '));
  }
  out.push('');
  return out.join('\n');
}
