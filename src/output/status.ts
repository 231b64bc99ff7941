import { keyValues } from './layout.js';
import type { Style } from '../io/types.js';
import type { NodeState } from '../ops/observe.js';

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
