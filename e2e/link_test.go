package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// TestInstallLinkMode: install --link hard-links read-only files out of the
// cache; a linked file edited in a project is reported by cache verify,
// refused offline (exit 7, naming the file) and, online, the package is
// fetched again into a clean entry; linkMode = "hardlink" in the user
// config does what --link does.
func TestInstallLinkMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("read-only bits and inodes are checked the Unix way")
	}
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "lin", "lin-password-1234")
	publish(t, srv, tok,
		pkg{"com.example.core", "1.0.0", "2021.3", nil},
		pkg{"com.example.ui", "1.0.0", "2021.3", map[string]string{"com.example.core": "1.0.0"}},
	)
	manifest := fmt.Sprintf(`{
  "dependencies": {
    "com.example.ui": "1.0.0"
  },
  "scopedRegistries": [
    { "name": "Team", "url": "%s", "scopes": ["com.example"] }
  ]
}
`, srv.URL)
	s := newSandbox(t)
	s.project(manifest, "2022.3.20f1")
	s.login(srv.URL, tok)
	s.ok("", "install", "--link")

	// Every installed file is the cache's own file, read-only.
	installed := filepath.Join(s.Project, "Library", "PackageCache", "com.example.core@1.0.0")
	entries, err := filepath.Glob(filepath.Join(s.Home, "cache", "upkg", "v1", "entries", "*", "pkg"))
	if err != nil || len(entries) != 2 {
		t.Fatalf("cache entries with pkg/: %v (%v)", entries, err)
	}
	var edited, cacheCopy string
	err = filepath.WalkDir(installed, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(installed, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		linked := ""
		for _, e := range entries {
			if ci, err := os.Lstat(filepath.Join(e, rel)); err == nil && os.SameFile(fi, ci) {
				linked = filepath.Join(e, rel)
			}
		}
		if linked == "" {
			t.Errorf("%s is not a hard link into the cache", rel)
		}
		if fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s: mode %v, want read-only", rel, fi.Mode())
		}
		if edited == "" && strings.HasSuffix(rel, ".cs") {
			edited, cacheCopy = rel, linked
		}
		return nil
	})
	if err != nil || edited == "" {
		t.Fatalf("walk %s: %v (no .cs file?)", installed, err)
	}
	original := s.read(cacheCopy)

	// An editor writes into Library/PackageCache: the cache's file changes too.
	p := filepath.Join(installed, edited)
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(original+"// edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s.read(cacheCopy) == original {
		t.Fatal("the edit did not reach the cache: not a hard link")
	}
	slash := filepath.ToSlash(edited)
	r := s.fails(7, "", "cache", "verify")
	if out := r.Stdout + r.Stderr; !strings.Contains(out, slash) || !strings.Contains(out, "hard-linked into projects") {
		t.Errorf("cache verify does not name %s as an edited linked file:\n%s", slash, r)
	}

	// Another project of the same user, with linkMode in the config.
	other := func() *sandbox {
		s2 := newSandbox(t)
		s2.Home, s2.UserCfg, s2.GlobalCfg = s.Home, s.UserCfg, s.GlobalCfg
		s2.Project = filepath.Join(t.TempDir(), "p2")
		s2.project(manifest, "2022.3.20f1")
		return s2
	}
	s.ok("", "config", "set", "linkMode", "hardlink")
	offline := other()
	r = offline.fails(7, "", "install", "--offline")
	if !strings.Contains(r.Stderr, edited) || !strings.Contains(r.Stderr, "cache verify --fix") {
		t.Errorf("offline install does not name the edited file %s and the fix:\n%s", edited, r)
	}
	if _, err := os.Lstat(filepath.Join(offline.Project, "Library", "PackageCache", "com.example.core@1.0.0")); err == nil {
		t.Error("the refused package was installed")
	}

	// Online, the damaged entry is discarded and fetched again.
	online := other()
	r = online.ok("", "install")
	if !strings.Contains(r.Stderr, "fetching it again") {
		t.Errorf("install does not say it fetches the edited package again:\n%s", r)
	}
	fresh := filepath.Join(online.Project, "Library", "PackageCache", "com.example.core@1.0.0", edited)
	if got := online.read(fresh); got != original {
		t.Errorf("%s after the refetch:\n%s\nwant the published file", edited, got)
	}
	if fi, err := os.Lstat(fresh); err != nil || fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("%s: %v, %v; want a read-only link", fresh, fi.Mode(), err)
	}
	s.ok("", "cache", "verify")
}
