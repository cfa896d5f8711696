package diagnose

import (
	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/regurl"
)

// Target is one registry to check and the names to fetch packuments of.
type Target struct {
	URL    string
	Scopes []string
	// Names are package names to try when a scope has none of its own name
	// (for the default registry: dependencies routed to it).
	Names []string
}

// Targets lists the registries to check: only, when set, else the scoped
// registries of m (nil: no project) and the registry of unscoped names —
// m's "registry", else def. The scopes and names of a registry listed
// twice are merged.
func Targets(m *manifest.Manifest, def, only string) []Target {
	if m != nil {
		def = m.UnscopedRegistry(def)
	}
	var out []Target
	index := map[string]int{}
	add := func(u string, scopes []string) {
		if i, ok := index[key(u)]; ok {
			out[i].Scopes = append(out[i].Scopes, scopes...)
			return
		}
		index[key(u)] = len(out)
		out = append(out, Target{URL: u, Scopes: append([]string(nil), scopes...)})
	}
	if m != nil {
		for _, sr := range m.ScopedRegistries {
			add(sr.URL, sr.Scopes)
		}
	}
	add(def, nil)
	if m != nil {
		// Packages that route to the default registry (not built in).
		for _, d := range m.Dependencies {
			if builtin.IsModule(d.Name) {
				continue
			}
			if spec, err := manifest.ParseSpec(d.Version); err != nil || spec.Kind != manifest.SpecVersion {
				continue
			}
			if u, scoped := m.RegistryFor(d.Name, def); scoped == nil {
				i := index[key(u)]
				out[i].Names = append(out[i].Names, d.Name)
			}
		}
	}
	if only == "" {
		return out
	}
	if i, ok := index[key(only)]; ok {
		t := out[i]
		t.URL = only
		return []Target{t}
	}
	return []Target{{URL: only}}
}

// key is the form in which registry URLs are compared: normalised, or as
// written when that fails.
func key(u string) string {
	if n, err := regurl.NormalizeURL(u); err == nil {
		return n
	}
	return u
}
