package e2e

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"testing"

	"github.com/upkg/upkg/internal/lockfile"
)

// TestListWhy installs a project from two registries, then checks that
// list --json and why --json agree with the lock install wrote, and that
// neither touches a registry.
func TestListWhy(t *testing.T) {
	r := setupTwoRegistries(t)
	s := r.sandbox(t)
	s.ok("", "install")
	lockPath := filepath.Join(s.Project, "Packages", "packages-lock.json")
	lock, err := lockfile.Parse(lockPath, []byte(s.read(lockPath)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]lockfile.Entry{}
	for _, e := range lock.Entries {
		entries[e.Name] = e
	}
	manifest := map[string]string{
		"com.example.app": "1.0.0", "com.example.core": "1.0.0", "com.example.tools": "2.0.0",
		"com.other.lib": "3.0.0", "com.unity.modules.audio": "1.0.0",
	}
	before := r.spyA.requests() + r.spyB.requests()

	type link struct{ Name, Version, Asks string }
	var list struct {
		Packages []struct {
			Name, Version, Source string
			Registry              *string
			Depth                 int
			Direct                bool
			ManifestVersion       *string
			Dependencies          map[string]string
			RequiredBy            []link
		}
		Missing []string
	}
	res := s.ok("", "list", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &list); err != nil {
		t.Fatalf("list --json: %v\n%s", err, res)
	}
	if len(list.Packages) != len(lock.Entries) || len(list.Missing) != 0 {
		t.Fatalf("list --json has %d packages (missing %q); the lock %d", len(list.Packages), list.Missing, len(lock.Entries))
	}
	for _, p := range list.Packages {
		e, ok := entries[p.Name]
		if !ok {
			t.Errorf("list shows %s, which the lock lacks", p.Name)
			continue
		}
		reg := ""
		if p.Registry != nil {
			reg = *p.Registry
		}
		if p.Version != e.Version || p.Source != e.Source || p.Depth != e.Depth || reg != e.URL {
			t.Errorf("list: %s %s %s depth %d %q; lock: %s %s depth %d %q", p.Name, p.Version, p.Source, p.Depth, reg, e.Version, e.Source, e.Depth, e.URL)
		}
		deps := map[string]string{}
		for _, d := range e.Dependencies {
			deps[d.Name] = d.Version
		}
		if !maps.Equal(p.Dependencies, deps) {
			t.Errorf("list: %s dependencies %v; lock %v", p.Name, p.Dependencies, deps)
		}
		asked, direct := manifest[p.Name]
		if p.Direct != direct || (direct && (p.ManifestVersion == nil || *p.ManifestVersion != asked)) {
			t.Errorf("list: %s direct %v %v; the manifest asks %q", p.Name, p.Direct, p.ManifestVersion, asked)
		}
		want := map[string]string{}
		for _, o := range lock.Entries {
			for _, d := range o.Dependencies {
				if d.Name == p.Name {
					want[o.Name] = d.Version
				}
			}
		}
		got := map[string]string{}
		for _, rq := range p.RequiredBy {
			got[rq.Name] = rq.Asks
			if rq.Version != entries[rq.Name].Version {
				t.Errorf("list: %s required by %s@%s; the lock holds %s", p.Name, rq.Name, rq.Version, entries[rq.Name].Version)
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("list: %s required by %v; the lock says %v", p.Name, got, want)
		}
	}

	// Every package of the lock is brought in by some chain, and every link
	// of every chain is an edge of the lock with the version it asks for.
	for _, e := range lock.Entries {
		var why struct {
			Name, Version string
			Chains        [][]link
			Truncated     bool
		}
		res := s.ok("", "why", "--json", e.Name)
		if err := json.Unmarshal([]byte(res.Stdout), &why); err != nil {
			t.Fatalf("why --json %s: %v\n%s", e.Name, err, res)
		}
		if why.Name != e.Name || why.Version != e.Version || len(why.Chains) == 0 || why.Truncated {
			t.Errorf("why %s: %s@%s, %d chains (truncated %v)", e.Name, why.Name, why.Version, len(why.Chains), why.Truncated)
		}
		for _, c := range why.Chains {
			if asked, ok := manifest[c[0].Name]; !ok || c[0].Asks != asked {
				t.Errorf("why %s: chain %v starts at no manifest dependency", e.Name, c)
			}
			if c[len(c)-1].Name != e.Name {
				t.Errorf("why %s: chain %v ends elsewhere", e.Name, c)
			}
			for i, l := range c {
				if l.Version != entries[l.Name].Version {
					t.Errorf("why %s: %s@%s; the lock holds %s", e.Name, l.Name, l.Version, entries[l.Name].Version)
				}
				if i == 0 {
					continue
				}
				found := false
				for _, d := range entries[c[i-1].Name].Dependencies {
					found = found || (d.Name == l.Name && d.Version == l.Asks)
				}
				if !found {
					t.Errorf("why %s: %s does not ask for %s@%s in the lock", e.Name, c[i-1].Name, l.Name, l.Asks)
				}
			}
		}
	}
	// com.example.core: direct, and asked for by app, ui, tools and lib.
	res = s.ok("", "why", "--json", "com.example.core")
	var core struct{ Chains [][]link }
	if err := json.Unmarshal([]byte(res.Stdout), &core); err != nil {
		t.Fatal(err)
	}
	if len(core.Chains) != 5 || len(core.Chains[0]) != 1 {
		t.Errorf("why com.example.core: %v; want 5 chains, the direct one first", core.Chains)
	}
	s.fails(4, "", "why", "com.example.cor")

	if after := r.spyA.requests() + r.spyB.requests(); after != before {
		t.Errorf("list and why made %d registry requests", after-before)
	}
}
