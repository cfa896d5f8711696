package resolve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// testRegistry is the registry every fake package routes to unless the test
// says otherwise.
const testRegistry = "http://127.0.0.1:4873"

// notFoundErr is the fake catalog's "no such package".
type notFoundErr struct{ name string }

func (e *notFoundErr) Error() string { return e.name + ": not found" }

// authErr stands in for the registry client's typed auth error (the real one
// lives in internal/registry, which resolve must not depend on).
type authErr struct {
	Registry string
	Status   int
}

func (e *authErr) Error() string { return fmt.Sprintf("%s: %d unauthorized", e.Registry, e.Status) }

// fakeCatalog is an in-memory Catalog that records what it was asked.
type fakeCatalog struct {
	pkgs map[string][]VersionInfo
	// registries routes names to another registry than testRegistry.
	registries map[string]string
	errs       map[string]error
	calls      []string
}

func (f *fakeCatalog) Versions(_ context.Context, name string) ([]VersionInfo, error) {
	f.calls = append(f.calls, name)
	if err := f.errs[name]; err != nil {
		return nil, err
	}
	vs, ok := f.pkgs[name]
	if !ok {
		return nil, &notFoundErr{name}
	}
	out := slices.Clone(vs)
	for i := range out {
		if out[i].Dist.Tarball == "" {
			out[i].Dist = Dist{
				Tarball:   fmt.Sprintf("%s/%s/-/%s-%s.tgz", f.Registry(name), name, name, out[i].Version),
				Integrity: "sha512-" + name + "@" + out[i].Version,
			}
		}
	}
	return out, nil
}

func (f *fakeCatalog) Registry(name string) string {
	if r, ok := f.registries[name]; ok {
		return r
	}
	return testRegistry
}

func (f *fakeCatalog) IsNotFound(err error) bool {
	var nf *notFoundErr
	return errors.As(err, &nf)
}

// prefetchCatalog is a fakeCatalog that also records Prefetch batches.
type prefetchCatalog struct {
	fakeCatalog
	batches [][]string
}

func (p *prefetchCatalog) Prefetch(names []string) { p.batches = append(p.batches, names) }

// fakeBuiltins maps built-in names to "version dep@v dep@v…".
type fakeBuiltins map[string]string

func (b fakeBuiltins) Lookup(name string) (string, []manifest.Dependency, bool) {
	s, ok := b[name]
	if !ok {
		return "", nil, false
	}
	f := strings.Fields(s)
	return f[0], deps(f[1:]...), true
}

// deps builds dependencies from "name@version" strings, their values
// parsed as a reader of packuments parses them (manifest.NewDependency).
func deps(specs ...string) []manifest.Dependency {
	var out []manifest.Dependency
	for _, s := range specs {
		name, v, _ := strings.Cut(s, "@")
		out = append(out, manifest.NewDependency(name, v))
	}
	return out
}

// ver is a registry version with dependencies "name@version".
func ver(v string, depSpecs ...string) VersionInfo {
	return VersionInfo{Version: v, Dependencies: deps(depSpecs...)}
}

// needs sets the lowest editor of a version.
func needs(vi VersionInfo, unity, release string) VersionInfo {
	vi.Unity, vi.UnityRelease = unity, release
	return vi
}

// man builds a manifest from a strategy and "name@value" entries, their
// values parsed as manifest.Parse parses them; the entries sit on lines 3,
// 4, … at column 5, as in a formatted file.
func man(strategy string, entries ...string) *manifest.Manifest {
	m := &manifest.Manifest{Path: "Packages/manifest.json", ResolutionStrategy: strategy, EnableLockFile: true}
	for i, e := range entries {
		name, v, _ := strings.Cut(e, "@")
		d := manifest.NewDependency(name, v)
		d.Line, d.Column = i+3, 5
		m.Dependencies = append(m.Dependencies, d)
	}
	return m
}

// lockOf builds a lock of registry entries "name@version" at testRegistry.
func lockOf(specs ...string) *lockfile.Lock {
	l := &lockfile.Lock{}
	for _, s := range specs {
		name, v, _ := strings.Cut(s, "@")
		l.Entries = append(l.Entries, lockfile.Entry{Name: name, Version: v, Source: lockfile.SourceRegistry, URL: testRegistry})
	}
	return l
}

// summary renders a graph as "name version source depth" lines.
func summary(g *Graph) []string {
	var out []string
	for _, p := range g.Packages {
		out = append(out, fmt.Sprintf("%s %s %s %d", p.Name, p.Version, p.Source, p.Depth))
	}
	return out
}
