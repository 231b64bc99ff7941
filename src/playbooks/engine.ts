import { CliError } from '../errors.js';
import type { Journal, JournalSummary } from './journal.js';
import { journalRecorder, localFaultCode, stepLocalFault } from './local-fault.js';
import type { CheckResult, Confirmer, EventSink, Playbook, PlaybookEvent, Step, StepEventState } from './types.js';

export type * from './types.js';

/**
 * Runs a playbook one step at a time: re-check live state → show the target →
 * confirm → run → verify → record. Knows nothing about terminals (events go to a
 * sink, confirmation to a Confirmer) and nothing about HTTP (steps do that).
 */

export interface EngineDeps {
  confirmer: Confirmer;
  events: EventSink;
  /** Required unless planOnly. May be a reopened journal (see `resumed`). */
  journal?: Journal;
  /** The unfinished journal this run continues, if any: shown in the start event. */
  resumed?: JournalSummary;
  /** --yes: no confirmation prompts. */
  yes: boolean;
  /** --plan: print the steps and their live check state; change nothing, write nothing. */
  planOnly: boolean;
  signal?: AbortSignal;
  now?: () => number;
  /** Turns a step's own error into the operator's error (e.g. ApiError → CliError). */
  mapError?: (err: unknown) => CliError | undefined;
}

export interface PlaybookResult {
  /** replan: a step's verify asked for a new decision; the steps after it did not run. */
  outcome: 'finished' | 'planned' | 'replan';
  steps: Array<{
    id: string;
    state: 'skipped' | 'done' | 'planned' | 'declined' | 'replanned';
    check?: 'done' | 'pending' | 'blocked';
  }>;
  /** Set when outcome is replan: which step, and what it learned. */
  replan?: { step: string; reason: string };
}

const checkWord = (c: CheckResult): 'done' | 'pending' | 'blocked' => (typeof c === 'string' ? c : 'blocked');

