# fish completion for pikactl. Generated from pikactl's command tree by `npm run gen` (same text as `pikactl completion fish`); do not edit.
# Install: pikactl completion fish > ~/.config/fish/completions/pikactl.fish

function __pikactl_child --argument-names path word
    switch "$path|$word"
        case '|status'
            echo 'status'
        case '|init'
            echo 'init'
        case '|unlock'
            echo 'unlock'
        case '|lock'
            echo 'lock'
        case '|rotate'
            echo 'rotate'
        case '|roll'
            echo 'roll'
        case '|kube'
            echo 'kube'
        case '|recover-rotation'
            echo 'recover-rotation'
        case '|backup'
            echo 'backup'
        case '|recover-from-backup'
            echo 'recover-from-backup'
        case '|handover'
            echo 'handover'
        case '|login'
            echo 'login'
        case '|logout'
            echo 'logout'
        case '|whoami'
            echo 'whoami'
        case '|keychain'
            echo 'keychain'
        case '|context'
            echo 'context'
        case '|trust'
            echo 'trust'
        case '|sandbox'
            echo 'sandbox'
        case '|runbook'
            echo 'runbook'
        case '|completion'
            echo 'completion'
        case '|help'
            echo 'help'
        case 'kube|secret'
            echo 'secret'
        case 'kube|help'
            echo 'help'
        case 'kube secret|prune'
            echo 'prune'
        case 'kube secret|help'
            echo 'help'
        case 'backup|export'
            echo 'export'
        case 'backup|inspect'
            echo 'inspect'
        case 'backup|restore'
            echo 'restore'
        case 'backup|help'
            echo 'help'
        case 'handover|start'
            echo 'start'
        case 'handover|accept'
            echo 'accept'
        case 'handover|finish'
            echo 'finish'
        case 'keychain|set'
            echo 'set'
        case 'keychain|list'
            echo 'list'
        case 'keychain|delete'
            echo 'delete'
        case 'keychain|test'
            echo 'test'
        case 'keychain|help'
            echo 'help'
        case 'context|add'
            echo 'add'
        case 'context|list'
            echo 'list'
        case 'context|ls'
            echo 'list'
        case 'context|use'
            echo 'use'
        case 'context|show'
            echo 'show'
        case 'context|remove'
            echo 'remove'
        case 'context|rm'
            echo 'remove'
        case 'context|help'
            echo 'help'
        case 'runbook|list'
            echo 'list'
        case 'runbook|show'
            echo 'show'
    end
end

function __pikactl_takes_value --argument-names path flag
    switch "$path|$flag"
        case 'status|--wait' 'status|--for' 'init|--key-from' 'init|--kube-secret' 'unlock|--key-from' 'unlock|--wait'
            return 0
        case 'rotate|--current-key-from' 'rotate|--new-key-from' 'rotate|--kube-secret' 'roll|--wait' 'roll|--key-from' 'kube secret prune|--kube-secret'
            return 0
        case 'recover-rotation|--old-key-from' 'recover-rotation|--new-key-from' 'backup export|-o' 'backup export|--out' 'backup export|--encrypt-with' 'backup export|--since'
            return 0
        case 'backup export|--until' 'backup inspect|--decrypt-with' 'backup restore|--decrypt-with' 'recover-from-backup|--backup' 'recover-from-backup|--backup-key-from' 'recover-from-backup|--new-key-from'
            return 0
        case 'recover-from-backup|--decrypt-with' 'handover start|--current-key-from' 'handover start|--new-key-from' 'handover start|--operator' 'handover start|--record' 'handover start|--kube-secret'
            return 0
        case 'handover accept|--record' 'handover accept|--key-from' 'handover accept|--wait' 'handover accept|--operator' 'handover finish|--record' 'handover finish|--operator'
            return 0
        case 'handover finish|--kube-secret' 'keychain set|--key-from' 'keychain set|--name' 'keychain delete|--kind' 'keychain delete|--name' 'context add|--key-from'
            return 0
        case 'trust|--expect-fingerprint' 'sandbox|--host' 'sandbox|--port' 'sandbox|--data' 'sandbox|--base-path' 'sandbox|--tls-cert'
            return 0
        case 'sandbox|--tls-key' 'sandbox|--fault' 'sandbox|--rate-limit-soft' 'sandbox|--rate-limit-hard' 'sandbox|--rate-limit-window' 'sandbox|--session-ttl'
            return 0
        case 'sandbox|--cluster' 'sandbox|--kube' 'sandbox|--kube-namespace' 'sandbox|--kube-secret-from' 'sandbox|--kubeconfig-out' '*|-s'
            return 0
        case '*|--server' '*|--context' '*|--cacert' '*|--pin' '*|--proxy' '*|--timeout'
            return 0
        case '*|-u' '*|--user' '*|--password-from' '*|--totp-from' '*|--strategy' '*|--cookie-name'
            return 0
        case '*|--kube' '*|-n' '*|--namespace' '*|--kube-context' '*|--kubeconfig' '*|--kube-port'
            return 0
        case '*|--kube-connect'
            return 0
    end
    return 1
