package builtin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
)

// An evidence folder holds public Unity projects' files, one folder each:
//
//	index.json                                   []CorpusEntry
//	<id>/ProjectSettings/ProjectVersion.txt
//	<id>/Packages/packages-lock.json
//	<id>/Packages/manifest.json                  (absent for lock-only pairs)
//
// The built-in tables are generated from it, and the end-to-end tests run
// upkg on every project that has its manifest.

// CorpusEntry is one project of an evidence folder, with where it was read.
type CorpusEntry struct {
	// ID is the project's folder name.
	ID string `json:"id"`
	// Repo is the GitHub repository ("owner/name"), Prefix the project's
	// folder in it ("" or "sub/dir/"), Commit the commit every file was read
	// at.
	Repo   string `json:"repo"`
	Prefix string `json:"prefix"`
	Commit string `json:"commit"`
	// Editor is m_EditorVersion of the project's ProjectVersion.txt.
	Editor string `json:"editor"`
	// Pair is true when only the lock and ProjectVersion.txt were kept;
	// Why says why, when the manifest was left out on purpose.
	Pair bool   `json:"pair,omitempty"`
	Why  string `json:"why,omitempty"`
	// Stale marks a lock that disagrees with its manifest (changed after
	// Unity wrote the lock): it may be another editor's, so it is no
	// evidence of built-in packages.
	Stale bool `json:"stale,omitempty"`
	// Custom marks a custom build of a release ("2020.3.19f1-dots"): upkg
	// installs its project as that release's, but its built-in packages may
	// be the build's own, so it is no evidence of the release's.
	Custom bool `json:"custom,omitempty"`
}

// URL is where the entry's lock file can be read.
func (c CorpusEntry) URL() string {
	return "https://github.com/" + c.Repo + "/blob/" + c.Commit + "/" + c.Prefix + "Packages/packages-lock.json"
}

// ReadCorpusIndex reads dir/index.json.
func ReadCorpusIndex(dir string) ([]CorpusEntry, error) {
	file := filepath.Join(dir, "index.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var entries []CorpusEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.ID == "" || e.ID != filepath.Base(e.ID) || seen[e.ID] {
			return nil, fmt.Errorf("%s: bad or repeated id %q", file, e.ID)
		}
		seen[e.ID] = true
	}
	return entries, nil
}

// LoadEvidence reads every project of an evidence folder but the stale ones
// and custom builds:
// its editor version (which must match the index) and its lock.
func LoadEvidence(dir string) ([]Evidence, error) {
	entries, err := ReadCorpusIndex(dir)
	if err != nil {
		return nil, err
	}
	var out []Evidence
	for _, e := range entries {
		if e.Stale || e.Custom {
			continue
		}
		pvPath := project.Paths{Root: filepath.Join(dir, e.ID)}.ProjectVersion()
		pv, err := os.ReadFile(pvPath)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", pvPath, err)
		}
		editor, err := manifest.ParseProjectVersion(pvPath, pv)
		if err != nil {
			return nil, err
		}
		if editor != e.Editor {
			return nil, fmt.Errorf("%s says %s; index.json says %s", pvPath, editor, e.Editor)
		}
		lockPath := project.Paths{Root: filepath.Join(dir, e.ID)}.Lock()
		data, err := os.ReadFile(lockPath)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no Packages/packages-lock.json", filepath.Join(dir, e.ID))
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", lockPath, err)
		}
		l, err := lockfile.Parse(lockPath, data)
		if err != nil {
			return nil, err
		}
		out = append(out, Evidence{Editor: editor, Source: e.URL(), Lock: l})
	}
	return out, nil
}
