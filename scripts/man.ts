import type { CommandSpec, FlagSpec, ProgramSpec } from '../src/completion/index.js';
import { allCommands } from '../src/completion/index.js';
import { HELP_TOPICS, type DocBlock } from '../src/commands/help-topics.js';

/**
 * man/pikactl.1 from the same model as the completions (describeProgram) plus the
 * help topics, which are the single source of the reference sections. Plain man(7)
 * macros only (TH SH SS TP PP RS RE nf fi B I), so groff and mandoc both render it.
 */
export interface ManOptions {
  version: string;
  /** package.json "description": one paragraph of what pikactl is. */
  packageDescription: string;
}

/** The topics that become sections, in man page order (SECRET SOURCES sits before ENVIRONMENT by convention). */
const TOPIC_SECTIONS = ['secrets', 'environment', 'exit-codes', 'files', 'examples', 'security'] as const;

export function renderManPage(spec: ProgramSpec, opts: ManOptions): string {
  const out: string[] = [];
  const title = spec.description.replace(/\.$/, '');
  out.push(`.\\" ${esc('Generated from the command tree by `npm run gen` (scripts/gen.ts); do not edit.')}`);
  out.push(`.TH PIKACTL 1 "" ${q(`pikactl ${opts.version}`)} "pikactl manual"`);
  // No automatic hyphenation and no justification: a flag split across lines cannot be copied.
  out.push('.nh', '.ad l');
  out.push('.SH NAME', `pikactl \\- ${esc(title.charAt(0).toLowerCase() + title.slice(1))}`);

  out.push('.SH SYNOPSIS');
  out.push(`\\fBpikactl\\fR [\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]`);
  // One line per command that runs something (commander's implicit `X help` adds nothing here).
  for (const c of allCommands(spec).slice(1))
    if (c.commands.length === 0 && !(c.name === 'help' && c.path.length > 1)) out.push('.br', synopsisLine(c));

  out.push('.SH DESCRIPTION', ...para(opts.packageDescription));
  out.push(
    ...para(
      'Each command is described under COMMANDS with its own options; the global options under OPTIONS work with every command. ' +
        `\`pikactl help TOPIC\` prints the reference sections below on the terminal; the topics are ${Object.keys(HELP_TOPICS).join(', ')}.`,
    ),
  );

  out.push('.SH OPTIONS', ...para('Global options, accepted before or after the command:'));
  for (const f of spec.globals) out.push(...flagItem(f));
  for (const f of spec.flags) out.push(...flagItem(f));

  out.push('.SH COMMANDS');
  for (const c of allCommands(spec).slice(1)) out.push(...commandSection(c));

  for (const name of TOPIC_SECTIONS) {
    const topic = HELP_TOPICS[name];
    out.push(`.SH ${topic.manSection}`, ...blocks(topic.blocks()));
  }
  out.push('.SH SEE ALSO', ...para('`pikactl help`, `pikactl runbook list`, `pikactl completion --help`.'));
  return `${out.join('\n')}\n`;
}

function synopsisLine(c: CommandSpec): string {
  const [words, rest] = splitUsage(c);
  return `\\fB${esc(words)}\\fR${rest ? ` ${argsText(rest)}` : ''}`;
}

/** "pikactl context add NAME --server URL" -> ["pikactl context add", "NAME --server URL"]. */
function splitUsage(c: CommandSpec): [string, string] {
  const head = ['pikactl', ...c.path].join(' ');
  return [head, usageOf(c).slice(head.length).trim()];
}

/** commander's usage line without the "|alias" it puts after the name. */
function usageOf(c: CommandSpec): string {
  return c.aliases.length ? c.usage.replace(`${c.name}|${c.aliases[0]}`, c.name) : c.usage;
}

/** Usage/argument text: <value> and UPPERCASE words in italics, flags in bold. */
function argsText(text: string): string {
  return text
    .split(/(\s+|[[\]|.]+)/)
    .map((w) => {
      if (/^-/.test(w)) return `\\fB${esc(w)}\\fR`;
      if (/^<.+>$/.test(w) || /^[A-Z][A-Z0-9_]+$/.test(w)) return `\\fI${esc(w.replace(/^<|>$/g, ''))}\\fR`;
      return esc(w);
    })
    .join('');
}