end

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
            printf '%s\t%s\n' 'prompt' 'ask on the terminal, hidden' '-' 'read standard input' 'file:' 'read a file only you can read' 'env:' 'read an environment variable' 'keychain' 'the OS keychain entry for this server'\''s key' 'keychain:' 'a named OS keychain entry' 'cmd:' 'the output of a command (password manager)'
    end
end

complete -c pikactl -f

# Global flags are accepted after any command.
complete -c pikactl -s s -l server -x -d 'Pika server URL, may include a base path; repeat for several replicas (env: PIKA_SERVER)'
complete -c pikactl -l context -x -a '(__pikactl_contexts)' -d 'use a named context from the config file (env: PIKACTL_CONTEXT)'
complete -c pikactl -l cacert -r -F -d 'trust this PEM certificate or CA for TLS, e.g. Pika'\''s tls/server.crt (env: PIKA_CACERT)'
complete -c pikactl -l pin -x -d 'require this SHA-256 certificate fingerprint; colons and case ignored (env: PIKA_TLS_PIN)'
complete -c pikactl -s k -l insecure -d 'skip TLS verification (dangerous; env: PIKA_INSECURE=1)'
complete -c pikactl -l allow-http -d 'allow plain http:// to hosts other than loopback (env: PIKA_ALLOW_HTTP=1)'
complete -c pikactl -l proxy -x -d 'HTTP(S) proxy for non-loopback servers; "" for none (env: PIKA_PROXY, HTTPS_PROXY)'
complete -c pikactl -l timeout -x -d 'per-request timeout, default 30s; a --wait caps it by what is left (env: PIKA_TIMEOUT)'
complete -c pikactl -s u -l user -x -d 'user for an inline login (env: PIKA_USER)'
complete -c pikactl -l password-from -x -a '(__pikactl_secret)' -d 'where the login password comes from: a secret source (env: PIKA_PASSWORD_FROM)'
complete -c pikactl -l totp-from -x -a '(__pikactl_secret)' -d 'where a TOTP code comes from, if the account has 2FA (env: PIKA_TOTP_FROM)'
complete -c pikactl -l strategy -x -d 'password login strategy (env: PIKA_LOGIN_STRATEGY)'
complete -c pikactl -l cookie-name -x -d 'session cookie name (env: PIKA_SESSION_COOKIE)'
complete -c pikactl -l kube -x -d 'the servers are the pods of sts/NAME, deploy/NAME, svc/NAME or po/NAME'
complete -c pikactl -s n -l namespace -x -d 'Kubernetes namespace for --kube, kube-secret and kube: (default: the kubeconfig context'\''s)'
complete -c pikactl -l kube-context -x -d 'kubeconfig context to use (default: its current context)'
complete -c pikactl -l kubeconfig -r -F -d 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the pod'\''s service account)'
complete -c pikactl -l kube-port -x -d 'pod port, a name or number (default: the port named http, else 8080)'
complete -c pikactl -l kube-connect -x -d 'forward (port-forward via the API server) or direct (pod IP); default: direct in a pod, else forward'
complete -c pikactl -l json -d 'print one JSON document on stdout (errors too)'
complete -c pikactl -l no-color -d 'disable colour (NO_COLOR is honoured too)'
complete -c pikactl -l no-input -d 'never prompt; fail with a usage error naming the flag to use'
complete -c pikactl -l debug -d 'show causes and stack traces of errors'

