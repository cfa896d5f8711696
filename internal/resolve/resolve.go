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
	// maxIterations caps the rounds. The iteration switches to raising
	// versions monotonically as soon as a state repeats, which always ends;
	// but on graphs whose packages depend on each other in cycles, choices
	// can wander for longer than this without repeating a state (the
	// states are the product of every package's versions): two in five of
	// the random cyclic graphs of cyclicGraph (300 packages, lowest
	// strategy) stop here, and others settle after thousands of rounds.
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
	targets []target // deps' nodes, once they are known (resolver.targetsOf)
}

// target is where one dependency entry leads: its package's node and the
// version it asks for, parsed (nil when it is no SemVer version). A
// version's targets are found once, when it is first reached; a round then
// follows pointers and looks up no names.
type target struct {
	n   *node
	v   *semver.Version
	key uint64               // precedenceKey(v)
	dep *manifest.Dependency // the entry itself
}

// request is one dependency entry pointing at a package. dep points into the
// requester's dependency list (or the manifest's), which nothing changes:
// the walk is redone on every round, and copying whole entries was most of
// its cost on large graphs. The requester's version is from.version: a
// round's requests and versions are made together.
type request struct {
	from *node // nil for the manifest
	dep  *manifest.Dependency
	v    *semver.Version // dep.Version parsed, nil when it is no version
}

// inexact reports whether q is a package's dependency on something other
// than an exact version, which check reports (the manifest's entries were
// checked up front).
func (q request) inexact() bool { return q.from != nil && q.v == nil }

// fromName is the requester's name, "" for the manifest.
func (q request) fromName() string {
	if q.from == nil {
		return ""
	}
	return q.from.name
}

// fromVersion is the requester's version, "" for the manifest.
func (q request) fromVersion() string {
	if q.from == nil {
		return ""
	}
	return q.from.version
}

// node is one package: there is one per name for the whole resolution
// (resolver.nodeFor), holding what is known about it and its place in the
// current round. Rounds used to find each package's state by name in half a
// dozen maps, several times per package and edge, and to rebuild every
// package's list of requests: on 10 000 packages, that memory traffic
// missing the caches made a round cost half as much again per package as on
// 1 000. A round now touches little more than each node once per edge.
type node struct {
	// What a round reads and writes comes first, together: about two
	// cache lines.
	//
	// The current round's, valid only if round is the resolver's round.
	// high is the highest version requested, the first one written so of
	// those of equal precedence; nil when no request is a version.
	round   int
	depth   int
	high    *semver.Version
	highKey uint64 // precedenceKey(high)
	// fixed is how the package resolves by source, nil for a registry
	// package.
	fixed *fixedPkg
	// Registry packages: the current choice (nil until first chosen) and
	// pick's last choice (those before are in pickedBefore).
	choice *choice
	picked pickMemo
	// The targets, version and dependencies of applied, the choice they
	// were last taken from (synced says they were taken at all): a round
	// takes them anew only from a changed choice.
	targets []target
	applied *choice
	synced  bool
	root    bool // a manifest dependency or an embedded package

	name    string
	version string
	deps    []manifest.Dependency
	// requests are recorded by the last walk only (walk's record).
	requests []request
	// The manifest's entry for the package (nil for none), its version
	// parsed.
	direct  *manifest.Dependency
	directV *semver.Version
	// What the catalog said (registry packages; nil until loaded).
	entry *catalogEntry
	// pick's choices before its last (picked), for other highest requests.
	pickedBefore []pickMemo
	// Scratch of walk.depths.
	unityDepth int
	exact      bool
	// Scratch of chainSearch: n is on the chain being built.
	onChain bool
}

// walk is the graph reached from the roots with the current choices.
type walk struct {
	order []*node // breadth-first, so depths are shortest distances
}

