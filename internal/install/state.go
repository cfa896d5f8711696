package install

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/upkg/upkg/internal/atomicfile"
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
	return filepath.Join(projectRoot, "Library", "upkg", "state.json")
}

// readState returns the saved state, or nil when there is none or it cannot be
// used (a damaged state only costs a full install).
func readState(projectRoot string) *State {
	b, err := os.ReadFile(statePath(projectRoot))
	if err != nil {
		return nil
	}
	var s State
	if json.Unmarshal(b, &s) != nil || s.Version != stateVersion {
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
	return atomicfile.WriteFile(statePath(projectRoot), append(b, '\n'), 0o644)
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
		if _, err := os.Stat(filepath.Join(projectRoot, "Library", "PackageCache", dir)); err != nil {
			return false
		}
	}
	return true
}
