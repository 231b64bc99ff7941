/** The flags of one `handover start` run, as the tests vary them. */
export interface HandoverStartFlags {
  /** --current-key-from (default env:KEY); null leaves it out: the keychain entry, else a prompt. */
  currentKeyFrom?: string | null;
  /** --new-key-from (default env:NEW_KEY). */
  newKeyFrom?: string;
  /** --confirm-saved (default true); false leaves it out, as a terminal-less run that forgot it. */
  confirmSaved?: boolean;
  /** --save-to-keychain (default false). */
  saveToKeychain?: boolean;
  /** --record (default h.json); null leaves it out: ./handover-<host>-<date>.json. */
  record?: string | null;
}

/** The argv of `pikactl handover start` (the one place the tests spell it), then `extra`. */
export function handoverStartArgs(flags: HandoverStartFlags = {}, ...extra: string[]): string[] {
  const { currentKeyFrom = 'env:KEY', newKeyFrom = 'env:NEW_KEY', record = 'h.json' } = flags;
  return [
    'handover',
    'start',
    ...(currentKeyFrom === null ? [] : ['--current-key-from', currentKeyFrom]),
    '--new-key-from',
    newKeyFrom,
    ...(flags.confirmSaved === false ? [] : ['--confirm-saved']),
    ...(flags.saveToKeychain ? ['--save-to-keychain'] : []),
    ...(record === null ? [] : ['--record', record]),
    ...extra,
  ];
}
