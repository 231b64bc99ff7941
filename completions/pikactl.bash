# bash completion for pikactl                              -*- shell-script -*-
# Generated from pikactl's command tree by `npm run gen` (same text as `pikactl completion bash`); do not edit.
# Install: source it from ~/.bashrc, e.g.  source <(pikactl completion bash)
#   or copy it to ~/.local/share/bash-completion/completions/pikactl (bash-completion package).

# _pikactl_child PATH WORD: the subcommand WORD names under PATH (aliases resolved), else empty.
_pikactl_child() {
  case "$1|$2" in
    '|status') _pikactl_r='status' ;;
    '|init') _pikactl_r='init' ;;
    '|unlock') _pikactl_r='unlock' ;;
    '|lock') _pikactl_r='lock' ;;
    '|rotate') _pikactl_r='rotate' ;;
    '|roll') _pikactl_r='roll' ;;
    '|kube') _pikactl_r='kube' ;;
    '|recover-rotation') _pikactl_r='recover-rotation' ;;
    '|backup') _pikactl_r='backup' ;;
    '|recover-from-backup') _pikactl_r='recover-from-backup' ;;
    '|handover') _pikactl_r='handover' ;;
    '|login') _pikactl_r='login' ;;
    '|logout') _pikactl_r='logout' ;;
    '|whoami') _pikactl_r='whoami' ;;
    '|keychain') _pikactl_r='keychain' ;;
    '|context') _pikactl_r='context' ;;
    '|trust') _pikactl_r='trust' ;;
    '|sandbox') _pikactl_r='sandbox' ;;
    '|runbook') _pikactl_r='runbook' ;;
    '|completion') _pikactl_r='completion' ;;
    '|help') _pikactl_r='help' ;;
    'kube|secret') _pikactl_r='secret' ;;
    'kube|help') _pikactl_r='help' ;;
    'kube secret|prune') _pikactl_r='prune' ;;
    'kube secret|help') _pikactl_r='help' ;;
    'backup|export') _pikactl_r='export' ;;
    'backup|inspect') _pikactl_r='inspect' ;;
    'backup|restore') _pikactl_r='restore' ;;
    'backup|help') _pikactl_r='help' ;;
    'handover|start') _pikactl_r='start' ;;
    'handover|accept') _pikactl_r='accept' ;;
    'handover|finish') _pikactl_r='finish' ;;
    'keychain|set') _pikactl_r='set' ;;
    'keychain|list') _pikactl_r='list' ;;
    'keychain|delete') _pikactl_r='delete' ;;
    'keychain|test') _pikactl_r='test' ;;
    'keychain|help') _pikactl_r='help' ;;
    'context|add') _pikactl_r='add' ;;
    'context|list') _pikactl_r='list' ;;
    'context|ls') _pikactl_r='list' ;;
    'context|use') _pikactl_r='use' ;;
    'context|show') _pikactl_r='show' ;;
    'context|remove') _pikactl_r='remove' ;;
    'context|rm') _pikactl_r='remove' ;;
    'context|help') _pikactl_r='help' ;;
    'runbook|list') _pikactl_r='list' ;;
    'runbook|show') _pikactl_r='show' ;;
    *) _pikactl_r= ;;
  esac
}

# _pikactl_cmds PATH: subcommand names (and aliases) of PATH.
_pikactl_cmds() {
  case "$1" in
    '') _pikactl_r='status init unlock lock rotate roll kube recover-rotation backup recover-from-backup handover login logout whoami keychain context trust sandbox runbook completion help' ;;
    'kube') _pikactl_r='secret help' ;;
    'kube secret') _pikactl_r='prune help' ;;
    'backup') _pikactl_r='export inspect restore help' ;;
    'handover') _pikactl_r='start accept finish' ;;
    'keychain') _pikactl_r='set list delete test help' ;;
    'context') _pikactl_r='add list ls use show remove rm help' ;;
    'runbook') _pikactl_r='list show' ;;
    *) _pikactl_r= ;;
  esac
}

