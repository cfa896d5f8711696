package resolve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// Values of manifest.Manifest.ResolutionStrategy ("" means StrategyLowest).
const (
	StrategyLowest       = "lowest"
	StrategyHighestPatch = "highestPatch"
	StrategyHighestMinor = "highestMinor"
	StrategyHighest      = "highest"
)

// Prefetcher may be implemented by a Catalog that can fetch the metadata of
// several packages at once. Resolve calls Prefetch with every batch of newly
// discovered registry names before it asks Versions for them one by one, so
// the catalog can start all those requests concurrently.
type Prefetcher interface {
	Prefetch(names []string)
}

const (
	// maxChains caps the chains of requesters an error carries: in a graph
	// full of diamonds their number grows exponentially, and a few dozen say
	// everything a person can act on.
	maxChains = 32
	// chainBudget caps the steps explored while listing chains, for the same
	// reason.
	chainBudget = 100_000
	// maxIterations is a safety net only: the iteration switches to raising
	// versions monotonically as soon as a state repeats, which always ends.
	maxIterations = 10_000
)

// Resolve picks one version of every package reachable from in.Manifest
// (UPM-SPEC §7):
//
//  1. Embedded packages (in.Locals, source embedded) win over any request for
//     their name and are always part of the project, at depth 0. Then file:
//     and Git entries of the manifest, then built-in packages (in.Builtins).
//     Resolve fetches nothing itself: a Git package resolves with the
//     dependencies and commit of its in.Locals entry (source git; the
//     install fetches it first), or none when it has none.
//  2. Any other package comes from its registry, at the highest version
//     requested anywhere in the graph, the manifest's own request included.
//  3. A version locked in in.Lock (same registry URL) is kept while it is at
//     or above every request and the registry still has it (and, when it is
//     above the highest request, while it suits the editor).
//  4. The manifest's resolutionStrategy widens requests for packages the
//     manifest does not list; a stable request never moves to a pre-release.
//  5. Automatic choices skip versions the project's editor is too old for; the
//     highest request itself is installed anyway, with a warning.
//  6. Built-in packages are never fetched; only reachable ones appear.
//  7. Choices are repeated until they no longer change; depth is the shortest
//     distance from the manifest.
//
// Requests nobody can satisfy come back as *NotFoundError or *SpecError
// (joined with errors.Join when there are several), each with the chains of
// requesters; a manifest entry that is no exact version, file: path or Git
// URL is a *manifest.ParseError naming the entry. Catalog errors other than
// "not found" are returned wrapped, so errors.As still finds the catalog's
// own error types.
func Resolve(ctx context.Context, in Input) (*Graph, error) {
	r, err := newResolver(ctx, in)
	if err != nil {
		return nil, err
	}
	w, err := r.run()
	if err != nil {
		return nil, err
	}
	if err := r.check(w); err != nil {
		return nil, err
	}
	return r.graph(w), nil
}

// fixedPkg is a package resolved by its source rather than by version.
type fixedPkg struct {
	source  string
	version string
	hash    string
	deps    []manifest.Dependency
}

// request is one dependency entry pointing at a package. dep points into the
// requester's dependency list (or the manifest's), which nothing changes:
// the walk is redone on every round, and copying whole entries was most of
// its cost on large graphs.
type request struct {
	from        string // "" for the manifest
	fromVersion string
	dep         *manifest.Dependency
}

// node is one reached package during one pass over the graph.
type node struct {
	name     string
	depth    int
	root     bool // a manifest dependency or an embedded package
	fixed    *fixedPkg
	choice   *choice // registry packages; nil until first chosen
	version  string
	deps     []manifest.Dependency
	requests []request
}

// walk is the graph reached from the roots with the current choices.
type walk struct {
	nodes map[string]*node
	order []*node // breadth-first, so depths are shortest distances
}

