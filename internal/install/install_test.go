package install

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
	"github.com/upkg/upkg/internal/testharness/fixture"
)

const fakeReg = "https://npm.example.com"

// fakeRegistry serves packages from a map and counts what it is asked.
type fakeRegistry struct {
	mu        sync.Mutex
	tgz       map[string][]byte // name@version → tarball
	deps      map[string][]manifest.Dependency
	packument map[string]int
	tarball   map[string]int
	// cached is what CachedPackument returns, by name.
	cached map[string]*registry.CachedPackument
}

func newFakeRegistry(t *testing.T, pkgs ...string) *fakeRegistry {
	t.Helper()
	f := &fakeRegistry{tgz: map[string][]byte{}, deps: map[string][]manifest.Dependency{}, packument: map[string]int{}, tarball: map[string]int{}}
	for _, p := range pkgs {
		// "name@version dep@v dep@v"
		fields := strings.Fields(p)
		name, version, _ := strings.Cut(fields[0], "@")
		depMap := map[string]string{}
		for _, d := range fields[1:] {
			n, v, _ := strings.Cut(d, "@")
			f.deps[fields[0]] = append(f.deps[fields[0]], manifest.NewDependency(n, v))
			depMap[n] = v
		}
		tgz, err := fixture.Tarball(fixture.UnityManifest(name, version, "", depMap), fixture.UnityFiles(name, 2))
		if err != nil {
			t.Fatal(err)
		}
		f.tgz[fields[0]] = tgz
	}
	return f
}

func (f *fakeRegistry) Packument(_ context.Context, reg, name string) (*registry.Packument, error) {
	f.mu.Lock()
	f.packument[name]++
	f.mu.Unlock()
	p := &registry.Packument{Name: name, Versions: map[string]*registry.Version{}}
	for key, tgz := range f.tgz {
		n, v, _ := strings.Cut(key, "@")
		if n != name {
			continue
		}
		sum := sha512.Sum512(tgz)
		p.Versions[v] = &registry.Version{Name: n, Version: v, Dependencies: f.deps[key],
			Dist: registry.Dist{Tarball: reg + "/" + n + "/-/" + n + "-" + v + ".tgz", Integrity: "sha512-" + base64.StdEncoding.EncodeToString(sum[:])}}
	}
	if len(p.Versions) == 0 {
		return nil, &registry.NotFoundError{Registry: reg, URL: reg + "/" + name}
	}
	return p, nil
}

func (f *fakeRegistry) CachedPackument(_, name string) *registry.CachedPackument {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cached[name]
}

func (f *fakeRegistry) Tarball(_ context.Context, reg, url string) (io.ReadCloser, error) {
	f.mu.Lock()
	f.tarball[url]++
	f.mu.Unlock()
	base := strings.TrimSuffix(url[strings.LastIndex(url, "/")+1:], ".tgz")
	i := strings.LastIndex(base, "-")
	key := base[:i] + "@" + base[i+1:]
	tgz, ok := f.tgz[key]
	if !ok {
		return nil, &registry.NotFoundError{Registry: reg, URL: url}
	}
	return io.NopCloser(bytes.NewReader(tgz)), nil
}

// quietReporter records warnings.
type quietReporter struct {
	mu       sync.Mutex
	warnings []string
}

func (r *quietReporter) Resolving(int)                {}
func (r *quietReporter) Resolved(int)                 {}
func (r *quietReporter) Fetched(string, string, bool) {}
func (r *quietReporter) Downloaded(int)               {}
func (r *quietReporter) Warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, msg)
}

