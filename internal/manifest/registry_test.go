package manifest

import "testing"

func TestRegistryFor(t *testing.T) {
	const def = "https://packages.unity.com/"
	m := &Manifest{ScopedRegistries: []ScopedRegistry{
		{Name: "team", URL: "https://npm.example.com/team/", Scopes: []string{"com.example", "com.other.tools"}},
		{Name: "deep", URL: "http://127.0.0.1:4873", Scopes: []string{"com.example.deep", "com.uni"}},
		{Name: "tie", URL: "https://tie.example.com//", Scopes: []string{"com.example"}},
		{Name: "exact", URL: "https://exact.example.com", Scopes: []string{"com.example.deep.pkg"}},
	}}
	tests := []struct {
		name, wantURL, wantReg string
	}{
		{"com.example", "https://npm.example.com/team", "team"},        // exact scope; tie with "tie": first wins
		{"com.example.a", "https://npm.example.com/team", "team"},      // dot-segment prefix
		{"com.examples.a", "https://packages.unity.com", ""},           // not a dot-segment prefix
		{"com.example.deep", "http://127.0.0.1:4873", "deep"},          // longer scope wins
		{"com.example.deep.x", "http://127.0.0.1:4873", "deep"},        // longer scope wins
		{"com.example.deep.pkg", "https://exact.example.com", "exact"}, // the longest of all
		{"com.example.deep.pkg.sub", "https://exact.example.com", "exact"},
		{"com.example.deeper", "https://npm.example.com/team", "team"},
		{"com.unity.timeline", "https://packages.unity.com", ""}, // "com.uni" is no dot-segment prefix
		{"com.other.tools", "https://npm.example.com/team", "team"},
		{"com.other", "https://packages.unity.com", ""}, // a scope longer than the name
		{"COM.EXAMPLE.A", "https://packages.unity.com", ""},
	}
	for _, tt := range tests {
		url, reg := m.RegistryFor(tt.name, def)
		gotReg := ""
		if reg != nil {
			gotReg = reg.Name
		}
		if url != tt.wantURL || gotReg != tt.wantReg {
			t.Errorf("RegistryFor(%q) = %q, %q; want %q, %q", tt.name, url, gotReg, tt.wantURL, tt.wantReg)
		}
	}

	// The pointer is into the manifest, not a copy.
	if _, reg := m.RegistryFor("com.example.a", def); reg != &m.ScopedRegistries[0] {
		t.Error("scoped registry is not a pointer into m.ScopedRegistries")
	}

	// The legacy "registry" key replaces the default, not the scopes.
	m.Registry = "https://mirror.example.com/unity/"
	if url, reg := m.RegistryFor("com.unity.timeline", def); url != "https://mirror.example.com/unity" || reg != nil {
		t.Errorf("with registry: %q, %v", url, reg)
	}
	if url, _ := m.RegistryFor("com.example.a", def); url != "https://npm.example.com/team" {
		t.Errorf("with registry, scoped: %q", url)
	}

	empty := &Manifest{}
	if url, reg := empty.RegistryFor("com.example.a", "http://127.0.0.1:9/"); url != "http://127.0.0.1:9" || reg != nil {
		t.Errorf("empty manifest: %q, %v", url, reg)
	}
}

func TestScopeMatches(t *testing.T) {
	tests := []struct {
		scope, name string
		want        bool
	}{
		{"com.example", "com.example", true},
		{"com.example", "com.example.a", true},
		{"com.example", "com.examplea", false},
		{"com.uni", "com.unity.a", false},
		{"com.example.a", "com.example", false},
		{"", "com.example", false},
		{"com.example.", "com.example.a", false}, // Unity's rule adds another '.'
	}
	for _, tt := range tests {
		if got := ScopeMatches(tt.scope, tt.name); got != tt.want {
			t.Errorf("ScopeMatches(%q, %q) = %v, want %v", tt.scope, tt.name, got, tt.want)
		}
	}
}
