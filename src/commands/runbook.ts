import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App } from './app.js';
import { usageError } from '../errors.js';
import { writeJson } from '../output/json.js';

/**
 * `pikactl runbook list | show NAME`: the documented key-management scenarios in
 * pikactl's words, each ending with the commands that carry it out, and with the
 * places where the upstream guide and the server code disagree. Read-only: it
 * never talks to a server.
 */
export function registerRunbook(program: Command, app: App): void {
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

  const list = runbook.command('list', { isDefault: true }).description('list the runbooks');
  app.action<Record<string, never>>(list, async (_opts, g) => {
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
  });

  const show = runbook.command('show <name>').description('print one runbook (names: pikactl runbook list)');
  app.action<Record<string, never>>(show, async (_opts, g, args) => {
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
  });
}
