package routing

import (
	"reflect"
	"testing"

	"github.com/upkg/upkg/internal/manifest"
)

func TestChoose(t *testing.T) {
	for _, tt := range []struct {
		name          string
		names, others []string
		want          []string
	}{
		{"one package: its own name", []string{"com.example.hello"}, nil, []string{"com.example.hello"}},
		{"a family shares its prefix", []string{"com.example.ui", "com.example.core", "com.example.app"}, nil, []string{"com.example"}},
		{"the most specific prefix", []string{"com.example.tools.a", "com.example.tools.b"}, []string{"com.example.core"}, []string{"com.example.tools"}},
		{"a prefix that captures another registry's package", []string{"com.example.a", "com.example.b"}, []string{"com.example.c"}, []string{"com.example.a", "com.example.b"}},
		{"no prefix of two segments", []string{"com.example.a", "com.other.b"}, nil, []string{"com.example.a", "com.other.b"}},
		{"dotless names", []string{"hello", "hello"}, nil, []string{"hello"}},
		{"nothing", nil, nil, nil},
	} {
		if got := Choose(tt.names, tt.others); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Choose(%v, %v) = %v; want %v", tt.name, tt.names, tt.others, got, tt.want)
		}
	}
}

func TestUnneeded(t *testing.T) {
	m := &manifest.Manifest{ScopedRegistries: []manifest.ScopedRegistry{
		{Name: "A", URL: "http://a.example.com", Scopes: []string{"com.example", "com.example.tools", "com.spare"}},
		{Name: "B", URL: "http://b.example.com/", Scopes: []string{"com.other.lib"}},
	}}
	// com.other.lib goes; com.example.tools.x goes, but com.example.core
	// stays: com.example stays, com.example.tools and com.other.lib go, and
	// com.spare, which routed nothing, is the user's.
	got := Unneeded(m, []string{"com.other.lib", "com.example.tools.x"}, []string{"com.example.core"})
	want := map[string][]string{"http://a.example.com": {"com.example.tools"}, "http://b.example.com/": {"com.other.lib"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Unneeded = %v; want %v", got, want)
	}
	// A scope that still routes a remaining package stays.
	if got := Unneeded(m, []string{"com.example.tools.x"}, []string{"com.example.tools.y"}); len(got) != 0 {
		t.Errorf("Unneeded = %v; want nothing", got)
	}
}
