package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// twoRegistries is a project whose packages come from two Verdaccio
// instances with different users, each behind a spy.
type twoRegistries struct {
	a, b         *verdaccio.Server
	spyA, spyB   *spy
	tokA, tokB   string
	manifestText string
}

func setupTwoRegistries(t *testing.T) *twoRegistries {
	t.Helper()
	r := &twoRegistries{}
	r.a = verdaccio.ForTest(t, verdaccio.Options{})
	r.b = verdaccio.ForTest(t, verdaccio.Options{})
	r.tokA = newUser(t, r.a, "ann", "ann-password-1234")
	r.tokB = newUser(t, r.b, "ben", "ben-password-5678")
	r.spyA = newSpy(t, "127.0.0.1:0", r.a.URL)
	r.spyB = newSpy(t, "127.0.0.1:0", r.b.URL)
	publish(t, r.a, r.tokA,
		pkg{"com.example.core", "1.0.0", "2021.3", nil},
		pkg{"com.example.core", "1.1.0", "2021.3", nil},
		pkg{"com.example.core", "1.2.0", "2021.3", nil},
		pkg{"com.example.ui", "1.0.0", "2021.3", map[string]string{"com.example.core": "1.1.0", "com.unity.modules.ui": "1.0.0"}},
		pkg{"com.example.app", "1.0.0", "2021.3", map[string]string{"com.example.core": "1.0.0", "com.example.ui": "1.0.0"}},
		pkg{"com.example.tools", "2.0.0", "2022.3", map[string]string{"com.example.core": "1.0.0"}},
	)
	publish(t, r.b, r.tokB,
		pkg{"com.other.lib", "3.0.0", "2021.3", map[string]string{"com.example.core": "1.0.0"}},
	)
	r.manifestText = fmt.Sprintf(`{
  "dependencies": {
    "com.example.app": "1.0.0",
    "com.example.core": "1.0.0",
    "com.example.tools": "2.0.0",
    "com.other.lib": "3.0.0",
    "com.unity.modules.audio": "1.0.0"
  },
  "scopedRegistries": [
    {
      "name": "Team A",
      "url": "%s/",
      "scopes": ["com.example"]
    },
    {
      "name": "Team B",
      "url": "%s",
      "scopes": ["com.other"]
    }
  ]
}
`, r.spyA.URL, r.spyB.URL)
	return r
}

// project writes a Unity project into the sandbox.
func (s *sandbox) project(manifest, editor string) {
	s.t.Helper()
	s.write(filepath.Join(s.Project, "Packages", "manifest.json"), manifest)
	if editor != "" {
		s.write(filepath.Join(s.Project, "ProjectSettings", "ProjectVersion.txt"), "m_EditorVersion: "+editor+"\nm_EditorVersionWithRevision: "+editor+" (0123456789ab)\n")
	}
}

func (s *sandbox) login(reg, token string, extra ...string) {
	s.t.Helper()
	s.ok(token, append([]string{"auth", "set", "--registry", reg, "--token-stdin"}, extra...)...)
}

// sandbox is a user with r's project (editor 2022.3.20f1) and a login to
// each registry.
func (r *twoRegistries) sandbox(t *testing.T) *sandbox {
	t.Helper()
	s := newSandbox(t)
	s.project(r.manifestText, "2022.3.20f1")
	s.login(r.spyA.URL, r.tokA)
	s.login(r.spyB.URL+"/", r.tokB)
	return s
}

func TestInstallTwoRegistries(t *testing.T) {
	r := setupTwoRegistries(t)
	s := r.sandbox(t)

	res := s.ok("", "install", "--json")
	var doc struct {
		Packages []struct {
			Name, Version, Source, URL string
			Depth                      int
			Cached                     bool
		}
		LockChanged     bool
		DownloadedBytes int64
	}
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		t.Fatalf("install --json: %v\n%s", err, res)
	}
	if !doc.LockChanged || doc.DownloadedBytes == 0 {
		t.Errorf("first install: lockChanged=%v downloaded=%d", doc.LockChanged, doc.DownloadedBytes)
	}

	// Each registry saw only its own credential (and never none: every
	// request is authenticated).
	for name, sp := range map[string]struct {
		spy   *spy
		token string
	}{"A": {r.spyA, r.tokA}, "B": {r.spyB, r.tokB}} {
		got := sp.spy.auths()
		if len(got) != 1 || got["Bearer "+sp.token] == 0 {
			keys := []string{}
			for k, n := range got {
				keys = append(keys, fmt.Sprintf("%s×%d", mask(k), n))
			}
			t.Errorf("registry %s saw credentials %v, want only its own token", name, keys)
		}
	}
	if !r.spyA.sawTarball() || !r.spyB.sawTarball() {
		t.Errorf("tarballs not fetched through the registries")
	}

	lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json"))
	norm := strings.NewReplacer(r.spyA.URL, "http://REGISTRY-A", r.spyB.URL, "http://REGISTRY-B").Replace(lock)
	golden(t, "install-two-registries.lock.json", norm)

	for _, dir := range []string{"com.example.app@1.0.0", "com.example.core@1.1.0", "com.example.ui@1.0.0", "com.other.lib@3.0.0"} {
		if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache", dir, "package.json")); err != nil {
			t.Errorf("%s not installed: %v", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache", "com.unity.modules.audio@1.0.0")); err == nil {
		t.Errorf("a built-in module was installed into PackageCache")
	}

	// Nothing changed: no network, identical lock bytes.
	before := r.spyA.requests() + r.spyB.requests()
	s.ok("", "install")
	if after := r.spyA.requests() + r.spyB.requests(); after != before {
		t.Errorf("no-op install made %d requests", after-before)
	}
	if s.read(filepath.Join(s.Project, "Packages", "packages-lock.json")) != lock {
		t.Errorf("re-run changed the lock file")
	}

	// A fresh project with the same manifest and lock resolves to the same bytes.
	s2 := newSandbox(t)
	s2.Home = s.Home // same cache and config
	s2.UserCfg, s2.GlobalCfg = s.UserCfg, s.GlobalCfg
	s2.Project = filepath.Join(t.TempDir(), "p2")
	s2.project(r.manifestText, "2022.3.20f1")
	s2.write(filepath.Join(s2.Project, "Packages", "packages-lock.json"), lock)
	res = s2.ok("", "install", "--frozen", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Packages {
		if p.Source == "registry" && !p.Cached {
			t.Errorf("%s was downloaded again despite a warm cache", p.Name)
		}
	}
	if s2.read(filepath.Join(s2.Project, "Packages", "packages-lock.json")) != lock {
		t.Errorf("--frozen changed the lock")
	}
}

func mask(s string) string {
	if len(s) > 12 {
		return s[:7] + "…" + s[len(s)-4:]
	}
	return s
}
