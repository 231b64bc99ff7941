import { describe, expect, it } from 'vitest';
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
import { registerLogin } from '../../src/commands/login.js';
import { registerCompletion } from '../../src/commands/completion.js';
import { registerHelpTopics } from '../../src/commands/help-topics.js';
import { registerRunbook } from '../../src/commands/runbook.js';
import { registerKube } from '../../src/commands/kube.js';
import { registerRoll } from '../../src/commands/roll.js';
import { registerRecoverFromBackup } from '../../src/commands/recover-from-backup.js';
import { parse } from '../support/parse.js';

type Register = Parameters<typeof parse>[1];

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

  it('login, logout and whoami: no options of their own; the global login flags reach them', async () => {
    const login = await parse(
      ['login', '-s', 'https://pika.example:8080', '-u', 'admin', '--password-from', 'env:PW'],
      (run) => (p, a) => registerLogin(p, a, { login: run }),
    );
    expect(login).toMatchObject({ opts: {}, args: [] });
    expect(login.globals).toMatchObject({
      servers: ['https://pika.example:8080'],
      user: 'admin',
      passwordFrom: 'env:PW',
    });
    const logout = await parse(['logout'], (run) => (p, a) => registerLogin(p, a, { logout: run }));
    expect(logout).toMatchObject({ opts: {}, args: [] });
    const whoami = await parse(['--json', 'whoami'], (run) => (p, a) => registerLogin(p, a, { whoami: run }));
    expect(whoami.globals.json).toBe(true);
    await expect(parse(['whoami', '--yes'], (run) => (p, a) => registerLogin(p, a, { whoami: run }))).rejects.toThrow(
      /unknown option '--yes'/,
    );
  });

  it('completion SHELL: one of the shells, anything else refused; __complete WHAT', async () => {
    const r = await parse(['completion', 'zsh'], (run) => (p, a) => registerCompletion(p, a, { completion: run }));
    expect(r).toMatchObject({ opts: {}, args: ['zsh'] });
    await expect(
      parse(['completion', 'tcsh'], (run) => (p, a) => registerCompletion(p, a, { completion: run })),
    ).rejects.toThrow(/Allowed choices are bash, zsh, fish/);
    await expect(
      parse(['completion'], (run) => (p, a) => registerCompletion(p, a, { completion: run })),
    ).rejects.toThrow(/missing required argument 'shell'/);
    const hidden = await parse(
      ['__complete', 'contexts'],
      (run) => (p, a) => registerCompletion(p, a, { complete: run }),
    );
    expect(hidden.args).toEqual(['contexts']);
  });

  it('help [TOPIC | COMMAND...]: the words reach the run function', async () => {
    const topic = await parse(['help', 'secrets'], (run) => (p, a) => registerHelpTopics(p, a, run));
    expect(topic.args).toEqual(['secrets']);
    const nested = await parse(['help', 'context', 'add'], (run) => (p, a) => registerHelpTopics(p, a, run));
    expect(nested.args).toEqual(['context', 'add']);
    const bare = await parse(['help'], (run) => (p, a) => registerHelpTopics(p, a, run));
    expect(bare.args).toEqual([]);
  });

  it('runbook list (also the default) and runbook show NAME', async () => {
    const list = await parse(['runbook', 'list'], (run) => (p, a) => registerRunbook(p, a, { list: run }));
    expect(list).toMatchObject({ opts: {}, args: [] });
    const byDefault = await parse(['runbook'], (run) => (p, a) => registerRunbook(p, a, { list: run }));
    expect(byDefault.args).toEqual([]);
    const show = await parse(
      ['runbook', 'show', 'rotation', '--json'],
      (run) => (p, a) => registerRunbook(p, a, { show: run }),
    );
    expect(show).toMatchObject({ opts: {}, args: ['rotation'] });
    expect(show.globals.json).toBe(true);
    await expect(parse(['runbook', 'show'], (run) => (p, a) => registerRunbook(p, a, { show: run }))).rejects.toThrow(
      /missing required argument 'name'/,
    );
  });

  it('context list (ls), use NAME, show [NAME]', async () => {
    const list = await parse(['context', 'ls'], (run) => (p, a) => registerContext(p, a, { list: run }));
    expect(list).toMatchObject({ opts: {}, args: [] });
    const use = await parse(['context', 'use', 'prod'], (run) => (p, a) => registerContext(p, a, { use: run }));
    expect(use.args).toEqual(['prod']);
    await expect(parse(['context', 'use'], (run) => (p, a) => registerContext(p, a, { use: run }))).rejects.toThrow(
      /missing required argument 'name'/,
    );
    const show = await parse(['context', 'show', 'prod'], (run) => (p, a) => registerContext(p, a, { show: run }));
    expect(show.args).toEqual(['prod']);
    // The name is optional: the run function falls back to --context, then the current context.
    const current = await parse(
      ['--context', 'staging', 'context', 'show'],
      (run) => (p, a) => registerContext(p, a, { show: run }),
    );
    expect(current.args).toEqual([]);
    expect(current.globals.context).toBe('staging');
  });

  it('keychain list and keychain test; keychain delete --kind outside the kinds is refused', async () => {
    const list = await parse(
      ['keychain', 'list', '--server', 'https://pika.example'],
      (run) => (p, a) => registerKeychain(p, a, { list: run }),
    );
    expect(list).toMatchObject({ opts: {}, args: [] });
    // Only a typed --server filters the list (not PIKA_SERVER): the run function reads it from here.
    expect(list.globals.typed.servers).toBe(true);
    expect(list.globals.servers).toEqual(['https://pika.example']);
    const test = await parse(['keychain', 'test'], (run) => (p, a) => registerKeychain(p, a, { test: run }));
    expect(test).toMatchObject({ opts: {}, args: [] });
    await expect(
      parse(['keychain', 'delete', '--kind', 'password'], (run) => (p, a) => registerKeychain(p, a, { delete: run })),
    ).rejects.toThrow(/Allowed choices are/);
  });

  it('kube secret prune --kube-secret NAME/KEY, with the global -n', async () => {
    const r = await parse(
      ['kube', 'secret', 'prune', '--kube-secret', 'pika-encryption/password', '-n', 'pika'],
      (run) => (p, a) => registerKube(p, a, run),
    );
    expect(r.opts).toEqual({ kubeSecret: 'pika-encryption/password' });
    expect(r.globals.kube.namespace).toBe('pika');
  });

  it('roll --one --plan --wait 10m --key-from env:K', async () => {
    const r = await parse(
      ['roll', '--one', '--plan', '--wait', '10m', '--key-from', 'env:K'],
      (run) => (p, a) => registerRoll(p, a, run),
    );
    expect(r.opts).toEqual({ one: true, plan: true, wait: '10m', keyFrom: 'env:K' });
  });

  it('recover-from-backup: --backup is required, the key flags reach the run function', async () => {
    const r = await parse(
      ['recover-from-backup', '--backup', 'b.pikabw', '--backup-key-from', 'env:OLD', '--plan', '-y'],
      (run) => (p, a) => registerRecoverFromBackup(p, a, run),
    );
    expect(r.opts).toEqual({ backup: 'b.pikabw', backupKeyFrom: 'env:OLD', plan: true, yes: true });
    await expect(
      parse(['recover-from-backup', '--plan'], (run) => (p, a) => registerRecoverFromBackup(p, a, run)),
    ).rejects.toThrow(/required option '--backup <file>' not specified/);
  });

  it('trust --expect-fingerprint needs a value', async () => {
    await expect(parse(['trust', '--expect-fingerprint'], (run) => (p, a) => registerTrust(p, a, run))).rejects.toThrow(
      /option '--expect-fingerprint <sha256>' argument missing/,
    );
  });
});

