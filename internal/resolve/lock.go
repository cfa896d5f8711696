package resolve

import (
	"slices"

	"github.com/upkg/upkg/internal/lockfile"
)

// Lock converts the graph to the lock-file model, in the graph's order:
// registry entries carry their registry URL, Git entries their commit hash
// when it is known, every entry the dependencies its package declares.
func (g *Graph) Lock() *lockfile.Lock {
	l := &lockfile.Lock{Entries: make([]lockfile.Entry, 0, len(g.Packages))}
	for _, p := range g.Packages {
		e := lockfile.Entry{Name: p.Name, Version: p.Version, Depth: p.Depth, Source: p.Source}
		for _, d := range p.Dependencies {
			e.Dependencies = append(e.Dependencies, lockfile.Dep{Name: d.Name, Version: d.Version})
		}
		switch p.Source {
		case lockfile.SourceRegistry:
			e.URL = p.Registry
		case lockfile.SourceGit:
			e.Hash = p.Hash
		}
		l.Entries = append(l.Entries, e)
	}
	return l
}

// KeepDepths copies the depths of old into the graph when the graph is old
// in everything else: the same packages at the same versions, sources,
// registries, hashes and dependency lists. Unity computed those depths for
// this very graph, so a resolution that changes nothing leaves the lock's
// bytes as they are, even where Unity's depth follows a rule upkg does not
// reproduce. It reports whether it kept them.
func (g *Graph) KeepDepths(old *lockfile.Lock) bool {
	if old == nil || len(old.Entries) != len(g.Packages) {
		return false
	}
	mine := g.Lock()
	byName := make(map[string]lockfile.Entry, len(old.Entries))
	for _, e := range old.Entries {
		byName[e.Name] = e
	}
	for _, e := range mine.Entries {
		o, ok := byName[e.Name]
		if !ok || o.Version != e.Version || o.Source != e.Source || o.URL != e.URL || o.Hash != e.Hash ||
			!slices.Equal(o.Dependencies, e.Dependencies) {
			return false
		}
	}
	for i := range g.Packages {
		g.Packages[i].Depth = byName[g.Packages[i].Name].Depth
	}
	return true
}
