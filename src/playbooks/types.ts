import type { ServerUrl } from '../api/url.js';

/**
 * Playbooks as data. A step never trusts what an earlier step did: `check` reads
 * live state, `verify` reads it again after `run`. The engine (engine.ts) adds
 * confirmation, events and the journal around them.
 */

export type Severity = 'safe' | 'normal' | 'severe';

/** From live state: already done, still to do, or impossible right now (and why). */
export type CheckResult = 'done' | 'pending' | { blocked: string; hint?: string };

/**
 * true: the step did what it should. failed: it did not (the run stops, exit 8).
 * replan: it ran and taught us something that changes the plan (e.g. the verifier
 * refused a key): the run ends early, without failing, and the caller decides again.
 */
export type VerifyResult = boolean | { failed: string } | { replan: string };

export interface Step<C> {
  /** Stable, kebab-case: used in the journal and in --json events. */
  id: string;
  title: string;
  /** What will change on the server (or elsewhere) when this step runs. */
  explain: string;
  /**
   * safe: read-only, runs without confirmation. normal: yes/no. severe: type the host name.
   */
  severity: Severity;
  /** Offered, not required: answering No skips it (the run goes on) instead of cancelling. --yes runs it. */
  optional?: boolean;
  check(state: C): Promise<CheckResult>;
  run(state: C): Promise<void>;
  verify(state: C): Promise<VerifyResult>;
}

export interface Playbook<C> {
  /** kebab-case, e.g. "recover-rotation"; part of the journal file name. */
  name: string;
  title: string;
  server: ServerUrl;
  steps: ReadonlyArray<Step<C>>;
  /** What each step's check/run/verify receives (API client, keys, signal…). */
  state: C;
  /** The exact command that resumes this playbook; printed as the hint of every failure. */
  resumeCommand: string;
}

/** What a Confirmer is asked about: the step and the server it acts on. */
export interface ConfirmRequest {
  playbook: string;
  stepId: string;
  title: string;
  explain: string;
  severity: Severity;
  /** Host name the operator must type for severe steps. */
  host: string;
  /** No skips this step instead of cancelling the run. */
  optional?: boolean;
  /** The full server id (URL with base path), shown as the target. */
  server: string;
}

/** IO-free: the interactive implementation lives in confirm.ts. */
export interface Confirmer {
  confirm(req: ConfirmRequest): Promise<boolean>;
}

export type StepEventState =
  | 'planned'
  | 'pending'
  | 'running'
  | 'skipped'
  | 'done'
  | 'failed'
  | 'blocked'
  | 'cancelled'
  /** An optional step the operator answered No to. */
  | 'declined'
  /** The step ran and its result changes the plan (verify said replan). */
  | 'replanned';

export type PlaybookEvent =
  | {
      event: 'start';
      playbook: string;
      title: string;
      server: string;
      plan: boolean;
      journal?: string;
      /** Present when this run resumes an unfinished journal. */
      resumed?: { id: string; lastStep: string; lastState: string; at: string };
      steps: Array<{ id: string; title: string; severity: Severity }>;
    }
  | {
      event: 'step';
      id: string;
      /** 1-based position and count, for "step 2/4". */
      index: number;
      total: number;
      title: string;
      severity: Severity;
      optional?: boolean;
      state: StepEventState;
      /** planned: what the live check said now. */
      check?: 'done' | 'pending' | 'blocked';
      explain?: string;
      target?: string;
      reason?: string;
      duration_ms?: number;
    }
  | {
      event: 'end';
      playbook: string;
      outcome: 'finished' | 'planned' | 'replan' | 'failed' | 'blocked' | 'cancelled';
      resume?: string;
    };

export type EventSink = (e: PlaybookEvent) => void;