type resolver struct {
	ctx      context.Context
	in       Input
	strategy string
	// direct holds the manifest's valid entries, by name.
	direct  map[string]manifest.Dependency
	roots   []string
	lock    map[string]lockfile.Entry
	fixed   map[string]*fixedPkg // memo; a nil value means "from a registry"
	catalog map[string]*catalogEntry
	// versions memoises the SemVer parse of requested versions: every
	// round reads every request again.
	versions map[string]*semver.Version
	choice   map[string]*choice
	// sig identifies the whole of choice (see signature), kept up to date
	// as choices change.
	sig signature
	// monotone is set once the choices have cycled: from then on a choice
	// only ever rises, which guarantees an end.
	monotone bool
	// picked memoises pick by package: its last choice and the highest
	// request it was made for. pick depends on nothing else that changes
	// between rounds, and most packages' requests do not.
	picked map[string]pickMemo
	// pool keeps each package's node from round to round, and walkNodes
	// the map of the round, so that a round allocates only what grows.
	pool      map[string]*node
	walkNodes map[string]*node
}

type pickMemo struct {
	high string // the highest request's version, "" for none
	c    *choice
}

func newResolver(ctx context.Context, in Input) (*resolver, error) {
	if in.Manifest == nil {
		return nil, errors.New("resolve: no manifest")
	}
	m := in.Manifest
	file := m.Path
	if file == "" {
		file = "manifest.json"
	}
	r := &resolver{
		ctx:       ctx,
		in:        in,
		direct:    map[string]manifest.Dependency{},
		lock:      map[string]lockfile.Entry{},
		fixed:     map[string]*fixedPkg{},
		catalog:   map[string]*catalogEntry{},
		versions:  map[string]*semver.Version{},
		choice:    map[string]*choice{},
		picked:    map[string]pickMemo{},
		pool:      map[string]*node{},
		walkNodes: map[string]*node{},
	}
	switch m.ResolutionStrategy {
	case "", StrategyLowest:
		r.strategy = StrategyLowest
	case StrategyHighestPatch, StrategyHighestMinor, StrategyHighest:
		r.strategy = m.ResolutionStrategy
	default:
		return nil, fmt.Errorf("%s: resolutionStrategy %q is not one of lowest, highestPatch, highestMinor, highest", file, m.ResolutionStrategy)
	}
	var errs []error
	for _, d := range m.Dependencies {
		if _, dup := r.direct[d.Name]; dup {
			continue // the manifest parser reports duplicates; the first one counts
		}
		if lp, ok := in.Locals[d.Name]; ok && lp.Source == lockfile.SourceEmbedded {
			// An embedded package overrides the request, whatever it says.
			r.direct[d.Name] = d
			r.roots = append(r.roots, d.Name)
			continue
		}
		if err := d.ValueError(file); err != nil {
			// The value the manifest parser kept (manifest.CheckValues),
			// at its position.
			errs = append(errs, err)
			continue
		}
		if d.Spec.Kind == manifest.SpecLocalFolder || d.Spec.Kind == manifest.SpecLocalTarball {
			if _, ok := in.Locals[d.Name]; !ok {
				errs = append(errs, fmt.Errorf("%s: dependency %s %q: the local package was not loaded", position(file, d), d.Name, d.Version))
				continue
			}
		}
		r.direct[d.Name] = d
		r.roots = append(r.roots, d.Name)
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	var embedded []string
	for name, lp := range in.Locals {
		if _, listed := r.direct[name]; lp.Source == lockfile.SourceEmbedded && !listed {
			embedded = append(embedded, name)
		}
	}
	sort.Strings(embedded)
	r.roots = append(r.roots, embedded...)
	if in.Lock != nil {
		for _, e := range in.Lock.Entries {
			r.lock[e.Name] = e
		}
	}
	return r, nil
}

// position renders "file:line:column" for a manifest entry, or just file
// when its line is unknown.
func position(file string, d manifest.Dependency) string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", file, d.Line, d.Column)
	}
	return file
}

// fixedFor returns how name resolves by source, or nil if it comes from a
// registry.
func (r *resolver) fixedFor(name string) *fixedPkg {
	if f, ok := r.fixed[name]; ok {
		return f
	}
	f := r.computeFixed(name)
	r.fixed[name] = f
	return f
}

