package depgraph

import (
	"cmp"
	"slices"
)

// Link is one package of a chain: its name, its locked version ("" when the
// lock lacks it), and the version its requester asks for — the manifest's
// value for the first link of a chain.
type Link struct {
	Name    string
	Version string
	Asks    string
}

// Chain is a path of requests from one of the manifest's packages (first)
// to the package asked about (last); no package appears twice.
type Chain []Link

// Why holds every chain that brings a package in.
type Why struct {
	// Chains are sorted shortest first, then by their names.
	Chains []Chain
	// Truncated is set when there were more chains than the limit (or too
	// many paths to look at): Chains holds the shortest ones found.
	Truncated bool
}

// maxVisits bounds the paths Why looks at, so that a dense graph cannot make
// it run for long.
const maxVisits = 200_000

// partial is a path from some package down to the target, built backwards:
// name asks for next.name the version asks.
type partial struct {
	name string
	asks string // what name asks for next.name
	next *partial
	len  int
}

func (p *partial) has(name string) bool {
	for ; p != nil; p = p.next {
		if p.name == name {
			return true
		}
	}
	return false
}

// Why returns up to limit chains (limit ≤ 0: no limit but the visit bound)
// that bring name in, shortest first: each chain starts at a package of the
// manifest and follows the lock's dependencies to name. A root name is a
// chain of its own (the manifest asks for it). A name the lock lacks, or no
// manifest package leads to, has no chains.
func (g *Graph) Why(name string, limit int) Why {
	var w Why
	if _, ok := g.entries[name]; !ok {
		return w
	}
	queue := []*partial{{name: name, len: 1}}
	visits := 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if visits++; visits > maxVisits {
			w.Truncated = true
			break
		}
		if r, ok := g.Root(p.name); ok {
			if limit > 0 && len(w.Chains) == limit {
				w.Truncated = true
				break
			}
			w.Chains = append(w.Chains, g.chain(r, p))
		}
		for _, rq := range g.requesters[p.name] {
			if p.has(rq.Name) {
				continue // a cycle
			}
			queue = append(queue, &partial{name: rq.Name, asks: rq.Asks, next: p, len: p.len + 1})
		}
	}
	slices.SortStableFunc(w.Chains, func(a, b Chain) int {
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
		return slices.CompareFunc(a, b, func(x, y Link) int { return cmp.Compare(x.Name, y.Name) })
	})
	return w
}

// chain turns the backward path p, which starts at root r, into a Chain.
func (g *Graph) chain(r Root, p *partial) Chain {
	c := make(Chain, 0, p.len)
	c = append(c, Link{Name: r.Name, Version: g.version(r.Name), Asks: r.Asks})
	for ; p.next != nil; p = p.next {
		c = append(c, Link{Name: p.next.name, Version: g.version(p.next.name), Asks: p.asks})
	}
	return c
}
