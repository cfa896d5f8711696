package e2e

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// fidelity is a Verdaccio that requires a login, with a few versions of
// packages to move between, and a project routed to it.
type fidelity struct {
	srv *verdaccio.Server
	s   *sandbox
}

func newFidelity(t *testing.T) *fidelity {
	t.Helper()
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "finn", "finn-password-4242")
	publish(t, srv, tok,
		pkg{"com.example.a", "1.0.0", "", map[string]string{"com.example.b": "1.0.0"}},
		pkg{"com.example.b", "1.0.0", "", nil},
		pkg{"com.example.b", "1.0.5", "", nil},
		pkg{"com.example.b", "1.1.0", "", nil},
		pkg{"com.example.b", "2.0.0", "", nil},
		pkg{"com.example.c", "1.0.0", "", nil},
		pkg{"com.example.c", "1.2.0", "", nil},
		pkg{"com.example.c", "2.0.0", "", nil},
	)
	s := newSandbox(t)
	s.login(srv.URL, tok)
	return &fidelity{srv: srv, s: s}
}

// manifest writes the project's manifest with deps (a JSON members list)
// and extra top-level members.
func (f *fidelity) manifest(deps, extra string) {
	if extra != "" {
		extra = ", " + extra
	}
	f.s.project(fmt.Sprintf(`{"dependencies": {%s}, "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]%s}`, deps, f.srv.URL, extra), "2022.3.20f1")
}

