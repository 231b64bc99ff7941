import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/program.js';
import { createApp, type App, type RegisterCommand, type RunCommand } from '../../src/commands/app.js';
import type { GlobalOptions } from '../../src/globals.js';
import { registerUnlock } from '../../src/commands/unlock.js';
import { registerRotate } from '../../src/commands/rotate.js';
import { registerLock } from '../../src/commands/lock.js';
import { registerStatus } from '../../src/commands/status.js';
import { registerInit } from '../../src/commands/init.js';
import { registerRecoverRotation } from '../../src/commands/recover-rotation.js';
import { registerContext } from '../../src/commands/context.js';
import { registerTrust } from '../../src/commands/trust.js';
import { registerBackup } from '../../src/commands/backup.js';
import { registerKeychain } from '../../src/commands/keychain.js';
import { registerHandover } from '../../src/commands/handover.js';
import { registerSandbox } from '../../src/commands/sandbox.js';
import { testContext } from '../support/context.js';

/**
 * The parse seam: each command's real commander declaration and parsing, with its run
 * function replaced by one that records what it would have run with. No sandbox, no server.
 */
interface Received {
  opts: unknown;
  globals: GlobalOptions;
  args: string[];
}

async function parse(argv: string[], register: (run: RunCommand<unknown>) => RegisterCommand): Promise<Received> {
  const ctx = testContext();
  const state = { exitCode: -1 };
  const app: App = createApp(ctx, state);
  let got: Received | undefined;
  const run: RunCommand<unknown> = async (_app, globals, opts, args) => {
    got = { opts, globals, args };
    return 0;
  };
  const program = await buildProgram(ctx, app, { commands: [register(run)] });
  // As run() does: commander's errors are thrown, never a process exit, and printed nowhere.
  const quiet = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  await program.parseAsync(argv, { from: 'user' });
  if (!got) throw new Error(`the run function was not called for: ${argv.join(' ')}`);
  expect(state.exitCode).toBe(0);
  return got;
}

