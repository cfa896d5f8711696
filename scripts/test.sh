#!/usr/bin/env bash
# The project's one test command (`make test`, .ci/run): installs the test
# dependencies (the pinned Verdaccio), checks formatting, vets and builds for
# Linux, Windows and macOS, builds bin/upkg, runs every test with the end-to-end
# tests switched on (UPKG_E2E=1: they fail, not skip, if Verdaccio cannot start),
# which runs every fuzz target's seed corpus (testdata/fuzz) as a test.
#
# CI must be deterministic, so no new fuzzing happens here by default: that is
# `make fuzz` (scripts/fuzz.sh), minutes per target, whose finds are kept as
# seeds. FUZZTIME=10s adds a short fuzz run per target.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-0}
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
CGO_ENABLED=0 go build -o bin/upkg ./cmd/upkg # static, as make build and releases build it
# The harness is for tests and the demo only; the binary must not link it.
if go list -deps ./cmd/upkg | grep -q '/internal/testharness'; then
	echo "cmd/upkg imports internal/testharness: the test harness must stay out of the binary" >&2
	exit 1
fi

step "go test (UPKG_E2E=1)"
UPKG_E2E=1 go test -count=1 ./...

if [[ $fuzztime != 0 ]]; then
	step "fuzz every target for $fuzztime"
	FUZZTIME=$fuzztime scripts/fuzz.sh
fi

step "all checks passed"
