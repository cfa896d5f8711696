package cache

import (
	"context"
	"path/filepath"
	"testing"
)

// TestEnsureInto: a package downloaded into a store of tarballs installs at
// dest in the same pass, exactly as Materialize would put it; a cached
// entry, or a store that keeps unpacked trees, leaves dest to the caller.
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
			if placed != !l.clone {
				t.Fatalf("placed = %v on a store that clones: %v", placed, l.clone)
			}
			if placed {
				checkSameTree(t, e, dest)
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