# pikactl
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'status' -d 'show whether the server is reachable, and whether its encryption is off, locked or unlocked (no login needed)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'init' -d 'turn on at-rest encryption: set the server key once (there is no recovery if it is lost)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'unlock' -d 'unlock the server after a restart: waits for it if asked, sends the key, verifies it is unlocked'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'lock' -d 'lock the server now: it forgets the key and answers 503 until someone unlocks it'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'rotate' -d 'replace the server key: the server must be unlocked; verifies the new key afterwards'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'roll' -d 'restart Kubernetes pods one at a time, each back unlocked before the next; stops at the first that is not'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'kube' -d 'Kubernetes helpers: kube secret prune drops the old key (KEY.previous) from the boot-password Secret'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'recover-rotation' -d 'find out where a failed or interrupted rotation left the server, then repair it step by step'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'backup' -d 'export a backup of the server to a file, inspect a backup file offline, restore one (merge or wipe)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'recover-from-backup' -d 'lost key, have a backup: restore it into a fresh server, unlock with its key, rotate to a new key, step by step'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'handover' -d 'hand the server key from one operator to another: start (outgoing), accept (incoming), finish (outgoing)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'login' -d 'log in once and keep the session in the OS keychain, so later commands need no password'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'logout' -d 'end the stored session on the server and delete it from the keychain'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'whoami' -d 'show who the current session belongs to and whether it may run key commands (settings.manage)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'keychain' -d 'keep the server key in the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service): set, list, delete, test'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'context' -d 'manage named contexts: saved servers, TLS trust, user and key source (kubeconfig style)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'trust' -d 'show a server'\''s TLS certificate and, once you confirm its fingerprint, pin it in a context (trust on first use)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'sandbox' -d 'run a Pika-compatible key-management server for tests and rehearsals (never production)'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'runbook' -d 'the key-management scenarios, step by step, with the pikactl commands for each'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'completion' -d 'print the shell completion script for bash, zsh or fish'
complete -c pikactl -n '__pikactl_at '\'''\''' -a 'help' -d 'show help for a command, or a topic: exit-codes, secrets, environment, files, examples, security'
complete -c pikactl -n '__pikactl_at '\'''\''' -s V -l version -d 'print the pikactl version'
complete -c pikactl -n '__pikactl_at '\'''\''' -s h -l help -d 'show help for a command'

# pikactl status
complete -c pikactl -n '__pikactl_at '\''status'\''' -l wait -x -d 'poll until the node serves (or the --for condition holds), through restarts and gateway errors'
complete -c pikactl -n '__pikactl_at '\''status'\''' -l for -x -a 'unlocked locked initialized reachable' -d 'condition to wait for; default and "unlocked": serving (unlocked, or encryption off)'
complete -c pikactl -n '__pikactl_at '\''status'\''' -s h -l help -d 'show help for a command'

# pikactl init
complete -c pikactl -n '__pikactl_at '\''init'\''' -l key-from -x -a '(__pikactl_secret)' -d 'where the new key comes from (default: asked twice on the terminal)'
complete -c pikactl -n '__pikactl_at '\''init'\''' -l confirm-saved -d 'confirm the new key is already saved in a password manager (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''init'\''' -l save-to-keychain -d 'also keep the new key in the OS keychain, so later unlocks need no typing'
complete -c pikactl -n '__pikactl_at '\''init'\''' -l kube-secret -x -d 'also write the key to the pods'\'' boot-password Secret (KEY.pending first)'
complete -c pikactl -n '__pikactl_at '\''init'\''' -s h -l help -d 'show help for a command'

# pikactl unlock
complete -c pikactl -n '__pikactl_at '\''unlock'\''' -l key-from -x -a '(__pikactl_secret)' -d 'where the server key comes from (prompt, -, file:PATH, env:NAME, keychain[:NAME], cmd:COMMAND); default: the keychain entry, else a prompt'
complete -c pikactl -n '__pikactl_at '\''unlock'\''' -l wait -x -d 'wait up to this long, in all, for the server: refused connections, resets, a gateway'\''s 5xx/429 and a cluster'\''s 503 are waited through; wrong key, auth and TLS errors are not retried'
complete -c pikactl -n '__pikactl_at '\''unlock'\''' -s h -l help -d 'show help for a command'

# pikactl lock
complete -c pikactl -n '__pikactl_at '\''lock'\''' -s y -l yes -d 'do not ask for confirmation (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''lock'\''' -s h -l help -d 'show help for a command'

# pikactl rotate
complete -c pikactl -n '__pikactl_at '\''rotate'\''' -l current-key-from -x -a '(__pikactl_secret)' -d 'where the current key comes from (default: the keychain entry, else a prompt)'
complete -c pikactl -n '__pikactl_at '\''rotate'\''' -l new-key-from -x -a '(__pikactl_secret)' -d 'where the new key comes from (default: asked twice on the terminal)'
complete -c pikactl -n '__pikactl_at '\''rotate'\''' -l confirm-saved -d 'confirm the new key is already saved in a password manager (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''rotate'\''' -l save-to-keychain -d 'also keep the new key in the OS keychain (the old one is kept as server-key-previous)'
complete -c pikactl -n '__pikactl_at '\''rotate'\''' -l kube-secret -x -d 'the pods'\'' boot password Secret follows the key (KEY.pending, then KEY; old key in KEY.previous)'
complete -c pikactl -n '__pikactl_at '\''rotate'\''' -s h -l help -d 'show help for a command'

# pikactl roll
complete -c pikactl -n '__pikactl_at '\''roll'\''' -l one -d 'restart one pod only (the handover check: does a restart come back unlocked?)'
complete -c pikactl -n '__pikactl_at '\''roll'\''' -l plan -d 'show what would happen and change nothing'
complete -c pikactl -n '__pikactl_at '\''roll'\''' -l wait -x -d 'how long each pod may take to come back unlocked (default 5m)'
complete -c pikactl -n '__pikactl_at '\''roll'\''' -l key-from -x -a '(__pikactl_secret)' -d 'unlock the leader (or a single replica) with this key if it comes back locked'
complete -c pikactl -n '__pikactl_at '\''roll'\''' -s h -l help -d 'show help for a command'

# pikactl kube
complete -c pikactl -n '__pikactl_at '\''kube'\''' -a 'secret' -d 'the boot-password Secret that --kube-secret keeps in step with the key'
complete -c pikactl -n '__pikactl_at '\''kube'\''' -a 'help' -d 'display help for command'
complete -c pikactl -n '__pikactl_at '\''kube'\''' -s h -l help -d 'show help for a command'

# pikactl kube secret
complete -c pikactl -n '__pikactl_at '\''kube secret'\''' -a 'prune' -d 'drop KEY.previous (the key before the last rotation) once every pod runs on the new key'
complete -c pikactl -n '__pikactl_at '\''kube secret'\''' -a 'help' -d 'display help for command'
complete -c pikactl -n '__pikactl_at '\''kube secret'\''' -s h -l help -d 'show help for a command'

# pikactl kube secret prune
complete -c pikactl -n '__pikactl_at '\''kube secret prune'\''' -l kube-secret -x -d 'the Secret and its data key, e.g. pika-encryption/password'
complete -c pikactl -n '__pikactl_at '\''kube secret prune'\''' -s h -l help -d 'show help for a command'

# pikactl kube secret help
complete -c pikactl -n '__pikactl_at '\''kube secret help'\''' -a 'prune help'

# pikactl kube help
complete -c pikactl -n '__pikactl_at '\''kube help'\''' -a 'secret help'

# pikactl recover-rotation
complete -c pikactl -n '__pikactl_at '\''recover-rotation'\''' -l old-key-from -x -a '(__pikactl_secret)' -d 'the key from before the rotation (default: keychain server-key-previous / server-key, else asked)'
complete -c pikactl -n '__pikactl_at '\''recover-rotation'\''' -l new-key-from -x -a '(__pikactl_secret)' -d 'the key the rotation was meant to install (default: keychain server-key-pending / server-key, else asked)'
complete -c pikactl -n '__pikactl_at '\''recover-rotation'\''' -s y -l yes -d 'do not ask before each step (required without a terminal); also runs the offered re-rotation'
complete -c pikactl -n '__pikactl_at '\''recover-rotation'\''' -l plan -d 'only diagnose and print the steps; sends no key and changes nothing (GETs only)'
complete -c pikactl -n '__pikactl_at '\''recover-rotation'\''' -s h -l help -d 'show help for a command'

# pikactl backup
complete -c pikactl -n '__pikactl_at '\''backup'\''' -a 'export' -d 'download a backup (.pikabw) of the server into a file (0600)'
complete -c pikactl -n '__pikactl_at '\''backup'\''' -a 'inspect' -d 'check a backup file offline: header, completeness, SHA-256, and the password'
complete -c pikactl -n '__pikactl_at '\''backup'\''' -a 'restore' -d 'restore a backup file into a server (merge, or --wipe)'
complete -c pikactl -n '__pikactl_at '\''backup'\''' -a 'help' -d 'display help for command'
complete -c pikactl -n '__pikactl_at '\''backup'\''' -s h -l help -d 'show help for a command'

# pikactl backup export
complete -c pikactl -n '__pikactl_at '\''backup export'\''' -s o -l out -r -F -d 'where to write it (default: the name the server gives, in the current directory)'
complete -c pikactl -n '__pikactl_at '\''backup export'\''' -l encrypt-with -x -d 'a backup password to encrypt the file with (env:NAME, file:PATH, keychain:NAME, cmd:..., stdin, prompt)'
complete -c pikactl -n '__pikactl_at '\''backup export'\''' -l since -x -d 'only changes newer than this database version (incremental)'
complete -c pikactl -n '__pikactl_at '\''backup export'\''' -l until -x -d 'the state up to this database version (point in time)'
complete -c pikactl -n '__pikactl_at '\''backup export'\''' -l force -d 'replace an existing file'
complete -c pikactl -n '__pikactl_at '\''backup export'\''' -s h -l help -d 'show help for a command'

# pikactl backup inspect
complete -c pikactl -n '__pikactl_at '\''backup inspect'\''' -l decrypt-with -x -d 'the backup password, to check that the file opens (nothing decrypted is written)'
complete -c pikactl -n '__pikactl_at '\''backup inspect'\''' -s h -l help -d 'show help for a command'

# pikactl backup restore
complete -c pikactl -n '__pikactl_at '\''backup restore'\''' -l wipe -d 'make the database exactly the backup (ends the current session)'
complete -c pikactl -n '__pikactl_at '\''backup restore'\''' -l decrypt-with -x -d 'the backup password of an encrypted file'
complete -c pikactl -n '__pikactl_at '\''backup restore'\''' -s y -l yes -d 'do not ask for the host name (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''backup restore'\''' -s h -l help -d 'show help for a command'

# pikactl backup help
complete -c pikactl -n '__pikactl_at '\''backup help'\''' -a 'export inspect restore help'

# pikactl recover-from-backup
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -l backup -r -F -d 'the .pikabw backup file'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -l backup-key-from -x -a '(__pikactl_secret)' -d 'the server key that was live when the backup was taken (default: asked)'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -l new-key-from -x -a '(__pikactl_secret)' -d 'the new key to rotate to (default: asked twice)'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -l decrypt-with -x -d 'the backup password of an encrypted file'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -l confirm-saved -d 'confirm the new key is already saved (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -l save-to-keychain -d 'also keep the new key in the OS keychain (saved before it is sent)'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -s y -l yes -d 'do not ask before each step (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -l plan -d 'print the steps and their live state; reads no key, changes nothing'
complete -c pikactl -n '__pikactl_at '\''recover-from-backup'\''' -s h -l help -d 'show help for a command'

# pikactl handover
complete -c pikactl -n '__pikactl_at '\''handover'\''' -a 'start' -d 'outgoing operator: check the server, rotate to a new key you pick, save it, write the handover record'
complete -c pikactl -n '__pikactl_at '\''handover'\''' -a 'accept' -d 'incoming operator: wait for the restart, unlock with the key you received, check the settings, confirm in the record'
complete -c pikactl -n '__pikactl_at '\''handover'\''' -a 'finish' -d 'outgoing operator: check the incoming side accepted, retire the old key, close the record'
complete -c pikactl -n '__pikactl_at '\''handover'\''' -s h -l help -d 'show help for a command'

# pikactl handover start
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -l current-key-from -x -a '(__pikactl_secret)' -d 'the key the server runs on now (default: keychain, else asked)'
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -l new-key-from -x -a '(__pikactl_secret)' -d 'the new key (default: asked twice on the terminal)'
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -l confirm-saved -d 'confirm the new key is saved in a password manager (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -l save-to-keychain -d 'also keep the new key in your OS keychain (the old one stays as server-key-previous until finish)'
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -l operator -x -d 'your name in the record (default: $USER, else git user.name)'
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -l record -r -F -d 'where to write the record (default: ./handover-<host>-<date>.json, plus .md)'
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -l kube-secret -x -d 'the pods'\'' boot-password Secret follows the key (old key in KEY.previous until finish)'
complete -c pikactl -n '__pikactl_at '\''handover start'\''' -s h -l help -d 'show help for a command'

# pikactl handover accept
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -l record -r -F -d 'the handover record from the outgoing operator'
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -l key-from -x -a '(__pikactl_secret)' -d 'the key you received (default: asked)'
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -l wait -x -d 'how long to wait for the restart (status goes locked; default 15m)'
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -l no-wait-restart -d 'the server was restarted already: do not wait for it to go locked'
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -l save-to-keychain -d 'store the key in your OS keychain (server-key entry for this server)'
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -s y -l yes -d 'with --server: skip typing the host name (without a terminal, --server alone is enough)'
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -l operator -x -d 'your name in the record (default: $USER, else git user.name)'
complete -c pikactl -n '__pikactl_at '\''handover accept'\''' -s h -l help -d 'show help for a command'

# pikactl handover finish
complete -c pikactl -n '__pikactl_at '\''handover finish'\''' -l record -r -F -d 'the handover record, as the incoming operator returned it'
complete -c pikactl -n '__pikactl_at '\''handover finish'\''' -s y -l yes -d 'delete the old keychain entry without asking (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''handover finish'\''' -l operator -x -d 'your name in the record (default: $USER, else git user.name)'
complete -c pikactl -n '__pikactl_at '\''handover finish'\''' -l kube-secret -x -d 'also drop KEY.previous (the old key) from the pods'\'' boot-password Secret'
complete -c pikactl -n '__pikactl_at '\''handover finish'\''' -s h -l help -d 'show help for a command'

# pikactl login
complete -c pikactl -n '__pikactl_at '\''login'\''' -s h -l help -d 'show help for a command'

# pikactl logout
complete -c pikactl -n '__pikactl_at '\''logout'\''' -s h -l help -d 'show help for a command'

# pikactl whoami
complete -c pikactl -n '__pikactl_at '\''whoami'\''' -s h -l help -d 'show help for a command'

# pikactl keychain
complete -c pikactl -n '__pikactl_at '\''keychain'\''' -a 'set' -d 'store the current server'\''s key in the keychain, verified against the server first'
complete -c pikactl -n '__pikactl_at '\''keychain'\''' -a 'list' -d 'list the entries pikactl keeps (kind and server; never the values)'
complete -c pikactl -n '__pikactl_at '\''keychain'\''' -a 'delete' -d 'delete one of the current server'\''s entries (default: its server key)'
complete -c pikactl -n '__pikactl_at '\''keychain'\''' -a 'test' -d 'check that a keychain is usable here: names the backend and stores, reads and deletes a test entry'
complete -c pikactl -n '__pikactl_at '\''keychain'\''' -a 'help' -d 'display help for command'
complete -c pikactl -n '__pikactl_at '\''keychain'\''' -s h -l help -d 'show help for a command'

# pikactl keychain set
complete -c pikactl -n '__pikactl_at '\''keychain set'\''' -l key-from -x -a '(__pikactl_secret)' -d 'where the key comes from (default: typed twice on the terminal)'
complete -c pikactl -n '__pikactl_at '\''keychain set'\''' -l no-verify -d 'store without testing the key against the server'
complete -c pikactl -n '__pikactl_at '\''keychain set'\''' -l name -x -d 'store under another entry: a kind of the current server (e.g. server-key-previous) or any name (not tested)'
complete -c pikactl -n '__pikactl_at '\''keychain set'\''' -s y -l yes -d 'replace an existing entry without asking (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''keychain set'\''' -s h -l help -d 'show help for a command'

# pikactl keychain list
complete -c pikactl -n '__pikactl_at '\''keychain list'\''' -s h -l help -d 'show help for a command'

# pikactl keychain delete
complete -c pikactl -n '__pikactl_at '\''keychain delete'\''' -l kind -x -a 'server-key server-key-pending server-key-previous session' -d 'which entry of the current server'
complete -c pikactl -n '__pikactl_at '\''keychain delete'\''' -l name -x -d 'delete this entry by name (see `pikactl keychain list`)'
complete -c pikactl -n '__pikactl_at '\''keychain delete'\''' -s y -l yes -d 'do not ask for confirmation (required without a terminal)'
complete -c pikactl -n '__pikactl_at '\''keychain delete'\''' -s h -l help -d 'show help for a command'

# pikactl keychain test
complete -c pikactl -n '__pikactl_at '\''keychain test'\''' -s h -l help -d 'show help for a command'

# pikactl keychain help
complete -c pikactl -n '__pikactl_at '\''keychain help'\''' -a 'set list delete test help'

# pikactl context
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'add' -d 'save a context: one or more replica URLs and how to trust and log in to them'
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'list' -d 'list contexts; * marks the current one'
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'ls' -d 'list contexts; * marks the current one'
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'use' -d 'make a context the current one'
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'show' -d 'show a context'\''s settings'
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'remove' -d 'delete a context from the config file'
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'rm' -d 'delete a context from the config file'
complete -c pikactl -n '__pikactl_at '\''context'\''' -a 'help' -d 'display help for command'
complete -c pikactl -n '__pikactl_at '\''context'\''' -s h -l help -d 'show help for a command'

# pikactl context add
complete -c pikactl -n '__pikactl_at '\''context add'\''' -l key-from -x -a '(__pikactl_secret)' -d 'default key source for unlock: a secret SOURCE such as keychain or file:PATH (never the key)'
complete -c pikactl -n '__pikactl_at '\''context add'\''' -l use -d 'make it the current context'
complete -c pikactl -n '__pikactl_at '\''context add'\''' -l force -d 'replace an existing context of the same name'
complete -c pikactl -n '__pikactl_at '\''context add'\''' -s h -l help -d 'show help for a command'

# pikactl context list
complete -c pikactl -n '__pikactl_at '\''context list'\''' -s h -l help -d 'show help for a command'

# pikactl context use
complete -c pikactl -n '__pikactl_at '\''context use'\''' -s h -l help -d 'show help for a command'
complete -c pikactl -n '__pikactl_at '\''context use'\''' -a '(__pikactl_contexts)'

# pikactl context show
complete -c pikactl -n '__pikactl_at '\''context show'\''' -s h -l help -d 'show help for a command'
complete -c pikactl -n '__pikactl_at '\''context show'\''' -a '(__pikactl_contexts)'

# pikactl context remove
complete -c pikactl -n '__pikactl_at '\''context remove'\''' -s y -l yes -d 'do not ask for confirmation (needed without a terminal)'
complete -c pikactl -n '__pikactl_at '\''context remove'\''' -s h -l help -d 'show help for a command'
complete -c pikactl -n '__pikactl_at '\''context remove'\''' -a '(__pikactl_contexts)'

# pikactl context help
complete -c pikactl -n '__pikactl_at '\''context help'\''' -a 'add list use show remove help'

# pikactl trust
complete -c pikactl -n '__pikactl_at '\''trust'\''' -l expect-fingerprint -x -d 'the fingerprint you got from the server by a trusted route; required without a terminal'
complete -c pikactl -n '__pikactl_at '\''trust'\''' -s y -l yes -d 'replace a different pin already stored without asking'
complete -c pikactl -n '__pikactl_at '\''trust'\''' -s h -l help -d 'show help for a command'

# pikactl sandbox
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l host -x -d 'address to listen on'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l port -x -d 'port to listen on; 0 picks a free one'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l data -x -a '(__fish_complete_directories)' -d 'state directory; start again on it to restart the same server (default: a new temporary directory)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l base-path -x -d 'serve everything under this path, like PIKA_SERVER_BASE_PATH (e.g. /pika)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l tls-cert -r -F -d 'serve HTTPS with this PEM certificate (with --tls-key)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l tls-key -r -F -d 'PEM private key for --tls-cert'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l tls-self-signed -d 'serve HTTPS with a self-signed certificate made like Pika'\''s (kept in <data>/tls/)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l fault -x -a 'rotate-write rotate-runbook rotate-drop rotate-delay rotate-garble init-delay init-garble' -d 'arm a one-shot fault (repeatable)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l rate-limit-soft -x -d 'failed unlocks/logins per IP before each try is delayed (default: 3)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l rate-limit-hard -x -d 'failed unlocks/logins per IP that trigger 429 (default: 30)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l rate-limit-window -x -d 'how long a failure counts (default: 15m)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l session-ttl -x -d 'how long a login session lasts (default: 8h)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l cluster -x -d 'simulate a Pika cluster of n nodes on consecutive ports from --port: one leader, followers forward every POST to it'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l kube -x -d 'serve a Kubernetes API stand-in: StatefulSet pika of n sandbox pods, a boot-password Secret, a kubeconfig'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l kube-namespace -x -d 'namespace of the --kube objects (default: pika)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l kube-secret-from -x -a '(__pikactl_secret)' -d 'env:NAME or file:PATH: the boot password the --kube Secret starts with (default: generated)'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -l kubeconfig-out -r -F -d 'write the --kube kubeconfig here (0600) instead of printing it'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -s q -l quiet -d 'do not log requests and key events on stderr'
complete -c pikactl -n '__pikactl_at '\''sandbox'\''' -s h -l help -d 'show help for a command'

# pikactl runbook
complete -c pikactl -n '__pikactl_at '\''runbook'\''' -a 'list' -d 'list the runbooks'
complete -c pikactl -n '__pikactl_at '\''runbook'\''' -a 'show' -d 'print one runbook (names: pikactl runbook list)'
complete -c pikactl -n '__pikactl_at '\''runbook'\''' -s h -l help -d 'show help for a command'

# pikactl runbook list
complete -c pikactl -n '__pikactl_at '\''runbook list'\''' -s h -l help -d 'show help for a command'

# pikactl runbook show
complete -c pikactl -n '__pikactl_at '\''runbook show'\''' -s h -l help -d 'show help for a command'
complete -c pikactl -n '__pikactl_at '\''runbook show'\''' -a 'first-start unlock-after-restart status rotation partial-rotation-recovery manual-lock lost-key-no-backup lost-key-with-backup operator-handover'

# pikactl completion
complete -c pikactl -n '__pikactl_at '\''completion'\''' -s h -l help -d 'show help for a command'
complete -c pikactl -n '__pikactl_at '\''completion'\''' -a 'bash zsh fish'

# pikactl help
complete -c pikactl -n '__pikactl_at '\''help'\''' -s h -l help -d 'show help for a command'
complete -c pikactl -n '__pikactl_at '\''help'\''' -a 'exit-codes secrets environment files examples security status init unlock lock rotate roll kube recover-rotation backup recover-from-backup handover login logout whoami keychain context trust sandbox runbook completion help'
