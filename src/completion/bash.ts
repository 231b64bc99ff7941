import { allCommands, SECRET_SCHEMES, type ProgramSpec } from './model.js';
import { argArms, childArms, HEADER, names, pat, sq, valueArms } from './shared.js';

// ---- bash ----

export function bashScript(spec: ProgramSpec): string {
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
  for (const c of cmds)
    if (c.commands.length)
      L.push(
        `    ${sq(c.path.join(' '))}) _pikactl_r=${sq(c.commands.flatMap((s) => [s.name, ...s.aliases]).join(' '))} ;;`,
      );
  L.push('    *) _pikactl_r= ;;', '  esac', '}');
  L.push(
    '',
    '# _pikactl_flags PATH: flags accepted at PATH (its own, then the global ones).',
    '_pikactl_flags() {',
    '  case "$1" in',
  );
  for (const c of cmds)
    if (c.flags.length) L.push(`    ${sq(c.path.join(' '))}) _pikactl_r=${sq(c.flags.flatMap(names).join(' '))} ;;`);
  L.push('    *) _pikactl_r= ;;', '  esac');
  L.push(`  _pikactl_r="$_pikactl_r "${sq(spec.globals.flatMap(names).join(' '))}`, '}');
  L.push(
    '',
    '# _pikactl_value PATH FLAG: how the value of FLAG completes; empty when FLAG takes no value.',
    '_pikactl_value() {',
    '  case "$1|$2" in',
  );
  for (const [k, v] of valueArms(spec)) L.push(`    ${pat(k)}) _pikactl_r=${sq(v.join(' '))} ;;`);
  L.push('    *) _pikactl_r= ;;', '  esac', '}');
  L.push(
    '',
    '# _pikactl_arg PATH N: how the Nth positional argument of PATH completes.',
    '_pikactl_arg() {',
    '  case "$1|$2" in',
  );
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
