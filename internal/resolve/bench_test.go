package resolve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/upkg/upkg/internal/manifest"
)

// syntheticGraph is a registry of n packages in ten layers, three versions
// each, every version depending on up to four packages of the next two
// layers at versions that differ, and a manifest asking for the first
// layer: the shape of a large real graph (diamonds, requests for one package
// at several versions, a bounded depth — real package graphs are a few
// levels deep), at a size no Unity project reaches. It is deterministic.
func syntheticGraph(n int) (*manifest.Manifest, *fakeCatalog) {
	const layers = 10
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	name := func(i int) string { return fmt.Sprintf("com.example.p%05d", i) }
	per := n / layers
	cat := &fakeCatalog{pkgs: make(map[string][]VersionInfo, n)}
	for i := range n {
		layer := i / per
		var vs []VersionInfo
		for v := range 3 {
			info := VersionInfo{Version: fmt.Sprintf("1.%d.0", v)}
			for range rng.IntN(5) {
				if j := (layer+1+rng.IntN(2))*per + rng.IntN(per); j < n {
					info.Dependencies = append(info.Dependencies, manifest.NewDependency(name(j), fmt.Sprintf("1.%d.0", rng.IntN(3))))
				}
			}
			vs = append(vs, info)
		}
		cat.pkgs[name(i)] = vs
	}
	m := &manifest.Manifest{}
	for i := range per {
		m.Dependencies = append(m.Dependencies, manifest.NewDependency(name(i), "1.0.0"))
	}
	return m, cat
}

// BenchmarkResolveScale resolves synthetic graphs of growing size: the time
// per package should stay flat (linear growth); issue 14 asks for under a
// second at 10 000 packages.
func BenchmarkResolveScale(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("packages=%d", n), func(b *testing.B) {
			m, cat := syntheticGraph(n)
			b.ReportAllocs()
			var resolved int
			for b.Loop() {
				cat.calls = cat.calls[:0]
				g, err := Resolve(context.Background(), Input{Manifest: m, Catalog: cat})
				if err != nil {
					b.Fatal(err)
				}
				resolved = len(g.Packages)
			}
			b.ReportMetric(float64(resolved), "packages")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(resolved), "ns/package")
		})
	}
}

// TestSyntheticGraphResolves keeps the benchmark's input honest: it
// resolves, and to most of its packages.
func TestSyntheticGraphResolves(t *testing.T) {
	m, cat := syntheticGraph(2000)
	g, err := Resolve(context.Background(), Input{Manifest: m, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	maxDepth := 0
	for _, p := range g.Packages {
		maxDepth = max(maxDepth, p.Depth)
	}
	if len(g.Packages) < 1500 || maxDepth < 5 {
		t.Errorf("resolved %d packages of 2000, %d levels deep", len(g.Packages), maxDepth)
	}
}
