package install

import (
	"context"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/registry"
)

// cacheAs makes f's cache hold name's packument as f serves it now, with
// only the versions given, checked at checked.
func cacheAs(t *testing.T, f *fakeRegistry, name string, checked time.Time, maxAge time.Duration, versions ...string) {
	t.Helper()
	p, err := f.Packument(context.Background(), fakeReg, name)
	if err != nil {
		t.Fatal(err)
	}
	keep := map[string]*registry.Version{}
	for _, v := range versions {
		keep[v] = p.Versions[v]
	}
	p.Versions = keep
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cached == nil {
		f.cached = map[string]*registry.CachedPackument{}
	}
	f.cached[name] = &registry.CachedPackument{Packument: p, Checked: checked, MaxAge: maxAge}
	f.packument[name] = 0
}

func TestFreshPackuments(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		checked time.Time
		maxAge  time.Duration
		cached  []string // versions the cached document lists
		refresh bool
		asked   int // packument requests wanted
	}{
		{"fresh", now.Add(-time.Minute), -1, []string{"1.0.0", "1.1.0"}, false, 0},
		{"stale", now.Add(-PackumentsFreshFor - time.Second), -1, []string{"1.0.0", "1.1.0"}, false, 1},
		{"registry's max-age wins", now.Add(-time.Minute), 30 * time.Second, []string{"1.0.0", "1.1.0"}, false, 1},
		{"registry's no-cache", now, 0, []string{"1.0.0", "1.1.0"}, false, 1},
		{"longer max-age", now.Add(-time.Hour), 2 * time.Hour, []string{"1.0.0", "1.1.0"}, false, 0},
		{"checked in the future", now.Add(time.Hour), -1, []string{"1.0.0", "1.1.0"}, false, 1},
		{"--refresh", now, -1, []string{"1.0.0", "1.1.0"}, true, 1},
		// The version the manifest pins was published after the cached
		// document: resolved again against the registry.
		{"fresh but without the version", now, -1, []string{"1.0.0"}, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newFakeRegistry(t, "com.example.a@1.0.0", "com.example.a@1.1.0")
			cacheAs(t, reg, "com.example.a", tt.checked, tt.maxAge, tt.cached...)
			opts := fakeProject(t, reg, newStore(t), `"com.example.a": "1.1.0"`)
			opts.Refresh = tt.refresh
			sum, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Packages) != 1 || sum.Packages[0].Version != "1.1.0" {
				t.Fatalf("installed %+v, want com.example.a@1.1.0", sum.Packages)
			}
			if got := reg.packument["com.example.a"]; got != tt.asked {
				t.Errorf("packument asked %d times, want %d", got, tt.asked)
			}
		})
	}
}
