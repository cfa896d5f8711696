package cache

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/upkg/upkg/internal/dirspread"
)

// TestPackageFoldersSpread: the folders whose subfolders are packages —
// the cache's entries/ and tmp/, a project's Library/PackageCache, by
// EnsureInto, Materialize or MaterializeLinked — carry the top-directory
// hint on ext4 (a linked package creates only folders, but each folder
// created where inodes were freed lately costs a scan of them).
func TestPackageFoldersSpread(t *testing.T) {
	s := testStoreClone(t, false)
	if _, known := dirspread.Marked(s.dir); !known {
		t.Skipf("%s is not on ext4", s.dir)
	}
	data := unityPackage(t, "com.example.a", 3)
	fetch, _ := counting(data)
	ctx := context.Background()
	first := filepath.Join(t.TempDir(), "Library", "PackageCache")
	e, placed, err := s.EnsureInto(ctx, sriKey(data), "com.example.a", "1.0.0", fetch, filepath.Join(first, "com.example.a@1.0.0"))
	if err != nil || !placed {
		t.Fatalf("EnsureInto: placed %v, %v", placed, err)
	}
	second := filepath.Join(t.TempDir(), "Library", "PackageCache")
	if err := s.Materialize(ctx, e, filepath.Join(second, "com.example.a@1.0.0")); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(t.TempDir(), "Library", "PackageCache")
	if err := s.MaterializeLinked(ctx, e, filepath.Join(linked, "com.example.a@1.0.0")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(s.dir, entriesDir), filepath.Join(s.dir, tmpDir), first, second, linked} {
		if marked, _ := dirspread.Marked(dir); !marked {
			t.Errorf("%s: no top-directory flag", dir)
		}
	}
}
