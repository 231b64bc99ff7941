/**
 * Named, one-shot faults the sandbox can inject into a key rotation or initialization.
 * Kept free of imports so `pikactl sandbox --help` can list them without loading the server.
 */
export const FAULTS = {
  'rotate-write':
    "upstream half-state: the rotation's single settings write fails after the live key swap " +
    '(memory: new key; disk: old verifier and old-key secrets)',
  'rotate-runbook':
    "the runbook's half-state: the verifier is written under the new key but the secrets blob stays " +
    'sealed under the old one; a rotate with the new key as both current_key and new_key repairs it',
  'rotate-drop': 'the rotation is fully applied, then the connection is dropped before any response is written',
  'rotate-delay':
    'the rotation is fully applied, then the answer is held back past any client timeout ' +
    '(until the client gives up, the sandbox stops, or 5 minutes pass)',
  'rotate-garble': "the rotation is fully applied, then the answer is a 200 with an HTML page instead of Pika's JSON",
  'init-delay':
    'the initialization is fully applied (unlocked under the new key), then the answer is held back like rotate-delay',
  'init-garble': 'the initialization is fully applied, then the answer is a 200 with an HTML page',
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/** How long a *-delay fault holds an answer back at most (the client leaving ends it sooner). */
export const FAULT_DELAY_MS = 300_000;

/** What the route does with the answer of an applied change: send it, drop the connection, hold it back, or garble it. */
export type AnswerFault = 'answer' | 'drop' | 'delay' | 'garble';

/** The page a *-garble fault answers with: what a misconfigured proxy or an SPA fallback sends. */
export const GARBLED_PAGE =
  '<!doctype html>\n<html><head><title>Pika</title></head><body><div id="app"></div></body></html>\n';

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** The armed faults of one server. Each fires once, at the point the rotation reaches it. */
export class FaultBox {
  private readonly armed = new Set<FaultName>();

  /** delayMs: how long a *-delay fault holds the answer back at most (tests may shorten it). */
  constructor(
    initial: readonly string[] = [],
    readonly delayMs = FAULT_DELAY_MS,
  ) {
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
