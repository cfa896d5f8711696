# upkg developer targets. `make test` is the one command CI runs (.ci/run calls
# scripts/test.sh, the same script).

GO ?= go

.PHONY: build test-deps test demo vet bench fuzz man release-snapshot release

## build: build the upkg binary into bin/upkg, as releases are built (static:
## CGO_ENABLED=0, no dynamic loader at start-up; -trimpath; no symbol tables)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/upkg ./cmd/upkg

## man: a man page per command into man/man1 (internal/tools/genman)
man:
	$(GO) run ./internal/tools/genman man/man1

## test-deps: install the pinned Verdaccio for the end-to-end tests (npm ci in
## test/verdaccio; skipped when node_modules matches package-lock.json)
test-deps:
	scripts/test-deps.sh

## test: gofmt, go mod tidy -diff, vet and build (linux/windows/darwin), all tests
## incl. e2e and every fuzz target's seed corpus; no new fuzzing (deterministic)
test:
	scripts/test.sh

## fuzz: every fuzz target for FUZZTIME (default 2m) each, or those of PKG;
## not part of CI: keep what it finds as seeds (testdata/fuzz)
fuzz:
	FUZZTIME=$(or $(FUZZTIME),2m) FUZZPKG=$(PKG) scripts/fuzz.sh

## demo: run upkg against a local Verdaccio with sample Unity packages
demo:
	scripts/demo.sh

## vet: go vet for linux, windows and darwin
vet:
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...

## bench: cold, warm, churned-disk and no-op installs of generated projects
## with upkg, npm, pnpm and bun against a local Verdaccio, tools taking turns,
## medians of RUNS (default 3) with peak RSS, and baselines (linking and copying
## the installed files plainly, with no installer around it), printed as
## README's tables (not part of the tests). PROFILES: small,unity by default; bigtarball is the
## 200 MB memory test (see internal/testharness/cmd/bench)
PROFILES ?= small,unity
RUNS ?= 3
bench: build test-deps
	cd test/peers && npm ci --no-audit --no-fund --loglevel=error
	$(GO) run ./internal/testharness/cmd/bench -upkg bin/upkg -peers npm,pnpm,bun -profile $(PROFILES) -runs $(RUNS) -baselines -markdown

# GoReleaser runs from its own module (tools/release/go.mod), never the main go.mod.
GORELEASER = $(GO) tool -modfile=tools/release/go.mod goreleaser

## release-snapshot: GoReleaser's snapshot into dist/ (six archives, checksums,
## the Homebrew cask, the Scoop manifest; nothing published), then
## scripts/check-release.sh checks it. CI runs it after `make test`.
release-snapshot:
	$(GORELEASER) release --snapshot --clean --skip=publish
	scripts/check-release.sh

## release: a real release from the current tag (needs GITHUB_TOKEN); the cask
## and the Scoop manifest are generated into dist/, not pushed (skip_upload)
release:
	$(GORELEASER) release --clean