type resolver struct {
	ctx      context.Context
	in       Input
	strategy string
	// direct holds the manifest's valid entries, by name.
	direct map[string]manifest.Dependency
	roots  []string
	lock   map[string]lockfile.Entry
	// nodes holds every package met so far, by name; rootNodes are those
	// of roots.
	nodes     map[string]*node
	rootNodes []*node
	// versions memoises the SemVer parse of requested versions.
	versions map[string]*semver.Version
	// sig identifies the whole of the choices (see signature), kept up to
	// date as choices change.
	sig signature
	// monotone is set once the choices have cycled: from then on a choice
	// only ever rises, which guarantees an end.
	monotone bool
	// round counts walks; order is the last walk's, its array reused.
	round int
	order []*node
	// nodeChunk and targetChunk are where the next nodes and targets are
	// made: made in the order they are met, they lie in memory roughly in
	// the order a walk reads them. Chunks grow from small, as most
	// projects have a few dozen packages.
	nodeChunk   []node
	targetChunk []target
}

// pickMemo is pick's choice for a package and the highest request it was
// made for. pick depends on nothing else that changes between rounds, so a
// package keeps one for each highest request it has had: most packages'
// requests do not change, and on graphs that take thousands of rounds to
// settle, those that do go back and forth between a few.
type pickMemo struct {
	ok   bool
	high *semver.Version // the highest request (resolver.semver's), nil for none
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
		ctx:      ctx,
		in:       in,
		direct:   map[string]manifest.Dependency{},
		lock:     map[string]lockfile.Entry{},
		nodes:    map[string]*node{},
		versions: map[string]*semver.Version{},
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
	for _, name := range r.roots {
		n := r.nodeFor(name)
		n.root = true
		r.rootNodes = append(r.rootNodes, n)
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

// nodeFor returns the node of name, made on first use.
func (r *resolver) nodeFor(name string) *node {
	if n := r.nodes[name]; n != nil {
		return n
	}
	if len(r.nodeChunk) == cap(r.nodeChunk) {
		r.nodeChunk = make([]node, 0, min(max(2*cap(r.nodeChunk), 16), 256))
	}
	r.nodeChunk = append(r.nodeChunk, node{name: name, fixed: r.computeFixed(name)})
	n := &r.nodeChunk[len(r.nodeChunk)-1]
	if d, ok := r.direct[name]; ok {
		n.direct, n.directV = &d, r.semver(d.Version)
	}
	r.nodes[name] = n
	return n
}

// targetsOf returns where each of deps leads, finding their nodes and
// parsing their versions.
func (r *resolver) targetsOf(deps []manifest.Dependency) []target {
	if len(deps) > cap(r.targetChunk)-len(r.targetChunk) {
		r.targetChunk = make([]target, 0, max(len(deps), min(max(2*cap(r.targetChunk), 32), 1024)))
	}
	start := len(r.targetChunk)
	for i := range deps {
		d := &deps[i]
		v := r.semver(d.Version)
		r.targetChunk = append(r.targetChunk, target{n: r.nodeFor(d.Name), v: v, key: precedenceKey(v), dep: d})
	}
	return r.targetChunk[start:len(r.targetChunk):len(r.targetChunk)]
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

// walk goes breadth-first from the roots through the current choices,
// recording each package's requests if record is set (what pick needs of
// them, the highest, is kept either way). The walk it returns lives until
// the next call: its nodes and array are reused.
func (r *resolver) walk(record bool) *walk {
	r.round++
	w := &walk{order: r.order[:0]}
	visit := func(n *node, depth int) *node {
		if n.round == r.round {
			return n
		}
		n.round, n.depth, n.high = r.round, depth, nil
		n.requests = n.requests[:0]
		if !n.synced || n.applied != n.choice {
			r.sync(n)
		}
		w.order = append(w.order, n)
		return n
	}
	ask := func(m *node, q request, key uint64) {
		if q.v != nil && q.v != m.high && (m.high == nil || greater(q.v, key, m.high, m.highKey)) {
			m.high, m.highKey = q.v, key
		}
		if record {
			m.requests = append(m.requests, q)
		}
	}
	for _, n := range r.rootNodes {
		visit(n, 0)
		if d := n.direct; d != nil {
			ask(n, request{dep: d, v: n.directV}, precedenceKey(n.directV))
		}
	}
	for i := 0; i < len(w.order); i++ {
		n := w.order[i]
		for _, t := range n.targets {
			ask(visit(t.n, n.depth+1), request{from: n, dep: t.dep, v: t.v}, t.key)
		}
	}
	r.order = w.order
	return w
}

// precedenceKey packs what decides v's precedence, short of comparing
// pre-releases, into a number that orders as v does (Version.Compare):
// major, minor and patch, then a bit set for a release, which is above
// every pre-release of its major.minor.patch. A walk compares versions along
// every edge, and reading keys kept beside the pointers spares reading the
// versions. Segments too large to pack give keyUnpacked; nil gives 0.
func precedenceKey(v *semver.Version) uint64 {
	if v == nil {
		return 0
	}
	ma, mi, pa := v.Major(), v.Minor(), v.Patch()
	if ma >= 1<<20 || mi >= 1<<21 || pa >= 1<<21 {
		return keyUnpacked
	}
	k := ma<<43 | mi<<22 | pa<<1
	if v.Prerelease() == "" {
		k |= 1
	}
	return k
}

// keyUnpacked is the precedence key of a version whose segments do not fit.
const keyUnpacked = 1 << 63

// greater reports whether v is greater than o, by precedence, given their
// precedence keys: the keys decide unless they are equal pre-releases'
// (then their pre-release parts decide) or one did not fit.
func greater(v *semver.Version, vKey uint64, o *semver.Version, oKey uint64) bool {
	if (vKey|oKey)&keyUnpacked == 0 && (vKey != oKey || vKey&1 == 1) {
		return vKey > oKey
	}
	return v.GreaterThan(o)
}

// sync takes n's version, dependencies and targets from its source or its
// current choice.
func (r *resolver) sync(n *node) {
	n.synced, n.applied = true, n.choice
	n.version, n.deps, n.targets = "", nil, nil
	if f := n.fixed; f != nil {
		if f.targets == nil {
			f.targets = r.targetsOf(f.deps)
		}
		n.version, n.deps, n.targets = f.version, f.deps, f.targets
	} else if c := n.choice; c != nil && c.cand != nil {
		if c.cand.targets == nil {
			c.cand.targets = r.targetsOf(c.cand.info.Dependencies)
		}
		n.version, n.deps, n.targets = c.cand.info.Version, c.cand.info.Dependencies, c.cand.targets
	}
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
		w := r.walk(false)
		if err := r.load(w); err != nil {
			return nil, err
		}
		changed := false
		for _, n := range w.order {
			if n.fixed != nil {
				continue
			}
			// A package is fetched just before its first pick, which then
			// finds its versions still in the caches: on 10 000 packages,
			// fetching all of a round's first had pick read them from
			// memory. The catalog is asked in the same order, and a pick
			// depends on no other package's versions.
			if n.entry == nil {
				if err := r.fetch(n); err != nil {
					return nil, err
				}
			}
			c := r.pick(n)
			prev := n.choice
			if r.monotone && prev.rank(c) > 0 {
				continue
			}
			if !c.same(prev) {
				if prev != nil {
					r.sig.toggle(prev.sigPart(n.name))
				}
				r.sig.toggle(c.sigPart(n.name))
				n.choice = c
				changed = true
			}
		}
		if !changed {
			// The same walk again, recording the requests that check and
			// graph read: rounds do without them.
			return r.walk(true), nil
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

// sigOf is the share of the signature of name=key.
func sigOf(name, key string) signature {
	var s signature
	for i := range s {
		var h maphash.Hash
		h.SetSeed(sigSeeds[i])
		h.WriteString(name)
		h.WriteByte(0)
		h.WriteString(key)
		s[i] = h.Sum64()
	}
	return s
}

// toggle adds a share (sigOf) to the signature, or takes it out if it is in.
func (s *signature) toggle(part signature) {
	s[0] ^= part[0]
	s[1] ^= part[1]
}

// load tells the catalog about every registry package of w not asked
// yet, which the round then asks about one by one (fetch), in w's order.
func (r *resolver) load(w *walk) error {
	var fresh []*node
	for _, n := range w.order {
		if n.fixed == nil && n.entry == nil {
			fresh = append(fresh, n)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if r.in.Catalog == nil {
		return fmt.Errorf("resolve %s: no catalog to look it up in", fresh[0].name)
	}
	if p, ok := r.in.Catalog.(Prefetcher); ok {
		names := make([]string, len(fresh))
		for i, n := range fresh {
			names[i] = n.name
		}
		p.Prefetch(names)
	}
	return nil
}

// fetch asks the catalog about registry package n.
func (r *resolver) fetch(n *node) error {
	infos, err := r.in.Catalog.Versions(r.ctx, n.name)
	if err != nil {
		if r.in.Catalog.IsNotFound(err) {
			n.entry = &catalogEntry{missing: err}
			return nil
		}
		return fmt.Errorf("resolve %s: %w", n.name, err)
	}
	n.entry = newCatalogEntry(infos, r.semver)
	return nil
}

// check turns what could not be resolved in the final walk into errors.
func (r *resolver) check(w *walk) error {
	// Only the packages with something to report are sorted, into the
	// order of the errors.
	var bad []*node
	for _, n := range w.order {
		if n.fixed != nil {
			continue
		}
		if n.choice.missing() || slices.ContainsFunc(n.requests, request.inexact) {
			bad = append(bad, n)
		}
	}
	var errs []error
	for _, n := range sortedNodes(bad) {
		for _, q := range n.requests {
			if !q.inexact() {
				continue
			}
			msg := fmt.Sprintf("%q is not an exact version; a package's dependencies take exact versions only", q.dep.Version)
			if q.dep.SpecErr != nil {
				msg = q.dep.SpecErr.Error() // says more: a range, a stray "v", …
			}
			errs = append(errs, &SpecError{Name: n.name, Value: q.dep.Version, Msg: msg, Chains: w.chainsTo(q.from)})
		}
		c := n.choice
		if !c.missing() {
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
			nf.Err = n.entry.missing
			keep = func(q request) bool { return q.v != nil }
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
	w.depths()
	// Sorting the nodes rather than the packages moves pointers, not
	// whole Package values; names are unique, so the order is the same.
	nodes := sortedNodes(w.order)
	pkgs := make([]Package, 0, len(nodes))
	for _, n := range nodes {
		p := Package{Name: n.name, Version: n.version, Depth: n.unityDepth, Dependencies: slices.Clone(n.deps)}
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
		if len(n.requests) > 0 {
			p.Requests = make([]Request, len(n.requests))
			for i, q := range n.requests {
				p.Requests[i] = Request{From: q.fromName(), FromVersion: q.fromVersion(), Version: q.dep.Version}
			}
		}
		pkgs = append(pkgs, p)
	}
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
//
// It leaves each node's depth in unityDepth.
func (w *walk) depths() {
	counts := func(n *node, q request) bool {
		return n.fixed != nil || q.from != nil || versionEqual(q.dep.Version, n.version)
	}
	for _, n := range w.order {
		n.exact = false // some request asks for the selected version
		for _, q := range n.requests {
			if counts(n, q) {
				n.exact = true
			}
		}
	}
	const unset = -1
	for _, n := range w.order {
		n.unityDepth = unset
		if n.root && (len(n.requests) == 0 || n.fixed != nil) {
			n.unityDepth = 0 // an embedded package, or a direct source entry
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
					if n.exact && !counts(n, q) {
						continue
					}
					d := 0
					if q.from != nil {
						if q.from.unityDepth == unset {
							continue
						}
						d = q.from.unityDepth + 1
					}
					if n.unityDepth == unset || d < n.unityDepth {
						n.unityDepth, changed = d, true
					}
				}
			}
		}
		widened := false
		for _, n := range w.order {
			if n.unityDepth == unset && n.exact {
				n.exact, widened = false, true
			}
		}
		if !widened {
			break
		}
	}
	for _, n := range w.order {
		if n.unityDepth == unset {
			n.unityDepth = n.depth // unreachable by counted requests: keep the walk's
		}
	}
}

// sortedNodes returns nodes in lock-file order.
func sortedNodes(nodes []*node) []*node {
	// Names are sorted beside their nodes: comparing reads no node.
	type named struct {
		name string
		n    *node
	}
	keys := make([]named, len(nodes))
	for i, n := range nodes {
		keys[i] = named{n.name, n}
	}
	slices.SortFunc(keys, func(a, b named) int { return lockfile.Compare(a.name, b.name) })
	out := make([]*node, len(keys))
	for i, k := range keys {
		out[i] = k.n
	}
	return out
}

// chains lists the chains of requesters behind n's requests that keep
// accepts, each ending with n at the version that request asks for.
func (w *walk) chains(n *node, keep func(request) bool) [][]Step {
	s := chainSearch{budget: chainBudget, hasLast: true}
	// n is on every chain: a requester reached again through a cycle ends
	// that branch, as any other package already on the chain does.
	n.onChain = true
	for _, q := range n.requests {
		if !keep(q) {
			continue
		}
		s.last = Step{Name: n.name, Version: q.dep.Version}
		if q.from == nil {
			s.out = append(s.out, []Step{s.last})
			continue
		}
		s.back(q.from)
	}
	n.onChain = false
	return tidyChains(s.out)
}

// chainsTo lists the chains of requesters that lead to n itself.
func (w *walk) chainsTo(n *node) [][]Step {
	s := chainSearch{budget: chainBudget}
	s.back(n)
	return tidyChains(s.out)
}

// chainSearch is the depth-first search behind chains and chainsTo, which
// goes backwards from a package through its requesters until it reaches
// roots. The chain being built is a stack of nodes, each marked onChain
// while it is on it, and a chain is copied out only when it reaches a root:
// on a cyclic graph the search takes up to chainBudget steps for every
// error, and building each step's chain anew (and looking for a cycle in it
// by name) made each step cost the chain's length, seconds on 300 packages.
type chainSearch struct {
	out    [][]Step
	budget int
	// stack holds the chain's packages from the requested end: the
	// innermost requester first.
	stack []*node
	// last is the step every chain ends with, if hasLast: the package
	// asked for at the version asked.
	last    Step
	hasLast bool
}

// back extends the chain on the stack backwards through n's requesters
// until it reaches a root. A chain stops at the first root it meets: the
// manifest asks for that package directly, which says all there is to say
// about how it got there.
func (s *chainSearch) back(n *node) {
	if len(s.out) >= maxChains || s.budget <= 0 {
		return
	}
	s.budget--
	if n.onChain {
		return // a cycle
	}
	if n.root {
		path := make([]Step, 0, len(s.stack)+2)
		path = append(path, Step{Name: n.name, Version: n.version})
		for i := len(s.stack) - 1; i >= 0; i-- {
			path = append(path, Step{Name: s.stack[i].name, Version: s.stack[i].version})
		}
		if s.hasLast {
			path = append(path, s.last)
		}
		s.out = append(s.out, path)
		return
	}
	n.onChain = true
	s.stack = append(s.stack, n)
	for _, q := range n.requests {
		if q.from != nil {
			s.back(q.from)
		}
	}
	s.stack = s.stack[:len(s.stack)-1]
	n.onChain = false
}

// tidyChains sorts chains by their text and drops duplicates (a package.json
// naming the same dependency twice).
func tidyChains(chains [][]Step) [][]Step {
	// Each chain's text is made once, not at every comparison: chains
	// through cycles run to hundreds of steps. The sort compares the same
	// texts in the same order as before, so ties end up where they did.
	type texted struct {
		text  string
		chain []Step
	}
	byText := make([]texted, len(chains))
	for i, c := range chains {
		byText[i] = texted{FormatChain(c), c}
	}
	slices.SortFunc(byText, func(a, b texted) int { return cmp.Compare(a.text, b.text) })
	for i, t := range byText {
		chains[i] = t.chain
	}
	chains = slices.CompactFunc(chains, func(a, b []Step) bool { return slices.Equal(a, b) })
	if len(chains) > maxChains {
		chains = chains[:maxChains]
	}
	return chains
}