describe('parsing alone (the run function receives typed options)', () => {
  it('unlock --key-from env:K --wait 5m', async () => {
    const r = await parse(
      ['unlock', '--key-from', 'env:K', '--wait', '5m'],
      (run) => (p, a) => registerUnlock(p, a, run),
    );
    expect(r.opts).toEqual({ keyFrom: 'env:K', wait: '5m' });
  });

  it('rotate --save-to-keychain', async () => {
    const r = await parse(['rotate', '--save-to-keychain'], (run) => (p, a) => registerRotate(p, a, run));
    expect(r.opts).toEqual({ saveToKeychain: true });
  });

  it('lock --yes (and -y), with the global --json', async () => {
    expect((await parse(['lock', '--yes'], (run) => (p, a) => registerLock(p, a, run))).opts).toEqual({ yes: true });
    const short = await parse(['--json', 'lock', '-y'], (run) => (p, a) => registerLock(p, a, run));
    expect(short.opts).toEqual({ yes: true });
    expect(short.globals.json).toBe(true);
  });

  it('status --for locked --wait 1m; --for outside the choices is refused before run', async () => {
    const r = await parse(['status', '--for', 'locked', '--wait', '1m'], (run) => (p, a) => registerStatus(p, a, run));
    expect(r.opts).toEqual({ for: 'locked', wait: '1m' });
    await expect(parse(['status', '--for', 'sideways'], (run) => (p, a) => registerStatus(p, a, run))).rejects.toThrow(
      /Allowed choices are/,
    );
  });

  it('init and recover-rotation flags reach their run functions by name', async () => {
    const init = await parse(
      ['init', '--key-from', 'file:/k', '--confirm-saved'],
      (run) => (p, a) => registerInit(p, a, run),
    );
    expect(init.opts).toEqual({ keyFrom: 'file:/k', confirmSaved: true });
    const rr = await parse(
      ['recover-rotation', '--old-key-from', 'env:OLD', '--plan'],
      (run) => (p, a) => registerRecoverRotation(p, a, run),
    );
    expect(rr.opts).toEqual({ oldKeyFrom: 'env:OLD', plan: true });
  });

  it('context add NAME --server URL --pin X: own options, the name, and the global flags it stores', async () => {
    const r = await parse(
      ['context', 'add', 'prod', '--server', 'https://pika.example:8080', '--pin', 'AB:CD', '--use'],
      (run) => (p, a) => registerContext(p, a, { add: run }),
    );
    expect(r.args).toEqual(['prod']);
    const opts = r.opts as { use?: boolean; keyFrom?: string; connection: { server?: string[]; pin?: string } };
    expect(opts.use).toBe(true);
    expect(opts.keyFrom).toBeUndefined();
    expect(opts.connection.server).toEqual(['https://pika.example:8080']);
    expect(opts.connection.pin).toBe('AB:CD');
  });

  it('context remove NAME --yes', async () => {
    const r = await parse(['context', 'rm', 'old', '-y'], (run) => (p, a) => registerContext(p, a, { remove: run }));
    expect(r).toMatchObject({ opts: { yes: true }, args: ['old'] });
  });

  it('trust --expect-fingerprint X -y', async () => {
    const r = await parse(
      ['trust', '--expect-fingerprint', 'AB:CD', '-y'],
      (run) => (p, a) => registerTrust(p, a, run),
    );
    expect(r.opts).toEqual({ expectFingerprint: 'AB:CD', yes: true });
  });

  it('backup export/inspect/restore: options and the file argument', async () => {
    const exp = await parse(
      ['backup', 'export', '-o', 'b.pikabw', '--since', '7', '--force'],
      (run) => (p, a) => registerBackup(p, a, { export: run }),
    );
    expect(exp.opts).toEqual({ out: 'b.pikabw', since: '7', force: true });
    const insp = await parse(
      ['backup', 'inspect', 'b.pikabw', '--decrypt-with', 'env:P'],
      (run) => (p, a) => registerBackup(p, a, { inspect: run }),
    );
    expect(insp).toMatchObject({ opts: { decryptWith: 'env:P' }, args: ['b.pikabw'] });
    const rest = await parse(
      ['backup', 'restore', 'b.pikabw', '--wipe', '-y'],
      (run) => (p, a) => registerBackup(p, a, { restore: run }),
    );
    expect(rest).toMatchObject({ opts: { wipe: true, yes: true }, args: ['b.pikabw'] });
  });

  it('keychain set --no-verify and keychain delete --kind', async () => {
    const set = await parse(
      ['keychain', 'set', '--no-verify', '--name', 'n'],
      (run) => (p, a) => registerKeychain(p, a, { set: run }),
    );
    expect(set.opts).toEqual({ verify: false, name: 'n' });
    const plain = await parse(['keychain', 'set'], (run) => (p, a) => registerKeychain(p, a, { set: run }));
    expect(plain.opts).toEqual({ verify: true });
    const del = await parse(
      ['keychain', 'delete', '--kind', 'server-key-previous', '-y'],
      (run) => (p, a) => registerKeychain(p, a, { delete: run }),
    );
    expect(del.opts).toEqual({ kind: 'server-key-previous', yes: true });
  });

  it('handover accept needs --record; --no-wait-restart is waitRestart: false', async () => {
    const acc = await parse(
      ['handover', 'accept', '--record', 'h.json', '--no-wait-restart'],
      (run) => (p, a) => registerHandover(p, a, { accept: run }),
    );
    expect(acc.opts).toEqual({ record: 'h.json', waitRestart: false });
    await expect(
      parse(['handover', 'finish'], (run) => (p, a) => registerHandover(p, a, { finish: run })),
    ).rejects.toThrow(/--record/);
  });

  it('sandbox --fault is repeatable, --port has its default', async () => {
    const r = await parse(
      ['sandbox', '--fault', 'rotate-write', '--fault', 'unlock-500', '-q'],
      (run) => (p, a) => registerSandbox(p, a, run),
    );
    expect(r.opts).toMatchObject({
      fault: ['rotate-write', 'unlock-500'],
      port: '8080',
      host: '127.0.0.1',
      quiet: true,
    });
  });
});
