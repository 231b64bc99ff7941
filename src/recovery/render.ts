import type { Style } from '../io/types.js';
import {
  describeAction,
  describeCheck,
  isLocked,
  RESTORE_WHY,
  type KeyObservation,
  type KeyRole,
  type Observation,
  type Check,
  type RecoveryPlan,
} from './decision.js';
import { keyValues } from '../output/layout.js';
import { targetFlags } from '../output/target-flags.js';
import { serverText } from '../output/server-text.js';

/**
 * Words for recover-rotation's output: what was seen, what pikactl decided, and the
 * restore path as numbered instructions. Pure: strings in, strings out. Nothing here
 * ever holds a key (the observation only knows "accepted", "refused"…).
 */

export interface RenderInfo {
  /** ServerUrl.id, for the commands printed in instructions. */
  server: string;
  /** The --new-key-from value the operator used, if it is safe to repeat (never a cmd: line). */
  newKeyFrom?: string;
  /** Where each key came from ("prompt", "env:NEW_KEY"…), to say which typed key to check. Never a value. */
  sources?: Partial<Record<KeyRole, string>>;
}

function statusLine(obs: Observation): string {
  const s = obs.status;
  switch (s.kind) {
    case 'not_probed':
      return 'not read yet';
    case 'ok':
      return !s.initialized ? 'encryption not initialized' : s.unlocked ? 'unlocked' : 'locked';
    case 'locked':
      return 'locked (503 from the lock gate)';
    case 'server_error':
      return `HTTP ${s.status}: ${serverText(s.message)}`;
    case 'unreachable':
      return `no answer: ${serverText(s.message)}`;
  }
}

function settingsLine(obs: Observation): string {
  const st = obs.settings;
  if (st.kind === 'readable') return 'open under the live key';
  if (st.kind === 'unreadable') return `do NOT open under the live key (HTTP ${st.status}: ${serverText(st.message)})`;
  return 'not read';
}

function keyLine(obs: Observation, k: KeyRole): string {
  if (!obs.held[k]) return 'not supplied';
  const p: KeyObservation = obs.keys[k];
  switch (p.kind) {
    case 'not_tried':
      return 'not sent';
    case 'accepted':
      return 'accepted by the verifier';
    case 'wrong_key':
      return 'refused by the verifier';
    case 'rate_limited':
      return 'not checked: rate limited (429)';
    case 'error':
      return `no verdict (${p.status ?? 'error'}: ${serverText(p.message)})`;
  }
}

export function observationLines(obs: Observation): Array<[string, string]> {
  const lines: Array<[string, string]> = [
    ['key/status', statusLine(obs)],
    ['settings', settingsLine(obs)],
  ];
  // Before any key was asked for (unreachable, not initialized) there is nothing to say about keys.
  if (obs.held.old || obs.held.new) lines.push(['new key', keyLine(obs, 'new')], ['old key', keyLine(obs, 'old')]);
  return lines;
}

type ManualPlan = Extract<RecoveryPlan, { code: 'restore' | 'keys_refused' }>;

/** The command that runs recover-rotation again with the keys from the keychain. */
export function keychainRetry(r: RenderInfo): string {
  return `pikactl recover-rotation ${targetFlags(r.server)} --old-key-from keychain:server-key-previous --new-key-from keychain:server-key-pending`;
}

/**
 * The instructions, one per step, built from the observation as it is NOW (the caller
 * re-reads key/status first): a locked server is not told to restart, and a new key its
 * verifier refused is not offered again. keys_refused starts with checking the keys.
 */
