package cache

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
)

func TestProbeCloneByOS(t *testing.T) {
	tests := []struct {
		goos string
		want bool
	}{
		{"darwin", true},   // clonefile is tried per Materialize; pkg/ is always kept
		{"windows", false}, // no cloning: tarball-only entries
		{"freebsd", false},
	}
	for _, tt := range tests {
		t.Run(tt.goos, func(t *testing.T) {
			dir := t.TempDir()
			if got := probeClone(tt.goos, dir); got != tt.want {
				t.Errorf("probeClone(%q) = %v, want %v", tt.goos, got, tt.want)
			}
			if names := dirNames(t, dir); names != "" {
				t.Errorf("the probe left %s", names)
			}
		})
	}
}

// The probe runs once per Store, only when an entry is built or installed
// (Open and a no-op install never pay for it), and its answer decides the
// layout of new entries.
func TestCloneProbeOnceAndLazily(t *testing.T) {
	for _, answer := range []bool{false, true} {
		t.Run(map[bool]string{false: "cannot clone", true: "can clone"}[answer], func(t *testing.T) {
			var calls atomic.Int32
			var gotDir, gotOS string
			s := testStoreWith(t, func(goos, dir string) bool {
				calls.Add(1)
				gotOS, gotDir = goos, dir
				return answer
			})
			if calls.Load() != 0 {
				t.Fatalf("Open ran the probe %d times", calls.Load())
			}
			a := ensure(t, s, "com.example.a", 2)
			b := ensure(t, s, "com.example.b", 2)
			for i, e := range []*Entry{a, b, a} {
				if err := s.Materialize(context.Background(), e, filepath.Join(t.TempDir(), "p")); err != nil {
					t.Fatalf("Materialize %d: %v", i, err)
				}
			}
			if calls.Load() != 1 {
				t.Errorf("probe ran %d times, want once", calls.Load())
			}
			if gotOS != currentOS || gotDir != filepath.Join(s.Dir(), tmpDir) {
				t.Errorf("probe(%q, %q), want this OS and the store's tmp/", gotOS, gotDir)
			}
			for _, e := range []*Entry{a, b} {
				if e.Meta.TarballOnly == answer {
					t.Errorf("%s: TarballOnly = %v with a probe saying %v", e.Meta.Name, e.Meta.TarballOnly, answer)
				}
			}
			checkVerify(t, s)
		})
	}
}
