package cache

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestEnsureInto: a package downloaded installs at dest, exactly as
// Materialize would put it — into a store of tarballs in the same pass,
// into one that keeps unpacked trees (where writesColdCopies holds) as a
// second extraction whose files are the project's own; a cached entry
// leaves dest to the caller.
func TestEnsureInto(t *testing.T) {
	ctx := context.Background()
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			s := testStoreClone(t, l.clone)
			data := unityPackage(t, "com.example.a", 4)
			fetch, calls := counting(data)
			parent := t.TempDir()
			dest := filepath.Join(parent, "com.example.a@1.0.0")
			e, placed, err := s.EnsureInto(ctx, sriKey(data), "com.example.a", "1.0.0", fetch, dest)
			if err != nil {
				t.Fatal(err)
			}
			if want := !l.clone || writesColdCopies(currentOS); placed != want {
				t.Fatalf("placed = %v on a store that clones: %v", placed, l.clone)
			}
			if placed {
				checkSameTree(t, e, dest)
				if l.clone {
					checkOwnFiles(t, e, dest)
				}
				if names := dirNames(t, parent); names != "com.example.a@1.0.0" {
					t.Errorf("beside dest: %q", names)
				}
			}
			// Cached now: nothing placed, nothing fetched.
			other := filepath.Join(t.TempDir(), "com.example.a@1.0.0")
			if _, placed, err := s.EnsureInto(ctx, sriKey(data), "com.example.a", "1.0.0", fetch, other); err != nil || placed {
				t.Fatalf("cached: placed %v, %v", placed, err)
			}
			if calls.Load() != 1 {
				t.Errorf("%d downloads", calls.Load())
			}
			checkVerify(t, s)
		})
	}
}

// TestEnsureIntoRefusesUnsafe: a tarball refused by the check leaves
// neither an entry nor anything beside dest.
func TestEnsureIntoRefusesUnsafe(t *testing.T) {
	s := testStoreClone(t, false)
	data := evilTarball(t)
	fetch, _ := counting(data)
	parent := t.TempDir()
	dest := filepath.Join(parent, "com.example.evil@1.0.0")
	if _, placed, err := s.EnsureInto(context.Background(), sriKey(data), "com.example.evil", "1.0.0", fetch, dest); err == nil || placed {
		t.Fatalf("EnsureInto = placed %v, %v; want an error", placed, err)
	}
	if names := dirNames(t, parent); names != "" {
		t.Errorf("left %q", names)
	}
	if _, err := s.Lookup(sriKey(data)); err == nil {
		t.Error("the refused tarball was cached")
	}
}

// checkOwnFiles fails if a regular file under dest is a hard link to the
// same file of e's pkg/ folder.
func checkOwnFiles(t *testing.T, e *Entry, dest string) {
	t.Helper()
	n := 0
	for _, f := range e.Meta.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		a, err := os.Stat(filepath.Join(e.PkgDir(), filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.Stat(filepath.Join(dest, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if os.SameFile(a, b) {
			t.Errorf("%s is the cache's own file", f.Path)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no regular files to compare")
	}
}

func TestWritesColdCopiesByOS(t *testing.T) {
	for goos, want := range map[string]bool{"linux": true, "darwin": false, "windows": false} {
		if got := writesColdCopies(goos); got != want {
			t.Errorf("writesColdCopies(%q) = %v, want %v", goos, got, want)
		}
	}
}
