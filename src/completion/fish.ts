import { allCommands, type FlagSpec, type ProgramSpec, type ValueHint } from './model.js';
import { childArms, HEADER, sq, valueArms } from './shared.js';

// ---- fish ----

export function fishScript(spec: ProgramSpec): string {
  const L: string[] = [];
  L.push(`# fish completion for pikactl. ${HEADER('fish')}`);
  L.push('# Install: pikactl completion fish > ~/.config/fish/completions/pikactl.fish');
  L.push('', 'function __pikactl_child --argument-names path word', '    switch "$path|$word"');
  for (const [k, v] of childArms(spec)) L.push(`        case ${sq(k)}`, `            echo ${sq(v)}`);
  L.push('    end', 'end');
  L.push('', 'function __pikactl_takes_value --argument-names path flag', '    switch "$path|$flag"');
  // A fish case pattern is a wildcard pattern even when quoted.
  const arms = valueArms(spec).map(([k]) => sq(k));
  for (let i = 0; i < arms.length; i += 6)
    L.push(`        case ${arms.slice(i, i + 6).join(' ')}`, '            return 0');
  L.push('    end', '    return 1', 'end');
  L.push(FISH_ENGINE.replace('@SCHEMES@', SCHEME_HELP.map(([s, d]) => `${sq(s)} ${sq(d)}`).join(' ')));
  const complete = (cond: string | null, rest: string) =>
    L.push(`complete -c pikactl${cond === null ? '' : ` -n ${sq(`__pikactl_at ${sq(cond)}`)}`} ${rest}`);
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