# _pikactl_flags PATH: flags accepted at PATH (its own, then the global ones).
_pikactl_flags() {
  case "$1" in
    '') _pikactl_r='-V --version -h --help' ;;
    'status') _pikactl_r='--wait --for -h --help' ;;
    'init') _pikactl_r='--key-from --confirm-saved --save-to-keychain --kube-secret -h --help' ;;
    'unlock') _pikactl_r='--key-from --wait -h --help' ;;
    'lock') _pikactl_r='-y --yes -h --help' ;;
    'rotate') _pikactl_r='--current-key-from --new-key-from --confirm-saved --save-to-keychain --kube-secret -h --help' ;;
    'roll') _pikactl_r='--one --plan --wait --key-from -h --help' ;;
    'kube') _pikactl_r='-h --help' ;;
    'kube secret') _pikactl_r='-h --help' ;;
    'kube secret prune') _pikactl_r='--kube-secret -h --help' ;;
    'recover-rotation') _pikactl_r='--old-key-from --new-key-from -y --yes --plan -h --help' ;;
    'backup') _pikactl_r='-h --help' ;;
    'backup export') _pikactl_r='-o --out --encrypt-with --since --until --force -h --help' ;;
    'backup inspect') _pikactl_r='--decrypt-with -h --help' ;;
    'backup restore') _pikactl_r='--wipe --decrypt-with -y --yes -h --help' ;;
    'recover-from-backup') _pikactl_r='--backup --backup-key-from --new-key-from --decrypt-with --confirm-saved --save-to-keychain -y --yes --plan -h --help' ;;
    'handover') _pikactl_r='-h --help' ;;
    'handover start') _pikactl_r='--current-key-from --new-key-from --confirm-saved --save-to-keychain --operator --record --kube-secret -h --help' ;;
    'handover accept') _pikactl_r='--record --key-from --wait --no-wait-restart --save-to-keychain -y --yes --operator -h --help' ;;
    'handover finish') _pikactl_r='--record -y --yes --operator --kube-secret -h --help' ;;
    'login') _pikactl_r='-h --help' ;;
    'logout') _pikactl_r='-h --help' ;;
    'whoami') _pikactl_r='-h --help' ;;
    'keychain') _pikactl_r='-h --help' ;;
    'keychain set') _pikactl_r='--key-from --no-verify --name -y --yes -h --help' ;;
    'keychain list') _pikactl_r='-h --help' ;;
    'keychain delete') _pikactl_r='--kind --name -y --yes -h --help' ;;
    'keychain test') _pikactl_r='-h --help' ;;
    'context') _pikactl_r='-h --help' ;;
    'context add') _pikactl_r='--key-from --use --force -h --help' ;;
    'context list') _pikactl_r='-h --help' ;;
    'context use') _pikactl_r='-h --help' ;;
    'context show') _pikactl_r='-h --help' ;;
    'context remove') _pikactl_r='-y --yes -h --help' ;;
    'trust') _pikactl_r='--expect-fingerprint -y --yes -h --help' ;;
    'sandbox') _pikactl_r='--host --port --data --base-path --tls-cert --tls-key --tls-self-signed --fault --rate-limit-soft --rate-limit-hard --rate-limit-window --session-ttl --cluster --kube --kube-namespace --kube-secret-from --kubeconfig-out -q --quiet -h --help' ;;
    'runbook') _pikactl_r='-h --help' ;;
    'runbook list') _pikactl_r='-h --help' ;;
    'runbook show') _pikactl_r='-h --help' ;;
    'completion') _pikactl_r='-h --help' ;;
    'help') _pikactl_r='-h --help' ;;
    *) _pikactl_r= ;;
  esac
  _pikactl_r="$_pikactl_r "'-s --server --context --cacert --pin -k --insecure --allow-http --proxy --timeout -u --user --password-from --totp-from --strategy --cookie-name --kube -n --namespace --kube-context --kubeconfig --kube-port --kube-connect --json --no-color --no-input --debug'
}

