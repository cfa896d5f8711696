package resolve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// fuzzReader hands out the bytes of a fuzz input, zeros once they run out.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) next(n int) int {
	if len(r.b) == 0 {
		return 0
	}
	v := int(r.b[0])
	r.b = r.b[1:]
	return v % n
}

// FuzzResolve builds a small project, catalog and lock from the input and
// checks the invariants of every resolution: rule 2 (each registry package
// at or above every request in the graph), closure, shortest depths, order,
// determinism, and only typed errors.
func FuzzResolve(f *testing.F) {
	f.Add([]byte{3, 0, 3, 1, 5, 2, 4, 1, 1, 2, 2, 7, 1, 0, 3, 1, 3, 2, 1, 4, 4}, uint8(0), "2022.3.20f1")
	f.Add([]byte{2, 0, 3, 0, 4, 255, 255, 1, 1, 3, 2, 6, 0, 0, 9, 9, 9}, uint8(2), "")
	f.Add([]byte("a longer seed that drives many branches of the builder"), uint8(3), "2021.3.1f1")
	f.Fuzz(func(t *testing.T, data []byte, strategy uint8, editor string) {
		in := fuzzInput(data, strategy, editor)
		g, err := Resolve(context.Background(), in)
		again, err2 := Resolve(context.Background(), fuzzInput(data, strategy, editor))
		if (err == nil) != (err2 == nil) {
			t.Fatalf("not deterministic: %v vs %v", err, err2)
		}
		if err != nil {
			var nf *NotFoundError
			var se *SpecError
			if !errors.As(err, &nf) && !errors.As(err, &se) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if err.Error() != err2.Error() {
				t.Fatalf("errors differ:\n%v\n%v", err, err2)
			}
			return
		}
		// A dependency's SpecErr is a fresh error value each time: equal
		// when it says the same.
		sameErr := cmp.Comparer(func(a, b error) bool { return fmt.Sprint(a) == fmt.Sprint(b) })
		if diff := cmp.Diff(g, again, sameErr); diff != "" {
			t.Fatalf("not deterministic (-first +second):\n%s", diff)
		}
		checkGraph(t, g)
	})
}

// fuzzInput decodes a project from fuzz bytes.
func fuzzInput(data []byte, strategy uint8, editor string) Input {
	r := &fuzzReader{b: data}
	names := []string{"com.a", "com.b", "com.c", "com.d", "com.unity.modules.x"}
	versions := []string{"0.1.0", "0.1.3", "0.2.0", "1.0.0", "1.0.1", "1.1.0", "2.0.0-pre.1", "2.0.0", "2.1.0", "^1.0.0"}
	unity := []string{"", "2021.3", "2022.3", "2023.1"}
	strategies := []string{"", StrategyLowest, StrategyHighestPatch, StrategyHighestMinor, StrategyHighest}
	m := &manifest.Manifest{ResolutionStrategy: strategies[int(strategy)%len(strategies)]}
	seen := map[string]bool{}
	for range r.next(4) + 1 {
		name := names[r.next(4)]
		if !seen[name] {
			seen[name] = true
			m.Dependencies = append(m.Dependencies, manifest.NewDependency(name, versions[r.next(len(versions)-1)]))
		}
	}
	cat := &fakeCatalog{pkgs: map[string][]VersionInfo{}}
	for _, name := range names[:4] {
		for _, v := range versions[:len(versions)-1] {
			if r.next(3) == 0 {
				continue
			}
			vi := VersionInfo{Version: v, Unity: unity[r.next(len(unity))]}
			for range r.next(3) {
				vi.Dependencies = append(vi.Dependencies, manifest.NewDependency(names[r.next(len(names))], versions[r.next(len(versions))]))
			}
			cat.pkgs[name] = append(cat.pkgs[name], vi)
		}
	}
	lock := &lockfile.Lock{}
	for _, name := range names[:4] {
		if r.next(2) == 1 {
			lock.Entries = append(lock.Entries, lockfile.Entry{Name: name, Version: versions[r.next(len(versions)-1)], Source: lockfile.SourceRegistry, URL: testRegistry})
		}
	}
	return Input{
		Manifest:      m,
		Lock:          lock,
		EditorVersion: editor,
		Builtins:      fakeBuiltins{"com.unity.modules.x": "1.0.0 com.a@1.0.0"},
		Catalog:       cat,
	}
}

// checkGraph asserts what holds for every successful resolution.
func checkGraph(t *testing.T, g *Graph) {
	t.Helper()
	byName := map[string]Package{}
	for i, p := range g.Packages {
		if i > 0 && lockfile.Compare(g.Packages[i-1].Name, p.Name) >= 0 {
			t.Fatalf("packages out of order at %s", p.Name)
		}
		byName[p.Name] = p
	}
	for _, p := range g.Packages {
		for _, d := range p.Dependencies {
			if _, ok := byName[d.Name]; !ok {
				t.Fatalf("%s %s depends on %s, which is not in the graph", p.Name, p.Version, d.Name)
			}
		}
		// The manifest's request for a registry package counts only when
		// it asks for the selected version, unless nothing else asks.
		counted := func(q Request) bool {
			return p.Source != lockfile.SourceRegistry || q.From != "" || versionEqual(q.Version, p.Version)
		}
		if !slices.ContainsFunc(p.Requests, counted) {
			counted = func(Request) bool { return true }
		}
		minDepth := -1
		for _, q := range p.Requests {
			if !counted(q) {
				continue
			}
			if q.From == "" {
				minDepth = 0
				continue
			}
			if d := byName[q.From].Depth + 1; minDepth < 0 || d < minDepth {
				minDepth = d
			}
		}
		if minDepth >= 0 && p.Depth != minDepth {
			// Only a cycle lets all requests count although some ask for
			// the selected version: those requesters are then no closer to
			// the manifest than p itself.
			minAll := -1
			for _, q := range p.Requests {
				d := 0
				if q.From != "" {
					d = byName[q.From].Depth + 1
				}
				if minAll < 0 || d < minAll {
					minAll = d
				}
				if counted(q) && q.From != "" && byName[q.From].Depth < p.Depth {
					t.Fatalf("%s at depth %d, though %s at depth %d asks for its version", p.Name, p.Depth, q.From, byName[q.From].Depth)
				}
			}
			if p.Depth != minAll {
				t.Fatalf("%s at depth %d, want %d (or %d)", p.Name, p.Depth, minDepth, minAll)
			}
		}
		if p.Source != lockfile.SourceRegistry {
			continue
		}
		got := semver.MustParse(p.Version)
		for _, q := range p.Requests {
			if want, err := semver.StrictNewVersion(q.Version); err == nil && got.LessThan(want) {
				t.Fatalf("%s at %s, below the %s %s asks", p.Name, p.Version, q.From, q.Version)
			}
		}
	}
}