export function restoreInstructions(plan: ManualPlan, obs: Observation, r: RenderInfo): string[] {
  const s = targetFlags(r.server);
  const keyFrom = r.newKeyFrom ?? 'SPEC';
  const locked = isLocked(obs.status);
  const newRefused = obs.keys.new.kind === 'wrong_key';
  const seen =
    obs.settings.kind === 'unreadable' || obs.status.kind === 'server_error'
      ? 'Seen now: they do NOT open under the key in memory.'
      : obs.settings.kind === 'readable'
        ? 'Seen now: they open.'
        : 'Not seen yet: the server was locked or did not answer.';
  // A heading is printed as is; the steps are numbered. BACKUP is replaced by the backup step's number.
  const items: Array<{ text: string; heading?: true }> = [];
  if (plan.code === 'keys_refused') {
    const typed = plan.refused.filter((k) => r.sources?.[k] === 'prompt');
    items.push(
      {
        text:
          `Check the ${plan.refused.length > 1 ? 'keys' : `${plan.refused[0]} key`} for a typo${typed.length ? ` (typed at the prompt: the ${typed.join(' and the ')} key)` : ''},\n` +
          `   or take them from the keychain entries \`rotate --save-to-keychain\` keeps (pikactl keychain list ${s}):\n` +
          `   ${keychainRetry(r)}\n` +
          '   (Before a rotation that went through the keychain, the old key is keychain:server-key.)',
      },
      { text: 'Only if no key you can find opens it, the restore path (a last resort):', heading: true },
    );
  }
  if (!locked) {
    items.push({
      text:
        'Restart the Pika process (or roll its pod): it comes back locked, with no key in memory. pikactl cannot do this for you.\n' +
        `   Watch for it: pikactl status ${s} --wait 5m --for locked`,
    });
  }
  if (locked && newRefused) {
    items.push({
      text: 'It is locked already, with no key in memory, and its verifier refused the new key: only a backup is left.',
      heading: true,
    });
  } else {
    items.push(
      {
        text:
          `${locked ? 'It is locked already, with no key in memory. ' : ''}Unlock it with the NEW key: pikactl unlock ${s} --key-from ${keyFrom}` +
          (newRefused
            ? '\n   (The verifier refused the new key in this run: unless you find the key it runs on, go on to step BACKUP.)'
            : ''),
      },
      {
        text:
          `Inspect the settings: pikactl recover-rotation ${s} --plan   (reads key/status and the settings; sends no key)\n` +
          '   All secrets sit in ONE sealed blob that opens whole or not at all: if the settings open, every secret is intact and\n' +
          '   you can stop here; if they answer 500, all of them are lost together (there is no half-garbled slot to pick out).\n' +
          `   ${seen}`,
      },
    );
  }
  items.push({
    text:
      'Restore a backup taken while you held its key (web UI, or POST /api/v1/backup), unlock with that key, then rotate\n' +
      `   to a key you keep: pikactl unlock ${s} --key-from SPEC, then pikactl rotate ${s} --current-key-from SPEC --new-key-from SPEC --confirm-saved`,
  });
  const backup = items.filter((i) => !i.heading).length;
  let n = 0;
  return items.map((i) => (i.heading ? i.text : `${++n}. ${i.text.replace('step BACKUP', `step ${backup}`)}`));
}

function missingKeyLine(obs: Observation): string[] {
  if (!obs.held.old) return ['The old key was not given: with it (--old-key-from) pikactl could go back to it.'];
  if (!obs.held.new) return ['The new key was not given (--new-key-from).'];
  return [];
}

/** The diagnosis block: findings, decision, and what happens next. */
export function renderDiagnosis(
  plan: RecoveryPlan,
  obs: Observation,
  style: Style,
  r: RenderInfo,
  skipped?: Check,
): string {
  const out: string[] = [style.bold(plan.title)];
  out.push(...keyValues(observationLines(obs), { indent: '  ', width: 12 }));
  if (skipped) {
    const p = describeCheck(skipped);
    out.push(
      '',
      `Next, pikactl would ${p.title}: skipped in --plan mode (${p.countsTowardRateLimit ? 'a wrong key counts toward the unlock rate limit' : 'it changes state'}).`,
      'Run without --plan to go on; every step that changes something is confirmed first.',
    );
    return `${out.join('\n')}\n`;
  }
  if (plan.code === 'restore') {
    out.push('', RESTORE_WHY[plan.reason], '', 'What to do now:', ...restoreInstructions(plan, obs, r));
    return `${out.join('\n')}\n`;
  }
  if (plan.code === 'keys_refused') {
    out.push(
      '',
      'A refused key changes nothing on the server (each refusal counts toward the unlock rate limit).',
      ...missingKeyLine(obs),
      '',
      'What to do now:',
      ...restoreInstructions(plan, obs, r),
    );
    return `${out.join('\n')}\n`;
  }
  // The explanation and actions can quote what the server answered (text.ts): rendered safe.
  out.push('', serverText(plan.explanation, { multiline: true, max: 4000 }));
  const manual = plan.actions.filter((a) => a.kind === 'manual' || a.kind === 'wait');
  if (manual.length > 0)
    out.push(
      '',
      'What to do now:',
      ...manual.map(
        (a, i) => `${i + 1}. ${serverText(describeAction(a, targetFlags(r.server)), { multiline: true, max: 4000 })}`,
      ),
    );
  return `${out.join('\n')}\n`;
}

/** The --json event for one diagnosis round (no secret: the observation holds verdicts, never keys). */
export function diagnosisEvent(
  round: number,
  plan: RecoveryPlan,
  obs: Observation,
  r: RenderInfo,
  skipped?: Check,
): Record<string, unknown> {
  return {
    event: 'diagnosis',
    round,
    server: r.server,
    plan: plan.code,
    ...('reason' in plan ? { reason: plan.reason } : {}),
    ...('key' in plan ? { key: plan.key } : {}),
    title: plan.title,
    explanation: plan.explanation,
    observed: Object.fromEntries(observationLines(obs).map(([k, v]) => [k.replace(/[/ ]/g, '_'), v])),
    actions: plan.actions.map((a) => describeAction(a, targetFlags(r.server))),
    ...('refused' in plan ? { refused: plan.refused } : {}),
    ...(plan.code === 'restore' || plan.code === 'keys_refused'
      ? { instructions: restoreInstructions(plan, obs, r) }
      : {}),
    ...(skipped ? { skipped: describeCheck(skipped).title } : {}),
    exit_code: plan.exitCode,
  };
}
