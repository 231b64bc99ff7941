import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { registerHandoverStart, type HandoverStartOptions } from './handover-start.js';
import { registerHandoverAccept, type HandoverAcceptOptions } from './handover-accept.js';
import { registerHandoverFinish, type HandoverFinishOptions } from './handover-finish.js';

/**
 * `pikactl handover`: the parent and its help; each stage is declared and run in its own
 * file (handover-start.ts, -accept.ts, -finish.ts), its work in src/handover/.
 */

/** Replacements for handover's three stages (parse tests): each gets the parsed options instead. */
export interface HandoverRuns {
  start: RunCommand<HandoverStartOptions>;
  accept: RunCommand<HandoverAcceptOptions>;
  finish: RunCommand<HandoverFinishOptions>;
}

export function registerHandover(program: Command, app: App, override: Partial<HandoverRuns> = {}): void {
  const handover = program
    .command('handover')
    .description(summary('handover'))
    .helpCommand(false)
    .addHelpText(
      'after',
      `
The runbook's three steps, for two people on two machines. A handover record
(JSON, plus a Markdown checklist beside it) carries who, when and which steps
are done, and never a key:
the key itself travels through your organisation's credential-transfer process.
Each step refuses to run out of order (exit 2) and names the command that comes
next.

  outgoing:  pikactl handover start --new-key-from SPEC --confirm-saved
  incoming:  pikactl handover accept --record handover-HOST-DATE.json --wait 30m
  outgoing:  pikactl handover finish --record handover-HOST-DATE.json`,
    );
  registerHandoverStart(handover, app, override.start);
  registerHandoverAccept(handover, app, override.accept);
  registerHandoverFinish(handover, app, override.finish);
}
