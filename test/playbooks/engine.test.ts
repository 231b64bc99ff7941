import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/errors.js';
import { runPlaybook } from '../../src/playbooks/engine.js';
import {
  createJournal,
  findUnfinishedJournal,
  journalDir,
  readJournal,
  reopenJournal,
} from '../../src/playbooks/journal.js';
import { humanSink, jsonLinesSink } from '../../src/output/playbook-events.js';
import { testContext } from '../support/context.js';
import { eventLog, FakeConfirmer, flagStep, playbook, RESUME, SERVER, world } from './fixtures.js';

const journalFor = (ctx: ReturnType<typeof testContext>) =>
  createJournal(ctx, { playbook: 'test-playbook', server: SERVER.id });

async function failure(p: Promise<unknown>): Promise<CliError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe('runPlaybook', () => {
  it('runs every pending step in order, confirming each, and journals it', async () => {
    const ctx = testContext();
    const w = world();
    const log = eventLog();
    const journal = await journalFor(ctx);
    const confirmer = new FakeConfirmer([true, true]);
    const res = await runPlaybook(playbook(w, [flagStep('a'), flagStep('b', { severity: 'severe' })]), {
      confirmer,
      events: log.sink,
      journal,
      yes: false,
      planOnly: false,
    });
    expect(res.outcome).toBe('finished');
    expect(w.ran).toEqual(['a', 'b']);
    expect(confirmer.asked.map((r) => [r.stepId, r.severity, r.host])).toEqual([
      ['a', 'normal', 'pika.example'],
      ['b', 'severe', 'pika.example'],
    ]);
    expect(log.steps()).toEqual(['a:pending', 'a:running', 'a:done', 'b:pending', 'b:running', 'b:done']);
    const lines = (await readJournal(journal.path)).map((r) => `${r.step}:${r.state}`);
    expect(lines).toEqual(['-:begin', 'a:started', 'a:done', 'b:started', 'b:done', '-:finished']);
    expect(statSync(journal.path).mode & 0o777).toBe(0o600);
    expect(statSync(journalDir(ctx)).mode & 0o777).toBe(0o700);
  });

  it('skips steps the live check reports done, and records them as skipped', async () => {
    const ctx = testContext();
    const w = world({ a: true });
    const log = eventLog();
    const journal = await journalFor(ctx);
    const res = await runPlaybook(playbook(w, [flagStep('a'), flagStep('b')]), {
      confirmer: new FakeConfirmer(),
      events: log.sink,
      journal,
      yes: true,
      planOnly: false,
    });
    expect(w.ran).toEqual(['b']);
    expect(res.steps).toEqual([
      { id: 'a', state: 'skipped' },
      { id: 'b', state: 'done' },
    ]);
    expect((await readJournal(journal.path)).map((r) => `${r.step}:${r.state}`)).toContain('a:skipped');
  });

  it('answering No cancels with exit 130, changes nothing, and the journal says so', async () => {
    const ctx = testContext();
    const w = world();
    const log = eventLog();
    const journal = await journalFor(ctx);
    const err = await failure(
      runPlaybook(playbook(w, [flagStep('a'), flagStep('b')]), {
        confirmer: new FakeConfirmer([true, false]),
        events: log.sink,
        journal,
        yes: false,
        planOnly: false,
      }),
    );
    expect(err.exitCode).toBe(ExitCode.CANCELLED);
    expect(err.code).toBe('cancelled');
    expect(err.hint).toContain(RESUME);
    expect(w.ran).toEqual(['a']);
    const records = await readJournal(journal.path);
    expect(records.at(-1)).toMatchObject({ step: 'b', state: 'cancelled', note: 'operator answered no' });
    expect(log.events.at(-1)).toMatchObject({ event: 'end', outcome: 'cancelled', resume: RESUME });
    expect(await findUnfinishedJournal(ctx, 'test-playbook', SERVER.id)).not.toBeNull();
  });

  it('a failed verify ends with the resume command as the hint (exit 8)', async () => {
    const ctx = testContext();
    const w = world();
    const journal = await journalFor(ctx);
    const err = await failure(
      runPlaybook(playbook(w, [flagStep('a', { noop: true }), flagStep('b')]), {
        confirmer: new FakeConfirmer(),
        events: () => {},
        journal,
        yes: true,
        planOnly: false,
      }),
    );
    expect(err.exitCode).toBe(ExitCode.NEEDS_RECOVERY);
    expect(err.message).toBe('"set a" ran, but the check afterwards failed: a is still off');
    expect(err.hint).toBe(`Resume with: ${RESUME}`);
    expect(w.ran).toEqual(['a']);
    expect((await readJournal(journal.path)).at(-1)).toMatchObject({
      step: 'a',
      state: 'failed',
      note: 'verify: a is still off',
    });
  });

  it('a step that throws keeps its exit code and hint, and adds the resume command', async () => {
    const ctx = testContext();
    const cause = new CliError('session expired', { code: 'session_expired', hint: 'Run pikactl login.' });
    const err = await failure(
      runPlaybook(playbook(world(), [flagStep('a', { runError: cause })]), {
        confirmer: new FakeConfirmer(),
        events: () => {},
        journal: await journalFor(ctx),
        yes: true,
        planOnly: false,
      }),
    );
    expect(err.exitCode).toBe(ExitCode.AUTH);
    expect(err.message).toBe('"set a" failed: session expired');
    expect(err.hint).toBe(`Run pikactl login. Then resume with: ${RESUME}`);
  });

  it('mapError turns a foreign error into the operator error', async () => {
    const ctx = testContext();
    const mapError = () => new CliError('server unreachable', { code: 'unreachable' });
    const err = await failure(
      runPlaybook(playbook(world(), [flagStep('a', { runError: new Error('ECONNREFUSED') })]), {
        confirmer: new FakeConfirmer(),
        events: () => {},
        journal: await journalFor(ctx),
        yes: true,
        planOnly: false,
        mapError,
      }),
    );
    expect(err.exitCode).toBe(ExitCode.UNREACHABLE);
    expect(err.hint).toBe(`Resume with: ${RESUME}`);
  });

  it('a blocked step stops the run before anything runs, with its hint and the resume command', async () => {
    const ctx = testContext();
    const w = world();
    const journal = await journalFor(ctx);
    const err = await failure(
      runPlaybook(playbook(w, [flagStep('a', { blocked: 'the server is locked' }), flagStep('b')]), {
        confirmer: new FakeConfirmer(),
        events: () => {},
        journal,
        yes: true,
        planOnly: false,
      }),
    );
    expect(err.exitCode).toBe(ExitCode.NEEDS_RECOVERY);
    expect(err.message).toContain('the server is locked');
    expect(err.hint).toBe(`Unlock first. Then resume with: ${RESUME}`);
    expect(w.ran).toEqual([]);
    expect((await readJournal(journal.path)).at(-1)).toMatchObject({ step: 'a', state: 'blocked' });
  });

  it('--plan shows each step with its live state and changes nothing, not even a journal', async () => {
    const ctx = testContext();
    const w = world({ a: true });
    const log = eventLog();
    const human = humanSink(ctx.io);
    const res = await runPlaybook(playbook(w, [flagStep('a'), flagStep('b'), flagStep('c', { blocked: 'needs b' })]), {
      confirmer: new FakeConfirmer(),
      events: (e) => {
        log.sink(e);
        human(e);
      },
      yes: false,
      planOnly: true,
    });
    expect(res.outcome).toBe('planned');
    expect(res.steps.map((s) => s.check)).toEqual(['done', 'pending', 'blocked']);
    expect(w.ran).toEqual([]);
    expect(w.flags).toEqual({ a: true });
    expect(existsSync(journalDir(ctx))).toBe(false);
    expect(log.steps()).toEqual(['a:planned', 'b:planned', 'c:planned']);
    // The plan is the result: stdout.
    expect(ctx.io.stdoutText).toMatch(/done\s+1\/3 set a/);
    expect(ctx.io.stdoutText).toMatch(/to do\s+2\/3 set b/);
    expect(ctx.io.stdoutText).toMatch(/blocked 3\/3 set c\n\s+needs b/);
  });

  it('--json streams one JSON object per line', async () => {
    const ctx = testContext();
    await runPlaybook(playbook(world({ a: true }), [flagStep('a'), flagStep('b')]), {
      confirmer: new FakeConfirmer(),
      events: jsonLinesSink(ctx.io),
      journal: await journalFor(ctx),
      yes: true,
      planOnly: false,
    });
    const events = ctx.io.stdoutText
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.event}${e.id ? `:${e.id}:${e.state}` : ''}`)).toEqual([
      'start',
      'step:a:skipped',
      'step:b:pending',
      'step:b:running',
      'step:b:done',
      'end',
    ]);
    expect(events[0]).toMatchObject({
      playbook: 'test-playbook',
      server: SERVER.id,
      plan: false,
      steps: [{ id: 'a' }, { id: 'b' }],
    });
    expect(events[2]).toMatchObject({
      index: 2,
      total: 2,
      explain: 'turns b on',
      target: 'https://pika.example:8443/base (pika.example)',
    });
    expect(events.at(-1)).toEqual({ event: 'end', playbook: 'test-playbook', outcome: 'finished' });
    expect(ctx.io.stderrText).toBe('');
  });

  it('resumes from the journal after a crash mid-step', async () => {
    const ctx = testContext();
    const w = world();
    // Run 1: step b sets its flag, then the "process dies" (run never returns, nothing more is written).
    const first = await journalFor(ctx);
    void runPlaybook(playbook(w, [flagStep('a'), flagStep('b', { hang: true }), flagStep('c')]), {
      confirmer: new FakeConfirmer(),
      events: () => {},
      journal: first,
      yes: true,
      planOnly: false,
    });
    await expect
      .poll(async () => (existsSync(first.path) ? (await readJournal(first.path)).at(-1)?.state : undefined))
      .toBe('started');

    // Run 2: finds the unfinished journal, continues it, and trusts only the live checks.
    const found = await findUnfinishedJournal(ctx, 'test-playbook', SERVER.id);
    expect(found).toMatchObject({ id: first.id, last: { step: 'b', state: 'started' } });
    const journal = await reopenJournal(ctx, found!, { playbook: 'test-playbook', server: SERVER.id });
    const log = eventLog();
    w.ran.length = 0;
    await runPlaybook(playbook(w, [flagStep('a'), flagStep('b'), flagStep('c')]), {
      confirmer: new FakeConfirmer(),
      events: log.sink,
      journal,
      resumed: found!,
      yes: true,
      planOnly: false,
    });
    expect(w.ran).toEqual(['c']);
    expect(log.events[0]).toMatchObject({
      event: 'start',
      resumed: { id: first.id, lastStep: 'b', lastState: 'started' },
    });
    expect((await readJournal(first.path)).map((r) => `${r.step}:${r.state}`)).toEqual([
      '-:begin',
      'a:started',
      'a:done',
      'b:started',
      '-:resume',
      'a:skipped',
      'b:skipped',
      'c:started',
      'c:done',
      '-:finished',
    ]);
    expect(await findUnfinishedJournal(ctx, 'test-playbook', SERVER.id)).toBeNull();
  });

  it('an aborted signal stops before the next step', async () => {
    const ctx = testContext();
    const ac = new AbortController();
    const w = world();
    const steps = [flagStep('a'), flagStep('b')];
    const origRun = steps[0].run;
    steps[0].run = async (x) => {
      await origRun(x);
      ac.abort();
    };
    const err = await failure(
      runPlaybook(playbook(w, steps), {
        confirmer: new FakeConfirmer(),
        events: () => {},
        journal: await journalFor(ctx),
        yes: true,
        planOnly: false,
        signal: ac.signal,
      }),
    );
    expect(err.exitCode).toBe(ExitCode.CANCELLED);
    expect(w.ran).toEqual(['a']);
  });
});
