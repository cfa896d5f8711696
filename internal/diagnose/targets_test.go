package diagnose

import (
	"reflect"
	"testing"

	"github.com/upkg/upkg/internal/manifest"
)

func TestTargets(t *testing.T) {
	m, err := manifest.Parse("manifest.json", []byte(`{
  "dependencies": {
    "com.example.core": "1.0.0",
    "com.other.tool": "2.0.0",
    "com.unity.modules.audio": "1.0.0",
    "com.git.pkg": "https://git.example.com/pkg.git"
  },
  "scopedRegistries": [
    {"name": "A", "url": "http://127.0.0.1:4873/", "scopes": ["com.example"]},
    {"name": "B", "url": "http://127.0.0.1:4873", "scopes": ["com.example.extra"]}
  ]
}`))
	if err != nil {
		t.Fatal(err)
	}
	const def = "https://registry.example.com"
	want := []Target{
		{URL: "http://127.0.0.1:4873/", Scopes: []string{"com.example", "com.example.extra"}},
		{URL: def, Names: []string{"com.other.tool"}},
	}
	if got := Targets(m, def, ""); !reflect.DeepEqual(got, want) {
		t.Errorf("Targets = %+v\nwant %+v", got, want)
	}
	// --registry: the one given, as written, with what the manifest routes to it.
	if got := Targets(m, def, "HTTP://127.0.0.1:4873"); len(got) != 1 || got[0].URL != "HTTP://127.0.0.1:4873" || len(got[0].Scopes) != 2 {
		t.Errorf("Targets(only) = %+v", got)
	}
	if got := Targets(m, def, "http://127.0.0.1:9"); !reflect.DeepEqual(got, []Target{{URL: "http://127.0.0.1:9"}}) {
		t.Errorf("Targets(other) = %+v", got)
	}
	// The manifest's own registry replaces the default one.
	m.Registry = "http://127.0.0.1:5000/"
	if got := Targets(m, def, ""); got[1].URL != "http://127.0.0.1:5000" {
		t.Errorf("Targets with registry = %+v", got)
	}
	if got := Targets(nil, def, ""); !reflect.DeepEqual(got, []Target{{URL: def}}) {
		t.Errorf("Targets without a project = %+v", got)
	}
}

func TestCacheCheck(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/a", make([]byte, 1500))
	c := CacheCheck(dir, 1000, "UPKG_CACHE_DIR")
	if c.Status != StatusWarn || c.Detail != dir+": 1.5 kB in 1 file (cap 1.0 kB) (env UPKG_CACHE_DIR)" || c.Fix != "upkg cache prune" {
		t.Errorf("CacheCheck = %+v", c)
	}
	if c := CacheCheck(dir, 2_000_000, ""); c.Status != StatusOK || c.Detail != dir+": 1.5 kB in 1 file (cap 2.0 MB)" {
		t.Errorf("CacheCheck = %+v", c)
	}
}
