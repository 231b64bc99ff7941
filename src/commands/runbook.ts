import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { usageError } from '../errors.js';
import { writeJson } from '../output/json.js';

/**
 * `pikactl runbook list | show NAME`: the documented key-management scenarios in
 * pikactl's words, each ending with the commands that carry it out, and with the
 * places where the upstream guide and the server code disagree. Read-only: it
 * never talks to a server.
 */
export function registerRunbook(program: Command, app: App, override: Partial<RunbookRuns> = {}): void {
  const runs: RunbookRuns = { list: runRunbookList, show: runRunbookShow, ...override };
  const runbook = program
    .command('runbook')
    .description(summary('runbook'))
    .helpCommand(false)
    .addHelpText(
      'after',
      `
Examples:
  pikactl runbook list
  pikactl runbook show partial-rotation-recovery
  pikactl runbook show rotation --json`,
    );

  app.action(declareList(runbook), (opts, g, args) => runs.list(app, g, opts, args));
  app.action(declareShow(runbook), (opts, g, args) => runs.show(app, g, opts, args));
}

function declareList(runbook: Command) {
  return typed(runbook).command('list', { isDefault: true }).description('list the runbooks');
}

function declareShow(runbook: Command) {
  return typed(runbook).command('show <name>').description('print one runbook (names: pikactl runbook list)');
}

export type RunbookListOptions = OptionsOf<typeof declareList>;
export type RunbookShowOptions = OptionsOf<typeof declareShow>;

/** The run functions of `runbook list` and `runbook show`, each replaceable (parse tests). */
export interface RunbookRuns {
  list: RunCommand<RunbookListOptions>;
  show: RunCommand<RunbookShowOptions>;
}

export const runRunbookList: RunCommand<RunbookListOptions> = async (app, g) => {
  const { RUNBOOKS } = await import('../runbooks/index.js');
  if (g.json) {
    writeJson(app.ctx.io, {
      ok: true,
      runbooks: RUNBOOKS.map(({ name, title, summary }) => ({ name, title, summary })),
    });
    return 0;
  }
  const { renderRunbookList } = await import('../output/runbook.js');
  app.ctx.io.stdout.write(renderRunbookList(RUNBOOKS, app.ctx.io.style));
  return 0;
};

export const runRunbookShow: RunCommand<RunbookShowOptions> = async (app, g, _opts, args) => {
  const { findRunbook, RUNBOOK_NAMES } = await import('../runbooks/index.js');
  const name = args[0] ?? '';
  const rb = findRunbook(name);
  if (!rb) throw usageError(`no runbook named "${name}"`, `Known runbooks: ${RUNBOOK_NAMES.join(', ')}.`);
  if (g.json) {
    writeJson(app.ctx.io, { ok: true, runbook: rb });
    return 0;
  }
  const { renderRunbook } = await import('../output/runbook.js');
  app.ctx.io.stdout.write(renderRunbook(rb, app.ctx.io.style));
  return 0;
};
