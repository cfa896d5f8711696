package resolve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// cyclicGraph is a registry of n packages in no layers: each has two to six
// versions, and each version depends on up to five packages anywhere in the
// registry, so that edges go forward and back and make cycles, at versions
// that differ between requesters. When missing is above 0, one request in
// missing asks for a version nobody publishes. A manifest asks for one to
// four of the packages. Raising one package changes its dependencies, which
// raise or drop others: such graphs take the resolver up to thousands of
// rounds, and some never settle. It is deterministic in its arguments.
func cyclicGraph(n int, seed uint64, missing int) (*manifest.Manifest, *fakeCatalog) {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	name := func(i int) string { return fmt.Sprintf("com.example.c%04d", i) }
	counts := make([]int, n)
	for i := range counts {
		counts[i] = 2 + rng.IntN(5)
	}
	cat := &fakeCatalog{pkgs: make(map[string][]VersionInfo, n)}
	for i := range n {
		vs := make([]VersionInfo, counts[i])
		for v := range vs {
			vs[v].Version = fmt.Sprintf("1.%d.0", v)
			for range rng.IntN(6) {
				j := rng.IntN(n)
				if j == i {
					continue
				}
				version := fmt.Sprintf("1.%d.0", rng.IntN(counts[j]))
				if missing > 0 && rng.IntN(missing) == 0 {
					version = "9.9.9"
				}
				vs[v].Dependencies = append(vs[v].Dependencies, manifest.NewDependency(name(j), version))
			}
		}
		cat.pkgs[name(i)] = vs
	}
	m := &manifest.Manifest{}
	for range 1 + rng.IntN(4) {
		i := rng.IntN(n)
		m.Dependencies = append(m.Dependencies, manifest.NewDependency(name(i), fmt.Sprintf("1.%d.0", rng.IntN(counts[i]))))
	}
	return m, cat
}

// cyclicSettings makes a cyclic graph's resolution use the other rules too:
// a strategy's window, versions too new for the editor, and a lock.
func cyclicSettings(in *Input, cat *fakeCatalog) {
	in.Manifest.ResolutionStrategy = StrategyHighestMinor
	in.EditorVersion = "2022.3.20f1"
	in.Lock = &lockfile.Lock{}
	for i := 0; ; i++ {
		name := fmt.Sprintf("com.example.c%04d", i)
		vs, ok := cat.pkgs[name]
		if !ok {
			break
		}
		if i%5 == 0 {
			vs[len(vs)-1] = needs(vs[len(vs)-1], "2023.1", "")
		}
		if i%7 == 0 {
			in.Lock.Entries = append(in.Lock.Entries, lockfile.Entry{Name: name, Version: "1.1.0", Source: lockfile.SourceRegistry, URL: testRegistry})
		}
	}
}

// cyclicCases are the cyclic graphs the golden test pins and the benchmark
// times, of 300 packages each: seeds that settle in a few dozen rounds, once
// the monotone rule is on after a few dozen or thousands, never (the
// resolver gives up after maxIterations), with the other rules, and with
// missing versions, whose errors list chains of requesters through cycles.
var cyclicCases = []struct {
	name     string
	seed     uint64
	missing  int
	settings bool
}{
	{"quick", 34, 0, false},
	{"monotone", 7, 0, false},
	{"rounds", 5, 0, false},
	{"unsettled", 215, 0, false},
	{"settings", 7, 0, true},
	{"missing", 37, 50, false},
	{"missing-settings", 36, 50, true},
}

// cyclicInput is the input of a case of cyclicCases.
func cyclicInput(seed uint64, missing int, settings bool) Input {
	m, cat := cyclicGraph(300, seed, missing)
	in := Input{Manifest: m, Catalog: cat}
	if settings {
		cyclicSettings(&in, cat)
	}
	return in
}

// outcome renders everything a resolution says: each package's version,
// source, depth, warnings and requests in order, or the error.
func outcome(g *Graph, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error:\n%v\n", err)
		return b.String()
	}
	for _, p := range g.Packages {
		fmt.Fprintf(&b, "%s %s %s %d %q", p.Name, p.Version, p.Source, p.Depth, p.Warnings)
		for _, q := range p.Requests {
			fmt.Fprintf(&b, " %s@%s>%s", q.From, q.FromVersion, q.Version)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestCyclicGraphGolden pins the whole outcome of resolving cyclicCases. The
// golden files were written by the resolver before it was made faster on
// such graphs, so that the work cannot change a result unnoticed. go test
// -update rewrites them.
func TestCyclicGraphGolden(t *testing.T) {
	for _, tc := range cyclicCases {
		t.Run(tc.name, func(t *testing.T) {
			got := outcome(Resolve(context.Background(), cyclicInput(tc.seed, tc.missing, tc.settings)))
			golden := filepath.Join("testdata", "cyclic", tc.name+".golden")
			checkOutcome(t, golden, got)
		})
	}
}

// BenchmarkResolveCyclic resolves the cyclic graphs of cyclicCases, some
// of which fail (missing versions, no settling): ns/package is per package
// of the registry, 300.
func BenchmarkResolveCyclic(b *testing.B) {
	for _, tc := range cyclicCases {
		b.Run(tc.name, func(b *testing.B) {
			in := cyclicInput(tc.seed, tc.missing, tc.settings)
			cat := in.Catalog.(*fakeCatalog)
			b.ReportAllocs()
			for b.Loop() {
				cat.calls = cat.calls[:0]
				Resolve(context.Background(), in)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/300, "ns/package")
		})
	}
}

// TestGreater checks that comparing by precedence keys orders versions as
// comparing the versions does, for every pair of a set that has releases,
// pre-releases, build metadata and segments too large to pack.
func TestGreater(t *testing.T) {
	texts := []string{
		"0.0.0", "0.0.1", "0.1.0", "1.0.0", "1.0.0+build", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta",
		"1.0.0-pre.2", "1.0.0-pre.10", "1.0.1", "1.1.0", "1.2.3-rc.1+x", "2.0.0", "2.0.0-pre.1",
		"1048575.2097151.2097151", "1048576.0.0", "1.2097152.0", "1.0.2097152", "1.0.2097152-pre",
		"99999999999.0.0", "20240101.1.0",
	}
	for _, a := range texts {
		va := semver.MustParse(a)
		for _, b := range texts {
			vb := semver.MustParse(b)
			if got, want := greater(va, precedenceKey(va), vb, precedenceKey(vb)), va.GreaterThan(vb); got != want {
				t.Errorf("greater(%s, %s) = %v, want %v", a, b, got, want)
			}
		}
	}
}
