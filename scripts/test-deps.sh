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

# squid (and openssl, to hash its test password) for the proxy tests
# (internal/testharness/squid), and git-lfs for the Git LFS test. Debian's
# packages; installed when missing and apt-get can run. Without them those
# tests fail under UPKG_E2E=1.
debs=()
if ! command -v squid >/dev/null 2>&1 && [[ ! -x /usr/sbin/squid ]]; then debs+=(squid); fi
command -v openssl >/dev/null 2>&1 || debs+=(openssl)
git lfs version >/dev/null 2>&1 || debs+=(git-lfs)
if [[ ${#debs[@]} -gt 0 ]]; then
	if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
		echo "test-deps: apt-get install ${debs[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debs[@]}" >/dev/null ||
			{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debs[@]}" >/dev/null; }
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
		echo "test-deps: sudo apt-get install ${debs[*]}"
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debs[@]}" >/dev/null
	else
		echo "test-deps: ${debs[*]} missing and cannot be installed here (install Debian's packages); the proxy and Git LFS tests will fail" >&2
	fi
fi
# The Debian package starts a system squid on port 3128; the tests run their
# own on free loopback ports and need nothing from it.

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