func (r *resolver) computeFixed(name string) *fixedPkg {
	if lp, ok := r.in.Locals[name]; ok && lp.Source == lockfile.SourceEmbedded {
		v := lp.Version
		if v == "" {
			v = "file:" + name
		}
		return &fixedPkg{source: lockfile.SourceEmbedded, version: v, deps: lp.Dependencies}
	}
	if d, ok := r.direct[name]; ok {
		switch d.Spec.Kind {
		case manifest.SpecLocalFolder, manifest.SpecLocalTarball:
			lp := r.in.Locals[name]
			f := &fixedPkg{source: lp.Source, version: lp.Version, deps: lp.Dependencies}
			if f.source != lockfile.SourceLocal && f.source != lockfile.SourceLocalTarball {
				// The caller, who looked at the path, knows best; without
				// its word the path's suffix decides.
				f.source = lockfile.SourceLocal
				if d.Spec.Kind == manifest.SpecLocalTarball {
					f.source = lockfile.SourceLocalTarball
				}
			}
			if f.version == "" {
				f.version = d.Version
			}
			return f
		case manifest.SpecGit:
			f := &fixedPkg{source: lockfile.SourceGit, version: d.Version}
			if lp, ok := r.in.Locals[name]; ok && (lp.Source == lockfile.SourceGit || lp.Source == "") {
				f.deps, f.hash = lp.Dependencies, lp.Hash
			}
			return f
		}
	}
	if r.in.Builtins != nil {
		if v, deps, ok := r.in.Builtins.Lookup(name); ok {
			return &fixedPkg{source: lockfile.SourceBuiltin, version: v, deps: deps}
		}
	}
	return nil
}

// walk goes breadth-first from the roots through the current choices. The
// walk it returns lives until the next call: its nodes and map are reused.
func (r *resolver) walk() *walk {
	clear(r.walkNodes)
	w := &walk{nodes: r.walkNodes, order: make([]*node, 0, len(r.pool))}
	visit := func(name string, depth int) *node {
		if n := w.nodes[name]; n != nil {
			return n
		}
		n := r.pool[name]
		if n == nil {
			n = &node{}
			r.pool[name] = n
		}
		*n = node{name: name, depth: depth, requests: n.requests[:0]}
		if f := r.fixedFor(name); f != nil {
			n.fixed, n.version, n.deps = f, f.version, f.deps
		} else {
			n.choice = r.choice[name]
			if c := n.choice; c != nil && c.cand != nil {
				n.version, n.deps = c.cand.info.Version, c.cand.info.Dependencies
			}
		}
		w.nodes[name] = n
		w.order = append(w.order, n)
		return n
	}
	for _, name := range r.roots {
		n := visit(name, 0)
		n.root = true
		if d, ok := r.direct[name]; ok {
			n.requests = append(n.requests, request{dep: &d})
		}
	}
	for i := 0; i < len(w.order); i++ {
		n := w.order[i]
		for i := range n.deps {
			dep := &n.deps[i]
			m := visit(dep.Name, n.depth+1)
			m.requests = append(m.requests, request{from: n.name, fromVersion: n.version, dep: dep})
		}
	}
	return w
}

// run iterates walk → load → pick until no choice changes (rule 7).
func (r *resolver) run() (*walk, error) {
	seen := map[signature]bool{}
	for iter := 0; ; iter++ {
		if err := r.ctx.Err(); err != nil {
			return nil, fmt.Errorf("resolve: %w", err)
		}
		if iter == maxIterations {
			return nil, errors.New("resolve: the choice of versions does not settle")
		}
		w := r.walk()
		if err := r.load(w); err != nil {
			return nil, err
		}
		changed := false
		for _, n := range w.order {
			if n.fixed != nil {
				continue
			}
			c := r.pick(n)
			prev := r.choice[n.name]
			if r.monotone && prev.rank(c) > 0 {
				continue
			}
			if !c.same(prev) {
				if prev != nil {
					r.sig.toggle(n.name, prev.key())
				}
				r.sig.toggle(n.name, c.key())
				r.choice[n.name] = c
				changed = true
			}
		}
		if !changed {
			return w, nil
		}
		if seen[r.sig] {
			r.monotone = true
		}
		seen[r.sig] = true
	}
}

// signature identifies the whole state of the iteration: every choice made
// so far. The next round is a function of it, so a repeat is a true cycle.
// It is the XOR of a 128-bit hash of each "name=key", so that a change of
// one choice updates it in constant time (it used to be every choice,
// sorted and joined, each round: a sixth of resolving 10 000 packages).
// Two states colliding by chance (about 2^-128) would only turn on the
// monotone rule early.
type signature [2]uint64

var sigSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// toggle adds name=key to the signature, or takes it out if it is in.
func (s *signature) toggle(name, key string) {
	for i := range s {
		var h maphash.Hash
		h.SetSeed(sigSeeds[i])
		h.WriteString(name)
		h.WriteByte(0)
		h.WriteString(key)
		s[i] ^= h.Sum64()
	}
}

// load asks the catalog about every registry package of w not asked yet.
func (r *resolver) load(w *walk) error {
	var fresh []string
	for _, n := range w.order {
		if n.fixed == nil {
			if _, ok := r.catalog[n.name]; !ok {
				fresh = append(fresh, n.name)
			}
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if r.in.Catalog == nil {
		return fmt.Errorf("resolve %s: no catalog to look it up in", fresh[0])
	}
	if p, ok := r.in.Catalog.(Prefetcher); ok {
		p.Prefetch(slices.Clone(fresh))
	}
	for _, name := range fresh {
		infos, err := r.in.Catalog.Versions(r.ctx, name)
		if err != nil {
			if r.in.Catalog.IsNotFound(err) {
				r.catalog[name] = &catalogEntry{missing: err}
				continue
			}
			return fmt.Errorf("resolve %s: %w", name, err)
		}
		r.catalog[name] = newCatalogEntry(infos)
	}
	return nil
}

// check turns what could not be resolved in the final walk into errors.
func (r *resolver) check(w *walk) error {
	var errs []error
	for _, n := range sortedNodes(w) {
		if n.fixed != nil {
			continue
		}
		for _, q := range n.requests {
			if q.from == "" {
				continue // manifest entries were checked up front
			}
			if isVersion(q.dep.Version) {
				continue
			}
			msg := fmt.Sprintf("%q is not an exact version; a package's dependencies take exact versions only", q.dep.Version)
			if q.dep.SpecErr != nil {
				msg = q.dep.SpecErr.Error() // says more: a range, a stray "v", …
			}
			errs = append(errs, &SpecError{Name: n.name, Value: q.dep.Version, Msg: msg, Chains: w.chainsTo(q.from)})
		}
		c := n.choice
		if c == nil || (!c.packageMissing && c.missingVersion == "") {
			continue
		}
		nf := &NotFoundError{
			Name:           n.name,
			Version:        c.missingVersion,
			Registry:       redact(strings.TrimRight(r.in.Catalog.Registry(n.name), "/")),
			PackageMissing: c.packageMissing,
		}
		keep := func(q request) bool { return versionEqual(q.dep.Version, c.missingVersion) }
		if c.packageMissing {
			nf.Err = r.catalog[n.name].missing
			keep = func(q request) bool { return isVersion(q.dep.Version) }
		}
		nf.Chains = w.chains(n, keep)
		errs = append(errs, nf)
	}
	return joinErrors(errs)
}

// joinErrors is errors.Join that returns a lone error as itself.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// graph builds the result from the final walk.
func (r *resolver) graph(w *walk) *Graph {
	pkgs := make([]Package, 0, len(w.order))
	depth := w.depths()
	for _, n := range w.order {
		p := Package{Name: n.name, Version: n.version, Depth: depth[n.name], Dependencies: slices.Clone(n.deps)}
		if f := n.fixed; f != nil {
			p.Source, p.Hash = f.source, f.hash
		} else {
			p.Source = lockfile.SourceRegistry
			p.Registry = strings.TrimRight(r.in.Catalog.Registry(n.name), "/")
			// check has failed the resolution for any package without a
			// version; the guard only keeps a future change from panicking.
			if c := n.choice; c != nil && c.cand != nil {
				p.Dist = c.cand.info.Dist
				p.Deprecated = c.cand.info.Deprecated
				if c.warning != "" {
					p.Warnings = append(p.Warnings, c.warning)
				}
			}
		}
		for _, q := range n.requests {
			p.Requests = append(p.Requests, Request{From: q.from, FromVersion: q.fromVersion, Version: q.dep.Version})
		}
		pkgs = append(pkgs, p)
	}
	slices.SortFunc(pkgs, func(a, b Package) int { return lockfile.Compare(a.Name, b.Name) })
	return &Graph{Packages: pkgs}
}

// depths computes the depth Unity writes for each package: the length of the
// shortest path from the manifest, where the manifest's own request for a
// registry package counts only when it asks for the selected version. A
// direct dependency that another package's request raised gets that
// requester's depth + 1, not 0 (seen in real 2019.4 and 2022.3 locks). Of
// the rules tried on the corpus of Unity-written locks (testdata/
// unity-projects), this one reproduces the most depths (1852 of 1858);
// counting only requests for the selected version everywhere reproduced
// 1844, plain shortest paths 1849 (docs/unity-notes.md).
func (w *walk) depths() map[string]int {
	counts := func(n *node, q request) bool {
		return n.fixed != nil || q.from != "" || versionEqual(q.dep.Version, n.version)
	}
	exact := map[string]bool{} // some request asks for the selected version
	for _, n := range w.order {
		for _, q := range n.requests {
			if counts(n, q) {
				exact[n.name] = true
			}
		}
	}
	const unset = -1
	depth := make(map[string]int, len(w.order))
	for _, n := range w.order {
		depth[n.name] = unset
		if n.root && (len(n.requests) == 0 || n.fixed != nil) {
			depth[n.name] = 0 // an embedded package, or a direct source entry
		}
	}
	// Relax until nothing shrinks: the graph is small and may have cycles.
	// A package whose counted requests all come through itself (a cycle)
	// stays unset: then all its requests count, and relaxing goes on.
	for {
		for changed := true; changed; {
			changed = false
			for _, n := range w.order {
				for _, q := range n.requests {
					if exact[n.name] && !counts(n, q) {
						continue
					}
					d := 0
					if q.from != "" {
						if depth[q.from] == unset {
							continue
						}
						d = depth[q.from] + 1
					}
					if depth[n.name] == unset || d < depth[n.name] {
						depth[n.name], changed = d, true
					}
				}
			}
		}
		widened := false
		for _, n := range w.order {
			if depth[n.name] == unset && exact[n.name] {
				exact[n.name], widened = false, true
			}
		}
		if !widened {
			break
		}
	}
	for _, n := range w.order {
		if depth[n.name] == unset {
			depth[n.name] = n.depth // unreachable by counted requests: keep the walk's
		}
	}
	return depth
}

func sortedNodes(w *walk) []*node {
	nodes := slices.Clone(w.order)
	slices.SortFunc(nodes, func(a, b *node) int { return lockfile.Compare(a.name, b.name) })
	return nodes
}

// chains lists the chains of requesters behind n's requests that keep
// accepts, each ending with n at the version that request asks for.
func (w *walk) chains(n *node, keep func(request) bool) [][]Step {
	var out [][]Step
	budget := chainBudget
	for _, q := range n.requests {
		if !keep(q) {
			continue
		}
		last := []Step{{Name: n.name, Version: q.dep.Version}}
		if q.from == "" {
			out = append(out, last)
			continue
		}
		w.back(q.from, last, &out, &budget)
	}
	return tidyChains(out)
}

// chainsTo lists the chains of requesters that lead to name itself.
func (w *walk) chainsTo(name string) [][]Step {
	var out [][]Step
	budget := chainBudget
	w.back(name, nil, &out, &budget)
	return tidyChains(out)
}

// back extends tail backwards through name's requesters until it reaches a
// root. A chain stops at the first root it meets: the manifest asks for that
// package directly, which says all there is to say about how it got there.
func (w *walk) back(name string, tail []Step, out *[][]Step, budget *int) {
	if len(*out) >= maxChains || *budget <= 0 {
		return
	}
	*budget--
	for _, s := range tail {
		if s.Name == name {
			return // a cycle
		}
	}
	n := w.nodes[name]
	path := append([]Step{{Name: n.name, Version: n.version}}, tail...)
	if n.root {
		*out = append(*out, path)
		return
	}
	for _, q := range n.requests {
		if q.from != "" {
			w.back(q.from, path, out, budget)
		}
	}
}

// tidyChains sorts chains by their text and drops duplicates (a package.json
// naming the same dependency twice).
func tidyChains(chains [][]Step) [][]Step {
	slices.SortFunc(chains, func(a, b []Step) int { return cmp.Compare(FormatChain(a), FormatChain(b)) })
	chains = slices.CompactFunc(chains, func(a, b []Step) bool { return slices.Equal(a, b) })
	if len(chains) > maxChains {
		chains = chains[:maxChains]
	}
	return chains
}
