import { allCommands, type FlagSpec, type ProgramSpec } from './model.js';
import { argArms, childArms, HEADER, names, pat, sq, valueArms } from './shared.js';

// ---- zsh ----

/** "name:description" for _describe (a colon in the name is escaped). */
function described(name: string, text: string): string {
  return sq(`${name.replace(/:/g, '\\:')}:${text}`);
}

export function zshScript(spec: ProgramSpec): string {
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
  for (const c of cmds)
    if (c.flags.length)
      L.push(`    ${sq(c.path.join(' '))}) reply=(`, ...flagItems(c.flags).map((i) => `      ${i}`), '    ) ;;');
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
