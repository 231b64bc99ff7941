/**
 * Named, one-shot faults the sandbox can inject into a key rotation. Kept free of
 * imports so `pikactl sandbox --help` can list them without loading the server.
 */
export const FAULTS = {
  'rotate-write':
    "upstream half-state: the rotation's single settings write fails after the live key swap " +
    '(memory: new key; disk: old verifier and old-key secrets)',
  'rotate-runbook':
    "the runbook's half-state: the verifier is written under the new key but the secrets blob stays " +
    'sealed under the old one; a rotate with the new key as both current_key and new_key repairs it',
  'rotate-drop': 'the rotation is fully applied, then the connection is dropped before any response is written',
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.prototype.hasOwnProperty.call(FAULTS, name);
}

/** The armed faults of one server. Each fires once, at the point the rotation reaches it. */
export class FaultBox {
  private readonly armed = new Set<FaultName>();

  constructor(initial: readonly string[] = []) {
    for (const f of initial) this.arm(f);
  }

  arm(name: string): void {
    if (!isFaultName(name)) throw new Error(`unknown sandbox fault "${name}" (known: ${FAULT_NAMES.join(', ')})`);
    this.armed.add(name);
  }

  /** True once per arming: the caller must then inject the fault. */
  take(name: FaultName): boolean {
    return this.armed.delete(name);
  }

  list(): FaultName[] {
    return [...this.armed];
  }
}
