// Package depgraph answers questions about a project's resolved packages
// from its manifest and lock file alone, without the network: which
// packages there are, the tree the manifest's dependencies pull in, and
// every chain of requesters that brings a package in (`upkg list`,
// `upkg why`).
package depgraph

import (
	"cmp"
	"slices"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// Root is a package the project asks for: one of the manifest's
// dependencies, a testable the lock holds, or an embedded package (a folder
// in Packages/, which Unity loads without a manifest entry).
type Root struct {
	Name string
	// Asks is the manifest's value, as written; "" for a testable or an
	// embedded package that is not also a dependency.
	Asks     string
	Testable bool
	Embedded bool
}

// Requester is a package that asks for another: its name, its own locked
// version, and the version it asks for.
type Requester struct {
	Name    string
	Version string
	Asks    string
}

// Graph is a project's resolved packages: the lock's entries with the
// manifest's dependencies as roots and each entry's dependencies as edges.
type Graph struct {
	entries map[string]*lockfile.Entry
	names   []string // lock names, sorted
	roots   []Root   // sorted by name
	rootOf  map[string]int
	// requesters of each name, sorted by requester name.
	requesters map[string][]Requester
}

// New builds the graph of manifest m and lock l.
func New(m *manifest.Manifest, l *lockfile.Lock) *Graph {
	g := &Graph{
		entries:    make(map[string]*lockfile.Entry, len(l.Entries)),
		rootOf:     map[string]int{},
		requesters: map[string][]Requester{},
	}
	for i := range l.Entries {
		e := &l.Entries[i]
		g.entries[e.Name] = e
		g.names = append(g.names, e.Name)
		for _, d := range e.Dependencies {
			g.requesters[d.Name] = append(g.requesters[d.Name], Requester{Name: e.Name, Version: e.Version, Asks: d.Version})
		}
	}
	slices.Sort(g.names)
	for _, rs := range g.requesters {
		slices.SortFunc(rs, func(a, b Requester) int { return cmp.Compare(a.Name, b.Name) })
	}
	for _, d := range m.Dependencies {
		g.addRoot(Root{Name: d.Name, Asks: d.Version})
	}
	for _, t := range m.Testables {
		if i, ok := g.rootOf[t]; ok {
			g.roots[i].Testable = true
		} else if _, ok := g.entries[t]; ok {
			g.addRoot(Root{Name: t, Testable: true})
		}
	}
	for _, e := range l.Entries {
		if e.Source != lockfile.SourceEmbedded {
			continue
		}
		if i, ok := g.rootOf[e.Name]; ok {
			g.roots[i].Embedded = true
		} else {
			g.addRoot(Root{Name: e.Name, Embedded: true})
		}
	}
	slices.SortFunc(g.roots, func(a, b Root) int { return cmp.Compare(a.Name, b.Name) })
	for i, r := range g.roots {
		g.rootOf[r.Name] = i
	}
	return g
}

func (g *Graph) addRoot(r Root) {
	if _, ok := g.rootOf[r.Name]; ok {
		return
	}
	g.rootOf[r.Name] = len(g.roots)
	g.roots = append(g.roots, r)
}

// Names returns the names of the lock's packages, sorted.
func (g *Graph) Names() []string { return slices.Clone(g.names) }

// Entry returns the lock's entry for name.
func (g *Graph) Entry(name string) (lockfile.Entry, bool) {
	e, ok := g.entries[name]
	if !ok {
		return lockfile.Entry{}, false
	}
	return *e, true
}

// Roots returns the manifest's packages, sorted by name.
func (g *Graph) Roots() []Root { return slices.Clone(g.roots) }

// Root returns the manifest's entry for name, if it is a root.
func (g *Graph) Root(name string) (Root, bool) {
	i, ok := g.rootOf[name]
	if !ok {
		return Root{}, false
	}
	return g.roots[i], true
}

// Missing returns the manifest's packages the lock lacks (the lock is older
// than the manifest), sorted.
func (g *Graph) Missing() []string {
	out := []string{}
	for _, r := range g.roots {
		if _, ok := g.entries[r.Name]; !ok {
			out = append(out, r.Name)
		}
	}
	return out
}

// Requesters returns the lock's packages that ask for name, sorted by name.
func (g *Graph) Requesters(name string) []Requester {
	return slices.Clone(g.requesters[name])
}

// Version is name's locked version, "" when the lock lacks it.
func (g *Graph) version(name string) string {
	if e, ok := g.entries[name]; ok {
		return e.Version
	}
	return ""
}
