package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testharness/verdaccio"
	"github.com/upkg/upkg/internal/testregistry"
)

// TestViewSearchOutdated: a project on a Verdaccio that requires a login
// (with a version for a newer editor than the project's) and on a Go
// registry without search, each with its own token. view marks the
// versions the editor accepts and names the credential, masked; search
// labels both registries and notes the one without search; outdated
// --json reports current, wanted, latest compatible and latest; offline,
// view and outdated read the packument cache.
func TestViewSearchOutdated(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	token := newUser(t, srv, "vera", "vera-password-2468")
	publish(t, srv, token,
		pkg{"com.example.core", "1.0.0", "2021.3", nil},
		pkg{"com.example.core", "1.1.0", "2021.3", nil},
		pkg{"com.example.core", "2.0.0", "6000.0", nil},
		pkg{"com.example.util", "1.0.0", "2021.3", nil},
	)
	goToken := "go-registry-token-13579bdf"
	secrets.add(goToken)
	gr := testregistry.New(t, testregistry.Options{Token: goToken, NoSearch: true})
	for _, v := range []string{"3.0.0", "3.0.1"} {
		pj := fixture.UnityManifest("com.other.lib", v, "2021.3", nil)
		tgz, err := fixture.Tarball(pj, fixture.UnityFiles("com.other.lib", 2))
		if err != nil {
			t.Fatal(err)
		}
		gr.Publish("com.other.lib", v, pj, tgz)
	}

	s := newSandbox(t)
	// The default registry is the Verdaccio too: nothing leaves loopback.
	s.extraEnv = append(s.extraEnv, "UPKG_DEFAULT_REGISTRY="+srv.URL)
	s.project(fmt.Sprintf(`{
  "dependencies": {
    "com.example.core": "1.0.0",
    "com.other.lib": "3.0.0",
    "com.unity.modules.audio": "1.0.0"
  },
  "scopedRegistries": [
    {"name": "Verdaccio", "url": "%s", "scopes": ["com.example"]},
    {"name": "Go", "url": "%s", "scopes": ["com.other"]}
  ]
}
`, srv.URL, gr.URL), "2022.3.20f1")
	s.login(srv.URL, token)
	s.login(gr.URL, goToken)
	s.ok("", "install")

	// view: editor marks, the registry and the credential, masked.
	var view struct {
		Name, Version, Registry string
		LatestCompatible        string
		ScopedRegistry          string
		Versions                []struct {
			Version    string
			Compatible bool
		}
		Credential *struct{ Kind, Entry, Secret string }
	}
	res := s.ok("", "view", "com.example.core", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &view); err != nil {
		t.Fatalf("view --json: %v\n%s", err, res)
	}
	var marks []string
	for _, v := range view.Versions {
		marks = append(marks, fmt.Sprintf("%s:%v", v.Version, v.Compatible))
	}
	if view.Version != "2.0.0" || view.Registry != srv.URL || view.ScopedRegistry != "Verdaccio" || view.LatestCompatible != "1.1.0" ||
		strings.Join(marks, " ") != "1.0.0:true 1.1.0:true 2.0.0:false" {
		t.Errorf("view: %+v (versions %v)", view, marks)
	}
	if c := view.Credential; c == nil || c.Kind != "token" || c.Entry != srv.URL || c.Secret != "****"+token[len(token)-4:] {
		t.Errorf("view credential: %+v", view.Credential)
	}
	res = s.ok("", "info", "com.example.core")
	for _, want := range []string{"* 1.1.0", "    2.0.0", "credential:", "Bearer ****" + token[len(token)-4:], "latest compatible:  1.1.0"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("view's text lacks %q:\n%s", want, res.Stdout)
		}
	}

	// Unknown names: exit 4, with the closest names, or why there are none.
	res = s.fails(4, "", "view", "com.example.cor")
	if !strings.Contains(res.Stderr, "did you mean com.example.core") {
		t.Errorf("unknown package: %s", res)
	}
	res = s.fails(4, "", "view", "com.other.lob")
	if !strings.Contains(res.Stderr, "does not support search") {
		t.Errorf("unknown package on a registry without search: %s", res)
	}

	// search: both registries, labelled; the Go one noted, exit 0.
	var search struct {
		Registries []struct {
			Registry, Note string
			Name           *string
			Supported      bool
			Results        []struct{ Name, Version string }
		}
	}
	res = s.ok("", "search", "example", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &search); err != nil {
		t.Fatalf("search --json: %v\n%s", err, res)
	}
	if len(search.Registries) != 2 {
		t.Fatalf("search asked %d registries; want 2 (the default one is the Verdaccio):\n%s", len(search.Registries), res.Stdout)
	}
	v, g := search.Registries[0], search.Registries[1]
	var found []string
	for _, r := range v.Results {
		found = append(found, r.Name)
	}
	slices.Sort(found)
	if v.Registry != srv.URL || !v.Supported || !slices.Contains(found, "com.example.core") || !slices.Contains(found, "com.example.util") {
		t.Errorf("Verdaccio's search: %+v", v)
	}
	if g.Registry != gr.URL || g.Supported || !strings.Contains(g.Note, "404") || g.Name == nil || *g.Name != "Go" {
		t.Errorf("the Go registry's search: %+v", g)
	}
	res = s.ok("", "search", "example")
	if !strings.Contains(res.Stdout, srv.URL+" (Verdaccio)") || !strings.Contains(res.Stdout, "note: registry "+gr.URL+" does not support search") {
		t.Errorf("search's text:\n%s", res.Stdout)
	}

	// outdated --json.
	type row struct {
		Name, Requested, Registry                 string
		Current, Wanted, LatestCompatible, Latest *string
		Outdated                                  bool
	}
	var out struct {
		Editor             string
		ResolutionStrategy string
		Packages           []row
	}
	res = s.ok("", "outdated", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		t.Fatalf("outdated --json: %v\n%s", err, res)
	}
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	var rows []string
	for _, p := range out.Packages {
		rows = append(rows, fmt.Sprintf("%s %s %s %s %s %v", p.Name, str(p.Current), str(p.Wanted), str(p.LatestCompatible), str(p.Latest), p.Outdated))
	}
	want := []string{"com.example.core 1.0.0 1.0.0 1.1.0 2.0.0 true", "com.other.lib 3.0.0 3.0.0 3.0.1 3.0.1 true"}
	if out.Editor != "2022.3.20f1" || out.ResolutionStrategy != "lowest" || !slices.Equal(rows, want) {
		t.Errorf("outdated: %+v\nrows %q\nwant %q", out, rows, want)
	}
	table := s.ok("", "outdated").Stdout
	if !strings.HasPrefix(table, "Package") || !strings.Contains(table, "Latest compatible") || !strings.Contains(table, gr.URL) {
		t.Errorf("outdated's table:\n%s", table)
	}

	// Offline: view and outdated from the packument cache; search refuses.
	if got := s.ok("", "outdated", "--json", "--offline").Stdout; got != res.Stdout {
		t.Errorf("outdated --offline differs:\n%s", got)
	}
	s.ok("", "view", "com.other.lib", "--offline")
	s.fails(2, "", "search", "example", "--offline")
}
