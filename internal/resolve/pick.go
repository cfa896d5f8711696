package resolve

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// candidate is one version a registry has, parsed.
type candidate struct {
	info    *VersionInfo // in the catalog's answer, which nothing changes
	v       *semver.Version
	targets []target // info.Dependencies' targets, once reached (resolver.sync)
}

// catalogEntry is what the catalog said about one package.
type catalogEntry struct {
	cands   []*candidate // ascending; versions that are not SemVer are left out
	missing error        // the catalog's "not found" error, nil if it has the package
}

// newCatalogEntry parses infos with parse, semver.StrictNewVersion when nil.
// The candidates are made in one array and point at infos, not copies of
// them: the resolver makes one entry per package, and copying every version
// was a fifth of what it allocated on large graphs.
func newCatalogEntry(infos []VersionInfo, parse func(string) *semver.Version) *catalogEntry {
	if parse == nil {
		parse = func(s string) *semver.Version {
			v, _ := semver.StrictNewVersion(s)
			return v
		}
	}
	e := &catalogEntry{}
	all := make([]candidate, 0, len(infos))
	for i := range infos {
		v := parse(infos[i].Version)
		if v == nil {
			continue // nobody can ask for it: requests are exact SemVer
		}
		all = append(all, candidate{info: &infos[i], v: v})
	}
	e.cands = make([]*candidate, len(all))
	for i := range all {
		e.cands[i] = &all[i]
	}
	slices.SortStableFunc(e.cands, func(a, b *candidate) int { return a.v.Compare(b.v) })
	return e
}

// find returns the candidate for v: the one written the same way, else the
// first that is equal by SemVer precedence (build metadata ignored).
func (e *catalogEntry) find(v *semver.Version) *candidate {
	var equal *candidate
	for _, c := range e.cands {
		// One pointer is one string when both come from the resolver's
		// parses (resolver.semver), and comparing them reads no string.
		if c.v == v || c.info.Version == v.Original() {
			return c
		}
		if equal == nil && c.v.Equal(v) {
			equal = c
		}
	}
	return equal
}

// choice is the outcome of picking a version of one registry package.
type choice struct {
	cand    *candidate // nil when nothing could be chosen
	warning string
	// missingVersion is the highest request when it cannot be satisfied;
	// packageMissing says the registry has no such package at all.
	missingVersion string
	packageMissing bool
	// part is the choice's share of the resolver's signature (sigOf its
	// package's name and its key), once hashed is set. A choice is one
	// package's (pick's memo keeps it), so it is hashed once, not on every
	// change to or from it.
	part   signature
	hashed bool
}

// sigPart returns c's share of the signature as the choice of package name.
func (c *choice) sigPart(name string) signature {
	if !c.hashed {
		c.part, c.hashed = sigOf(name, c.key()), true
	}
	return c.part
}

// key identifies a choice's outcome.
func (c *choice) key() string {
	switch {
	case c == nil:
		return ""
	case c.cand != nil:
		return "=" + c.cand.info.Version
	case c.packageMissing:
		return "!package " + c.missingVersion
	case c.missingVersion != "":
		return "!" + c.missingVersion
	}
	return "?" // no valid request
}

// missing reports whether c stands for a package or version the registry
// does not have (nil: no choice, nothing missing).
func (c *choice) missing() bool {
	return c != nil && (c.packageMissing || c.missingVersion != "")
}

// same reports whether two outcomes are one: the same key (without
// building it: this runs for every package in every round) and warning.
func (c *choice) same(o *choice) bool {
	if c == o {
		return true // pick's memo: the usual case, decided without reading c
	}
	if c == nil || o == nil {
		return false
	}
	if c.warning != o.warning {
		return false
	}
	if c.cand != nil || o.cand != nil {
		// pick's memo keeps a choice for each highest request, and
		// several of them may have chosen one candidate.
		return c.cand == o.cand || (c.cand != nil && o.cand != nil && c.cand.info.Version == o.cand.info.Version)
	}
	return c.packageMissing == o.packageMissing && c.missingVersion == o.missingVersion
}

// rank compares two outcomes for the monotone fallback: nothing chosen <
// versions by precedence < unsatisfiable. Making "unsatisfiable" the top keeps
// errors from being hidden by an earlier, lower version, and keeps every
// package's sequence of outcomes rising, so the iteration ends.
func (c *choice) rank(o *choice) int {
	tier := func(c *choice) int {
		switch {
		case c == nil || (c.cand == nil && c.missingVersion == "" && !c.packageMissing):
			return 0
		case c.cand != nil:
			return 1
		}
		return 2
	}
	if d := cmp.Compare(tier(c), tier(o)); d != 0 || tier(c) != 1 {
		return d
	}
	return c.cand.v.Compare(o.cand.v)
}

// semver is s parsed as a SemVer version, nil when it is none; memoised.
func (r *resolver) semver(s string) *semver.Version {
	v, ok := r.versions[s]
	if !ok {
		v, _ = semver.StrictNewVersion(s)
		r.versions[s] = v
	}
	return v
}

// pick chooses the version of registry package n from its requests (rules
// 2–5), of which the highest (n.high) is all that counts.
func (r *resolver) pick(n *node) *choice {
	// Equal versions are one pointer (resolver.semver), so the memo is
	// searched without reading them.
	if m := n.picked; m.ok && m.high == n.high {
		return m.c
	}
	for _, m := range n.pickedBefore {
		if m.high == n.high {
			return m.c
		}
	}
	c := r.pickFor(n, n.high)
	if n.picked.ok {
		n.pickedBefore = append(n.pickedBefore, n.picked)
	}
	n.picked = pickMemo{ok: true, high: n.high, c: c}
	return c
}

