import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/errors.js';
import { interactiveConfirmer } from '../../src/playbooks/confirm.js';
import { runPlaybook } from '../../src/playbooks/engine.js';
import { createJournal } from '../../src/playbooks/journal.js';
import { humanSink } from '../../src/output/playbook-events.js';
import type { ConfirmRequest } from '../../src/playbooks/types.js';
import { Secret } from '../../src/secrets/secret.js';
import { testContext } from '../support/context.js';
import { flagStep, playbook, RESUME, SERVER, world } from './fixtures.js';

const KEY = 'pasted-by-mistake-cobalt-river-58';

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
    expect(await interactiveConfirmer(ctx.io, []).confirm(req('normal'))).toBe(true);
  });

  it('a severe step runs only when the host name is typed', async () => {
    const ok = testContext({
      tty: true,
      answers: [{ match: /Type the server host name \(pika\.example\)/, answer: ' Pika.Example ' }],
    });
    expect(await interactiveConfirmer(ok.io, []).confirm(req('severe'))).toBe(true);
    const wrong = testContext({ tty: true, answers: ['y', 'yes', 'pika'].map((answer) => ({ answer })) });
    expect(await interactiveConfirmer(wrong.io, []).confirm(req('severe'))).toBe(false);
    expect(wrong.io.stderrText).toContain('Host name did not match');
  });

  it('a severe step takes the host name on the second try, and says how many tries are left', async () => {
    const ctx = testContext({
      tty: true,
      answers: [
        { match: /Type the server host name \(pika\.example\) to run it, or no to stop:/, answer: 'pika.exmaple' },
        { match: /Type the server host name \(pika\.example\)/, answer: 'pika.example' },
      ],
    });
    expect(await interactiveConfirmer(ctx.io, []).confirm(req('severe'))).toBe(true);
    expect(ctx.io.prompts.remaining()).toBe(0);
    expect(ctx.io.stderrText).toBe(
      'Host name did not match. Type the host name pika.example (2 tries left; no stops).\n' +
        // The prompt is wiped with the answer: what was confirmed is written back.
        'Severe step. Type the server host name (pika.example) to run it, or no to stop: pika.example\n',
    );
  });

  it('a severe step stops after three wrong answers', async () => {
    const ctx = testContext({ tty: true, answers: ['y', 'yes', 'pika.exampel'].map((answer) => ({ answer })) });
    expect(await interactiveConfirmer(ctx.io, []).confirm(req('severe'))).toBe(false);
    expect(ctx.io.prompts.asked).toHaveLength(3);
    expect(ctx.io.stderrText).toContain('(1 try left; no stops)');
    expect(ctx.io.stderrText).toContain('Not confirmed after 3 answers: not running "lock the server".');
  });

  it('a key pasted at a severe step is named as a key, never repeated, and the host name is asked again', async () => {
    const ctx = testContext({ tty: true, answers: [{ answer: `${KEY}\n` }, { answer: 'pika.example' }] });
    const secrets = [new Secret('another-key-read-first', 'env:OTHER'), new Secret(KEY, 'env:KEY')];
    expect(await interactiveConfirmer(ctx.io, secrets).confirm(req('severe'))).toBe(true);
    expect(ctx.io.stderrText).toContain(
      'That was a key, not the host name "pika.example": it has been cleared from the screen. Type the host name pika.example (2 tries left; no stops).',
    );
    expect(ctx.io.stderrText).not.toContain(KEY);
  });

  it('no (or Enter alone) answers No at once; at an optional step a typo is asked again, then n skips it', async () => {
    for (const answer of ['no', ' N ', '']) {
      const ctx = testContext({ tty: true, answers: [{ answer }] });
      expect(await interactiveConfirmer(ctx.io, []).confirm(req('severe'))).toBe(false);
      expect(ctx.io.stderrText).toBe('');
    }
    const ctx = testContext({
      tty: true,
      answers: [
        { match: /^Optional severe step\. .* or no to skip it:$/, answer: 'pika' },
        { match: /^Optional severe step/, answer: 'n' },
      ],
    });
    expect(await interactiveConfirmer(ctx.io, []).confirm({ ...req('severe'), optional: true })).toBe(false);
    expect(ctx.io.prompts.remaining()).toBe(0);
    expect(ctx.io.stderrText).toBe(
      'Host name did not match. Type the host name pika.example (2 tries left; no skips it).\n',
    );
  });

  it('without a terminal it fails at once and names --yes', async () => {
    const ctx = testContext({ tty: false });
    const err = await interactiveConfirmer(ctx.io, [])
      .confirm(req('normal'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.USAGE);
    expect((err as CliError).hint).toBe('Pass --yes.');
  });

  it('through the engine: a mistyped host cancels a severe step (exit 130) and shows the target first', async () => {
    const ctx = testContext({ tty: true, answers: ['other.host', 'y', 'pika'].map((answer) => ({ answer })) });
    const w = world();
    const err = await runPlaybook(playbook(w, [flagStep('wipe', { severity: 'severe' })]), {
      confirmer: interactiveConfirmer(ctx.io, []),
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
