import { describe, expect, it } from 'vitest';
import { registerHandover } from '../../src/commands/handover.js';
import { registerHandoverStart } from '../../src/commands/handover-start.js';
import { registerHandoverAccept } from '../../src/commands/handover-accept.js';
import { registerHandoverFinish } from '../../src/commands/handover-finish.js';
import type { RegisterCommand, RunCommand } from '../../src/commands/app.js';
import { parse } from '../support/parse.js';

/**
 * handover's three stages through their parse seams: each stage's register function takes
 * its run function as a replacement, under a bare `handover` parent (or the real one).
 */

const start =
  (run: RunCommand<unknown>): RegisterCommand =>
  (p, a) =>
    registerHandoverStart(p.command('handover'), a, run);
const accept =
  (run: RunCommand<unknown>): RegisterCommand =>
  (p, a) =>
    registerHandoverAccept(p.command('handover'), a, run);
const finish =
  (run: RunCommand<unknown>): RegisterCommand =>
  (p, a) =>
    registerHandoverFinish(p.command('handover'), a, run);

describe('handover start: options reach the run function by name', () => {
  it('every option, no arguments', async () => {
    const r = await parse(
      [
        'handover',
        'start',
        '--current-key-from',
        'keychain',
        '--new-key-from',
        'env:NEW_KEY',
        '--confirm-saved',
        '--save-to-keychain',
        '--operator',
        'Alice',
        '--record',
        'h.json',
        '--kube-secret',
        'pika/boot-password',
      ],
      start,
    );
    expect(r.opts).toEqual({
      currentKeyFrom: 'keychain',
      newKeyFrom: 'env:NEW_KEY',
      confirmSaved: true,
      saveToKeychain: true,
      operator: 'Alice',
      record: 'h.json',
      kubeSecret: 'pika/boot-password',
    });
    expect(r.args).toEqual([]);
  });

  it('nothing given: no option is set (the defaults are decided when it runs)', async () => {
    expect((await parse(['handover', 'start'], start)).opts).toEqual({});
  });

  it('an argument is refused before run', async () => {
    await expect(parse(['handover', 'start', 'h.json'], start)).rejects.toThrow(/too many arguments/);
  });
});

describe('handover accept: --record required, --wait and --no-wait-restart', () => {
  it('every option; waitRestart is true unless --no-wait-restart', async () => {
    const r = await parse(
      [
        'handover',
        'accept',
        '--record',
        'h.json',
        '--key-from',
        'env:NEW_KEY',
        '--wait',
        '30m',
        '--save-to-keychain',
        '-y',
        '--operator',
        'Bob',
      ],
      accept,
    );
    expect(r.opts).toEqual({
      record: 'h.json',
      keyFrom: 'env:NEW_KEY',
      wait: '30m',
      waitRestart: true,
      saveToKeychain: true,
      yes: true,
      operator: 'Bob',
    });
    expect(r.args).toEqual([]);
    const noWait = await parse(['handover', 'accept', '--record', 'h.json', '--no-wait-restart'], accept);
    expect(noWait.opts).toEqual({ record: 'h.json', waitRestart: false });
  });

  it('the global flags before the command reach the run function as globals, not options', async () => {
    const r = await parse(
      ['--json', '--server', 'https://pika.example:8443', 'handover', 'accept', '--record', 'h.json'],
      accept,
    );
    expect(r.opts).toEqual({ record: 'h.json', waitRestart: true });
    expect(r.globals.json).toBe(true);
    expect(r.globals.servers).toEqual(['https://pika.example:8443']);
  });

  it('without --record, or with an argument, it is refused before run', async () => {
    await expect(parse(['handover', 'accept'], accept)).rejects.toThrow(/--record/);
    await expect(parse(['handover', 'accept', '--record', 'h.json', 'extra'], accept)).rejects.toThrow(
      /too many arguments/,
    );
  });
});

describe('handover finish: --record required', () => {
  it('every option, no arguments', async () => {
    const r = await parse(
      ['handover', 'finish', '--record', 'h.json', '--yes', '--operator', 'Alice', '--kube-secret', 'pika/boot'],
      finish,
    );
    expect(r.opts).toEqual({ record: 'h.json', yes: true, operator: 'Alice', kubeSecret: 'pika/boot' });
    expect(r.args).toEqual([]);
  });

  it('without --record it is refused before run', async () => {
    await expect(parse(['handover', 'finish', '-y'], finish)).rejects.toThrow(/--record/);
  });
});

describe('registerHandover passes each replacement to its stage', () => {
  it('start, accept and finish each reach the run function given for them', async () => {
    const s = await parse(
      ['handover', 'start', '--new-key-from', 'env:K', '--confirm-saved'],
      (run) => (p, a) => registerHandover(p, a, { start: run }),
    );
    expect(s.opts).toEqual({ newKeyFrom: 'env:K', confirmSaved: true });
    const acc = await parse(
      ['handover', 'accept', '--record', 'h.json'],
      (run) => (p, a) => registerHandover(p, a, { accept: run }),
    );
    expect(acc.opts).toEqual({ record: 'h.json', waitRestart: true });
    const fin = await parse(
      ['handover', 'finish', '--record', 'h.json'],
      (run) => (p, a) => registerHandover(p, a, { finish: run }),
    );
    expect(fin.opts).toEqual({ record: 'h.json' });
  });
});
