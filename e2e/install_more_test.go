package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// TestInstallTarballsOnAnotherOrigin: dist.tarball points at a second loopback
// address. Without alwaysAuth the credential never goes there and the install
// fails naming alwaysAuth; with it, the install works.
func TestInstallTarballsOnAnotherOrigin(t *testing.T) {
	far := listenSpy(t, "127.0.0.2:0")
	srv := verdaccio.ForTest(t, verdaccio.Options{PublicURL: far.URL})
	far.forward(t, srv.URL)
	tok := newUser(t, srv, "cora", "cora-password-999")
	publish(t, srv, tok, pkg{"com.example.far", "1.0.0", "", nil})
	manifest := fmt.Sprintf(`{"dependencies":{"com.example.far":"1.0.0"},"scopedRegistries":[{"name":"x","url":%q,"scopes":["com.example"]}]}`, srv.URL)

	s := newSandbox(t)
	s.project(manifest, "2022.3.20f1")
	s.login(srv.URL, tok)
	r := s.fails(3, "", "install")
	if !strings.Contains(r.Stderr, "alwaysAuth") {
		t.Errorf("the failure does not name alwaysAuth:\n%s", r.Stderr)
	}
	if got := far.auths(); len(got) != 1 || got[""] == 0 {
		t.Errorf("the other origin received a credential without alwaysAuth")
	}
	if _, err := os.Stat(filepath.Join(s.Project, "Packages", "packages-lock.json")); err == nil {
		t.Errorf("a lock was written by a failed install")
	}

	s.login(srv.URL, tok, "--always-auth")
	s.ok("", "install")
	if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache", "com.example.far@1.0.0", "package.json")); err != nil {
		t.Errorf("not installed: %v", err)
	}
}

func TestInstallFrozenAndOffline(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "dora", "dora-password-321")
	publish(t, srv, tok,
		pkg{"com.example.a", "1.0.0", "", map[string]string{"com.example.b": "1.0.0"}},
		pkg{"com.example.b", "1.0.0", "", nil},
		pkg{"com.example.c", "1.0.0", "", nil},
	)
	manifest := func(deps string) string {
		return fmt.Sprintf(`{"dependencies":{%s},"scopedRegistries":[{"name":"x","url":%q,"scopes":["com.example"]}]}`, deps, srv.URL)
	}
	s := newSandbox(t)
	s.project(manifest(`"com.example.a":"1.0.0"`), "2022.3.20f1")
	s.login(srv.URL, tok)
	s.ok("", "install")
	lockPath := filepath.Join(s.Project, "Packages", "packages-lock.json")
	lock := s.read(lockPath)

	// The manifest changes: --frozen exits 6 and writes nothing.
	s.project(manifest(`"com.example.a":"1.0.0","com.example.c":"1.0.0"`), "")
	r := s.fails(6, "", "install", "--frozen")
	if !strings.Contains(r.Stderr, "packages-lock.json") {
		t.Errorf("--frozen message: %s", r.Stderr)
	}
	if s.read(lockPath) != lock {
		t.Errorf("--frozen wrote the lock")
	}
	if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache", "com.example.c@1.0.0")); err == nil {
		t.Errorf("--frozen installed a package")
	}
	s.fails(6, "", "ci")
	s.ok("", "install")

	// Registry gone: a second project installs from the warm cache with --offline.
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	s2 := *s
	s2.Project = filepath.Join(t.TempDir(), "offline")
	s2.project(manifest(`"com.example.a":"1.0.0","com.example.c":"1.0.0"`), "2022.3.20f1")
	s2.ok("", "install", "--offline")
	for _, d := range []string{"com.example.a@1.0.0", "com.example.b@1.0.0", "com.example.c@1.0.0"} {
		if _, err := os.Stat(filepath.Join(s2.Project, "Library", "PackageCache", d, "package.json")); err != nil {
			t.Errorf("offline install lacks %s", d)
		}
	}
	// A cold cache names what is missing.
	s3 := newSandbox(t)
	s3.project(manifest(`"com.example.a":"1.0.0"`), "2022.3.20f1")
	r = s3.run("", "install", "--offline")
	if r.Code == 0 || !strings.Contains(r.Stderr, "com.example.a") || !strings.Contains(r.Stderr, "offline") {
		t.Errorf("cold offline install: %s", r)
	}
}

