import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/errors.js';
import { runPlaybook } from '../../src/playbooks/engine.js';
import { createJournal, readJournal } from '../../src/playbooks/journal.js';
import type { Step } from '../../src/playbooks/types.js';
import { testContext } from '../support/context.js';
import { eventLog, FakeConfirmer, flagStep, playbook, SERVER, world, type World } from './fixtures.js';

/** Engine options recover-rotation relies on: read-only steps, optional steps, and a verify that asks to replan. */
const journalFor = (ctx: ReturnType<typeof testContext>) =>
  createJournal(ctx, { playbook: 'test-playbook', server: SERVER.id });
const states = async (path: string) => (await readJournal(path)).map((r) => `${r.step}:${r.state}`);

function replanStep(id: string, reason: string): Step<World> {
  return { ...flagStep(id), verify: async () => ({ replan: reason }) };
}

describe('runPlaybook: safe, optional and replan', () => {
  it('a safe (read-only) step runs without asking', async () => {
    const ctx = testContext();
    const confirmer = new FakeConfirmer([true]);
    const w = world();
    await runPlaybook(playbook(w, [flagStep('read', { severity: 'safe' }), flagStep('write')]), {
      confirmer,
      events: () => {},
      journal: await journalFor(ctx),
      yes: false,
      planOnly: false,
    });
    expect(confirmer.asked.map((a) => a.stepId)).toEqual(['write']);
    expect(w.ran).toEqual(['read', 'write']);
  });

  it('No to an optional step skips it and the run goes on (not 130)', async () => {
    const ctx = testContext();
    const w = world();
    const opt = { ...flagStep('maybe', { severity: 'severe' }), optional: true };
    const log = eventLog();
    const journal = await journalFor(ctx);
    const confirmer = new FakeConfirmer([false, true]);
    const res = await runPlaybook(playbook(w, [opt, flagStep('after')]), {
      confirmer,
      events: log.sink,
      journal,
      yes: false,
      planOnly: false,
    });
    expect(res.outcome).toBe('finished');
    expect(res.steps).toEqual([
      { id: 'maybe', state: 'declined' },
      { id: 'after', state: 'done' },
    ]);
    expect(confirmer.asked[0]).toMatchObject({ stepId: 'maybe', optional: true });
    expect(w.ran).toEqual(['after']);
    expect(log.steps()).toContain('maybe:declined');
    expect(await states(journal.path)).toContain('maybe:declined');
  });

  it('No to a required step still cancels with 130', async () => {
    const ctx = testContext();
    const err = await runPlaybook(playbook(world(), [flagStep('a')]), {
      confirmer: new FakeConfirmer([false]),
      events: () => {},
      journal: await journalFor(ctx),
      yes: false,
      planOnly: false,
    }).catch((e: unknown) => e);
    expect((err as CliError).exitCode).toBe(ExitCode.CANCELLED);
  });

  it('--yes runs optional steps', async () => {
    const ctx = testContext();
    const w = world();
    await runPlaybook(playbook(w, [{ ...flagStep('maybe'), optional: true }]), {
      confirmer: new FakeConfirmer(),
      events: () => {},
      journal: await journalFor(ctx),
      yes: true,
      planOnly: false,
    });
    expect(w.ran).toEqual(['maybe']);
  });

  it('a replan verdict ends the run early without an error, and the journal stays open for the caller', async () => {
    const ctx = testContext();
    const w = world();
    const log = eventLog();
    const journal = await journalFor(ctx);
    const res = await runPlaybook(
      playbook(w, [replanStep('probe', 'the verifier refused the old key'), flagStep('next')]),
      { confirmer: new FakeConfirmer(), events: log.sink, journal, yes: true, planOnly: false },
    );
    expect(res).toMatchObject({
      outcome: 'replan',
      replan: { step: 'probe', reason: 'the verifier refused the old key' },
    });
    expect(w.ran).toEqual(['probe']);
    expect(log.events.at(-1)).toEqual({ event: 'end', playbook: 'test-playbook', outcome: 'replan' });
    const s = await states(journal.path);
    expect(s.at(-1)).toBe('probe:replanned');
    expect(s).not.toContain('-:finished');
  });

  it('a failed verify is still a failure (exit 8) and not a replan', async () => {
    const ctx = testContext();
    const err = await runPlaybook(playbook(world(), [flagStep('a', { noop: true })]), {
      confirmer: new FakeConfirmer(),
      events: () => {},
      journal: await journalFor(ctx),
      yes: true,
      planOnly: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.NEEDS_RECOVERY);
  });
});
