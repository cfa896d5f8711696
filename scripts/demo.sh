#!/usr/bin/env bash
# The demo (`make demo`): upkg against a local Verdaccio that requires a login.
#
# Builds bin/upkg, installs the pinned Verdaccio (scripts/test-deps.sh), starts
# it with sample Unity packages (internal/testharness/cmd/demoregistry: user
# demo, com.example.hello@1.0.0 depending on com.example.core@1.0.0), then, in a
# throwaway HOME, stores the demo user's token with `upkg auth set`, checks it
# with `upkg whoami` and installs examples/demo-project. The token travels only
# through a mode-0600 file; it is never printed or put on a command line.
# Everything (registry, temp dir) is cleaned up on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

step() { printf '\n==> %s\n' "$*"; }

step "build bin/upkg"
CGO_ENABLED=0 go build -o bin/upkg ./cmd/upkg # static, as make build and releases build it
upkg=$root/bin/upkg

step "test dependencies"
scripts/test-deps.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/upkg-demo.XXXXXX")
chmod 700 "$tmp"
registry_pid=
cleanup() {
	local rc=$?
	if [[ -n $registry_pid ]] && kill -0 "$registry_pid" 2>/dev/null; then
		kill -TERM "$registry_pid" 2>/dev/null || true
		wait "$registry_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "start a local Verdaccio with sample packages"
go build -o "$tmp/demoregistry" ./internal/testharness/cmd/demoregistry
token_file=$tmp/token
url_file=$tmp/url
"$tmp/demoregistry" -token-file "$token_file" -url-file "$url_file" >"$tmp/demoregistry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 600); do
	[[ -s $url_file ]] && break
	if ! kill -0 "$registry_pid" 2>/dev/null; then
		echo "demoregistry exited early:" >&2
		cat "$tmp/demoregistry.log" >&2
		exit 1
	fi
	sleep 0.1
done
[[ -s $url_file ]] || { echo "demoregistry not ready after 60s:" >&2; cat "$tmp/demoregistry.log" >&2; exit 1; }
url=$(<"$url_file")
cat "$tmp/demoregistry.log"

# A throwaway user: nothing touches the real HOME or ~/.upmconfig.toml. (Go's
# build cache was used above, before HOME moved.)
export HOME=$tmp/home
export UPM_USER_CONFIG_FILE=$HOME/.upmconfig.toml
mkdir -p "$HOME"

step "upkg auth set --registry $url --token-stdin  (token from $token_file)"
"$upkg" auth set --registry "$url" --token-stdin <"$token_file"

step "upkg whoami --registry $url"
"$upkg" whoami --registry "$url"

if "$upkg" install --help >/dev/null 2>&1; then
	project=$tmp/demo-project
	cp -R examples/demo-project "$project"
	sed -i.orig "s|\"url\": \"[^\"]*\"|\"url\": \"$url\"|" "$project/Packages/manifest.json"
	rm -f "$project/Packages/manifest.json.orig"
	step "upkg install in a copy of examples/demo-project"
	cat "$project/Packages/manifest.json"
	(cd "$project" && "$upkg" install)
	if [[ -f $project/Packages/packages-lock.json ]]; then
		step "Packages/packages-lock.json"
		cat "$project/Packages/packages-lock.json"
	fi
	step "Library/PackageCache"
	ls "$project/Library/PackageCache"
	step "upkg install again: nothing changed, no network"
	(cd "$project" && "$upkg" install)
fi

step "demo finished; stopping the registry"
