package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// manifestDoc is the part of manifest.json the add/remove tests read.
type manifestDoc struct {
	Dependencies     map[string]string `json:"dependencies"`
	Testables        []string          `json:"testables"`
	ScopedRegistries []struct {
		Name   string   `json:"name"`
		URL    string   `json:"url"`
		Scopes []string `json:"scopes"`
	} `json:"scopedRegistries"`
}

func readManifest(t *testing.T, s *sandbox) manifestDoc {
	t.Helper()
	var m manifestDoc
	if err := json.Unmarshal([]byte(s.read(filepath.Join(s.Project, "Packages", "manifest.json"))), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAddRemove: add a package of a registry that needs a login, whose
// dependencies live on the same registry: one scoped registry with the scope
// that routes all three, installed, and the lock is the one a hand-written
// manifest gives; remove takes the scopes away again, back to the bytes the
// manifest had.
func TestAddRemove(t *testing.T) {
	r := setupTwoRegistries(t)
	publish(t, r.a, r.tokA, pkg{"com.example.tools", "1.5.0", "2021.3", nil})
	const start = `{
  "dependencies": {
    "com.unity.modules.audio": "1.0.0"
  }
}
`
	s := newSandbox(t)
	s.project(start, "2021.3.30f1")
	s.login(r.spyA.URL, r.tokA)
	s.login(r.spyB.URL, r.tokB)
	manifestPath := filepath.Join(s.Project, "Packages", "manifest.json")
	lockPath := filepath.Join(s.Project, "Packages", "packages-lock.json")

	// Found on a registry that no scope routes it to: view says so.
	res := s.ok("", "view", "com.example.app", "--registry", r.spyA.URL)
	if !strings.Contains(res.Stderr, "no scope in "+manifestPath+" routes com.example.app to "+r.spyA.URL) {
		t.Errorf("view on an unrouted registry:\n%s", res)
	}

	// --dry-run: the diff, nothing written.
	res = s.ok("", "add", "com.example.app", "--registry", r.spyA.URL, "--dry-run")
	if !strings.Contains(res.Stdout, `+    "com.example.app": "1.0.0",`) || !strings.Contains(res.Stdout, `"com.example"`) {
		t.Errorf("add --dry-run diff:\n%s", res)
	}
	if s.read(manifestPath) != start {
		t.Fatal("add --dry-run wrote the manifest")
	}
	if _, err := os.Stat(lockPath); err == nil {
		t.Fatal("add --dry-run installed")
	}

	s.ok("", "add", "com.example.app", "--registry", r.spyA.URL)
	m := readManifest(t, s)
	if m.Dependencies["com.example.app"] != "1.0.0" || m.Dependencies["com.unity.modules.audio"] != "1.0.0" || len(m.Dependencies) != 2 {
		t.Errorf("dependencies = %v", m.Dependencies)
	}
	if len(m.ScopedRegistries) != 1 || m.ScopedRegistries[0].URL != r.spyA.URL || m.ScopedRegistries[0].Name != "127.0.0.1" ||
		!reflect.DeepEqual(m.ScopedRegistries[0].Scopes, []string{"com.example"}) {
		t.Errorf("scopedRegistries = %+v", m.ScopedRegistries)
	}
	lock := s.read(lockPath)

	// The same project written by hand resolves to the same lock.
	hand := newSandbox(t)
	hand.project(fmt.Sprintf(`{"dependencies": {"com.example.app": "1.0.0", "com.unity.modules.audio": "1.0.0"},
 "scopedRegistries": [{"name": "hand", "url": %q, "scopes": ["com.example"]}]}`, r.spyA.URL), "2021.3.30f1")
	hand.login(r.spyA.URL, r.tokA)
	hand.ok("", "install")
	if got := hand.read(filepath.Join(hand.Project, "Packages", "packages-lock.json")); got != lock {
		t.Errorf("the lock of add differs from the hand-written manifest's:\n%s\n---\n%s", lock, got)
	}

	// Without a version: the highest version the editor accepts.
	res = s.ok("", "add", "com.example.tools")
	if m := readManifest(t, s); m.Dependencies["com.example.tools"] != "1.5.0" {
		t.Errorf("add picked %q, want 1.5.0 (2.0.0 needs 2022.3)", m.Dependencies["com.example.tools"])
	}
	if !strings.Contains(res.Stderr, "2.0.0 needs Unity 2022.3") || !strings.Contains(res.Stderr, "2021.3.30f1") {
		t.Errorf("add does not say why 2.0.0 was skipped:\n%s", res)
	}
	s.ok("", "remove", "com.example.tools")

	// upgrade raises a version within its window (--minor by default).
	s.ok("", "add", "com.example.core@1.0.0")
	res = s.ok("", "upgrade", "--patch", "com.example.core")
	if got := readManifest(t, s).Dependencies["com.example.core"]; got != "1.0.0" || !strings.Contains(res.Stderr, "Everything is at the highest version") {
		t.Errorf("upgrade --patch: core %s\n%s", got, res)
	}
	res = s.ok("", "upgrade", "--dry-run")
	if !strings.Contains(res.Stdout, `+    "com.example.core": "1.2.0",`) || readManifest(t, s).Dependencies["com.example.core"] != "1.0.0" {
		t.Errorf("upgrade --dry-run:\n%s", res)
	}
	s.ok("", "upgrade")
	if m := readManifest(t, s); m.Dependencies["com.example.core"] != "1.2.0" || m.Dependencies["com.example.app"] != "1.0.0" {
		t.Errorf("after upgrade: %v", m.Dependencies)
	}
	if !strings.Contains(s.read(lockPath), `"version": "1.2.0"`) {
		t.Errorf("the lock does not have core 1.2.0:\n%s", s.read(lockPath))
	}
	s.ok("", "remove", "com.example.core")

	// A package of the second registry whose dependency lives on the first:
	// one more scoped registry, for com.other.lib only.
	s.ok("", "add", "com.other.lib", "--registry", r.spyB.URL, "--registry-name", "Team B")
	m = readManifest(t, s)
	if len(m.ScopedRegistries) != 2 || m.ScopedRegistries[1].Name != "Team B" || !reflect.DeepEqual(m.ScopedRegistries[1].Scopes, []string{"com.other.lib"}) {
		t.Errorf("scopedRegistries = %+v", m.ScopedRegistries)
	}

	// remove takes each scoped registry away with its last package.
	s.ok("", "remove", "com.other.lib")
	s.ok("", "remove", "com.example.app")
	if got := s.read(manifestPath); got != start {
		t.Errorf("after remove the manifest is\n%s\nwant\n%s", got, start)
	}
	if strings.Contains(s.read(lockPath), "com.example") {
		t.Errorf("the lock still has com.example packages:\n%s", s.read(lockPath))
	}
}

// TestAddGitAndLocal: add name@<git url> and name@file:<path> write what
// Unity writes — the URL as given, the path relative to Packages/ — and
// install them.
func TestAddGitAndLocal(t *testing.T) {
	repo := newGitRepo(t)
	repo.commit(map[string]string{"package.json": `{"name": "com.example.gitpkg", "version": "1.0.0"}`, "Runtime/A.cs": "class A {}"})
	repo.git("tag", "v1.0.0")
	s := newSandbox(t)
	s.project("{\r\n  \"dependencies\": {}\r\n}", "2022.3.20f1")
	s.write(filepath.Join(s.Home, "local", "package.json"), `{"name": "com.example.local", "version": "0.1.0"}`)

	gitURL := "git+file://" + repo.Dir + "#v1.0.0"
	s.ok("", "add", "com.example.gitpkg@"+gitURL, "com.example.local@file:../local")
	got := s.read(filepath.Join(s.Project, "Packages", "manifest.json"))
	want := "{\r\n  \"dependencies\": {\r\n    \"com.example.gitpkg\": \"" + gitURL + "\",\r\n    \"com.example.local\": \"file:../../local\"\r\n  }\r\n}"
	if got != want {
		t.Errorf("manifest after add:\n%q\nwant\n%q", got, want)
	}
	lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json"))
	if !strings.Contains(lock, `"source": "git"`) || !strings.Contains(lock, `"source": "local"`) {
		t.Errorf("lock:\n%s", lock)
	}
}

// TestAddRefusals: a manifest with a syntax error (exit 8, untouched), an
// unknown package (exit 4, nothing written), a range (exit 2).
func TestAddRefusals(t *testing.T) {
	r := setupTwoRegistries(t)
	s := newSandbox(t)
	s.project(`{"dependencies": {"com.example.core": "1.0.0",}}`, "2022.3.20f1")
	s.login(r.spyA.URL, r.tokA)
	s.login(r.spyB.URL, r.tokB)
	manifestPath := filepath.Join(s.Project, "Packages", "manifest.json")
	bad := s.read(manifestPath)
	res := s.fails(8, "", "add", "com.example.ui", "--registry", r.spyA.URL)
	if !strings.Contains(res.Stderr, "manifest.json:1:") || s.read(manifestPath) != bad {
		t.Errorf("syntax error: %s", res)
	}

	good := `{"dependencies": {"com.example.core": "1.0.0"}}`
	s.project(good, "")
	res = s.fails(4, "", "add", "com.example.nope", "--registry", r.spyA.URL)
	if s.read(manifestPath) != good {
		t.Errorf("unknown package: the manifest changed: %s", res)
	}
	res = s.fails(4, "", "add", "com.example.nope", "--default-registry", r.spyB.URL)
	if !strings.Contains(res.Stderr, "no scope in the manifest matches com.example.nope") {
		t.Errorf("unknown unscoped package: %s", res)
	}
	s.fails(2, "", "add", "com.example.core@^1.0.0")
	s.fails(4, "", "remove", "com.example.nope")
}
