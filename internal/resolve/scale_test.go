package resolve

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/upkg/upkg/internal/lockfile"
)

// TestSyntheticGraphGolden pins the whole outcome of resolving the
// benchmark's synthetic graph (2 000 packages) in a few settings: every
// package's version, source, depth and requests in order, and the errors
// when some packages are missing. The golden files were written by the
// resolver before it was made to scale (issue 14), so that work on its speed
// cannot change a result unnoticed. go test -update rewrites them.
func TestSyntheticGraphGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(in *Input, cat *fakeCatalog)
	}{
		{"plain", func(*Input, *fakeCatalog) {}},
		{"highest-lock-editor", func(in *Input, cat *fakeCatalog) {
			// A wider window, old editors for some versions and a lock
			// holding some packages: the lock, strategy and editor rules
			// all take part, and choices move between rounds.
			in.Manifest.ResolutionStrategy = StrategyHighestMinor
			in.EditorVersion = "2022.3.20f1"
			in.Lock = &lockfile.Lock{}
			for i := range 2000 {
				name := fmt.Sprintf("com.example.p%05d", i)
				vs := cat.pkgs[name]
				if i%5 == 0 {
					vs[len(vs)-1] = needs(vs[len(vs)-1], "2023.1", "")
				}
				if i%7 == 0 {
					in.Lock.Entries = append(in.Lock.Entries, lockfile.Entry{Name: name, Version: "1.1.0", Source: lockfile.SourceRegistry, URL: testRegistry})
				}
			}
		}},
		{"missing", func(_ *Input, cat *fakeCatalog) {
			// Packages and versions nobody publishes: the errors, with
			// their chains of requesters.
			for i := 300; i < 2000; i += 97 {
				delete(cat.pkgs, fmt.Sprintf("com.example.p%05d", i))
			}
			for i := 250; i < 2000; i += 89 {
				name := fmt.Sprintf("com.example.p%05d", i)
				if vs := cat.pkgs[name]; vs != nil {
					cat.pkgs[name] = vs[:1]
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, cat := syntheticGraph(2000)
			in := Input{Manifest: m, Catalog: cat}
			tc.setup(&in, cat)
			got := outcome(Resolve(context.Background(), in))
			golden := filepath.Join("testdata", "synthetic", tc.name+".golden")
			checkOutcome(t, golden, got)
		})
	}
}
