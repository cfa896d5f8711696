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
	best := -1
	for i := range m.ScopedRegistries {
		for _, scope := range m.ScopedRegistries[i].Scopes {
			if len(scope) > best && ScopeMatches(scope, name) {
				best, scoped = len(scope), &m.ScopedRegistries[i]
			}
		}
	}
	if scoped != nil {
		return strings.TrimRight(scoped.URL, "/"), scoped
	}
	return m.UnscopedRegistry(defaultRegistry), nil
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
