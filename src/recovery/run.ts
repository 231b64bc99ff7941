import type { PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import type { CliError } from '../errors.js';
import { ExitCode } from '../errors.js';
import {
  emptyObservation,
  planFromToken,
  planToken,
  type KeyObservation,
  type Observation,
  type RecoveryPlan,
} from './decision.js';
import type { Secret } from '../secrets/secret.js';
import { decideRecovery, isLocked, type StatusObservation } from './decision.js';
import { diagnose, observeStatus, type Diagnosis } from './diagnose.js';
import { runPlaybook } from '../playbooks/engine.js';
import {
  createJournal,
  findUnfinishedJournal,
  reopenJournal,
  type Journal,
  type JournalSummary,
} from '../playbooks/journal.js';
import { diagnosisEvent, renderDiagnosis, type RenderInfo } from './render.js';
import { recoverySteps, RUNNABLE, type RecoveryState } from './steps.js';
import type { RecoveryKeys } from './keys.js';
import type { Confirmer, EventSink, Playbook, Step } from '../playbooks/types.js';
import { targetFlags } from '../output/target-flags.js';
import { jsonText } from '../output/json.js';

/**
 * recover-rotation's loop: diagnose → if pikactl can carry the plan out, run it as a
 * playbook (each step re-checked, confirmed, verified, journaled) → fold what the
 * steps learned into the observation → diagnose again. Stops at a plan it cannot
 * carry out (nothing to do, restore, unknown key…) with that plan's exit code.
 */

export interface RecoveryRunDeps {
  ctx: Deps;
  client: PikaClient;
  server: ServerUrl;
  keys: RecoveryKeys;
  yes: boolean;
  planOnly: boolean;
  json: boolean;
  confirmer: Confirmer;
  /** Playbook events (human or JSON lines). */
  events: EventSink;
  resumeCommand: string;
  render: RenderInfo;
  mapError(err: unknown): CliError | undefined;
}

export type RecoveryEnd = RecoveryPlan['code'] | 'consistent_on_old';

const PLAYBOOK = 'recover-rotation';
/** An unfinished journal older than this belongs to another incident: diagnose afresh instead. */
const RESUME_WINDOW_MS = 24 * 3600_000;
const VERDICT: Record<KeyObservation['kind'], string> = {
  not_tried: 'not sent',
  accepted: 'the verifier accepts it',
  wrong_key: 'the verifier refused it (it will not be sent again)',
  rate_limited: 'rate limited (429)',
  error: 'no verdict',
};
const SHORT_TITLE: Partial<Record<RecoveryPlan['code'], string>> = {
  revert_to_old: 'Go back to the old key',
  runbook_retry: "Retry the rotation the runbook's way",
  still_on_old_key: 'Check the old key, then rotate again',
};

export async function runRecovery(d: RecoveryRunDeps): Promise<{ end: RecoveryEnd; exitCode: number }> {
  const { ctx, server } = d;
  const io = ctx.io;
  // jsonText: redacted, capped, no raw C1/bidi (the observations quote the server).
  const emit = (e: Record<string, unknown>) => io.stdout.write(`${jsonText(e)}\n`);
  const note = (text: string) => (d.json ? emit({ event: 'note', text }) : io.stderr.write(`${text}\n`));
  const guard = Object.values(d.keys.keys).filter((k): k is Secret => k !== undefined);
  const stepState: RecoveryState = {
    client: d.client,
    server,
    keys: d.keys.keys,
    held: d.keys.held,
    obs: undefined as unknown as Observation,
    signal: ctx.signal,
    outcome: new Map(),
  };
  let journal: Journal | undefined;
  let offered = false;

  const report = (round: number, dg: Diagnosis, final: boolean) => {
    if (d.json) return emit(diagnosisEvent(round, dg.plan, dg.obs, d.render, dg.skipped));
    const text = renderDiagnosis(dg.plan, dg.obs, io.style, d.render, dg.skipped);
    (final || d.planOnly ? io.stdout : io.stderr).write(`${final || d.planOnly ? '' : '\n'}${text}`);
  };
  const finish = async (end: RecoveryEnd, exitCode: number) => {
    if (journal) await journal.append({ step: '-', state: 'finished', note: `stopped at ${end} (exit ${exitCode})` });
    if (d.json) emit({ event: 'result', ok: exitCode === 0, server: server.id, outcome: end, exit_code: exitCode });
    return { end, exitCode };
  };
  const playbook = (plan: RecoveryPlan, steps: Step<RecoveryState>[]): Playbook<RecoveryState> => ({
    name: PLAYBOOK,
    title:
      SHORT_TITLE[plan.code] ??
      (plan.code === 'unlock_then_rediagnose' ? `Unlock with the ${plan.key} key` : plan.title),
    server,
    steps,
    state: stepState,
    resumeCommand: d.resumeCommand,
  });
  /** Runs a plan's steps; 'declined' when the operator skipped the offered re-rotation. */
  const carryOut = async (
    plan: RecoveryPlan,
    steps: Step<RecoveryState>[],
    obs: Observation,
    resumed?: JournalSummary,
  ) => {
    journal ??= await createJournal(ctx, { playbook: PLAYBOOK, server: server.id, guard });
    await journal.append({ step: 'plan', state: 'decided', note: planToken(plan) });
    stepState.obs = obs;
    stepState.outcome.clear();
    const res = await runPlaybook(playbook(plan, steps), {
      confirmer: d.confirmer,
      events: d.events,
      journal,
      resumed,
      yes: d.yes,
      planOnly: false,
      signal: ctx.signal,
      mapError: d.mapError,
    });
    // Offered once the run reached the optional step (ran, declined, or found it done), not before.
    if (steps.some((s) => s.optional && res.steps.some((r) => r.id === s.id))) offered = true;
    if (res.outcome === 'replan') note(`${res.replan?.reason ?? 'The plan changed'}: diagnosing again.`);
    // Declined re-rotation: "consistent on the old key" only if this run saw the verifier take it
    // (a resumed run may have skipped that unlock as done); otherwise diagnose again.
    return res.steps.some((s) => s.state === 'declined') && stepState.obs.keys.old.kind === 'accepted'
      ? 'declined'
      : res.outcome;
  };
  const consistentOnOld = async () => {
    const s = targetFlags(server);
    if (!d.json) {
      io.stdout.write(
        `${server.id} is consistent on the OLD key: it is unlocked and its settings open. The rotation was not run again.\n` +
          `Keep the old key. When you are ready: pikactl rotate ${s} --current-key-from SPEC --new-key-from SPEC --confirm-saved\n`,
      );
    }
    return finish('consistent_on_old', ExitCode.OK);
  };

  let obs: Observation | undefined;
  if (!d.planOnly) {
    const resumed = await tryResume(d, stepState, note);
    if (resumed) {
      journal = resumed.journal;
      if ((await carryOut(resumed.plan, resumed.steps, stepState.obs, resumed.summary)) === 'declined')
        return consistentOnOld();
      obs = stepState.obs;
    }
  }

  for (let round = 1; round <= 8; round++) {
    // Never trust memory: status and settings are read again every round; what keys did is kept.
    const from = obs && { ...obs, status: { kind: 'not_probed' as const }, settings: { kind: 'not_probed' as const } };
    const locks: Promise<void>[] = [];
    const dg = await diagnose(d.client, {
      keys: d.keys.keys,
      from: from ?? emptyFrom(d.keys),
      readOnly: d.planOnly,
      signal: ctx.signal,
      server,
      confirmLock: async (info) =>
        d.yes ||
        d.confirmer.confirm({
          playbook: PLAYBOOK,
          stepId: 'diagnostic-lock',
          title: info.title,
          explain: info.why,
          severity: 'severe',
          host: server.host,
          server: server.id,
        }),
      onCheck: (probe, update) => {
        if (probe.kind === 'lock' && update.kind === 'lock') {
          note(
            update.result === 'done'
              ? 'Locked the server to see which key the verifier takes.'
              : 'Diagnostic lock declined.',
          );
          locks.push(
            (async () => {
              journal ??= await createJournal(ctx, { playbook: PLAYBOOK, server: server.id, guard });
              await journal.append({ step: 'diagnostic-lock', state: update.result === 'done' ? 'done' : 'declined' });
            })(),
          );
        }
        if (probe.kind === 'unlock' && update.kind === 'unlock' && !d.json)
          note(`Sent the ${probe.key} key once: ${VERDICT[update.result.kind]}.`);
      },
    });
    await Promise.all(locks);
    obs = dg.obs;
    // The re-rotation is offered once per run, and only with both keys in hand.
    const mayOffer = !offered && d.keys.held.old && d.keys.held.new;
    const steps = recoverySteps(dg.plan, { offerRotation: mayOffer });
    if (d.planOnly) return planOnly(d, dg, steps, report);
    // The diagnosis read the settings: consistent on the old key, a key the operator holds.
    if (dg.plan.code === 'still_on_old_key' && !mayOffer) return consistentOnOld();
    if (steps.length === 0) {
      // Instructions are for the server as it is when they are printed, not as it was at the start of the round.
      const now = INSTRUCTIONS.has(dg.plan.code) ? await observeStatus(d.client, ctx.signal) : undefined;
      if (now && liveState(now) !== liveState(dg.obs.status) && round < 8) {
        note(`The server changed while pikactl looked (key/status now: ${liveState(now)}): diagnosing again.`);
        obs = dg.obs;
        continue;
      }
      const final = now ? withStatus(dg, now) : dg;
      report(round, final, true);
      return finish(final.plan.code, final.plan.exitCode);
    }
    report(round, dg, false);
    if ((await carryOut(dg.plan, steps, obs)) === 'declined') return consistentOnOld();
    obs = stepState.obs;
  }
  throw new Error('recover-rotation did not settle after 8 rounds (a bug: please report it)');
}

/** Plans that end in instructions for the operator: re-checked against key/status right before they are printed. */
const INSTRUCTIONS: ReadonlySet<RecoveryPlan['code']> = new Set(['restore', 'keys_refused', 'unknown_key']);

function liveState(s: StatusObservation): string {
  if (isLocked(s)) return 'locked';
  if (s.kind === 'ok') return s.initialized ? 'unlocked' : 'not initialized';
  return s.kind === 'server_error' ? `HTTP ${s.status}` : s.kind;
}

function withStatus(dg: Diagnosis, status: StatusObservation): Diagnosis {
  const obs = { ...dg.obs, status };
  return { ...dg, obs, plan: decideRecovery(obs) };
}

function emptyFrom(keys: RecoveryKeys): Observation {
  return emptyObservation(keys.held);
}

/** --plan: the diagnosis and the steps with their live check, nothing sent but GETs. */
async function planOnly(
  d: RecoveryRunDeps,
  dg: Diagnosis,
  steps: Step<RecoveryState>[],
  report: (r: number, dg: Diagnosis, final: boolean) => void,
) {
  report(1, dg, true);
  if (steps.length > 0) {
    const stepState: RecoveryState = {
      client: d.client,
      keys: d.keys.keys,
      held: d.keys.held,
      obs: dg.obs,
      signal: d.ctx.signal,
      outcome: new Map(),
    };
    await runPlaybook(
      { name: PLAYBOOK, title: 'Steps', server: d.server, steps, state: stepState, resumeCommand: d.resumeCommand },
      {
        confirmer: d.confirmer,
        events: d.events,
        yes: d.yes,
        planOnly: true,
        signal: d.ctx.signal,
        mapError: d.mapError,
      },
    );
    if (!d.json) d.ctx.io.stdout.write('After these steps pikactl diagnoses again.\n');
  }
  const s = dg.obs.status;
  // Healthy and only the key is unknown (an unlock probe was skipped): nothing looks broken.
  const healthy = dg.skipped?.kind === 'unlock' && s.kind === 'ok' && s.unlocked && dg.obs.settings.kind === 'readable';
  const exitCode = healthy ? ExitCode.OK : dg.plan.exitCode;
  if (d.json)
    d.ctx.io.stdout.write(
      `${jsonText({ event: 'result', ok: exitCode === 0, server: d.server.id, outcome: dg.plan.code, plan: true, exit_code: exitCode })}\n`,
    );
  return { end: dg.plan.code, exitCode };
}

/**
 * An unfinished journal for this server (cancelled, failed, crashed) whose last plan
 * still fits the live state: its steps are run again, the done ones skipped by their
 * live checks. A plan that no longer fits is dropped for a fresh diagnosis.
 */
async function tryResume(d: RecoveryRunDeps, stepState: RecoveryState, note: (t: string) => void) {
  const found = await findUnfinishedJournal(d.ctx, PLAYBOOK, d.server.id);
  if (!found || d.ctx.clock.now() - Date.parse(found.last.ts) > RESUME_WINDOW_MS) return undefined;
  const token = [...found.records].reverse().find((r) => r.state === 'decided')?.note;
  stepState.obs = emptyFrom(d.keys);
  const plan = token ? planFromToken(token, stepState.obs) : undefined;
  const steps =
    plan && RUNNABLE.has(plan.code) ? recoverySteps(plan, { offerRotation: d.keys.held.old && d.keys.held.new }) : [];
  const journal = await reopenJournal(d.ctx, found, {
    playbook: PLAYBOOK,
    server: d.server.id,
    guard: Object.values(d.keys.keys).filter((k): k is Secret => !!k),
  });
  let why = plan ? 'every step of its plan is done' : 'it had not chosen a plan yet';
  for (const step of steps) {
    const c = await step.check(stepState);
    if (c === 'done') continue;
    if (c === 'pending') return { plan: plan!, steps, summary: found, journal };
    why = 'its plan no longer fits the server';
    break;
  }
  note(
    `An earlier run (${found.id}) stopped at "${found.last.step}" (${found.last.state}); ${why}, so pikactl diagnoses afresh.`,
  );
  // Closed, so the next run does not offer it again; this run keeps its own journal.
  await journal.append({ step: '-', state: 'finished', note: `not resumed: ${why}` });
  return undefined;
}
