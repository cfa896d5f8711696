package manifest

import "strings"

// RegistryFor routes a package name to its registry (UPM-SPEC §5, Unity's
// `scope == name || name.StartsWith(scope + ".")`): a scope matches the name
// exactly or as a whole dot-separated prefix ("com.uni" does not match
// "com.unity.a"); the longest matching scope across all scoped registries wins,
// and on a tie the registry listed first. The matched registry is returned as
// scoped (a pointer into m.ScopedRegistries). With no match the name goes to
// m.Registry when the manifest sets one, else to defaultRegistry, and scoped is
// nil. The URL is returned as written but without trailing slashes, the form
// the lock file records (UPM-SPEC §6).
func (m *Manifest) RegistryFor(name, defaultRegistry string) (url string, scoped *ScopedRegistry) {
	if _, scoped = m.ScopeFor(name); scoped != nil {
		return strings.TrimRight(scoped.URL, "/"), scoped
	}
	return m.UnscopedRegistry(defaultRegistry), nil
}

// ScopeFor is the scope that routes name and its scoped registry: the
// longest matching scope across all scoped registries, the first listed on a
// tie (UPM-SPEC §5); "" and nil when no scope matches.
func (m *Manifest) ScopeFor(name string) (scope string, scoped *ScopedRegistry) {
	for i := range m.ScopedRegistries {
		for _, s := range m.ScopedRegistries[i].Scopes {
			if len(s) > len(scope) && ScopeMatches(s, name) {
				scope, scoped = s, &m.ScopedRegistries[i]
			}
		}
	}
	return scope, scoped
}

// UnscopedRegistry is the registry of the names no scope covers: the
// manifest's "registry" when it sets one, else defaultRegistry, without
// trailing slashes.
func (m *Manifest) UnscopedRegistry(defaultRegistry string) string {
	url := defaultRegistry
	if m.Registry != "" {
		url = m.Registry
	}
	return strings.TrimRight(url, "/")
}

// ScopeMatches reports whether scope covers the package name: equal to it, or
// a prefix of it that ends at a '.'.
func ScopeMatches(scope, name string) bool {
	return scope != "" && (name == scope || strings.HasPrefix(name, scope+"."))
}
