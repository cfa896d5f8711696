package depgraph

import (
	"cmp"
	"slices"

	"github.com/upkg/upkg/internal/lockfile"
)

// Node is one package of the dependency tree.
type Node struct {
	Name string
	// Asks is the version its parent asks for (the manifest's value for a
	// top-level node).
	Asks string
	// Entry is the package's lock entry (the zero Entry when Missing).
	Entry lockfile.Entry
	// Missing is set when the lock has no entry for the package.
	Missing bool
	// Deduped is set when the package and its dependencies were shown
	// earlier in the tree: Dependencies is then empty.
	Deduped bool
	// Dependencies in name order; empty past the depth limit.
	Dependencies []*Node
}

// Tree returns the dependency tree from the manifest's packages (sorted by
// name), to maxDepth levels below them (maxDepth < 0: no limit; 0: only the
// manifest's packages). The manifest's packages are shown at the top, each
// with its dependencies; met again below, they are Deduped, as is any package
// met again after it was shown with its dependencies (which ends cycles).
func (g *Graph) Tree(maxDepth int) []*Node {
	expanded := map[string]bool{} // name → shown with its dependencies
	var walk func(name, asks string, depth int) *Node
	walk = func(name, asks string, depth int) *Node {
		n := &Node{Name: name, Asks: asks, Dependencies: []*Node{}}
		e, ok := g.entries[name]
		if !ok {
			n.Missing = true
			return n
		}
		n.Entry = *e
		if _, root := g.rootOf[name]; root && depth > 0 {
			n.Deduped = true // shown at the top
			return n
		}
		seen, done := expanded[name]
		if depth > 0 && seen && (done || len(e.Dependencies) == 0) {
			n.Deduped = true
			return n
		}
		if maxDepth >= 0 && depth >= maxDepth {
			if !seen {
				expanded[name] = len(e.Dependencies) == 0
			}
			return n
		}
		expanded[name] = true
		deps := slices.Clone(e.Dependencies)
		slices.SortFunc(deps, func(a, b lockfile.Dep) int { return cmp.Compare(a.Name, b.Name) })
		for _, d := range deps {
			n.Dependencies = append(n.Dependencies, walk(d.Name, d.Version, depth+1))
		}
		return n
	}
	out := []*Node{}
	for _, r := range g.roots {
		out = append(out, walk(r.Name, r.Asks, 0))
	}
	return out
}
