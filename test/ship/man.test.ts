import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatedFiles, inertProgram } from '../../scripts/generate.js';
import { esc } from '../../scripts/man.js';
import { HELP_TOPICS } from '../../src/commands/help-topics.js';
import { EXIT_CODE_DOCS } from '../../src/errors.js';
import { GLOBAL_ENV } from '../../src/globals.js';
import { KEYCHAIN_ACCOUNT_DOCS } from '../../src/keychain/accounts.js';
import { runCli } from '../support/context.js';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; description: string };
const committed = readFileSync(join(root, 'man/pikactl.1'), 'utf8');
const hasMan = spawnSync('sh', ['-c', 'command -v man']).status === 0;

let program: Command;
let page: string;
beforeAll(async () => {
  program = await inertProgram();
  page = (await generatedFiles(pkg))['man/pikactl.1'];
});

function walk(cmd: Command, path: string[] = []): Array<{ path: string[]; cmd: Command }> {
  const help = cmd.createHelp();
  return [{ path, cmd }, ...help.visibleCommands(cmd).flatMap((s) => walk(s, [...path, s.name()]))];
}

describe('man/pikactl.1', () => {
  it('is current (run `npm run gen` when this fails)', () => {
    expect(committed).toBe(page);
  });

  it('documents every command and every flag of the live tree', () => {
    const all = walk(program);
    expect(all.length).toBeGreaterThan(15);
    for (const { path, cmd } of all.slice(1)) {
      expect(page, `command ${path.join(' ')}`).toContain(`.SS "${esc(['pikactl', ...path].join(' '))}`);
      for (const o of cmd.createHelp().visibleOptions(cmd)) {
        if (o.long === '--help') continue;
        expect(page, `${path.join(' ')} ${o.long}`).toContain(`\\fB${esc(o.long!)}\\fR`);
        if (o.short) expect(page).toContain(`\\fB${esc(o.short)}\\fR, \\fB${esc(o.long!)}\\fR`);
      }
    }
    for (const o of program.options) expect(page).toContain(`\\fB${esc(o.long!)}\\fR`);
  });

  it('has the reference sections, fed by the help topics', () => {
    for (const s of [
      'NAME',
      'SYNOPSIS',
      'DESCRIPTION',
      'OPTIONS',
      'COMMANDS',
      'SECRET SOURCES',
      'ENVIRONMENT',
      'EXIT STATUS',
      'FILES',
      'EXAMPLES',
      'SECURITY',
    ]) {
      expect(page).toMatch(new RegExp(`^\\.SH ${s}$`, 'm'));
    }
    for (const e of EXIT_CODE_DOCS) expect(page).toContain(`.TP\n\\fB${e.code} ${esc(e.name)}\\fR`);
    for (const v of Object.values(GLOBAL_ENV)) expect(page).toContain(`\\fB${esc(v)}\\fR`);
    for (const a of KEYCHAIN_ACCOUNT_DOCS) expect(page).toContain(esc(a.account));
    expect(page).toContain(esc('$XDG_CONFIG_HOME/pikactl/config.json'));
    expect(page).toContain(esc('$XDG_STATE_HOME/pikactl/journals/'));
    expect(page).toContain(`.TH PIKACTL 1 "" "pikactl ${esc(pkg.version)}"`);
  });

  it('escapes roff: no line is read as a request, flags keep their hyphen-minus', () => {
    expect(esc('--key-from')).toBe('\\-\\-key\\-from');
    expect(esc('a\\b')).toBe('a\\eb');
    expect(esc("it's ~/x ^")).toBe('it\\(aqs \\(ti/x \\(ha');
    expect(esc('a \u2014 b \u00e9')).toBe('a \\(em b \\[u00E9]');
    const requests = new Set([
      '.\\"',
      '.TH',
      '.SH',
      '.SS',
      '.TP',
      '.PP',
      '.RS',
      '.RE',
      '.nf',
      '.fi',
      '.br',
      '.nh',
      '.ad',
    ]);
    for (const line of page.split('\n')) {
      if (/^[.']/.test(line)) expect(requests, line).toContain(line.split(' ')[0]);
    }
    expect(page).not.toMatch(/[^\x0a\x20-\x7e]/); // ASCII only: non-ASCII goes through \[uXXXX]
    expect(page.split('\n').filter((l) => /(^|[^\\])-/.test(l) && !l.startsWith('.\\"'))).toEqual([]);
  });

  it.runIf(hasMan)('renders with man -l, without warnings', () => {
    const r = spawnSync('man', ['--warnings', '-E', 'UTF-8', '-l', join(root, 'man/pikactl.1')], {
      encoding: 'utf8',
      env: { ...process.env, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('EXIT STATUS');
    expect(r.stdout).toContain('pikactl status');
  });
});

describe('help topics', () => {
  it('every topic prints with `pikactl help TOPIC` and is listed by `pikactl help`', async () => {
    const list = await runCli(['help']);
    for (const [name, topic] of Object.entries(HELP_TOPICS)) {
      expect(list.stdout).toContain(`  ${name.padEnd(12)} ${topic.summary}`);
      const r = await runCli(['help', name]);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(100);
    }
    expect((await runCli(['help', 'files'])).stdout).toContain('$XDG_CONFIG_HOME/pikactl/config.json');
    expect((await runCli(['help', 'environment'])).stdout).toMatch(/^ {2}PIKA_SESSION\s+an existing session/m);
  });

  it('examples use only commands and flags that exist', () => {
    const commands = walk(program);
    // A line ending in a backslash goes on in the next one, as in a shell.
    const examples = HELP_TOPICS.examples
      .blocks()
      .flatMap((b) => ('pre' in b ? b.pre : []))
      .join('\n')
      .replace(/\\\n\s*/g, '')
      .split('\n');
    expect(examples.length).toBeGreaterThan(5);
    for (const line of examples) {
      const words = line.split(/\s+/);
      expect(words[0]).toBe('pikactl');
      let cmd = program;
      let i = 1;
      for (; i < words.length; i++) {
        const sub = cmd.commands.find((c) => c.name() === words[i]);
        if (!sub) break;
        cmd = sub;
      }
      expect(cmd, line).not.toBe(program);
      const known = new Set([...cmd.options, ...program.options].flatMap((o) => [o.long, o.short]));
      for (const flag of words.slice(i).filter((w) => w.startsWith('-')))
        expect(known.has(flag), `${flag} in: ${line}`).toBe(true);
    }
    expect(commands.length).toBeGreaterThan(0);
  });
});
