#!/usr/bin/env bash
# Installs what the end-to-end tests need: the pinned Verdaccio in
# test/verdaccio (npm ci from its committed package-lock.json). Skips the
# install when node_modules was installed from the same lock file, package.json
# and Node version (a stamp file inside node_modules records them).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=test/verdaccio
stamp=$dir/node_modules/.upkg-test-deps-stamp

command -v node >/dev/null 2>&1 || { echo "test-deps: node is not on PATH (Node 20 and npm are needed for the Verdaccio harness)" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "test-deps: npm is not on PATH" >&2; exit 1; }

want=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
want="$want node-$(node --version)"
if [[ -f $stamp && "$(cat "$stamp")" == "$want" && -f $dir/node_modules/verdaccio/bin/verdaccio ]]; then
	echo "test-deps: $dir/node_modules is up to date"
	exit 0
fi

echo "test-deps: npm ci in $dir"
start=$SECONDS
# npm ci reads $dir/.npmrc and removes node_modules (and so the old stamp) first.
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=warn)
printf '%s\n' "$want" >"$stamp"
echo "test-deps: installed in $((SECONDS - start))s"
