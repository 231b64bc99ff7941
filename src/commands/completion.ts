import { Argument, type Command, type Option } from 'commander';
import { summary } from './summaries.js';
import type { App } from './app.js';
import { HELP_TOPICS } from './help-topics.js';

/**
 * Shell completion, generated from the live commander tree: `pikactl completion
 * bash|zsh|fish` prints a script, and `npm run gen` writes the same text to
 * completions/ (scripts/gen.ts calls completionScript() too, so the two cannot drift).
 *
 * Why our own small generator rather than a library: the libraries that hook into
 * commander (tabtab, omelette, @bomb.sh/tab) make the shell call back into pikactl on
 * every TAB, which costs a Node start-up (~0.1-0.2 s) per key press and a dependency;
 * none emits static scripts from a commander 14 tree. Ours emits static tables plus a
 * small engine per shell, answers instantly, and calls pikactl only for values that
 * live in the user's config (context names: the hidden `pikactl __complete contexts`).
 *
 * The model (describeProgram) is also what scripts/man.ts renders into the man page.
 */

/** How an option's value (or a positional argument) completes. */
export type ValueHint =
  | { kind: 'free' }
  | { kind: 'choices'; values: string[] }
  /** A secret source: prompt - file:PATH env:NAME keychain keychain:NAME cmd:COMMAND. */
  | { kind: 'secret' }
  | { kind: 'file' }
  | { kind: 'dir' }
  /** Context names, read from the config file at completion time. */
  | { kind: 'contexts' };

export interface FlagSpec {
  long?: string;
  short?: string;
  /** commander's flags text, e.g. "-s, --server <url>". */
  flags: string;
  /** Undefined for a switch. */
  value?: { name: string; optional: boolean; hint: ValueHint };
  /** The option's own text (completion menus). */
  summary: string;
  /** With choices and default, as --help shows it (man page). */
  description: string;
}

export interface ArgSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  description: string;
  hint: ValueHint;
}

export interface CommandSpec {
  /** Words after "pikactl", e.g. ["context", "add"]; [] for the program. */
  path: string[];
  name: string;
  aliases: string[];
  summary: string;
  description: string;
  /** commander's usage line, e.g. "pikactl status [options]". */
  usage: string;
  args: ArgSpec[];
  /** Options of this command only (global ones are on the root's `globals`). */
  flags: FlagSpec[];
  commands: CommandSpec[];
  /** Text commands add around --help (addHelpText): examples, exit codes, notes. */
  helpBefore: string;
  helpAfter: string;
}

export interface ProgramSpec extends CommandSpec {
  /** Program options accepted anywhere on the line (the program does not use positional options). */
  globals: FlagSpec[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Secret-source forms offered by completion; those ending in ":" take more text. */
export const SECRET_SCHEMES = ['prompt', '-', 'file:', 'env:', 'keychain', 'keychain:', 'cmd:'] as const;

/** Positional arguments whose values pikactl knows (keyed by command path). */
const ARG_HINTS: Record<string, (program: Command) => Promise<ValueHint>> = {
  'context use': async () => ({ kind: 'contexts' }),
  'context show': async () => ({ kind: 'contexts' }),
  'context remove': async () => ({ kind: 'contexts' }),
  'runbook show': async () => ({ kind: 'choices', values: [...(await import('../playbooks/runbooks/index.js')).RUNBOOK_NAMES] }),
  help: async (program) => ({ kind: 'choices', values: [...Object.keys(HELP_TOPICS), ...visible(program).map((c) => c.name())] }),
};

function visible(cmd: Command): Command[] {
  return cmd.createHelp().visibleCommands(cmd);
}

function optionHint(o: Option): ValueHint {
  const valueName = o.flags.match(/[<[]([^>\]]+)[>\]]/)?.[1] ?? '';
  if (o.argChoices) return { kind: 'choices', values: [...o.argChoices] };
  if (o.long?.endsWith('-from')) return { kind: 'secret' };
  if (o.long === '--context') return { kind: 'contexts' };
  if (valueName === 'file') return { kind: 'file' };
  if (valueName === 'dir') return { kind: 'dir' };
  return { kind: 'free' };
}

function flagSpec(cmd: Command, o: Option): FlagSpec {
  const help = cmd.createHelp();
  const valueName = o.flags.match(/[<[]([^>\]]+)[>\]]/)?.[1];
  return {
    long: o.long,
    short: o.short,
    flags: o.flags,
    value: o.required || o.optional ? { name: valueName ?? 'value', optional: o.optional, hint: optionHint(o) } : undefined,
    summary: oneLine(o.description),
    description: oneLine(help.optionDescription(o)),
  };
}

