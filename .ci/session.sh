#!/usr/bin/env bash
# Runs inside dbus-run-session (see .ci/run): start an unlocked gnome-keyring, then test.
set -euo pipefail
export PIKACTL_CI_HOME="$(mktemp -d)"
export XDG_DATA_HOME="$PIKACTL_CI_HOME/.local/share"
mkdir -p "$XDG_DATA_HOME/keyrings"
# An empty password on stdin unlocks (creates) the login keyring non-interactively.
eval "$(printf '' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
export PIKACTL_SECRET_SERVICE=1
npm test
