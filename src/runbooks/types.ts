/**
 * A documented key-management scenario, told for a terminal. Text is written for
 * pikactl (not copied from the upstream guide) and each one ends with the
 * commands that carry it out. `divergences` is where the upstream guide and the
 * server code (shared/pika-api.md §14) disagree; we say so plainly.
 */
export interface Runbook {
  name: string;
  title: string;
  /** One line for `runbook list`. */
  summary: string;
  /** When this applies, and what is at stake. */
  when: string;
  steps: string[];
  divergences: string[];
  commands: Array<{ run: string; why: string }>;
}