describe('argv forms and global flags, at the parse seam (no sandbox)', () => {
  const url = 'https://127.0.0.1:8443';
  it.each([
    [['-ks', url, 'status']],
    [['-k', '-s', url, 'status']],
    [[`-ks${url}`, 'status']],
    [[`--server=${url}`, 'status']],
    [['status', '-ks', url]],
    [['--json', '-ks', url, 'status']],
  ])('pikactl %j reaches status with the server (and -k, --json)', async (argv) => {
    const r = await parse(argv, (run) => (p, a) => registerStatus(p, a, run));
    expect(r.globals.servers).toEqual([url]);
    expect(r.globals.insecure).toBe(argv.some((a) => a.startsWith('-k')));
    expect(r.globals.json).toBe(argv.includes('--json'));
    expect(r.opts).toEqual({});
  });

  it('pikactl -ku admin -s URL unlock: the user, -k and the server reach unlock', async () => {
    const r = await parse(
      ['-ku', 'admin', '-s', url, 'unlock', '--key-from', 'env:KEY'],
      (run) => (p, a) => registerUnlock(p, a, run),
    );
    expect(r.globals).toMatchObject({ user: 'admin', insecure: true, servers: [url] });
    expect(r.opts).toEqual({ keyFrom: 'env:KEY' });
  });

  it('--timeout above what a timer can hold is a usage error naming the limit, before any run', async () => {
    const status: Register = (run) => (p, a) => registerStatus(p, a, run);
    const long = parse(['status', '--server', url, '--timeout', '1000h'], status);
    await expect(long).rejects.toThrow(/--timeout "1000h" is too long: the limit is 596h31m/);
    await expect(long).rejects.toMatchObject({ code: 'usage', exitCode: 2 });
    // 400 nines: still a usage error (a CliError), not a RangeError ("unexpected error").
    await expect(parse(['status', '--server', url, '--timeout', '9'.repeat(400)], status)).rejects.toMatchObject({
      code: 'usage',
      exitCode: 2,
    });
  });
});
