import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/errors.js';
import { interactiveConfirmer } from '../../src/playbooks/confirm.js';
import { runPlaybook } from '../../src/playbooks/engine.js';
import { createJournal } from '../../src/playbooks/journal.js';
import { humanSink } from '../../src/output/playbook-events.js';
import type { ConfirmRequest } from '../../src/playbooks/types.js';
import { testContext } from '../support/context.js';
import { flagStep, playbook, RESUME, SERVER, world } from './fixtures.js';

const req = (severity: ConfirmRequest['severity']): ConfirmRequest => ({
  playbook: 'recover-rotation',
  stepId: 'lock',
  title: 'lock the server',
  explain: 'drops the key from memory',
  severity,
  host: 'pika.example',
  server: SERVER.id,
});

describe('interactiveConfirmer', () => {
  it('a normal step is a yes/no question that names the host', async () => {
    const ctx = testContext({
      tty: true,
      answers: [{ match: /Run "lock the server" on pika\.example\?/, answer: true }],
    });
    expect(await interactiveConfirmer(ctx.io).confirm(req('normal'))).toBe(true);
  });

  it('a severe step runs only when the host name is typed', async () => {
    const ok = testContext({
      tty: true,
      answers: [{ match: /Type the server host name \(pika\.example\)/, answer: ' Pika.Example ' }],
    });
    expect(await interactiveConfirmer(ok.io).confirm(req('severe'))).toBe(true);
    const wrong = testContext({ tty: true, answers: [{ answer: 'y' }] });
    expect(await interactiveConfirmer(wrong.io).confirm(req('severe'))).toBe(false);
    expect(wrong.io.stderrText).toContain('Host name did not match');
  });

  it('without a terminal it fails at once and names --yes', async () => {
    const ctx = testContext({ tty: false });
    const err = await interactiveConfirmer(ctx.io)
      .confirm(req('normal'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.USAGE);
    expect((err as CliError).hint).toBe('Pass --yes.');
  });

  it('through the engine: a mistyped host cancels a severe step (exit 130) and shows the target first', async () => {
    const ctx = testContext({ tty: true, answers: [{ answer: 'other.host' }] });
    const w = world();
    const err = await runPlaybook(playbook(w, [flagStep('wipe', { severity: 'severe' })]), {
      confirmer: interactiveConfirmer(ctx.io),
      events: humanSink(ctx.io),
      journal: await createJournal(ctx, { playbook: 'test-playbook', server: SERVER.id }),
      yes: false,
      planOnly: false,
    }).then(
      () => {
        throw new Error('expected the run to be cancelled');
      },
      (e: unknown) => e as CliError,
    );
    expect(err.exitCode).toBe(ExitCode.CANCELLED);
    expect(err.hint).toContain(RESUME);
    expect(w.ran).toEqual([]);
    expect(ctx.io.stderrText).toMatch(
      /Step 1\/1: set wipe \[severe\]\n {2}What changes: turns wipe on\n {2}Target: https:\/\/pika\.example:8443\/base \(pika\.example\)/,
    );
    expect(ctx.io.stdoutText).toBe('');
  });
});