/** Captures what addHelpText() prints for `position` (commander keeps it as event listeners). */
function helpText(cmd: Command, position: 'before' | 'after'): string {
  let text = '';
  // Command is an EventEmitter at run time; its typings do not say so.
  (cmd as unknown as NodeJS.EventEmitter).emit(`${position}Help`, { error: false, command: cmd, write: (s: string) => (text += s) });
  return text.replace(/^\n+/, '').replace(/\s+$/, '');
}

/** Walks the tree as --help shows it: hidden commands and options are left out. */
export async function describeProgram(program: Command): Promise<ProgramSpec> {
  // Every program option but --version and --help works after any command; each command has its own --help.
  const globalOptions = program.options.filter((o) => !o.hidden && o.long !== '--version');
  const globals = globalOptions.map((o) => flagSpec(program, o));
  // `parent` is passed along because commander's implicit `help` subcommands have none set.
  const walk = async (cmd: Command, path: string[], parent?: Command): Promise<CommandSpec> => {
    const help = cmd.createHelp();
    const own = help.visibleOptions(cmd).filter((o) => !globalOptions.includes(o));
    const key = path.join(' ');
    const helpOf = cmd.name() === 'help' ? parent : undefined;
    const hintFor = ARG_HINTS[key] ?? (helpOf ? async () => ({ kind: 'choices' as const, values: visible(helpOf).map((c) => c.name()) }) : undefined);
    const args: ArgSpec[] = [];
    for (const a of cmd.registeredArguments) {
      args.push({
        name: a.name(),
        required: a.required,
        variadic: a.variadic,
        description: oneLine(help.argumentDescription(a)),
        hint: a.argChoices ? { kind: 'choices', values: [...a.argChoices] } : hintFor ? await hintFor(program) : { kind: 'free' },
      });
    }
    const commands: CommandSpec[] = [];
    for (const sub of visible(cmd)) commands.push(await walk(sub, [...path, sub.name()], cmd));
    return {
      path,
      name: cmd.name(),
      aliases: cmd.aliases(),
      summary: oneLine(cmd.summary() || cmd.description()),
      description: cmd.description(),
      usage: fullUsage(help.commandUsage(cmd), path),
      args,
      flags: own.map((o) => flagSpec(cmd, o)),
      commands,
      helpBefore: helpText(cmd, 'before'),
      helpAfter: helpText(cmd, 'after'),
    };
  };
  return { ...(await walk(program, [])), globals };
}

