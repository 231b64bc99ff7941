#!/usr/bin/env bash
# Runs inside dbus-run-session (see .ci/run): start an unlocked gnome-keyring
# with a throwaway HOME, then test. Usage: bash .ci/session.sh [command...]
# (default: npm test), e.g. `dbus-run-session -- bash .ci/session.sh npx vitest run test/secrets`.
set -euo pipefail

# Everything the keyring writes (login.keyring, the control socket) stays in a
# temp dir: HOME too, because gnome-keyring puts its control dir in ~/.cache.
PIKACTL_CI_HOME="$(mktemp -d)"
trap 'rm -rf "$PIKACTL_CI_HOME"' EXIT
export PIKACTL_CI_HOME
export HOME="$PIKACTL_CI_HOME"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$XDG_DATA_HOME/keyrings" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"

# If the bus ever activates org.freedesktop.secrets itself (say the daemon died),
# the new daemon must see the same throwaway dirs, not the real HOME.
if command -v dbus-update-activation-environment >/dev/null; then
  dbus-update-activation-environment HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME
fi

# --unlock reads a password on stdin and creates the "login" collection with it,
# which also becomes the "default" alias that libsecret and @napi-rs/keyring
# write to. It must NOT be empty: gnome-keyring 42 ignores an empty password and
# creates no login collection, and every store then fails with
# "Object does not exist at path /org/freedesktop/secrets/collection/login".
eval "$(printf '%s' "pikactl-ci-$RANDOM$RANDOM" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
if command -v dbus-update-activation-environment >/dev/null; then
  dbus-update-activation-environment GNOME_KEYRING_CONTROL
fi

# The daemon forks and may claim the bus name a moment after --unlock returns;
# a client that comes first makes the bus start a second daemon. Wait for it.
for _ in $(seq 50); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done

# Fail here, clearly, rather than in the middle of the test run.
probe_value="probe-$RANDOM"
printf '%s' "$probe_value" | secret-tool store --label='pikactl CI probe' service pikactl-ci-probe account probe
if [ "$(secret-tool lookup service pikactl-ci-probe account probe)" != "$probe_value" ]; then
  echo "ci: gnome-keyring does not store secrets; the keychain tests cannot run" >&2
  exit 1
fi
secret-tool clear service pikactl-ci-probe account probe
echo "ci: Secret Service ready (gnome-keyring, throwaway HOME $HOME)"

export PIKACTL_SECRET_SERVICE=1
if [ $# -gt 0 ]; then
  "$@"
else
  npm test
fi