export async function runPlaybook<C>(playbook: Playbook<C>, deps: EngineDeps): Promise<PlaybookResult> {
  const { events, journal } = deps;
  if (!deps.planOnly && !journal) throw new Error('runPlaybook: a journal is required unless planOnly');
  const now = deps.now ?? Date.now;
  const total = playbook.steps.length;
  const resume = playbook.resumeCommand;
  const state = playbook.state;
  const result: PlaybookResult = { outcome: deps.planOnly ? 'planned' : 'finished', steps: [] };
  // "i/n title" of each step done on the server in this run (or found done): named when this machine fails.
  const ran: string[] = [];
  const ranLabel = (step: Step<C>, i: number) => `${i + 1}/${total} "${step.title}"`;

  // A full disk or a read-only journal is not a raw errno: it says what ran on the server and how to resume.
  const { record, recordFailure } = journalRecorder(deps.planOnly ? undefined : journal, ran, resume, () =>
    events({ event: 'end', playbook: playbook.name, outcome: 'failed', resume }),
  );
  const stepEvent = (
    step: Step<C>,
    index: number,
    state: StepEventState,
    extra: Partial<Extract<PlaybookEvent, { event: 'step' }>> = {},
  ) =>
    events({
      event: 'step',
      id: step.id,
      index: index + 1,
      total,
      title: step.title,
      severity: step.severity,
      ...(step.optional ? { optional: true } : {}),
      state,
      ...extra,
    });
  const end = (outcome: Extract<PlaybookEvent, { event: 'end' }>['outcome']) =>
    events({
      event: 'end',
      playbook: playbook.name,
      outcome,
      ...(outcome === 'finished' || outcome === 'planned' || outcome === 'replan' ? {} : { resume }),
    });

  events({
    event: 'start',
    playbook: playbook.name,
    title: playbook.title,
    server: playbook.server.id,
    plan: deps.planOnly,
    ...(journal && !deps.planOnly ? { journal: journal.path } : {}),
    ...(deps.resumed
      ? {
          resumed: {
            id: deps.resumed.id,
            lastStep: deps.resumed.last.step,
            lastState: deps.resumed.last.state,
            at: deps.resumed.last.ts,
          },
        }
      : {}),
    steps: playbook.steps.map((s) => ({ id: s.id, title: s.title, severity: s.severity })),
  });
  await record({ step: '-', state: deps.resumed ? 'resume' : 'begin', note: playbook.title });

  for (const [i, step] of playbook.steps.entries()) {
    if (deps.signal?.aborted) {
      await recordFailure({ step: step.id, state: 'cancelled', note: 'interrupted' });
      stepEvent(step, i, 'cancelled', { reason: 'interrupted' });
      end('cancelled');
      throw withResume(new CliError('interrupted', { code: 'cancelled' }), resume);
    }

    // Never trust memory: what an earlier step (or an earlier run) did is read back from the server.
    let check: CheckResult;
    try {
      check = await step.check(state);
    } catch (err) {
      if (deps.planOnly) {
        stepEvent(step, i, 'planned', { check: 'blocked', reason: messageOf(err) });
        result.steps.push({ id: step.id, state: 'planned', check: 'blocked' });
        continue;
      }
      await recordFailure({ step: step.id, state: 'failed', note: `check: ${messageOf(err)}` });
      stepEvent(step, i, 'failed', { reason: messageOf(err) });
      end('failed');
      throw stepFailure(step, err, resume, deps.mapError, 'could not be checked');
    }

    if (deps.planOnly) {
      stepEvent(step, i, 'planned', {
        check: checkWord(check),
        explain: step.explain,
        ...(typeof check === 'object' ? { reason: check.blocked } : {}),
      });
      result.steps.push({ id: step.id, state: 'planned', check: checkWord(check) });
      continue;
    }
    if (check === 'done') {
      ran.push(ranLabel(step, i));
      await record({ step: step.id, state: 'skipped', note: 'already done (live check)' });
      stepEvent(step, i, 'skipped', { reason: 'already done' });
      result.steps.push({ id: step.id, state: 'skipped' });
      continue;
    }
    if (typeof check === 'object') {
      await recordFailure({ step: step.id, state: 'blocked', note: check.blocked });
      stepEvent(step, i, 'blocked', { reason: check.blocked });
      end('blocked');
      throw new CliError(`cannot run "${step.title}": ${check.blocked}`, {
        code: 'needs_recovery',
        hint: check.hint ? `${check.hint} Then resume with: ${resume}` : `Resume with: ${resume}`,
        details: { step: step.id, resume },
      });
    }

    stepEvent(step, i, 'pending', { explain: step.explain, target: `${playbook.server.id} (${playbook.server.host})` });
    // Confirm in proportion to risk: a read-only step needs no answer.
    if (!deps.yes && step.severity !== 'safe') {
      let ok: boolean;
      try {
        ok = await deps.confirmer.confirm({
          playbook: playbook.name,
          stepId: step.id,
          title: step.title,
          explain: step.explain,
          severity: step.severity,
          host: playbook.server.host,
          server: playbook.server.id,
          ...(step.optional ? { optional: true } : {}),
        });
      } catch (err) {
        await recordFailure({ step: step.id, state: 'cancelled', note: messageOf(err) });
        stepEvent(step, i, 'cancelled', { reason: messageOf(err) });
        end('cancelled');
        throw err;
      }
      if (!ok && step.optional) {
        await record({ step: step.id, state: 'declined', note: 'optional step: operator answered no' });
        stepEvent(step, i, 'declined', { reason: 'optional; answered no' });
        result.steps.push({ id: step.id, state: 'declined' });
        continue;
      }
      if (!ok) {
        await recordFailure({ step: step.id, state: 'cancelled', note: 'operator answered no' });
        stepEvent(step, i, 'cancelled', { reason: 'operator answered no' });
        end('cancelled');
        throw new CliError(`cancelled before "${step.title}"; nothing was changed by this step`, {
          code: 'cancelled',
          hint: `To continue later: ${resume}`,
          details: { step: step.id, resume },
        });
      }
    }

    const started = now();
    await record({ step: step.id, state: 'started' });
    stepEvent(step, i, 'running');
    let verdict: Awaited<ReturnType<Step<C>['verify']>>;
    try {
      await step.run(state);
      verdict = await step.verify(state);
    } catch (err) {
      await recordFailure({ step: step.id, state: 'failed', note: messageOf(err) });
      stepEvent(step, i, 'failed', { reason: messageOf(err), duration_ms: now() - started });
      end('failed');
      if (localFaultCode(err)) throw stepLocalFault(step.title, err, ran, resume);
      throw stepFailure(step, err, resume, deps.mapError, 'failed');
    }
    if (typeof verdict === 'object' && 'replan' in verdict) {
      // Not a failure: the step taught us something (a refused key, a 400) that needs a new decision.
      await record({ step: step.id, state: 'replanned', note: verdict.replan });
      stepEvent(step, i, 'replanned', { reason: verdict.replan, duration_ms: now() - started });
      result.steps.push({ id: step.id, state: 'replanned' });
      end('replan');
      return { ...result, outcome: 'replan', replan: { step: step.id, reason: verdict.replan } };
    }
    if (verdict !== true) {
      const why = verdict === false ? 'the server does not show the expected state' : verdict.failed;
      await recordFailure({ step: step.id, state: 'failed', note: `verify: ${why}` });
      stepEvent(step, i, 'failed', { reason: why, duration_ms: now() - started });
      end('failed');
      throw new CliError(`"${step.title}" ran, but the check afterwards failed: ${why}`, {
        code: 'needs_recovery',
        hint: `Resume with: ${resume}`,
        details: { step: step.id, resume },
      });
    }
    ran.push(ranLabel(step, i));
    await record({ step: step.id, state: 'done' });
    stepEvent(step, i, 'done', { duration_ms: now() - started });
    result.steps.push({ id: step.id, state: 'done' });
  }

  if (deps.planOnly) {
    end('planned');
    return result;
  }
  await record({ step: '-', state: 'finished' });
  end('finished');
  return result;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withResume(err: CliError, resume: string): CliError {
  return new CliError(err.message, {
    code: err.code,
    hint: err.hint ? `${err.hint} Then resume with: ${resume}` : `Resume with: ${resume}`,
    cause: err.cause ?? err,
    details: { ...(err.details ?? {}), resume },
  });
}

/** Keeps the cause's exit code and hint (e.g. "log in first"), and always ends with the resume command. */
function stepFailure<C>(
  step: Step<C>,
  err: unknown,
  resume: string,
  mapError: EngineDeps['mapError'],
  verb: string,
): CliError {
  const mapped = err instanceof CliError ? err : mapError?.(err);
  const base = mapped ?? new CliError(messageOf(err), { code: 'error', cause: err });
  const wrapped = new CliError(`"${step.title}" ${verb}: ${base.message}`, {
    code: base.code,
    hint: base.hint,
    cause: err,
    details: { ...(base.details ?? {}), step: step.id },
  });
  return withResume(wrapped, resume);
}
