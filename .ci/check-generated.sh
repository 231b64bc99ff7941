#!/usr/bin/env bash
# CI step (see .ci/run): the shipped extras are current and work.
#   1. completions/ and man/ match what `npm run gen` makes from the current command tree;
#   2. the man page renders without warnings;
#   3. bash completion registers and completes a few prefixes;
#   4. the packed tarball holds only what is needed, installs into a clean prefix, and the
#      installed pikactl answers --version and `status` against a sandbox it starts itself.
# Usage: bash .ci/check-generated.sh [--no-pack]
set -euo pipefail
cd "$(dirname "$0")/.."

tmp="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "check-generated: $*" >&2
  exit 1
}

# ---- 1. staleness -----------------------------------------------------------
npx tsc -p scripts/tsconfig.json
node .tmp/gen/scripts/gen.js --out "$tmp/gen" >/dev/null
stale=0
for f in completions/pikactl.bash completions/_pikactl completions/pikactl.fish man/pikactl.1; do
  if [ ! -f "$f" ]; then
    echo "check-generated: $f is missing" >&2
    stale=1
  elif ! git diff --no-index --stat --exit-code -- "$f" "$tmp/gen/$f" >&2; then
    stale=1
  fi
done
[ "$stale" = 0 ] || fail "the generated files above are stale: the command tree or help topics changed. Run \`npm run gen\` and commit the result."
echo "check-generated: completions/ and man/ are current"

# ---- 2. the man page renders cleanly -----------------------------------------
warnings="$(MANWIDTH=80 man --warnings -E UTF-8 -l man/pikactl.1 2>&1 >/dev/null || true)"
if command -v groff >/dev/null; then
  warnings+="$(groff -man -ww -z -Tutf8 man/pikactl.1 2>&1 || true)"
fi
[ -z "$warnings" ] || fail "man/pikactl.1 renders with warnings:
$warnings"
MANWIDTH=80 man -E UTF-8 -l man/pikactl.1 2>/dev/null | grep -q 'EXIT STATUS' || fail "man -l man/pikactl.1 printed no EXIT STATUS section"
echo "check-generated: man page renders without warnings"

# ---- 3. bash completion -------------------------------------------------------
# complete_words WORD...: what _pikactl offers for the last word, space-separated.
bash_out="$(bash --norc --noprofile -c '
  source completions/pikactl.bash
  complete -p pikactl
  complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pikactl; echo "${COMPREPLY[*]}"; }
  complete_words pikactl st
  complete_words pikactl status --f
  complete_words pikactl status --for ""
  complete_words pikactl unlock --key-from ""
  complete_words pikactl context r
  line="pikactl unlock --key-from=file:/et"
  COMP_LINE=$line COMP_POINT=${#line} complete_words pikactl unlock --key-from = file : /et
')"
expect_line() { # N TEXT: line N of bash_out contains TEXT
  local line
  line="$(sed -n "${1}p" <<<"$bash_out")"
  [[ "$line" == *"$2"* ]] || fail "bash completion: expected \"$2\" in line $1, got \"$line\" (all output: $bash_out)"
}
expect_line 1 'complete -F _pikactl pikactl'
expect_line 2 'status'
expect_line 3 '--for'
expect_line 4 'unlocked'
expect_line 5 'file:'
expect_line 6 'remove rm'
expect_line 7 '/etc'
echo "check-generated: bash completion works"

[ "${1-}" = --no-pack ] && exit 0

# ---- 4. the packed tarball ----------------------------------------------------
# dist/ is built by `npm ci` (prepare); build again in case sources changed since. The
# prepack script (a clean rebuild) is skipped here: it would delete dist/ under anything
# else using this checkout.
npm run build >/dev/null
npm pack --ignore-scripts --pack-destination "$tmp" >/dev/null 2>&1 || fail "npm pack failed"
tgz="$(ls "$tmp"/pikactl-*.tgz)"
tar tzf "$tgz" | sed 's|^package/||' | sort >"$tmp/contents"
if grep -Ev '^(package\.json|README\.md|LICENSE|bin/|dist/|man/|completions/)' "$tmp/contents"; then
  fail "the tarball holds files it should not (above); see \"files\" in package.json"
fi
for need in bin/pikactl.js bin/package.json dist/cli.js dist/cjs/package.json dist/cjs/root-help.js man/pikactl.1 completions/pikactl.bash completions/_pikactl completions/pikactl.fish LICENSE; do
  grep -qx "$need" "$tmp/contents" || fail "the tarball lacks $need"
done
echo "check-generated: tarball $(basename "$tgz") holds $(wc -l <"$tmp/contents") files, none from src/ or test/"

prefix="$tmp/prefix"
# Dependencies come from the npm cache that `npm ci` filled, else the registry.
npm install -g --prefix "$prefix" --prefer-offline --no-audit --no-fund "$tgz" >"$tmp/install.log" 2>&1 ||
  fail "npm install -g of the tarball failed: $(tail -20 "$tmp/install.log")"
pikactl="$prefix/bin/pikactl"
[ -x "$pikactl" ] || fail "npm install -g did not create $pikactl"
version="$(node -p "require('./package.json').version")"
[ "$("$pikactl" --version)" = "$version" ] || fail "installed pikactl --version is not $version"
# --help is answered by the CommonJS entry from dist/cjs/ (bin/package.json, dist/cjs/package.json).
help="$("$pikactl" --help)" || fail "installed pikactl --help exited $?"
[ "$(head -1 <<<"$help")" = 'Usage: pikactl [options] [command]' ] || fail "installed pikactl --help printed no usage line"
[ -f "$prefix/share/man/man1/pikactl.1" ] || fail "the man page was not installed to $prefix/share/man/man1"
MANPATH="$prefix/share/man" man -w pikactl >/dev/null 2>&1 || fail "man cannot find the installed page"

# A throwaway HOME so neither the sandbox nor status sees this machine's config or keychain.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_STATE_HOME="$tmp/home/.state"
mkdir -p "$HOME"
"$pikactl" sandbox --port 0 --json --quiet >"$tmp/sandbox.json" 2>"$tmp/sandbox.err" &
sandbox_pid=$!
url=""
for _ in $(seq 100); do
  url="$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).url) } catch {}' "$tmp/sandbox.json")"
  [ -n "$url" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || fail "the installed sandbox exited: $(cat "$tmp/sandbox.err")"
  sleep 0.1
done
[ -n "$url" ] || fail "the installed sandbox printed no URL within 10 s"
status_json="$("$pikactl" status --server "$url" --json)" || fail "installed pikactl status exited $? against $url: $status_json"
grep -q '"state": "off"' <<<"$status_json" || fail "unexpected status from the sandbox: $status_json"
echo "check-generated: installed tarball works (pikactl $version, status against $url)"