// pickFor is pick for the highest request high (nil when there is none).
func (r *resolver) pickFor(n *node, high *semver.Version) *choice {
	if high == nil {
		return &choice{}
	}
	entry := n.entry
	if entry.missing != nil {
		return &choice{packageMissing: true, missingVersion: high.Original()}
	}
	if c := r.fromLock(n.name, entry, high); c != nil {
		return c
	}
	if n.direct != nil || r.strategy == StrategyLowest {
		cand := entry.find(high)
		if cand == nil {
			return &choice{missingVersion: high.Original()}
		}
		return r.chosen(cand)
	}
	return r.inWindow(entry, high)
}

// fromLock keeps the locked version when it is at or above every request
// (rule 3): a lock Unity wrote, where the editor raised packages above what
// was asked, survives unchanged. A locked version above the highest request
// must also suit the editor, since keeping it is an automatic choice, must
// not be a direct dependency's (the manifest's request wins unless another
// package asks for more), and must lie in the resolutionStrategy's window.
func (r *resolver) fromLock(name string, entry *catalogEntry, high *semver.Version) *choice {
	e, ok := r.lock[name]
	if !ok || e.Source != lockfile.SourceRegistry {
		return nil
	}
	if strings.TrimRight(e.URL, "/") != strings.TrimRight(r.in.Catalog.Registry(name), "/") {
		return nil
	}
	locked, err := semver.StrictNewVersion(e.Version)
	if err != nil || locked.LessThan(high) {
		return nil
	}
	if _, direct := r.direct[name]; direct && !locked.Equal(high) {
		// A direct request wins over the lock unless another package asks
		// for more: lowering the manifest's version lowers the package.
		return nil
	}
	if r.strategy != StrategyLowest {
		// The lock may not keep what the strategy's window no longer
		// allows (a major upgrade after a switch to highestPatch).
		if end := windowEnd(high, r.strategy); (end != nil && !locked.LessThan(end)) || !inPrereleaseWindow(locked, high) {
			return nil
		}
	}
	cand := entry.find(locked)
	if cand == nil {
		return nil // unpublished since: choose anew
	}
	if !locked.Equal(high) && !r.compatible(cand) {
		return nil
	}
	return r.chosen(cand)
}

// inWindow picks the highest editor-compatible version in the strategy's
// window above high (rule 4), or, when none is compatible, the lowest in the
// window (high itself when the registry has it) with a warning.
func (r *resolver) inWindow(entry *catalogEntry, high *semver.Version) *choice {
	if c := windowPick(entry, high, r.strategy, r.compatible); c != nil {
		return r.chosen(c)
	}
	return &choice{missingVersion: high.Original()}
}

// windowPick is the candidate of the strategy's window above high that
// rule 4 takes: the highest for which compatible holds, else the lowest in
// the window; nil for an empty window.
func windowPick(entry *catalogEntry, high *semver.Version, strategy string, compatible func(*candidate) bool) *candidate {
	end := windowEnd(high, strategy)
	var window []*candidate
	for _, c := range entry.cands {
		if c.v.LessThan(high) {
			continue
		}
		if end != nil && !c.v.LessThan(end) {
			break
		}
		if !inPrereleaseWindow(c.v, high) {
			continue
		}
		window = append(window, c)
	}
	for i := len(window) - 1; i >= 0; i-- {
		if compatible(window[i]) {
			return window[i]
		}
	}
	if len(window) > 0 {
		return window[0]
	}
	return nil
}

// windowEnd is the exclusive upper end of the window a strategy opens above
// an indirect request, nil for none.
func windowEnd(v *semver.Version, strategy string) *semver.Version {
	switch strategy {
	case StrategyHighestPatch:
		return semver.New(v.Major(), v.Minor()+1, 0, "", "")
	case StrategyHighestMinor:
		if v.Major() == 0 {
			// Below 1.0.0 a minor release may break, so it is treated like a
			// major one.
			return semver.New(0, v.Minor()+1, 0, "", "")
		}
		return semver.New(v.Major()+1, 0, 0, "", "")
	}
	return nil
}

// inPrereleaseWindow reports whether candidate c may replace request high as
// far as pre-releases go: a stable request never moves to a pre-release; a
// pre-release request may move to a later pre-release of the same
// major.minor.patch (npm's rule) or to any stable release.
func inPrereleaseWindow(c, high *semver.Version) bool {
	if c.Prerelease() == "" {
		return true
	}
	return high.Prerelease() != "" && c.Major() == high.Major() && c.Minor() == high.Minor() && c.Patch() == high.Patch()
}

func (r *resolver) compatible(c *candidate) bool {
	return manifest.EditorCompatible(c.info.Unity, c.info.UnityRelease, r.in.EditorVersion)
}

// minEditor is a package version's lowest compatible editor as text.
func minEditor(unity, unityRelease string) string {
	if unityRelease == "" {
		return unity
	}
	return unity + "." + unityRelease
}

// chosen makes the choice of cand, warning when the editor is too old for it.
func (r *resolver) chosen(cand *candidate) *choice {
	c := &choice{cand: cand}
	if !r.compatible(cand) {
		c.warning = fmt.Sprintf("needs Unity %s or later; the project's editor is %s",
			minEditor(cand.info.Unity, cand.info.UnityRelease), r.in.EditorVersion)
	}
	return c
}

// versionEqual reports whether two version strings are the same SemVer.
func versionEqual(a, b string) bool {
	if a == b {
		return true
	}
	va, err := semver.StrictNewVersion(a)
	if err != nil {
		return false
	}
	vb, err := semver.StrictNewVersion(b)
	return err == nil && va.Equal(vb)
}
