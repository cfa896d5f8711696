package resolve

import "github.com/upkg/upkg/internal/lockfile"

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
