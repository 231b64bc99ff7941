import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  completionScript,
  describeProgram,
  SECRET_SCHEMES,
  SHELLS,
  type ProgramSpec,
} from '../../src/completion/index.js';
import { inertProgram } from '../../scripts/generate.js';
import { runCli, tempDir } from '../support/context.js';

const root = resolve(import.meta.dirname, '../..');
const FILES = {
  bash: 'completions/pikactl.bash',
  zsh: 'completions/_pikactl',
  fish: 'completions/pikactl.fish',
} as const;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Every visible command of the live tree with its path and options, walked here rather than taken from the model. */
function liveCommands(program: Command): Array<{ path: string; cmd: Command; options: Option[] }> {
  const out: Array<{ path: string; cmd: Command; options: Option[] }> = [];
  const walk = (cmd: Command, path: string[]) => {
    const help = cmd.createHelp();
    out.push({ path: path.join(' '), cmd, options: help.visibleOptions(cmd) });
    for (const sub of help.visibleCommands(cmd)) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

let program: Command;
let spec: ProgramSpec;
const scripts = {} as Record<(typeof SHELLS)[number], string>;

beforeAll(async () => {
  program = await inertProgram();
  spec = await describeProgram(program);
  for (const shell of SHELLS) scripts[shell] = completionScript(shell, spec);
});

describe('completion scripts cover the live command tree', () => {
  it('name every command, alias and flag, in every shell', () => {
    const live = liveCommands(program);
    expect(live.length).toBeGreaterThan(15);
    for (const { path, cmd, options } of live) {
      for (const sub of cmd.createHelp().visibleCommands(cmd)) {
        for (const name of [sub.name(), ...sub.aliases()]) {
          expect(scripts.bash).toContain(`'${path}|${name}') _pikactl_r='${sub.name()}'`);
          expect(scripts.zsh).toContain(`'${name}:`);
          expect(scripts.fish).toContain(`-n '__pikactl_at '\\''${path}'\\''' -a '${name}'`);
        }
      }
      const flagsFn = scripts.bash.slice(
        scripts.bash.indexOf('_pikactl_flags() {'),
        scripts.bash.indexOf('_pikactl_value() {'),
      );
      const bashFlags = flagsFn.match(new RegExp(`^    '${path}'\\) _pikactl_r='([^']*)' ;;$`, 'm'))?.[1] ?? '';
      const globalFlags = scripts.bash.match(/_pikactl_r="\$_pikactl_r "'([^']*)'/)?.[1] ?? '';
      for (const o of options) {
        for (const flag of [o.short, o.long].filter((f): f is string => f !== undefined)) {
          expect(`${bashFlags} ${globalFlags}`.split(' '), `bash: ${path} ${flag}`).toContain(flag);
          expect(scripts.zsh, `zsh: ${path} ${flag}`).toContain(`'${flag}:`);
          expect(scripts.fish, `fish: ${path} ${flag}`).toMatch(
            flag.startsWith('--') ? ` -l ${flag.slice(2)} ` : ` -s ${flag.slice(1)} `,
          );
        }
      }
    }
  });

  it('complete the values of enumerated flags and arguments', () => {
    const live = liveCommands(program);
    const enumerated = live.flatMap(({ path, options }) =>
      options.filter((o) => o.argChoices).map((o) => ({ path, o })),
    );
    expect(enumerated.map((e) => `${e.path} ${e.o.long}`)).toContain('status --for');
    for (const { path, o } of enumerated) {
      expect(scripts.bash).toContain(`'${path}|${o.long}') _pikactl_r='choices ${o.argChoices!.join(' ')}'`);
      expect(scripts.zsh).toContain(
        `'${path}|${o.long}') reply=('choices' ${o.argChoices!.map((c) => `'${c}'`).join(' ')})`,
      );
      expect(scripts.fish).toContain(`-l ${o.long!.slice(2)} -x -a '${o.argChoices!.join(' ')}'`);
    }
  });

  it('offer secret sources for every flag ending in -from', () => {
    const fromFlags = liveCommands(program).flatMap(({ path, cmd, options }) =>
      options
        .filter((o) => o.long?.endsWith('-from'))
        .map((o) => ({ path: cmd === program ? '*' : path, long: o.long! })),
    );
    expect(fromFlags.length).toBeGreaterThan(5);
    for (const { path, long } of fromFlags) {
      const arm = path === '*' ? `*'|${long}') _pikactl_r='secret'` : `'${path}|${long}') _pikactl_r='secret'`;
      expect(scripts.bash).toContain(arm);
    }
    for (const scheme of SECRET_SCHEMES) expect(scripts.bash).toContain(scheme);
  });

  it('`pikactl completion SHELL` prints exactly the committed file (run `npm run gen` when this fails)', async () => {
    for (const shell of SHELLS) {
      const r = await runCli(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout, `${FILES[shell]} is stale: npm run gen`).toBe(readFileSync(join(root, FILES[shell]), 'utf8'));
      expect(r.stdout).toBe(scripts[shell]);
    }
  });

  it('refuses an unknown shell with a usage error', async () => {
    const r = await runCli(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bash, zsh, fish');
  });

  it('`__complete contexts` lists context names and stays silent on a broken config', async () => {
    const home = tempDir();
    const env = { XDG_CONFIG_HOME: join(home, 'cfg') };
    mkdirSync(join(home, 'cfg', 'pikactl'), { recursive: true });
    const file = join(home, 'cfg', 'pikactl', 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        current_context: 'prod',
        contexts: { prod: { servers: ['https://a.example'] }, staging: { servers: ['https://b.example'] } },
      }),
      { mode: 0o600 },
    );
    const ok = await runCli(['__complete', 'contexts'], { home, env });
    expect(ok).toMatchObject({ code: 0, stdout: 'prod\nstaging\n', stderr: '' });
    writeFileSync(file, '{ not json');
    const broken = await runCli(['__complete', 'contexts'], { home, env });
    expect(broken).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const help = await runCli(['--help']);
    expect(help.stdout).not.toContain('__complete');
  });
});