/** commander puts the ancestors' names in front, except for its implicit `help` commands (no parent set). */
function fullUsage(usage: string, path: string[]): string {
  const ancestors = ['pikactl', ...path.slice(0, -1)].join(' ');
  return path.length === 0 || usage.startsWith(`${ancestors} `) ? usage : `${ancestors} ${usage}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Every command, depth first (the program first). */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(allCommands)];
}

export function completionScript(shell: Shell, spec: ProgramSpec): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
  }
}

// ---- shared table builders: each shell gets the same facts as `case` arms ----

const HEADER = (shell: string) =>
  `Generated from pikactl's command tree by \`npm run gen\` (same text as \`pikactl completion ${shell}\`); do not edit.`;

/** "path|word" -> canonical child name, for every subcommand name and alias. */
function childArms(spec: ProgramSpec): Array<[string, string]> {
  return allCommands(spec).flatMap((c) => c.commands.flatMap((s) => [s.name, ...s.aliases].map((w): [string, string] => [`${c.path.join(' ')}|${w}`, s.name])));
}

/** A value hint as words a shell function hands to its value completer. */
function hintWords(h: ValueHint): string[] {
  return h.kind === 'choices' ? ['choices', ...h.values] : [h.kind];
}

/** "path|flag" -> hint words, for every flag that takes a value ("*|flag" for globals). */
function valueArms(spec: ProgramSpec): Array<[string, string[]]> {
  const arms: Array<[string, string[]]> = [];
  for (const c of allCommands(spec)) {
    for (const f of c.flags) if (f.value) for (const n of names(f)) arms.push([`${c.path.join(' ')}|${n}`, hintWords(f.value.hint)]);
  }
  for (const f of spec.globals) if (f.value) for (const n of names(f)) arms.push([`*|${n}`, hintWords(f.value.hint)]);
  return arms;
}

/** "path|index" -> hint words for positional arguments that complete to something. */
function argArms(spec: ProgramSpec): Array<[string, string[]]> {
  const arms: Array<[string, string[]]> = [];
  for (const c of allCommands(spec)) {
    c.args.forEach((a, i) => {
      if (a.hint.kind === 'free') return;
      arms.push([`${c.path.join(' ')}|${a.variadic ? '*' : i}`, hintWords(a.hint)]);
    });
  }
  return arms;
}

function names(f: FlagSpec): string[] {
  return [f.short, f.long].filter((n): n is string => n !== undefined);
}

/** Quotes a case pattern for sh-like shells: literal text, except a trailing "*" after "|". */
function pat(key: string): string {
  return key.startsWith('*|') ? `*${sq(key.slice(1))}` : key.endsWith('|*') ? `${sq(key.slice(0, -1))}*` : sq(key);
}

function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---- bash ----

function bashScript(spec: ProgramSpec): string {
  const cmds = allCommands(spec);
  const L: string[] = [];
  L.push('# bash completion for pikactl                              -*- shell-script -*-');
  L.push(`# ${HEADER('bash')}`);
  L.push('# Install: source it from ~/.bashrc, e.g.  source <(pikactl completion bash)');
  L.push('#   or copy it to ~/.local/share/bash-completion/completions/pikactl (bash-completion package).');
  L.push('', '# _pikactl_child PATH WORD: the subcommand WORD names under PATH (aliases resolved), else empty.');
  L.push('_pikactl_child() {', '  case "$1|$2" in');
  for (const [k, v] of childArms(spec)) L.push(`    ${pat(k)}) _pikactl_r=${sq(v)} ;;`);
  L.push('    *) _pikactl_r= ;;', '  esac', '}');
  L.push('', '# _pikactl_cmds PATH: subcommand names (and aliases) of PATH.', '_pikactl_cmds() {', '  case "$1" in');
  for (const c of cmds) if (c.commands.length) L.push(`    ${sq(c.path.join(' '))}) _pikactl_r=${sq(c.commands.flatMap((s) => [s.name, ...s.aliases]).join(' '))} ;;`);
  L.push('    *) _pikactl_r= ;;', '  esac', '}');
  L.push('', '# _pikactl_flags PATH: flags accepted at PATH (its own, then the global ones).', '_pikactl_flags() {', '  case "$1" in');
  for (const c of cmds) if (c.flags.length) L.push(`    ${sq(c.path.join(' '))}) _pikactl_r=${sq(c.flags.flatMap(names).join(' '))} ;;`);
  L.push('    *) _pikactl_r= ;;', '  esac');
  L.push(`  _pikactl_r="$_pikactl_r "${sq(spec.globals.flatMap(names).join(' '))}`, '}');
  L.push('', '# _pikactl_value PATH FLAG: how the value of FLAG completes; empty when FLAG takes no value.', '_pikactl_value() {', '  case "$1|$2" in');
  for (const [k, v] of valueArms(spec)) L.push(`    ${pat(k)}) _pikactl_r=${sq(v.join(' '))} ;;`);
  L.push('    *) _pikactl_r= ;;', '  esac', '}');
  L.push('', '# _pikactl_arg PATH N: how the Nth positional argument of PATH completes.', '_pikactl_arg() {', '  case "$1|$2" in');
  for (const [k, v] of argArms(spec)) L.push(`    ${pat(k)}) _pikactl_r=${sq(v.join(' '))} ;;`);
  L.push('    *) _pikactl_r=free ;;', '  esac', '}');
  L.push(BASH_ENGINE.replace('@SCHEMES@', SECRET_SCHEMES.join(' ')));
  return `${L.join('\n')}\n`;
}

const BASH_ENGINE = `
# _pikactl_values CUR KIND [WORDS...]: fills COMPREPLY with the values of that kind that start with CUR.
_pikactl_values() {
  local cur=$1 kind=$2
  shift 2
  case $kind in
    choices) COMPREPLY=($(compgen -W "$*" -- "$cur")) ;;
    secret)
      case $cur in
        file:*) _pikactl_values "\${cur#file:}" file; COMPREPLY=("\${COMPREPLY[@]/#/file:}") ;;
        env:*) COMPREPLY=($(compgen -P env: -e -- "\${cur#env:}")) ;;
        *)
          COMPREPLY=($(compgen -W '@SCHEMES@' -- "$cur"))
          [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null ;;
      esac ;;
    file | dir)
      local IFS=$'\\n'
      COMPREPLY=($(compgen "$([[ $kind == dir ]] && echo -d || echo -f)" -- "$cur"))
      compopt -o filenames 2>/dev/null ;;
    contexts)
      COMPREPLY=($(compgen -W "$(pikactl __complete contexts 2>/dev/null)" -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
}

_pikactl() {
  local _pikactl_r cur i w path= npos=0 pending= words cword
  # The words up to the cursor, split at blanks only: COMP_WORDS also splits at ":" and "=",
  # which would cut "file:PATH" and "--flag=value" in pieces. Without COMP_LINE (a hand-made
  # call) COMP_WORDS is taken as it is.
  if [[ -n \${COMP_LINE-} ]]; then
    local line=\${COMP_LINE:0:\${COMP_POINT:-\${#COMP_LINE}}}
    read -ra words <<<"$line"
    [[ -z $line || $line == *[[:blank:]] ]] && words+=("")
    cword=$((\${#words[@]} - 1))
  else
    words=("\${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  cur=\${words[cword]}
  for ((i = 1; i < cword; i++)); do
    w=\${words[i]}
    if [[ -n $pending ]]; then pending=; continue; fi
    case $w in
      --*=* | -) ;;
      -*) _pikactl_value "$path" "$w"; [[ -n $_pikactl_r ]] && pending=1 ;;
      *)
        _pikactl_child "$path" "$w"
        if [[ -n $_pikactl_r && $npos -eq 0 ]]; then path=\${path:+$path }$_pikactl_r; else npos=$((npos + 1)); fi ;;
    esac
  done
  COMPREPLY=()
  if [[ -n $pending ]]; then
    _pikactl_value "$path" "\${words[cword - 1]}"
    _pikactl_values "$cur" $_pikactl_r
  elif [[ $cur == --*=* ]]; then
    _pikactl_value "$path" "\${cur%%=*}"
    [[ -n $_pikactl_r ]] && _pikactl_values "\${cur#*=}" $_pikactl_r
    COMPREPLY=("\${COMPREPLY[@]/#/\${cur%%=*}=}")
  elif [[ $cur == -* ]]; then
    _pikactl_flags "$path"
    COMPREPLY=($(compgen -W "$_pikactl_r" -- "$cur"))
  else
    _pikactl_cmds "$path"
    if [[ -n $_pikactl_r && $npos -eq 0 ]]; then
      COMPREPLY=($(compgen -W "$_pikactl_r" -- "$cur"))
    else
      _pikactl_arg "$path" "$npos"
      _pikactl_values "$cur" $_pikactl_r
    fi
  fi
  # Bash replaces only the text after the last COMP_WORDBREAKS character (":" and "=" by
  # default), so drop that much of the word from every candidate.
  for ((i = \${#cur} - 1; i >= 0; i--)); do
    if [[ \${cur:i:1} == [:=] && $COMP_WORDBREAKS == *"\${cur:i:1}"* ]]; then
      COMPREPLY=("\${COMPREPLY[@]#"\${cur:0:i+1}"}")
      break
    fi
  done
}

complete -F _pikactl pikactl`;

// ---- zsh ----

/** "name:description" for _describe (a colon in the name is escaped). */
function described(name: string, text: string): string {
  return sq(`${name.replace(/:/g, '\\:')}:${text}`);
}

function zshScript(spec: ProgramSpec): string {
  const cmds = allCommands(spec);
  const flagItems = (fs: FlagSpec[]) => fs.flatMap((f) => names(f).map((n) => described(n, f.summary)));
  const L: string[] = [];
  L.push('#compdef pikactl', `# zsh completion for pikactl. ${HEADER('zsh')}`);
  L.push('# Install: save as _pikactl in a directory on $fpath before compinit runs, e.g.');
  L.push('#   mkdir -p ~/.zfunc && pikactl completion zsh > ~/.zfunc/_pikactl   # and in ~/.zshrc: fpath+=(~/.zfunc)');
  L.push('#   or in ~/.zshrc after compinit:  source <(pikactl completion zsh)');
  L.push('', '_pikactl_child() {', '  case "$1|$2" in');
  for (const [k, v] of childArms(spec)) L.push(`    ${pat(k)}) reply=(${sq(v)}) ;;`);
  L.push('    *) reply=() ;;', '  esac', '}');
  L.push('', '_pikactl_cmds() {', '  case "$1" in');
  for (const c of cmds) {
    if (!c.commands.length) continue;
    const items = c.commands.flatMap((s) => [s.name, ...s.aliases].map((n) => described(n, s.summary)));
    L.push(`    ${sq(c.path.join(' '))}) reply=(`, ...items.map((i) => `      ${i}`), '    ) ;;');
  }
  L.push('    *) reply=() ;;', '  esac', '}');
  L.push('', '_pikactl_flags() {', '  case "$1" in');
  for (const c of cmds) if (c.flags.length) L.push(`    ${sq(c.path.join(' '))}) reply=(`, ...flagItems(c.flags).map((i) => `      ${i}`), '    ) ;;');
  L.push('    *) reply=() ;;', '  esac', '  reply+=(', ...flagItems(spec.globals).map((i) => `    ${i}`), '  )', '}');
  L.push('', '_pikactl_value() {', '  case "$1|$2" in');
  for (const [k, v] of valueArms(spec)) L.push(`    ${pat(k)}) reply=(${v.map(sq).join(' ')}) ;;`);
  L.push('    *) reply=() ;;', '  esac', '}');
  L.push('', '_pikactl_arg() {', '  case "$1|$2" in');
  for (const [k, v] of argArms(spec)) L.push(`    ${pat(k)}) reply=(${v.map(sq).join(' ')}) ;;`);
  L.push('    *) reply=(free) ;;', '  esac', '}');
  L.push(ZSH_ENGINE);
  return `${L.join('\n')}\n`;
}

const ZSH_ENGINE = `
_pikactl_values() {
  local kind=$1; shift
  case $kind in
    choices) compadd -- "$@" ;;
    secret)
      if compset -P 'file:'; then _files
      elif compset -P 'env:'; then compadd -- \${(k)parameters[(R)*export*]}
      else
        local -a whole=('prompt:ask on the terminal, hidden' '-:read standard input' "keychain:the OS keychain entry for this server's key")
        local -a more=('file\\::PATH, a file only you can read' 'env\\::NAME, an environment variable' 'keychain\\::NAME, a named OS keychain entry' 'cmd\\::COMMAND, the output of a password manager')
        _describe -t sources 'secret source' whole -- more -S ''
      fi ;;
    file) _files ;;
    dir) _files -/ ;;
    contexts) compadd -- \${\${(f)"$(pikactl __complete contexts 2>/dev/null)"}:#} ;;
  esac
}

_pikactl() {
  local -a reply
  local cmdpath= pending= npos=0 w i
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if [[ -n $pending ]]; then pending=; continue; fi
    case $w in
      --*=* | -) ;;
      -*) _pikactl_value "$cmdpath" "$w"; (( \${#reply} )) && pending=1 ;;
      *)
        _pikactl_child "$cmdpath" "$w"
        if (( \${#reply} && npos == 0 )); then cmdpath=\${cmdpath:+$cmdpath }\${reply[1]}; else (( npos++ )); fi ;;
    esac
  done
  if [[ -n $pending ]]; then
    _pikactl_value "$cmdpath" "\${words[CURRENT-1]}"; _pikactl_values "\${reply[@]}"
  elif [[ $PREFIX == --*=* ]]; then
    _pikactl_value "$cmdpath" "\${PREFIX%%=*}"; compset -P '*='; (( \${#reply} )) && _pikactl_values "\${reply[@]}"
  elif [[ $PREFIX == -* ]]; then
    _pikactl_flags "$cmdpath"; _describe -t options option reply
  else
    _pikactl_cmds "$cmdpath"
    if (( \${#reply} && npos == 0 )); then
      _describe -t commands command reply
    else
      _pikactl_arg "$cmdpath" $npos
      _pikactl_values "\${reply[@]}"
    fi
  fi
}

if [[ $funcstack[1] == _pikactl ]]; then _pikactl "$@"; else compdef _pikactl pikactl; fi`;

// ---- fish ----

function fishScript(spec: ProgramSpec): string {
  const L: string[] = [];
  L.push(`# fish completion for pikactl. ${HEADER('fish')}`);
  L.push('# Install: pikactl completion fish > ~/.config/fish/completions/pikactl.fish');
  L.push('', 'function __pikactl_child --argument-names path word', '    switch "$path|$word"');
  for (const [k, v] of childArms(spec)) L.push(`        case ${sq(k)}`, `            echo ${sq(v)}`);
  L.push('    end', 'end');
  L.push('', 'function __pikactl_takes_value --argument-names path flag', '    switch "$path|$flag"');
  // A fish case pattern is a wildcard pattern even when quoted.
  const arms = valueArms(spec).map(([k]) => sq(k));
  for (let i = 0; i < arms.length; i += 6) L.push(`        case ${arms.slice(i, i + 6).join(' ')}`, '            return 0');
  L.push('    end', '    return 1', 'end');
  L.push(FISH_ENGINE.replace('@SCHEMES@', SCHEME_HELP.map(([s, d]) => `${sq(s)} ${sq(d)}`).join(' ')));
  const complete = (cond: string | null, rest: string) => L.push(`complete -c pikactl${cond === null ? '' : ` -n ${sq(`__pikactl_at ${sq(cond)}`)}`} ${rest}`);
  const flagArgs = (f: FlagSpec) => {
    const parts = [f.short ? `-s ${f.short.slice(1)}` : '', f.long ? `-l ${f.long.slice(2)}` : ''].filter(Boolean);
    const h = f.value?.hint;
    if (h) parts.push(fishValue(h));
    parts.push(`-d ${sq(f.summary)}`);
    return parts.join(' ');
  };
  L.push('', '# Global flags are accepted after any command.');
  for (const f of spec.globals) complete(null, flagArgs(f));
  for (const c of allCommands(spec)) {
    const at = c.path.join(' ');
    L.push('', `# pikactl${at ? ` ${at}` : ''}`);
    for (const s of c.commands) for (const n of [s.name, ...s.aliases]) complete(at, `-a ${sq(n)} -d ${sq(s.summary)}`);
    for (const f of c.flags) complete(at, flagArgs(f));
    for (const a of c.args) if (a.hint.kind !== 'free') complete(at, fishArg(a.hint));
  }
  return `${L.join('\n')}\n`;
}

const SCHEME_HELP: Array<[string, string]> = [
  ['prompt', 'ask on the terminal, hidden'],
  ['-', 'read standard input'],
  ['file:', 'read a file only you can read'],
  ['env:', 'read an environment variable'],
  ['keychain', "the OS keychain entry for this server's key"],
  ['keychain:', 'a named OS keychain entry'],
  ['cmd:', 'the output of a command (password manager)'],
];

function fishValue(h: ValueHint): string {
  switch (h.kind) {
    case 'choices':
      return `-x -a ${sq(h.values.join(' '))}`;
    case 'secret':
      return `-x -a '(__pikactl_secret)'`;
    case 'file':
      return '-r -F';
    case 'dir':
      return `-x -a '(__fish_complete_directories)'`;
    case 'contexts':
      return `-x -a '(__pikactl_contexts)'`;
    case 'free':
      return '-x';
  }
}

/** A positional argument: values only (-F for files: the script turns file completion off by default). */
function fishArg(h: ValueHint): string {
  return h.kind === 'file' ? '-F' : fishValue(h).replace(/^-x /, '');
}

const FISH_ENGINE = `
# The command path (e.g. "context add") of the line being completed.
function __pikactl_path
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l path ''
    set -l pending 0
    set -l npos 0
    for t in $toks
        if test $pending = 1
            set pending 0
            continue
        end
        switch $t
            case '--*=*' -
            case '-*'
                __pikactl_takes_value "$path" $t; and set pending 1
            case '*'
                set -l c (__pikactl_child "$path" $t)
                if test -n "$c" -a $npos = 0
                    set path (string trim -- "$path $c")
                else
                    set npos (math $npos + 1)
                end
        end
    end
    echo $path
end

function __pikactl_at --argument-names want
    set -l p (__pikactl_path)
    test "$p" = "$want"
end

# Context names from the user's config (fish reports a missing command even with 2>/dev/null).
function __pikactl_contexts
    command -q pikactl; and pikactl __complete contexts 2>/dev/null
end

function __pikactl_secret
    set -l tok (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    switch $tok
        case 'file:*'
            for f in (__fish_complete_path (string sub -s 6 -- $tok))
                echo file:$f
            end
        case 'env:*'
            for v in (set -nx)
                echo env:$v
            end
        case '*'
            printf '%s\\t%s\\n' @SCHEMES@
    end
end

complete -c pikactl -f`;

/** `pikactl completion SHELL`, and the hidden `pikactl __complete contexts` the scripts call. */
export function registerCompletion(program: Command, app: App): void {
  const cmd = program
    .command('completion')
    .description(summary('completion'))
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Install:
  bash  add to ~/.bashrc:  source <(pikactl completion bash)
  zsh   pikactl completion zsh > ~/.zfunc/_pikactl   (with fpath+=(~/.zfunc) before compinit in ~/.zshrc)
  fish  pikactl completion fish > ~/.config/fish/completions/pikactl.fish
The npm package also ships these files in its completions/ directory.`,
    );
  app.action<Record<string, never>>(cmd, async (_opts, _g, args) => {
    app.ctx.io.stdout.write(completionScript(args[0] as Shell, await describeProgram(program)));
    return 0;
  });

  // Values only the user's files know, printed one per line. Completion must never
  // print an error into the middle of a command line, so every failure prints nothing.
  const hidden = program.command('__complete', { hidden: true }).argument('<what>', 'contexts');
  app.action<Record<string, never>>(hidden, async (_opts, _g, args) => {
    if (args[0] !== 'contexts') return 0;
    try {
      const { loadConfig } = await import('../config/store.js');
      const { config } = await loadConfig(app.ctx);
      for (const name of Object.keys(config.contexts)) app.ctx.io.stdout.write(`${name}\n`);
    } catch {
      // unreadable or invalid config: no names
    }
    return 0;
  });
}
