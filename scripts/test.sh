#!/usr/bin/env bash
# The project's one test command (`make test`, .ci/run): installs the test
# dependencies (the pinned Verdaccio), checks formatting, vets and builds for
# Linux, Windows and macOS, builds bin/upkg, runs every test with the end-to-end
# tests switched on (UPKG_E2E=1: they fail, not skip, if Verdaccio cannot start)
# and gives every fuzz target a short run.
#
# FUZZTIME (default 10s) sets the length of each fuzz run; FUZZTIME=0 skips them.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-10s}
t0=$SECONDS
step() { printf '\n==> %s (%ds)\n' "$*" "$((SECONDS - t0))"; }

step "test dependencies"
scripts/test-deps.sh

# Packages of this module, as folders relative to the repo root.
mapfile -t pkgdirs < <(go list -e -f '{{.Dir}}' ./... | sed "s|^$PWD/\{0,1\}|./|; s|^\./$|.|")

step "gofmt"
unformatted=$(gofmt -l "${pkgdirs[@]}")
if [[ -n $unformatted ]]; then
	echo "gofmt -l: these files need gofmt -w:" >&2
	echo "$unformatted" >&2
	exit 1
fi

step "go mod tidy -diff"
go mod tidy -diff

step "go vet (linux)"
go vet ./...
for goos in windows darwin; do
	step "go vet + go build (GOOS=$goos)"
	GOOS=$goos go vet ./...
	GOOS=$goos go build ./...
done

step "go build"
go build ./...
go build -o bin/upkg ./cmd/upkg
# The harness is for tests and the demo only; the binary must not link it.
if go list -deps ./cmd/upkg | grep -q '/internal/testharness'; then
	echo "cmd/upkg imports internal/testharness: the test harness must stay out of the binary" >&2
	exit 1
fi

step "go test (UPKG_E2E=1)"
UPKG_E2E=1 go test -count=1 ./...

if [[ $fuzztime != 0 ]]; then
	# Every `func FuzzXxx(` in a _test.go file of this module, found afresh on
	# each run so new targets are picked up without editing this script.
	mapfile -t targets < <(
		for d in "${pkgdirs[@]}"; do
			for f in "$d"/*_test.go; do
				[[ -f $f ]] || continue
				sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f" | sed "s|^|$d |"
			done
		done | sort -u
	)
	for target in "${targets[@]}"; do
		read -r d name <<<"$target"
		step "fuzz $name in $d for $fuzztime"
		go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=3s "$d"
	done
	[[ ${#targets[@]} -gt 0 ]] || echo "no fuzz targets found"
fi

step "all checks passed"