# _pikactl_value PATH FLAG: how the value of FLAG completes; empty when FLAG takes no value.
_pikactl_value() {
  case "$1|$2" in
    'status|--wait') _pikactl_r='free' ;;
    'status|--for') _pikactl_r='choices unlocked locked initialized reachable' ;;
    'init|--key-from') _pikactl_r='secret' ;;
    'init|--kube-secret') _pikactl_r='free' ;;
    'unlock|--key-from') _pikactl_r='secret' ;;
    'unlock|--wait') _pikactl_r='free' ;;
    'rotate|--current-key-from') _pikactl_r='secret' ;;
    'rotate|--new-key-from') _pikactl_r='secret' ;;
    'rotate|--kube-secret') _pikactl_r='free' ;;
    'roll|--wait') _pikactl_r='free' ;;
    'roll|--key-from') _pikactl_r='secret' ;;
    'kube secret prune|--kube-secret') _pikactl_r='free' ;;
    'recover-rotation|--old-key-from') _pikactl_r='secret' ;;
    'recover-rotation|--new-key-from') _pikactl_r='secret' ;;
    'backup export|-o') _pikactl_r='file' ;;
    'backup export|--out') _pikactl_r='file' ;;
    'backup export|--encrypt-with') _pikactl_r='free' ;;
    'backup export|--since') _pikactl_r='free' ;;
    'backup export|--until') _pikactl_r='free' ;;
    'backup inspect|--decrypt-with') _pikactl_r='free' ;;
    'backup restore|--decrypt-with') _pikactl_r='free' ;;
    'recover-from-backup|--backup') _pikactl_r='file' ;;
    'recover-from-backup|--backup-key-from') _pikactl_r='secret' ;;
    'recover-from-backup|--new-key-from') _pikactl_r='secret' ;;
    'recover-from-backup|--decrypt-with') _pikactl_r='free' ;;
    'handover start|--current-key-from') _pikactl_r='secret' ;;
    'handover start|--new-key-from') _pikactl_r='secret' ;;
    'handover start|--operator') _pikactl_r='free' ;;
    'handover start|--record') _pikactl_r='file' ;;
    'handover start|--kube-secret') _pikactl_r='free' ;;
    'handover accept|--record') _pikactl_r='file' ;;
    'handover accept|--key-from') _pikactl_r='secret' ;;
    'handover accept|--wait') _pikactl_r='free' ;;
    'handover accept|--operator') _pikactl_r='free' ;;
    'handover finish|--record') _pikactl_r='file' ;;
    'handover finish|--operator') _pikactl_r='free' ;;
    'handover finish|--kube-secret') _pikactl_r='free' ;;
    'keychain set|--key-from') _pikactl_r='secret' ;;
    'keychain set|--name') _pikactl_r='free' ;;
    'keychain delete|--kind') _pikactl_r='choices server-key server-key-pending server-key-previous session' ;;
    'keychain delete|--name') _pikactl_r='free' ;;
    'context add|--key-from') _pikactl_r='secret' ;;
    'trust|--expect-fingerprint') _pikactl_r='free' ;;
    'sandbox|--host') _pikactl_r='free' ;;
    'sandbox|--port') _pikactl_r='free' ;;
    'sandbox|--data') _pikactl_r='dir' ;;
    'sandbox|--base-path') _pikactl_r='free' ;;
    'sandbox|--tls-cert') _pikactl_r='file' ;;
    'sandbox|--tls-key') _pikactl_r='file' ;;
    'sandbox|--fault') _pikactl_r='choices rotate-write rotate-runbook rotate-drop rotate-delay rotate-garble init-delay init-garble' ;;
    'sandbox|--rate-limit-soft') _pikactl_r='free' ;;
    'sandbox|--rate-limit-hard') _pikactl_r='free' ;;
    'sandbox|--rate-limit-window') _pikactl_r='free' ;;
    'sandbox|--session-ttl') _pikactl_r='free' ;;
    'sandbox|--cluster') _pikactl_r='free' ;;
    'sandbox|--kube') _pikactl_r='free' ;;
    'sandbox|--kube-namespace') _pikactl_r='free' ;;
    'sandbox|--kube-secret-from') _pikactl_r='secret' ;;
    'sandbox|--kubeconfig-out') _pikactl_r='file' ;;
    *'|-s') _pikactl_r='free' ;;
    *'|--server') _pikactl_r='free' ;;
    *'|--context') _pikactl_r='contexts' ;;
    *'|--cacert') _pikactl_r='file' ;;
    *'|--pin') _pikactl_r='free' ;;
    *'|--proxy') _pikactl_r='free' ;;
    *'|--timeout') _pikactl_r='free' ;;
    *'|-u') _pikactl_r='free' ;;
    *'|--user') _pikactl_r='free' ;;
    *'|--password-from') _pikactl_r='secret' ;;
    *'|--totp-from') _pikactl_r='secret' ;;
    *'|--strategy') _pikactl_r='free' ;;
    *'|--cookie-name') _pikactl_r='free' ;;
    *'|--kube') _pikactl_r='free' ;;
    *'|-n') _pikactl_r='free' ;;
    *'|--namespace') _pikactl_r='free' ;;
    *'|--kube-context') _pikactl_r='free' ;;
    *'|--kubeconfig') _pikactl_r='file' ;;
    *'|--kube-port') _pikactl_r='free' ;;
    *'|--kube-connect') _pikactl_r='free' ;;
    *) _pikactl_r= ;;
  esac
}

