import type { Style } from '../io/types.js';
import type { NodeState } from '../ops/probe.js';

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

export function colorState(style: Style, state: NodeState): string {
  const label = STATE_LABEL[state];
  switch (state) {
    case 'unlocked':
      return style.green(label);
    case 'locked':
      return style.yellow(label);
    case 'off':
      return style.cyan(label);
    default:
      return style.red(label);
  }
}

/** Aligned "Key: value" lines. */
export function fields(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(...present.map(([k]) => k.length)) + 2;
  return present.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n') + '\n';
}
