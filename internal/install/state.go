package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	segjson "github.com/segmentio/encoding/json"

	"github.com/gofrs/flock"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/project"
)

// stateVersion changes whenever the meaning of a state file changes, so that
// an older state never short-circuits a newer upkg.
const stateVersion = 1

// State is what the last successful install left in the project
// (Library/upkg/state.json). A run whose inputs hash the same as the state's,
// and whose installed folders are all still there, has nothing to do: that is
// how a no-op install finishes in milliseconds without touching the network or
// re-reading tarballs (DESIGN.md, performance notes).
type State struct {
	Version int `json:"version"`
	// Inputs hashes everything the result depends on: manifest bytes, lock
	// bytes, editor version, default registry, materialisation mode.
	Inputs string `json:"inputs"`
	// Installed maps a folder under Library/PackageCache to the cache key of
	// the package it holds.
	Installed map[string]string `json:"installed"`
	// Packages is the summary of the last resolution, for --json on a no-op.
	Packages []PackageReport `json:"packages"`
}

// statePath is where the state of a project is kept.
func statePath(projectRoot string) string {
	return filepath.Join(project.Paths{Root: projectRoot}.State(), "state.json")
}

// readState returns the saved state, or nil when there is none or it cannot be
// used (a damaged state only costs a full install).
func readState(projectRoot string) *State {
	b, err := os.ReadFile(statePath(projectRoot))
	if err != nil {
		return nil
	}
	var s State
	// segmentio's decoder: this is most of a no-op's work.
	if segjson.Unmarshal(b, &s) != nil || s.Version != stateVersion {
		return nil
	}
	return &s
}

func writeState(projectRoot string, s *State) error {
	s.Version = stateVersion
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode install state: %w", err)
	}
	// No fsync: a damaged state only costs a full install (readState).
	return atomicfile.WriteCache(statePath(projectRoot), append(b, '\n'), 0o644)
}

// hashInputs hashes the parts of a run that decide its result.
func hashInputs(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// upToDate reports whether the saved state matches inputs and every folder it
// installed still exists.
func (s *State) upToDate(projectRoot, inputs string) bool {
	if s == nil || s.Inputs != inputs {
		return false
	}
	for dir := range s.Installed {
		// A folder without its package.json is not whole (a run killed
		// mid-way, a hand that deleted files): install it again.
		if _, err := os.Stat(filepath.Join(project.Paths{Root: projectRoot}.Installed(dir), "package.json")); err != nil {
			return false
		}
	}
	return true
}

// LockProject takes the project's install lock (Library/upkg/install.lock, a
// file lock the kernel releases if the process dies): a second install of
// one project — a terminal and an IDE, two CI steps — waits for the first
// instead of writing the same folders. waiting is called once if the lock
// is held by another process, before waiting for it. The returned func
// releases the lock.
func LockProject(ctx context.Context, projectRoot string, waiting func()) (func(), error) {
	dir := project.Paths{Root: projectRoot}.State()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock the project: %w", err)
	}
	fl := flock.New(filepath.Join(dir, "install.lock"))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock the project: %w", err)
	}
	if !ok {
		if waiting != nil {
			waiting()
		}
		if ok, err = fl.TryLockContext(ctx, 50*time.Millisecond); err != nil || !ok {
			if err == nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("wait for the project's install lock: %w", err)
		}
	}
	return func() { fl.Unlock() }, nil
}