describe('bash runs the completion', () => {
  let shim: string;
  beforeAll(() => {
    // A `pikactl` on PATH for the context-name lookup; it answers like `pikactl __complete contexts`.
    shim = tempDir();
    writeFileSync(join(shim, 'pikactl'), '#!/bin/sh\n[ "$1" = __complete ] && printf "prod\\nstaging\\n"\n');
    chmodSync(join(shim, 'pikactl'), 0o755);
  });

  /** What _pikactl offers for the last word; `line` simulates COMP_LINE (bash's real call). */
  function complete(words: string[], line?: string): string[] {
    const script = [
      `source ${JSON.stringify(join(root, FILES.bash))}`,
      'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))',
      line === undefined ? '' : `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash source, expanded by bash
      '_pikactl; printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', ...words], {
      encoding: 'utf8',
      env: { PATH: `${shim}:${process.env.PATH}`, HOME: shim },
    });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  it('registers with `complete -p`', () => {
    const r = spawnSync(
      'bash',
      ['--norc', '--noprofile', '-c', `source ${JSON.stringify(join(root, FILES.bash))}; complete -p pikactl`],
      { encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe('complete -F _pikactl pikactl');
  });

  it('completes commands, subcommands and flags', () => {
    expect(complete(['pikactl', 'st'])).toEqual(['status']);
    expect(complete(['pikactl', 'context', 'r'])).toEqual(['remove', 'rm']);
    expect(complete(['pikactl', '--server', 'http://x', 'st'])).toEqual(['status']);
    expect(complete(['pikactl', 'status', '--f'])).toEqual(['--for']);
    expect(complete(['pikactl', 'sandbox', '--tls-'])).toEqual(['--tls-cert', '--tls-key', '--tls-self-signed']);
    expect(complete(['pikactl', 'context', 'ls', '--no-'])).toEqual(['--no-color', '--no-input']);
  });

  it('completes values: choices, secret sources, context names, help topics', () => {
    expect(complete(['pikactl', 'status', '--for', ''])).toEqual(['unlocked', 'locked', 'initialized', 'reachable']);
    expect(complete(['pikactl', 'unlock', '--key-from', ''])).toEqual([...SECRET_SCHEMES]);
    expect(complete(['pikactl', 'unlock', '--key-from', 'key'])).toEqual(['keychain', 'keychain:']);
    expect(complete(['pikactl', '--password-from', 'env:PAT'])).toEqual(['PATH']);
    expect(complete(['pikactl', 'context', 'use', ''])).toEqual(['prod', 'staging']);
    expect(complete(['pikactl', '--context', 'st'])).toEqual(['staging']);
    expect(complete(['pikactl', 'help', 'exit'])).toEqual(['exit-codes']);
    expect(complete(['pikactl', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('keeps file:PATH and --flag=value whole when bash splits at ":" and "="', () => {
    // Real bash passes COMP_WORDS split at COMP_WORDBREAKS and replaces only the text after the last break.
    expect(
      complete(['pikactl', 'unlock', '--key-from', 'file', ':', '/et'], 'pikactl unlock --key-from file:/et'),
    ).toEqual(['/etc']);
    expect(complete(['pikactl', 'status', '--for', '=', 'unl'], 'pikactl status --for=unl')).toEqual(['unlocked']);
  });
});

describe.runIf(has('fish'))('fish runs the completion', () => {
  it('completes commands, flags and values', () => {
    const complete = (line: string) =>
      spawnSync(
        'fish',
        ['--no-config', '-c', `source ${JSON.stringify(join(root, FILES.fish))}; complete -C ${JSON.stringify(line)}`],
        { encoding: 'utf8' },
      )
        .stdout.split('\n')
        .map((l) => l.split('\t')[0])
        .filter(Boolean);
    expect(complete('pikactl st')).toEqual(['status']);
    expect(complete('pikactl status --for ')).toEqual(expect.arrayContaining(['unlocked', 'reachable']));
    expect(complete('pikactl context r')).toEqual(['remove', 'rm']);
    expect(complete('pikactl unlock --key-from ')).toEqual(expect.arrayContaining([...SECRET_SCHEMES]));
  });
});

describe.runIf(has('zsh'))('zsh', () => {
  it('parses the script', () => {
    expect(spawnSync('zsh', ['-n', join(root, FILES.zsh)], { encoding: 'utf8' }).status).toBe(0);
  });
});
