import { parseServerUrl } from '../../src/api/url.js';
import type { Confirmer, ConfirmRequest, Playbook, PlaybookEvent, Severity, Step } from '../../src/playbooks/types.js';

/** A fake "server": named flags that steps read (check/verify) and set (run). */
export interface World {
  flags: Record<string, boolean>;
  ran: string[];
}

export interface FakeStepOptions {
  severity?: Severity;
  /** run() throws this. */
  runError?: Error;
  /** run() does nothing, so verify sees no change. */
  noop?: boolean;
  blocked?: string;
  /** run() sets the flag, then never returns: a process that died mid-step. */
  hang?: boolean;
}

export function flagStep(id: string, opts: FakeStepOptions = {}): Step<World> {
  return {
    id,
    title: `set ${id}`,
    explain: `turns ${id} on`,
    severity: opts.severity ?? 'normal',
    async check(w) {
      if (opts.blocked) return { blocked: opts.blocked, hint: 'Unlock first.' };
      return w.flags[id] ? 'done' : 'pending';
    },
    async run(w) {
      w.ran.push(id);
      if (opts.runError) throw opts.runError;
      if (opts.noop) return;
      w.flags[id] = true;
      if (opts.hang) await new Promise(() => {});
    },
    async verify(w) {
      return w.flags[id] ? true : { failed: `${id} is still off` };
    },
  };
}

export const SERVER = parseServerUrl('https://pika.example:8443/base');
export const RESUME = 'pikactl --server https://pika.example:8443/base test-playbook';

export function playbook(world: World, steps: Step<World>[]): Playbook<World> {
  return { name: 'test-playbook', title: 'Test playbook', server: SERVER, steps, state: world, resumeCommand: RESUME };
}

export function world(flags: Record<string, boolean> = {}): World {
  return { flags: { ...flags }, ran: [] };
}

export class FakeConfirmer implements Confirmer {
  readonly asked: ConfirmRequest[] = [];
  constructor(private readonly answers: boolean[] = []) {}
  async confirm(req: ConfirmRequest) {
    this.asked.push(req);
    const a = this.answers.shift();
    if (a === undefined) throw new Error(`unexpected confirmation for ${req.stepId}`);
    return a;
  }
}

export function eventLog(): { events: PlaybookEvent[]; sink: (e: PlaybookEvent) => void; steps: () => string[] } {
  const events: PlaybookEvent[] = [];
  return {
    events,
    sink: (e) => events.push(e),
    steps: () => events.flatMap((e) => (e.event === 'step' ? [`${e.id}:${e.state}`] : [])),
  };
}