# _pikactl_arg PATH N: how the Nth positional argument of PATH completes.
_pikactl_arg() {
  case "$1|$2" in
    'kube secret help|0') _pikactl_r='choices prune help' ;;
    'kube help|0') _pikactl_r='choices secret help' ;;
    'backup help|0') _pikactl_r='choices export inspect restore help' ;;
    'keychain help|0') _pikactl_r='choices set list delete test help' ;;
    'context use|0') _pikactl_r='contexts' ;;
    'context show|0') _pikactl_r='contexts' ;;
    'context remove|0') _pikactl_r='contexts' ;;
    'context help|0') _pikactl_r='choices add list use show remove help' ;;
    'runbook show|0') _pikactl_r='choices first-start unlock-after-restart status rotation partial-rotation-recovery manual-lock lost-key-no-backup lost-key-with-backup operator-handover' ;;
    'completion|0') _pikactl_r='choices bash zsh fish' ;;
    'help|'*) _pikactl_r='choices exit-codes secrets environment files examples security status init unlock lock rotate roll kube recover-rotation backup recover-from-backup handover login logout whoami keychain context trust sandbox runbook completion help' ;;
    *) _pikactl_r=free ;;
  esac
}

# _pikactl_values CUR KIND [WORDS...]: fills COMPREPLY with the values of that kind that start with CUR.
_pikactl_values() {
  local cur=$1 kind=$2
  shift 2
  case $kind in
    choices) COMPREPLY=($(compgen -W "$*" -- "$cur")) ;;
    secret)
      case $cur in
        file:*) _pikactl_values "${cur#file:}" file; COMPREPLY=("${COMPREPLY[@]/#/file:}") ;;
        env:*) COMPREPLY=($(compgen -P env: -e -- "${cur#env:}")) ;;
        *)
          COMPREPLY=($(compgen -W 'prompt - file: env: keychain keychain: cmd:' -- "$cur"))
          [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null ;;
      esac ;;
    file | dir)
      local IFS=$'\n'
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
  if [[ -n ${COMP_LINE-} ]]; then
    local line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
    read -ra words <<<"$line"
    [[ -z $line || $line == *[[:blank:]] ]] && words+=("")
    cword=$((${#words[@]} - 1))
  else
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  cur=${words[cword]}
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    if [[ -n $pending ]]; then pending=; continue; fi
    case $w in
      --*=* | -) ;;
      -*) _pikactl_value "$path" "$w"; [[ -n $_pikactl_r ]] && pending=1 ;;
      *)
        _pikactl_child "$path" "$w"
        if [[ -n $_pikactl_r && $npos -eq 0 ]]; then path=${path:+$path }$_pikactl_r; else npos=$((npos + 1)); fi ;;
    esac
  done
  COMPREPLY=()
  if [[ -n $pending ]]; then
    _pikactl_value "$path" "${words[cword - 1]}"
    _pikactl_values "$cur" $_pikactl_r
  elif [[ $cur == --*=* ]]; then
    _pikactl_value "$path" "${cur%%=*}"
    [[ -n $_pikactl_r ]] && _pikactl_values "${cur#*=}" $_pikactl_r
    COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
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
  for ((i = ${#cur} - 1; i >= 0; i--)); do
    if [[ ${cur:i:1} == [:=] && $COMP_WORDBREAKS == *"${cur:i:1}"* ]]; then
      COMPREPLY=("${COMPREPLY[@]#"${cur:0:i+1}"}")
      break
    fi
  done
}

complete -F _pikactl pikactl
