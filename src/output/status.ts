import { keyValues } from './layout.js';
import type { IO, Style } from '../io/types.js';
import { serverText } from './server-text.js';
import { renderTable } from './table.js';
import type { NodeState } from '../ops/observe.js';
import type { PodColumns } from '../kube/rows.js';

export const STATE_LABEL: Record<NodeState, string> = {
  off: 'off (not initialized; serving in plaintext-at-rest mode)',
  locked: 'locked',
  unlocked: 'unlocked',
  unreadable: 'unreadable (settings do not decrypt under the live key)',
  unreachable: 'unreachable',
};

/** What the operator should run next, per state. */
export const NEXT_STEP: Record<NodeState, string | undefined> = {
  off: 'pikactl init    (turn on at-rest encryption)',
  locked: 'pikactl unlock',
  unlocked: undefined,
  unreadable: 'pikactl recover-rotation    (a rotation was probably left half done)',
  unreachable: 'pikactl status --wait 2m --for reachable    (or check the address, port and TLS flags)',
};

/** NEXT_STEP as it runs for one server: the target flags (targetFlags) right after the command word. */
export function nextStep(state: NodeState, target: string): string | undefined {
  return NEXT_STEP[state]?.replace(/^pikactl (\S+)/, (m) => `${m} ${target}`);
}

/** One colour per state, for the single-node fields and the fleet table alike. */
export function paint(style: Style, state: NodeState | 'error', text: string): string {
  switch (state) {
    case 'unlocked':
      return style.green(text);
    case 'locked':
      return style.yellow(text);
    case 'off':
      return style.cyan(text);
    default:
      return style.red(text);
  }
}

export function colorState(style: Style, state: NodeState): string {
  return paint(style, state, STATE_LABEL[state]);
}

/** Aligned "Key: value" lines. */
export function fields(rows: Array<[string, string | undefined]>): string {
  return `${keyValues(rows).join('\n')}\n`;
}

/** What `status` reports of one node (--json prints it as is). */
export interface NodeReport {
  server: string;
  /** "error": the node answered something waiting cannot fix (TLS, not Pika…); see error. */
  state: NodeState | 'error';
  initialized?: boolean;
  unlocked?: boolean;
  name?: string;
  version?: string;
  error?: string;
  next?: string;
  /** --kube: the pod's phase and readiness from Kubernetes, beside Pika's own state. */
  pod?: PodColumns;
}

/** info's name and version come from the server: rendered safe, 60 characters at most. */
function product(r: NodeReport): string | undefined {
  return r.name ? serverText(`${r.name} ${r.version ?? ''}`.trim(), { max: 60 }) : undefined;
}

/** One node, as `status` prints it for people. */
export function renderNodeReport(style: Style, state: NodeState, r: NodeReport): string {
  return fields([
    ['Server', r.server],
    ['Product', product(r)],
    ['Encryption', colorState(style, state)],
    [
      'Pod',
      r.pod ? `${r.pod.phase}, ${r.pod.ready ? 'ready' : 'not ready'} (namespace ${r.pod.namespace})` : undefined,
    ],
    ['Error', r.error === undefined ? undefined : serverText(r.error)],
    ['Next', r.next],
  ]);
}

/** One line per node, then each distinct next step once. Widths are measured before colouring. */
export function renderNodeTable(io: Pick<IO, 'stdout' | 'style'>, reports: NodeReport[]): void {
  // With pods, Kubernetes' own view stands beside Pika's (the ENCRYPTION column stays second).
  const pods = reports.some((r) => r.pod);
  const columns = ['NODE', 'ENCRYPTION', ...(pods ? ['PHASE', 'READY', 'ROLE'] : []), 'PRODUCT', 'ERROR'].map(
    (header) => ({ header }),
  );
  const podCells = (r: NodeReport) =>
    pods ? [r.pod?.phase ?? '-', r.pod ? (r.pod.ready ? 'yes' : 'no') : '-', r.pod?.role ?? '-'] : [];
  const rows = reports.map((r) => [
    r.server,
    r.state,
    ...podCells(r),
    product(r) ?? '-',
    r.error === undefined ? '' : serverText(r.error),
  ]);
  const paintState = (text: string, row: number, column: number) =>
    column === 1 ? paint(io.style, reports[row].state, text) : text;
  io.stdout.write(`${renderTable(columns, rows, undefined, paintState).lines.join('\n')}\n`);
  const next = [...new Set(reports.map((r) => r.next).filter((n): n is string => Boolean(n)))];
  for (const n of next) {
    const who = reports.filter((r) => r.next === n).map((r) => r.server);
    io.stdout.write(`Next for ${who.length === reports.length ? 'all nodes' : who.join(', ')}: ${n}\n`);
  }
}