function commandSection(c: CommandSpec): string[] {
  const out = [`.SS ${q(usageOf(c))}`, ...para(c.description)];
  if (c.aliases.length)
    out.push(...para(`Alias: ${c.aliases.map((a) => `pikactl ${[...c.path.slice(0, -1), a].join(' ')}`).join(', ')}.`));
  if (c.commands.length) out.push(...para(`Subcommands: ${c.commands.map((s) => s.name).join(', ')}.`));
  for (const a of c.args) {
    out.push(
      '.TP',
      `\\fI${esc(a.name)}\\fR${a.variadic ? '...' : ''}${a.required ? '' : ' (optional)'}`,
      ...text(a.description || ' '),
    );
  }
  for (const f of c.flags) if (f.long !== '--help') out.push(...flagItem(f));
  for (const extra of [c.helpBefore, c.helpAfter]) if (extra) out.push(...helpText(extra));
  return out;
}

function flagItem(f: FlagSpec): string[] {
  const names = [f.short, f.long]
    .filter(Boolean)
    .map((n) => `\\fB${esc(n!)}\\fR`)
    .join(', ');
  const value = f.value ? (f.value.optional ? ` [\\fI${esc(f.value.name)}\\fR]` : ` \\fI${esc(f.value.name)}\\fR`) : '';
  return ['.TP', names + value, ...text(f.description)];
}

/**
 * Text a command adds to its --help. Lines that start at the margin are prose and get
 * filled; indented lines (examples, tables) keep their layout.
 */
function helpText(t: string): string[] {
  const out: string[] = [];
  let prose: string[] = [];
  let pre: string[] = [];
  const flush = () => {
    if (prose.length) out.push(...para(prose.join(' ')));
    if (pre.length) out.push('.RS 2', '.nf', ...pre.map((l) => line(esc(l), true)), '.fi', '.RE');
    prose = [];
    pre = [];
  };
  for (const l of t.split('\n')) {
    if (l.trim() === '') flush();
    else if (/^\s/.test(l)) {
      if (prose.length) flush();
      pre.push(l.replace(/^ {2}/, ''));
    } else {
      if (pre.length) flush();
      prose.push(l.trim());
    }
  }
  flush();
  return out;
}

function blocks(bs: DocBlock[]): string[] {
  const out: string[] = [];
  for (const b of bs) {
    if ('p' in b) out.push(...para(b.p));
    else if ('pre' in b) out.push('.RS 2', '.nf', ...b.pre.map((l) => line(esc(l), true)), '.fi', '.RE');
    else
      for (const i of b.items) out.push('.TP', `\\fB${esc(i.term.trim().replace(/\s+/g, ' '))}\\fR`, ...text(i.text));
  }
  return out;
}

function para(s: string): string[] {
  return ['.PP', ...text(s)];
}

/** Filled text: `code` in bold, every line safe from being read as a request. */
function text(s: string): string[] {
  const parts = s
    .replace(/\s+/g, ' ')
    .trim()
    .split(/`([^`]+)`/);
  return [line(parts.map((p, i) => (i % 2 ? `\\fB${esc(p)}\\fR` : esc(p))).join(''), false)];
}

/** A line that starts with "." or "'" would be a request: \& makes it text. */
function line(s: string, keepEmpty: boolean): string {
  if (s === '') return keepEmpty ? '\\&' : '';
  return /^[.']/.test(s) ? `\\&${s}` : s;
}

/** A quoted macro argument. */
function q(s: string): string {
  return `"${esc(s).replace(/"/g, '\\(dq')}"`;
}

const NAMED: Record<string, string> = {
  '\u2014': '\\(em',
  '\u2013': '\\(en',
  '\u2018': '\\(oq',
  '\u2019': '\\(cq',
  '\u201c': '\\(lq',
  '\u201d': '\\(rq',
  '\u2192': '\\(->',
};

/**
 * Escapes text for roff: backslash, minus (so flags stay ASCII hyphen-minus for
 * copy and paste), the quote and accent characters groff would typeset as curly
 * or modifier letters, and any non-ASCII character.
 */
export function esc(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\e';
    else if (ch === '-') out += '\\-';
    else if (ch === "'") out += '\\(aq';
    else if (ch === '`') out += '\\(ga';
    else if (ch === '~') out += '\\(ti';
    else if (ch === '^') out += '\\(ha';
    else if (ch.charCodeAt(0) > 126 || (ch.charCodeAt(0) < 32 && ch !== '\n'))
      out += NAMED[ch] ?? `\\[u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`;
    else out += ch;
  }
  return out;
}
