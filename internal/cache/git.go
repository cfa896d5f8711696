package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/upkg/upkg/internal/atomicfile"
)

// GitRecord is what the store keeps of a Git package: which entry holds the
// tarball packed from a repository's folder at a commit, and that folder's
// package.json, so that later installs need neither git nor the network.
type GitRecord struct {
	// Repo is for people reading the record: the repository without user
	// info (the caller redacts it). The record is found by the repository
	// as given, not by this.
	Repo        string `json:"repo"`
	Commit      string `json:"commit"`
	Path        string `json:"path,omitempty"`
	Integrity   string `json:"integrity"`
	PackageJSON []byte `json:"packageJson"`
}

// gitRecordPath is where the record of repo's folder sub at commit lives.
// "checkout" in the name: records of tarballs that git archive made
// (without export-ignore files, with LFS pointers) are not found.
func (s *Store) gitRecordPath(repo, commit, sub string) string {
	id := sha256.Sum256([]byte("checkout\x00" + repo + "\x00" + commit + "\x00" + sub))
	return filepath.Join(s.dir, gitDir, hex.EncodeToString(id[:])+".json")
}

// GitLookup returns the record and the committed entry of repo's folder sub
// at commit; ok is false when there is none (or its entry is gone).
func (s *Store) GitLookup(repo, commit, sub string) (rec *GitRecord, e *Entry, ok bool) {
	b, err := os.ReadFile(s.gitRecordPath(repo, commit, sub))
	if err != nil {
		return nil, nil, false
	}
	var r GitRecord
	if json.Unmarshal(b, &r) != nil || r.Commit != commit {
		return nil, nil, false
	}
	if e, err = s.Lookup(Key{Integrity: r.Integrity}); err != nil {
		return nil, nil, false
	}
	return &r, e, true
}

// GitRecordSet records rec for repo's folder sub at commit, atomically.
func (s *Store) GitRecordSet(repo string, rec GitRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode the Git record of %s: %w", rec.Repo, err)
	}
	return atomicfile.WriteFile(s.gitRecordPath(repo, rec.Commit, rec.Path), b, 0o644)
}