// fakeProject writes a manifest routing com.example to the fake registry and
// returns install options for it.
func fakeProject(t *testing.T, reg *fakeRegistry, store *cache.Store, deps string) Options {
	t.Helper()
	root := t.TempDir()
	data := []byte(fmt.Sprintf(`{"dependencies": {%s}, "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]}`, deps, fakeReg))
	mpath := filepath.Join(root, "Packages", "manifest.json")
	if err := os.MkdirAll(filepath.Dir(mpath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mpath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse(mpath, data)
	if err != nil {
		t.Fatal(err)
	}
	set, err := builtin.ForEditor("2022.3.31f1")
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		ProjectRoot: root, Manifest: m, ManifestBytes: data, EditorVersion: "2022.3.31f1",
		DefaultRegistry: manifest.DefaultRegistry, Builtins: set, Client: reg, Store: store, Jobs: 4,
		Reporter: &quietReporter{},
	}
}

func newStore(t *testing.T) *cache.Store {
	t.Helper()
	s, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestInstallOneDownloadPerPackage: a diamond fetches every packument and
// tarball once; a second project from the same cache downloads nothing.
func TestInstallOneDownloadPerPackage(t *testing.T) {
	reg := newFakeRegistry(t, "com.example.a@1.0.0 com.example.c@1.0.0", "com.example.b@1.0.0 com.example.c@1.0.0", "com.example.c@1.0.0")
	store := newStore(t)
	opts := fakeProject(t, reg, store, `"com.example.a": "1.0.0", "com.example.b": "1.0.0"`)
	sum, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Downloaded != 3 || len(sum.Packages) != 3 {
		t.Errorf("downloaded %d, packages %d; want 3 and 3", sum.Downloaded, len(sum.Packages))
	}
	for name, n := range reg.packument {
		if n != 1 {
			t.Errorf("packument of %s fetched %d times", name, n)
		}
	}
	for url, n := range reg.tarball {
		if n != 1 {
			t.Errorf("%s downloaded %d times", url, n)
		}
	}
	for _, d := range []string{"com.example.a@1.0.0", "com.example.b@1.0.0", "com.example.c@1.0.0"} {
		if _, err := os.Stat(filepath.Join(opts.ProjectRoot, "Library", "PackageCache", d, "package.json")); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	other := fakeProject(t, reg, store, `"com.example.a": "1.0.0"`)
	sum, err = Run(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Downloaded != 0 || sum.FromCache != 2 {
		t.Errorf("second project: downloaded %d, from cache %d; want 0 and 2", sum.Downloaded, sum.FromCache)
	}
}

// TestInstallRemovesStaleFolders: a package dropped from the manifest
// leaves Library/PackageCache, other folders stay.
func TestInstallRemovesStaleFolders(t *testing.T) {
	reg := newFakeRegistry(t, "com.example.a@1.0.0", "com.example.b@1.0.0")
	opts := fakeProject(t, reg, newStore(t), `"com.example.a": "1.0.0", "com.example.b": "1.0.0"`)
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(opts.ProjectRoot, "Library", "PackageCache", ".com.example.b@1.0.0.upkg-new-1")
	if err := os.MkdirAll(keep, 0o755); err != nil {
		t.Fatal(err)
	}
	data := []byte(fmt.Sprintf(`{"dependencies": {"com.example.a": "1.0.0"}, "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]}`, fakeReg))
	m, err := manifest.Parse("manifest.json", data)
	if err != nil {
		t.Fatal(err)
	}
	opts.Manifest, opts.ManifestBytes = m, data
	opts.OldLockBytes, _ = os.ReadFile(filepath.Join(opts.ProjectRoot, "Packages", "packages-lock.json"))
	sum, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Removed) != 1 || sum.Removed[0] != "com.example.b@1.0.0" {
		t.Errorf("removed %v; want com.example.b@1.0.0", sum.Removed)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("another process's work folder was swept: %v", err)
	}
}

// TestInstallErrorsInManifestOrder: every missing package is reported, in a
// stable order, and nothing is written.
func TestInstallErrorsInManifestOrder(t *testing.T) {
	reg := newFakeRegistry(t, "com.example.a@1.0.0")
	opts := fakeProject(t, reg, newStore(t), `"com.example.z": "1.0.0", "com.example.a": "1.0.0", "com.example.m": "2.0.0"`)
	_, err := Run(context.Background(), opts)
	var nf *resolve.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v; want *resolve.NotFoundError", err)
	}
	msg := err.Error()
	if i, j := strings.Index(msg, "com.example.m"), strings.Index(msg, "com.example.z"); i < 0 || j < 0 || i > j {
		t.Errorf("errors not in a stable order:\n%s", msg)
	}
	if _, err := os.Stat(filepath.Join(opts.ProjectRoot, "Packages", "packages-lock.json")); err == nil {
		t.Error("a failed install wrote the lock")
	}
}

// packageCache lists the folders of the project's Library/PackageCache.
func packageCache(t *testing.T, root string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(root, "Library", "PackageCache"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestEarlyPlacement: packages go into the project as their fetches end,
// during resolution; a guess that resolution overrides (the manifest's
// 1.0.0 against a dependency's 1.1.0) leaves no folder, and neither does a
// failed install.
func TestEarlyPlacement(t *testing.T) {
	for _, link := range []bool{false, true} {
		reg := newFakeRegistry(t, "com.example.a@1.0.0", "com.example.a@1.1.0", "com.example.b@1.0.0 com.example.a@1.1.0")
		opts := fakeProject(t, reg, newStore(t), `"com.example.a": "1.0.0", "com.example.b": "1.0.0"`)
		opts.Link = link
		sum, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Removed) != 0 {
			t.Errorf("link %v: removed %v from a new project", link, sum.Removed)
		}
		if got := strings.Join(packageCache(t, opts.ProjectRoot), " "); got != "com.example.a@1.1.0 com.example.b@1.0.0" {
			t.Errorf("link %v: Library/PackageCache holds %s", link, got)
		}
		if n := reg.tarball[fakeReg+"/com.example.a/-/com.example.a-1.0.0.tgz"]; n != 1 {
			t.Errorf("the guess was fetched %d times, want once (early)", n)
		}

		reg = newFakeRegistry(t, "com.example.a@1.0.0")
		opts = fakeProject(t, reg, newStore(t), `"com.example.a": "1.0.0", "com.example.missing": "1.0.0"`)
		opts.Link = link
		if _, err := Run(context.Background(), opts); err == nil {
			t.Fatal("installed a missing package")
		}
		if got := packageCache(t, opts.ProjectRoot); len(got) != 0 {
			t.Errorf("link %v: a failed install left %v", link, got)
		}
	}
}