// locked returns the lock's version of name ("" if absent).
func (f *fidelity) locked(t *testing.T, name string) string {
	t.Helper()
	var doc struct {
		Dependencies map[string]struct{ Version string }
	}
	if err := json.Unmarshal([]byte(f.s.read(filepath.Join(f.s.Project, "Packages", "packages-lock.json"))), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Dependencies[name].Version
}

// installed returns the versions install --json reports.
func (f *fidelity) installed(t *testing.T, args ...string) map[string]string {
	t.Helper()
	r := f.s.ok("", append([]string{"install", "--json"}, args...)...)
	var doc struct {
		Packages []struct{ Name, Version string }
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("install --json: %v\n%s", err, r)
	}
	out := map[string]string{}
	for _, p := range doc.Packages {
		out[p.Name] = p.Version
	}
	return out
}

// TestLoweringADirectDependency (issue 9, item 2): a direct request wins over
// the lock unless another package requests more; minor and major downgrades.
func TestLoweringADirectDependency(t *testing.T) {
	f := newFidelity(t)
	for _, step := range []struct{ asked, want string }{
		{"1.2.0", "1.2.0"}, {"1.0.0", "1.0.0"}, {"2.0.0", "2.0.0"}, {"1.0.0", "1.0.0"},
	} {
		f.manifest(`"com.example.c": "`+step.asked+`"`, "")
		f.s.ok("", "install")
		if got := f.locked(t, "com.example.c"); got != step.want {
			t.Fatalf("asked for %s: the lock has %s, want %s", step.asked, got, step.want)
		}
	}
}

// TestLockOutsideTheStrategyWindow (item 3): moving from highest to
// highestPatch drops a locked major upgrade.
func TestLockOutsideTheStrategyWindow(t *testing.T) {
	f := newFidelity(t)
	f.manifest(`"com.example.a": "1.0.0"`, `"resolutionStrategy": "highest"`)
	f.s.ok("", "install")
	if got := f.locked(t, "com.example.b"); got != "2.0.0" {
		t.Fatalf("highest: b = %s, want 2.0.0", got)
	}
	f.manifest(`"com.example.a": "1.0.0"`, `"resolutionStrategy": "highestPatch"`)
	f.s.ok("", "install")
	if got := f.locked(t, "com.example.b"); got != "1.0.5" {
		t.Errorf("highestPatch after highest: b = %s, want 1.0.5", got)
	}
	// Inside the new window the lock still holds: highestMinor keeps 1.0.5.
	f.manifest(`"com.example.a": "1.0.0"`, `"resolutionStrategy": "highestMinor"`)
	f.s.ok("", "install")
	if got := f.locked(t, "com.example.b"); got != "1.0.5" {
		t.Errorf("highestMinor after highestPatch: b = %s, want the locked 1.0.5", got)
	}
}

// TestLockFileDisabled (item 4): with "enableLockFile": false an existing
// lock decides nothing.
func TestLockFileDisabled(t *testing.T) {
	f := newFidelity(t)
	f.manifest(`"com.example.a": "1.0.0"`, `"resolutionStrategy": "highestMinor"`)
	f.s.ok("", "install")
	if got := f.locked(t, "com.example.b"); got != "1.1.0" {
		t.Fatalf("b = %s, want 1.1.0", got)
	}
	lock := f.s.read(filepath.Join(f.s.Project, "Packages", "packages-lock.json"))
	f.manifest(`"com.example.a": "1.0.0"`, `"enableLockFile": false`)
	if got := f.installed(t)["com.example.b"]; got != "1.0.0" {
		t.Errorf("enableLockFile false: b = %s, want 1.0.0 (the lock's 1.1.0 must not count)", got)
	}
	if f.s.read(filepath.Join(f.s.Project, "Packages", "packages-lock.json")) != lock {
		t.Error("the lock was written although enableLockFile is false")
	}
}

// TestNoOpSeesLocalPackages (item 1): a new embedded package, or a changed
// file: package, is no no-op, and ci sees the lock would change.
func TestNoOpSeesLocalPackages(t *testing.T) {
	f := newFidelity(t)
	local := filepath.Join(f.s.Home, "Local")
	f.s.write(filepath.Join(local, "package.json"), `{"name": "com.example.local", "version": "1.0.0"}`)
	f.manifest(`"com.example.local": "file:../../Local"`, "")
	f.s.ok("", "install")
	f.s.ok("", "install") // a no-op now

	f.s.write(filepath.Join(f.s.Project, "Packages", "MyEmb", "package.json"), `{"name": "com.example.emb", "version": "1.0.0", "dependencies": {"com.example.c": "1.0.0"}}`)
	f.s.fails(6, "", "ci")
	if r := f.s.ok("", "install"); strings.Contains(r.Stderr, "Up to date") {
		t.Fatalf("a new embedded package was a no-op:\n%s", r)
	}
	if f.locked(t, "com.example.emb") == "" || f.locked(t, "com.example.c") != "1.0.0" {
		t.Errorf("the lock lacks the embedded package or its dependency")
	}

	f.s.write(filepath.Join(local, "package.json"), `{"name": "com.example.local", "version": "1.0.0", "dependencies": {"com.example.a": "1.0.0"}}`)
	f.s.fails(6, "", "ci")
	f.s.ok("", "install")
	if f.locked(t, "com.example.a") != "1.0.0" || f.locked(t, "com.example.b") != "1.0.0" {
		t.Errorf("the lock lacks the local package's new dependency")
	}
	f.s.ok("", "ci")
}

// TestExitCodes (item 9): failures exit with CLI.md's codes.
func TestExitCodes(t *testing.T) {
	f := newFidelity(t)
	// An unreachable Git repository is a network failure.
	f.manifest(`"com.example.g": "https://127.0.0.1:9/team/g.git#v1"`, "")
	f.s.fails(5, "", "install")
	// A file: dependency that is not there is not found.
	f.manifest(`"com.example.l": "file:../../NoSuchFolder"`, "")
	r := f.s.fails(4, "", "install")
	if !strings.Contains(r.Stderr, "com.example.l") {
		t.Errorf("the error does not name the package:\n%s", r)
	}
	// --editor-version that is no version is a usage error.
	f.manifest(`"com.example.c": "1.0.0"`, "")
	f.s.fails(2, "", "install", "--editor-version", "banana")

	// A damaged cache entry is fetched again; offline it is exit 7.
	f.s.ok("", "install")
	damage := func() {
		t.Helper()
		tgzs, _ := filepath.Glob(filepath.Join(f.s.Home, "cache", "upkg", "v1", "entries", "*", "tarball.tgz"))
		if len(tgzs) == 0 {
			t.Fatal("no cached tarball to damage")
		}
		for _, p := range tgzs {
			data := []byte(f.s.read(p))
			data[len(data)/2] ^= 0xff
			f.s.write(p, string(data))
		}
		if err := os.RemoveAll(filepath.Join(f.s.Project, "Library")); err != nil {
			t.Fatal(err)
		}
	}
	damage()
	r = f.s.ok("", "install")
	if !strings.Contains(r.Stderr, "fetching it again") {
		t.Errorf("the damaged entry was not reported:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(f.s.Project, "Library", "PackageCache", "com.example.c@1.0.0", "package.json")); err != nil {
		t.Errorf("not installed after the damage: %v", err)
	}
	damage()
	f.s.fails(7, "", "install", "--offline")
}

// treeDigest lists every file under dir with its content's length and
// bytes, for comparing two installs byte for byte.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			fmt.Fprintf(&b, "%s/\n", rel)
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %x\n", rel, len(data), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCIWithoutTheRegistry (item 8): with a lock that matches the manifest
// and a cache that holds every locked package, ci needs no registry; with
// one tarball missing from the cache it exits 5 naming the package and the
// registry.
func TestCIWithoutTheRegistry(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "cid", "cid-password-8080")
	publish(t, srv, tok,
		pkg{"com.example.a", "1.0.0", "", map[string]string{"com.example.b": "1.0.0"}},
		pkg{"com.example.b", "1.0.0", "", nil},
		pkg{"com.example.b", "1.1.0", "", nil},
	)
	sp := newSpy(t, "127.0.0.1:0", srv.URL)
	s := newSandbox(t)
	s.login(sp.URL, tok)
	s.project(fmt.Sprintf(`{"dependencies": {"com.example.a": "1.0.0"}, "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]}`, sp.URL), "2022.3.20f1")
	s.ok("", "install")
	library := filepath.Join(s.Project, "Library", "PackageCache")
	want := treeDigest(t, library)

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	before := sp.requests()
	if err := os.RemoveAll(filepath.Join(s.Project, "Library")); err != nil {
		t.Fatal(err)
	}
	s.ok("", "ci")
	if got := treeDigest(t, library); got != want {
		t.Errorf("ci installed other files than install:\n%s\nwant:\n%s", got, want)
	}
	if n := sp.requests() - before; n != 0 {
		t.Errorf("ci made %d requests with a consistent lock and a full cache", n)
	}

	// One tarball gone from the cache: the network is needed for it alone,
	// and it is down.
	entries, _ := filepath.Glob(filepath.Join(s.Home, "cache", "upkg", "v1", "entries", "*", "meta.json"))
	removed := false
	for _, m := range entries {
		if strings.Contains(s.read(m), `"name":"com.example.b"`) || strings.Contains(s.read(m), `"name": "com.example.b"`) {
			if err := os.RemoveAll(filepath.Dir(m)); err != nil {
				t.Fatal(err)
			}
			removed = true
		}
	}
	if !removed {
		t.Fatalf("no cache entry of com.example.b among %v", entries)
	}
	if err := os.RemoveAll(filepath.Join(s.Project, "Library")); err != nil {
		t.Fatal(err)
	}
	r := s.fails(5, "", "ci")
	for _, w := range []string{"com.example.b", sp.URL} {
		if !strings.Contains(r.Stderr, w) {
			t.Errorf("the failure does not name %q:\n%s", w, r.Stderr)
		}
	}
}

// TestLocalTarballExtracted (item 5): a file:<x.tgz> package is extracted
// into Library/PackageCache, one folder, as Unity does.
func TestLocalTarballExtracted(t *testing.T) {
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	tgz, err := fixture.Tarball(fixture.UnityManifest("com.example.tar", "1.0.0", "", nil), fixture.UnityFiles("com.example.tar", 2))
	if err != nil {
		t.Fatal(err)
	}
	tgzPath := filepath.Join(s.Home, "tars", "com.example.tar-1.0.0.tgz")
	s.write(tgzPath, string(tgz))
	s.project(`{"dependencies": {"com.example.tar": "file:../../tars/com.example.tar-1.0.0.tgz"}}`, "2022.3.20f1")
	s.ok("", "install", "--no-progress")
	dirs, _ := filepath.Glob(filepath.Join(s.Project, "Library", "PackageCache", "com.example.tar@*"))
	if len(dirs) != 1 {
		t.Fatalf("folders for the local tarball: %v; want one", dirs)
	}
	if _, err := os.Stat(filepath.Join(dirs[0], "package.json")); err != nil {
		t.Errorf("the local tarball was not extracted: %v", err)
	}
	fi, err := os.Stat(tgzPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(tgzPath))
	if want := fmt.Sprintf("com.example.tar@%x-%d", sum[:6], fi.ModTime().UnixMilli()); filepath.Base(dirs[0]) != want {
		t.Errorf("folder %s; want %s (Unity's name up to 2023.x)", filepath.Base(dirs[0]), want)
	}
	lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json"))
	if !strings.Contains(lock, `"source": "local-tarball"`) {
		t.Errorf("lock:\n%s", lock)
	}
}

// TestDamagedCacheEntries (issue 10, item 2): a cache entry damaged in each
// of three ways — a flipped byte, a tarball swapped for another, a deleted
// tarball — is fetched again by the next install, refused offline (exit 7),
// and removed by cache verify --fix.
func TestDamagedCacheEntries(t *testing.T) {
	f := newFidelity(t)
	f.manifest(`"com.example.a": "1.0.0"`, "")
	f.s.ok("", "install")
	library := filepath.Join(f.s.Project, "Library", "PackageCache")
	want := treeDigest(t, library)
	tarballs := func() []string {
		t.Helper()
		tgzs, _ := filepath.Glob(filepath.Join(f.s.Home, "cache", "upkg", "v1", "entries", "*", "tarball.tgz"))
		if len(tgzs) < 2 {
			t.Fatalf("cached tarballs: %v; want two", tgzs)
		}
		return tgzs
	}
	ways := map[string]func(){
		"flipped byte": func() {
			for _, p := range tarballs() {
				data := []byte(f.s.read(p))
				data[len(data)/2] ^= 0xff
				f.s.write(p, string(data))
			}
		},
		"swapped tarball": func() {
			tgzs := tarballs()
			a, b := f.s.read(tgzs[0]), f.s.read(tgzs[1])
			f.s.write(tgzs[0], b)
			f.s.write(tgzs[1], a)
		},
		"deleted tarball": func() {
			for _, p := range tarballs() {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
	for _, name := range []string{"flipped byte", "swapped tarball", "deleted tarball"} {
		t.Run(name, func(t *testing.T) {
			damage := func() {
				ways[name]()
				if err := os.RemoveAll(filepath.Join(f.s.Project, "Library")); err != nil {
					t.Fatal(err)
				}
			}
			damage()
			f.s.ok("", "install")
			if got := treeDigest(t, library); got != want {
				t.Errorf("after the repair the files differ:\n%s\nwant:\n%s", got, want)
			}
			damage()
			f.s.fails(7, "", "install", "--offline")
			f.s.fails(7, "", "cache", "verify")
			f.s.ok("", "cache", "verify", "--fix")
			f.s.ok("", "cache", "verify")
			f.s.ok("", "install")
			if got := treeDigest(t, library); got != want {
				t.Errorf("after verify --fix and install the files differ")
			}
		})
	}
}

// TestConcurrentInstallsOfOneProject (issue 10, item 1): 4 and 8 installs
// of one project started together, 20 rounds each: every one exits 0, the
// tree is complete and byte-equal to a serial install, and the ones that
// find the project busy say they are waiting.
func TestConcurrentInstallsOfOneProject(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "conc", "conc-password-4444")
	var members []string
	for i := range 6 {
		name := fmt.Sprintf("com.example.c%d", i)
		publish(t, srv, tok, pkg{name, "1.0.0", "", nil})
		members = append(members, fmt.Sprintf("%q: \"1.0.0\"", name))
	}
	s := newSandbox(t)
	s.login(srv.URL, tok)
	s.project(fmt.Sprintf(`{"dependencies": {%s}, "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]}`, strings.Join(members, ", "), srv.URL), "2022.3.20f1")
	s.ok("", "install")
	library := filepath.Join(s.Project, "Library", "PackageCache")
	want := treeDigest(t, library)

	waited := 0
	for _, n := range []int{4, 8} {
		for round := range 20 {
			if err := os.RemoveAll(filepath.Join(s.Project, "Library")); err != nil {
				t.Fatal(err)
			}
			results := make([]result, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = s.run("", "install", "--no-progress")
				}()
			}
			wg.Wait()
			for i, r := range results {
				if r.Code != 0 {
					t.Fatalf("%d at once, round %d, run %d: %s", n, round, i, r)
				}
				if strings.Contains(r.Stderr, "waiting for another upkg in this project") {
					waited++
				}
			}
			if got := treeDigest(t, library); got != want {
				t.Fatalf("%d at once, round %d: the tree differs from a serial install:\n%s\nwant:\n%s", n, round, got, want)
			}
			if r := s.ok("", "install", "--no-progress"); !strings.Contains(r.Stderr, "Up to date") {
				t.Fatalf("%d at once, round %d: the next install was no no-op:\n%s", n, round, r)
			}
		}
	}
	if waited == 0 {
		t.Error("no run said it was waiting for another")
	}
	t.Logf("%d runs waited for another", waited)
}
