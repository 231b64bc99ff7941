import type { IO } from '../io/types.js';
import { jsonText } from './json.js';
import { serverText } from './server-text.js';
import type { EventSink, PlaybookEvent } from '../playbooks/types.js';

/** --json: one JSON object per line on stdout, per event, for CI logs. */
export function jsonLinesSink(io: IO): EventSink {
  return (e) => {
    io.stdout.write(`${jsonText(e)}\n`);
  };
}

/**
 * For people. Progress goes to stderr; with --plan the plan IS the result, so it
 * goes to stdout.
 */
export function humanSink(io: IO): EventSink {
  const s = io.style;
  let out = io.stderr;
  const line = (text = '') => out.write(`${text}\n`);
  // Reasons and explanations can carry what a server answered: shown through the one renderer.
  const t = (text: string | undefined) => serverText(text, { multiline: true, max: 2000 });
  return (e: PlaybookEvent) => {
    switch (e.event) {
      case 'start':
        out = e.plan ? io.stdout : io.stderr;
        line(`${s.bold(e.title)} on ${e.server}`);
        if (e.plan) line(s.dim('Plan only: nothing will be changed. Live state of each step:'));
        if (e.resumed)
          line(
            `Resuming run ${e.resumed.id}: it stopped at "${e.resumed.lastStep}" (${e.resumed.lastState}, ${e.resumed.at}).`,
          );
        if (e.journal) line(s.dim(`Journal: ${e.journal}`));
        return;
      case 'step': {
        const n = `${e.index}/${e.total}`;
        switch (e.state) {
          case 'planned': {
            const mark =
              e.check === 'done' ? s.green('done   ') : e.check === 'pending' ? s.cyan('to do  ') : s.red('blocked');
            line(
              `  ${mark} ${n} ${e.title}${e.severity === 'severe' ? s.yellow(' [severe]') : ''}${e.optional ? s.dim(' (optional)') : ''}`,
            );
            if (e.check === 'blocked' && e.reason) line(`          ${s.dim(t(e.reason))}`);
            else if (e.check === 'pending' && e.explain) line(`          ${s.dim(t(e.explain))}`);
            return;
          }
          case 'pending':
            line();
            line(
              `${s.bold(`Step ${n}: ${e.title}`)}${e.severity === 'severe' ? s.yellow(' [severe]') : ''}${e.optional ? s.dim(' (optional)') : ''}`,
            );
            if (e.explain) line(`  What changes: ${t(e.explain)}`);
            if (e.target) line(`  Target: ${t(e.target)}`);
            return;
          case 'running':
            return;
          case 'skipped':
            line(`${s.green('✓')} ${n} ${e.title} ${s.dim('(already done)')}`);
            return;
          case 'done':
            line(`${s.green('✓')} ${n} ${e.title}`);
            return;
          case 'failed':
            line(`${s.red('✗')} ${n} ${e.title}: ${e.reason ? t(e.reason) : 'failed'}`);
            return;
          case 'blocked':
            line(`${s.red('✗')} ${n} ${e.title}: blocked: ${t(e.reason)}`);
            return;
          case 'cancelled':
            line(`${s.yellow('–')} ${n} ${e.title}: cancelled`);
            return;
          case 'declined':
            line(`${s.yellow('–')} ${n} ${e.title} ${s.dim('(optional; not run)')}`);
            return;
          case 'replanned':
            line(`${s.cyan('↻')} ${n} ${e.title}: ${t(e.reason)}`);
            return;
        }
        return;
      }
      case 'end':
        if (e.outcome === 'finished') line(s.green('All steps done.'));
        if (e.outcome === 'planned') line(s.dim('Nothing was changed (--plan).'));
        return;
    }
  };
}
