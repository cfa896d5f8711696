// Package routing decides which scopes route packages to a scoped registry
// when `upkg add` and `upkg remove` edit a manifest (UPM-SPEC §5: a scope
// covers a name equal to it or a dot-separated prefix of it, and the longest
// matching scope wins). It is pure: callers say which packages go where.
package routing

import (
	"slices"
	"strings"

	"github.com/upkg/upkg/internal/manifest"
)

// Choose returns the scopes to add so that names route to their new
// registry, given the names of the packages that must keep coming from
// somewhere else (others). It is the most specific scope that covers all of
// names — their longest common dot-separated prefix — when that prefix has at
// least two segments ("com.example") and covers none of others; otherwise
// each name is its own scope. Names are sorted and deduplicated; so is the
// result.
func Choose(names, others []string) []string {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	if len(names) == 0 {
		return nil
	}
	prefix := commonPrefix(names)
	if strings.Count(prefix, ".") >= 1 && !coversAny(prefix, others) {
		return []string{prefix}
	}
	return names
}

// commonPrefix is the longest dot-separated prefix shared by every name ("" if
// none): com.example.a and com.example.b share com.example.
func commonPrefix(names []string) string {
	segs := strings.Split(names[0], ".")
	for _, n := range names[1:] {
		other := strings.Split(n, ".")
		i := 0
		for i < len(segs) && i < len(other) && segs[i] == other[i] {
			i++
		}
		segs = segs[:i]
	}
	return strings.Join(segs, ".")
}

func coversAny(scope string, names []string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return manifest.ScopeMatches(scope, n) })
}

// Unneeded returns, for each scoped registry of m, the scopes that routed at
// least one of the packages gone (removed from the project, or no longer
// required by anything) and route none of the packages that remain: the
// scopes `upkg remove` takes away. A scope that routed nothing before is the
// user's business and stays. Keys are the registries' URLs as written.
func Unneeded(m *manifest.Manifest, gone, remain []string) map[string][]string {
	out := map[string][]string{}
	for _, sr := range m.ScopedRegistries {
		for _, scope := range sr.Scopes {
			if routesAny(m, sr.URL, scope, gone) && !routesAny(m, sr.URL, scope, remain) {
				out[sr.URL] = append(out[sr.URL], scope)
			}
		}
	}
	return out
}

// routesAny reports whether scope (of the registry at url) is the scope that
// routes one of names: it covers the name and no longer scope of the manifest
// does.
func routesAny(m *manifest.Manifest, url, scope string, names []string) bool {
	for _, n := range names {
		if !manifest.ScopeMatches(scope, n) {
			continue
		}
		if s, sr := m.ScopeFor(n); sr != nil && sr.URL == url && s == scope {
			return true
		}
	}
	return false
}
