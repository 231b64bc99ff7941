import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/errors.js';
import { runPlaybook } from '../../src/playbooks/engine.js';
import { createJournal, type Journal } from '../../src/playbooks/journal.js';
import type { Step } from '../../src/playbooks/types.js';
import { testContext } from '../support/context.js';
import { eventLog, FakeConfirmer, flagStep, playbook, RESUME, SERVER, world, type World } from './fixtures.js';

/**
 * A full disk in the middle of a playbook: the journal file is swapped for /dev/full
 * (every write fails with a real ENOSPC) while a step runs. The steps before it did
 * change the "server"; the error must say which, and how to resume.
 */

const HAS_DEV_FULL = existsSync('/dev/full');

/** Runs `step` as usual, then points the journal at /dev/full: its "done" line cannot be written. */
function diskFillsDuring(step: Step<World>, journal: () => Journal): Step<World> {
  return {
    ...step,
    async run(w) {
      await step.run(w);
      rmSync(journal().path, { force: true });
      symlinkSync('/dev/full', journal().path);
    },
  };
}

async function failure(p: Promise<unknown>): Promise<CliError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe.runIf(HAS_DEV_FULL)('a local fault in the middle of a playbook', () => {
  it('ENOSPC writing the journal names the steps that ran on the server and the resume command (exit 8)', async () => {
    const ctx = testContext();
    const w = world();
    const journal = await createJournal(ctx, { playbook: 'test-playbook', server: SERVER.id });
    const steps = [flagStep('a'), diskFillsDuring(flagStep('b'), () => journal), flagStep('c')];
    const log = eventLog();
    const err = await failure(
      runPlaybook(playbook(w, steps), {
        confirmer: new FakeConfirmer(),
        events: log.sink,
        journal,
        yes: true,
        planOnly: false,
      }),
    );
    expect(w.ran).toEqual(['a', 'b']);
    expect(err.message).toContain(
      `cannot write the playbook journal ${journal.path} (ENOSPC: no space left on the device)`,
    );
    expect(err.message).toContain('Already done on the server: 1/3 "set a", 2/3 "set b".');
    expect(err.hint).toContain(`resume with: ${RESUME}`);
    expect(err.exitCode).toBe(ExitCode.NEEDS_RECOVERY);
    expect(err.details).toMatchObject({ local_error: 'ENOSPC', steps_done: ['1/3 "set a"', '2/3 "set b"'] });
    expect(log.events.at(-1)).toMatchObject({ event: 'end', outcome: 'failed', resume: RESUME });
  });

  it('a journal that fails before anything ran says nothing was changed (exit 1)', async () => {
    const ctx = testContext();
    const journal = await createJournal(ctx, { playbook: 'test-playbook', server: SERVER.id });
    symlinkSync('/dev/full', journal.path);
    const w = world();
    const err = await failure(
      runPlaybook(playbook(w, [flagStep('a')]), {
        confirmer: new FakeConfirmer(),
        events: () => {},
        journal,
        yes: true,
        planOnly: false,
      }),
    );
    expect(w.ran).toEqual([]);
    expect(err.message).toContain('Nothing was changed on the server by this run.');
    expect(err.exitCode).toBe(ExitCode.ERROR);
  });

  it('a step that fails on a local fault names the earlier steps; a journal append outside the engine is a clear error', async () => {
    const ctx = testContext();
    const journal = await createJournal(ctx, { playbook: 'test-playbook', server: SERVER.id });
    const erofs = Object.assign(new Error("EROFS: read-only file system, open '/x'"), { code: 'EROFS' });
    const err = await failure(
      runPlaybook(playbook(world(), [flagStep('a'), flagStep('b', { runError: erofs })]), {
        confirmer: new FakeConfirmer(),
        events: () => {},
        journal,
        yes: true,
        planOnly: false,
      }),
    );
    expect(err.message).toBe(
      '"set b" failed on this machine (EROFS: read-only file system). Already done on the server: 1/2 "set a".',
    );
    expect(err.hint).toBe(`Fix the local problem, then resume with: ${RESUME}`);
    expect(err.exitCode).toBe(ExitCode.NEEDS_RECOVERY);

    rmSync(journal.path);
    symlinkSync('/dev/full', journal.path);
    const direct = await failure(journal.append({ step: 'diagnostic-lock', state: 'done' }));
    expect(direct.message).toContain(
      '(ENOSPC: no space left on the device): the line "diagnostic-lock: done" is missing',
    );
  });
});