func TestInstallBadInput(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "eve", "eve-password-777")
	publish(t, srv, tok, pkg{"com.example.a", "1.0.0", "", map[string]string{"com.example.gone": "2.0.0"}})
	reg := fmt.Sprintf(`"scopedRegistries":[{"name":"x","url":%q,"scopes":["com.example"]}]`, srv.URL)

	s := newSandbox(t)
	s.project("{\n  \"dependencies\": {\n    \"com.example.a\": \"1.0.0\",\n  }\n}\n", "")
	r := s.fails(8, "", "install")
	if !strings.Contains(r.Stderr, filepath.Join("Packages", "manifest.json")+":4:") {
		t.Errorf("malformed manifest: %s", r.Stderr)
	}

	s.project("{\n  \"dependencies\": {\n    \"com.example.a\": \"^1.0.0\"\n  },\n  "+reg+"\n}\n", "")
	r = s.fails(8, "", "install")
	if !strings.Contains(r.Stderr, "com.example.a") || !strings.Contains(r.Stderr, ":3:") {
		t.Errorf("range version: %s", r.Stderr)
	}

	s.login(srv.URL, tok)
	s.project("{\"dependencies\": {\"com.example.a\": \"1.0.0\"}, "+reg+"}", "")
	r = s.fails(4, "", "install")
	if !strings.Contains(r.Stderr, "com.example.gone") || !strings.Contains(r.Stderr, srv.URL) || !strings.Contains(r.Stderr, "com.example.a 1.0.0") {
		t.Errorf("unknown package: %s", r.Stderr)
	}

	bad := "bad-token-for-install-0000"
	secrets.add(bad)
	s.login(srv.URL, bad)
	r = s.fails(3, "", "install")
	if !strings.Contains(r.Stderr, s.UserCfg) || !strings.Contains(r.Stderr, "upkg auth set --registry") {
		t.Errorf("401: %s", r.Stderr)
	}
}

// TestInstallKilledAndConcurrent: an install killed at any moment is finished
// by the next run, and the cache stays valid; two installs sharing a cache
// both succeed.
func TestInstallKilledAndConcurrent(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "fay", "fay-password-888")
	var deps []string
	for i := 0; i < 12; i++ {
		name := fmt.Sprintf("com.example.p%02d", i)
		publish(t, srv, tok, pkg{name, "1.0.0", "", nil})
		deps = append(deps, fmt.Sprintf("%q:\"1.0.0\"", name))
	}
	manifest := fmt.Sprintf(`{"dependencies":{%s},"scopedRegistries":[{"name":"x","url":%q,"scopes":["com.example"]}]}`, strings.Join(deps, ","), srv.URL)
	s := newSandbox(t)
	s.project(manifest, "2022.3.20f1")
	s.login(srv.URL, tok)

	for _, delay := range []time.Duration{5 * time.Millisecond, 30 * time.Millisecond, 80 * time.Millisecond, 150 * time.Millisecond} {
		cmd := exec.Command(upkgBin, "install", "--jobs", "2")
		cmd.Env, cmd.Dir = s.env(), s.Project
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		s.ok("", "cache", "verify")
	}
	s.ok("", "install")
	s.ok("", "cache", "verify")

	// Two projects, one cache, at the same time.
	other := *s
	other.Project = filepath.Join(t.TempDir(), "other")
	other.project(manifest, "2022.3.20f1")
	third := *s
	third.Project = filepath.Join(t.TempDir(), "third")
	third.project(manifest, "2022.3.20f1")
	os.RemoveAll(filepath.Join(s.Home, "cache"))
	errs := make(chan result, 2)
	for _, p := range []*sandbox{&other, &third} {
		go func(p *sandbox) {
			cmd := exec.Command(upkgBin, "install")
			cmd.Env, cmd.Dir = p.env(), p.Project
			out, err := cmd.CombinedOutput()
			secrets.record("concurrent install", string(out))
			code := 0
			if err != nil {
				code = 1
			}
			errs <- result{Stderr: string(out), Code: code}
		}(p)
	}
	for i := 0; i < 2; i++ {
		if r := <-errs; r.Code != 0 {
			t.Errorf("concurrent install failed: %s", r.Stderr)
		}
	}
	s.ok("", "cache", "verify")

	// The cache commands see the 12 packages; prune to a 1-byte cap evicts
	// them all; clean empties the cache; --no-materialize refills it
	// without touching Library.
	var list struct {
		Entries []struct{ Name, Version, Key string }
	}
	r := s.ok("", "cache", "list", "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil || len(list.Entries) != 12 {
		t.Fatalf("cache list: %v\n%s", err, r.Stdout)
	}
	r = s.ok("", "cache", "dir")
	if !strings.HasPrefix(strings.TrimSpace(r.Stdout), filepath.Join(s.Home, "cache")) {
		t.Errorf("cache dir = %q", r.Stdout)
	}
	pruned := *s
	pruned.extraEnv = append(pruned.extraEnv, "UPM_MAX_CACHE_SIZE=1")
	pruned.ok("", "cache", "prune")
	if r := s.ok("", "cache", "list", "--json"); strings.Contains(r.Stdout, "com.example") {
		t.Errorf("prune to 1 byte left entries: %s", r.Stdout)
	}
	fresh := *s
	fresh.Project = filepath.Join(t.TempDir(), "nomat")
	fresh.project(manifest, "2022.3.20f1")
	fresh.ok("", "install", "--no-materialize")
	if _, err := os.Stat(filepath.Join(fresh.Project, "Library", "PackageCache")); err == nil {
		t.Errorf("--no-materialize wrote Library/PackageCache")
	}
	if _, err := os.Stat(filepath.Join(fresh.Project, "Packages", "packages-lock.json")); err != nil {
		t.Errorf("--no-materialize wrote no lock")
	}
	s.ok("", "cache", "clean")
	if r := s.ok("", "cache", "list", "--json"); strings.Contains(r.Stdout, "com.example") {
		t.Errorf("clean left entries: %s", r.Stdout)
	}
}
