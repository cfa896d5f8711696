package resolve

import (
	"context"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name       string
		manifest   *manifest.Manifest
		catalog    map[string][]VersionInfo
		registries map[string]string
		locals     map[string]LocalPackage
		builtins   fakeBuiltins
		want       string // the whole rendered error
		// check inspects the error further.
		check func(t *testing.T, err error)
	}{
		{
			name:     "missing version names every chain of requesters",
			manifest: man("", "com.a@1.0.0", "com.d@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.b@2.0.0")},
				"com.b": {ver("2.0.0", "com.c@3.1.0")},
				"com.c": {ver("3.0.0")},
				"com.d": {ver("1.0.0", "com.c@3.1.0", "com.b@2.0.0")},
			},
			registries: map[string]string{"com.c": "https://x.example.com"},
			want: "com.a 1.0.0 → com.b 2.0.0 → com.c 3.1.0, which the registry at https://x.example.com does not have\n" +
				"com.d 1.0.0 → com.b 2.0.0 → com.c 3.1.0, which the registry at https://x.example.com does not have\n" +
				"com.d 1.0.0 → com.c 3.1.0, which the registry at https://x.example.com does not have",
			check: func(t *testing.T, err error) {
				var nf *NotFoundError
				if !errors.As(err, &nf) {
					t.Fatalf("errors.As(*NotFoundError) = false for %T", err)
				}
				want := NotFoundError{Name: "com.c", Version: "3.1.0", Registry: "https://x.example.com", Chains: [][]Step{
					{{"com.a", "1.0.0"}, {"com.b", "2.0.0"}, {"com.c", "3.1.0"}},
					{{"com.d", "1.0.0"}, {"com.b", "2.0.0"}, {"com.c", "3.1.0"}},
					{{"com.d", "1.0.0"}, {"com.c", "3.1.0"}},
				}}
				if diff := cmp.Diff(want, *nf); diff != "" {
					t.Errorf("NotFoundError (-want +got):\n%s", diff)
				}
				if !errors.Is(err, fs.ErrNotExist) {
					t.Error("errors.Is(err, fs.ErrNotExist) = false")
				}
			},
		},
		{
			name:       "credentials written into a registry URL are not printed",
			manifest:   man("", "com.a@2.0.0"),
			catalog:    map[string][]VersionInfo{"com.a": {ver("1.0.0")}},
			registries: map[string]string{"com.a": "https://reader:s3cret@x.example.com/npm"},
			want:       "com.a 2.0.0, which the registry at https://x.example.com/npm does not have",
		},
		{
			name:     "only the chains asking for the missing version are named",
			manifest: man("", "com.a@1.0.0", "com.b@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.c@1.0.0")},
				"com.b": {ver("1.0.0", "com.c@1.5.0")},
				"com.c": {ver("1.0.0")},
			},
			want: "com.b 1.0.0 → com.c 1.5.0, which the registry at " + testRegistry + " does not have",
		},
		{
			name:     "missing direct version",
			manifest: man("", "com.a@9.9.9"),
			catalog:  map[string][]VersionInfo{"com.a": {ver("1.0.0")}},
			want:     "com.a 9.9.9, which the registry at " + testRegistry + " does not have",
		},
		{
			name:     "missing package, asked directly and indirectly",
			manifest: man("", "com.nope@1.0.0", "com.a@1.0.0"),
			catalog:  map[string][]VersionInfo{"com.a": {ver("1.0.0", "com.nope@1.2.0")}},
			want: "com.a 1.0.0 → com.nope 1.2.0, which the registry at " + testRegistry + " does not have (it has no package com.nope)\n" +
				"com.nope 1.0.0, which the registry at " + testRegistry + " does not have (it has no package com.nope)",
			check: func(t *testing.T, err error) {
				var nf *NotFoundError
				if !errors.As(err, &nf) || !nf.PackageMissing || nf.Version != "1.2.0" {
					t.Fatalf("want a NotFoundError for the whole package at 1.2.0, got %#v", err)
				}
				var catalogErr *notFoundErr
				if !errors.As(err, &catalogErr) {
					t.Error("the catalog's own not-found error is not wrapped")
				}
			},
		},
		{
			name:     "several failures are all reported",
			manifest: man("", "com.a@1.0.0", "com.b@2.0.0"),
			catalog:  map[string][]VersionInfo{"com.a": {ver("1.0.0", "com.c@1.0.0")}, "com.b": {ver("1.0.0")}},
			want: "com.b 2.0.0, which the registry at " + testRegistry + " does not have\n" +
				"com.a 1.0.0 → com.c 1.0.0, which the registry at " + testRegistry + " does not have (it has no package com.c)",
		},
		{
			name:     "a range in the manifest names the entry",
			manifest: man("", "com.a@1.0.0", "com.b@^1.0.0"),
			catalog:  map[string][]VersionInfo{"com.a": {ver("1.0.0")}},
			want:     `Packages/manifest.json:4:5: com.b: "^1.0.0" is a version range; Unity needs an exact version such as "1.0.0"`,
			check: func(t *testing.T, err error) {
				var pe *manifest.ParseError
				if !errors.As(err, &pe) || pe.Line != 4 || pe.Column != 5 {
					t.Errorf("want a manifest.ParseError at line 4, column 5, got %#v", err)
				}
			},
		},
		{
			name:     "every bad manifest entry is reported",
			manifest: man("", "com.a@>=1.0.0", "com.b@1.0.0", "com.c@1.x"),
			want: `Packages/manifest.json:3:5: com.a: ">=1.0.0" is a version range; Unity needs an exact version such as "1.0.0"` + "\n" +
				`Packages/manifest.json:5:5: com.c: "1.x" is a version range; Unity needs an exact version such as "1.0.0"`,
		},
		{
			name:     "a value that is nothing the manifest takes",
			manifest: man("", "com.a@latest-ish"),
			want:     `Packages/manifest.json:3:5: com.a: "latest-ish" is not an exact version, a file: path or a Git URL`,
		},
		{
			name:     "a range in a package.json names its requesters",
			manifest: man("", "com.x@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.x": {ver("1.0.0", "com.a@1.0.0")},
				"com.a": {ver("1.0.0", "com.b@~1.2.0")},
				"com.b": {ver("1.2.0")},
			},
			want: `com.x 1.0.0 → com.a 1.0.0: dependency com.b: "~1.2.0" is a version range; Unity needs an exact version such as "1.2.0"`,
			check: func(t *testing.T, err error) {
				var se *SpecError
				if !errors.As(err, &se) {
					t.Fatalf("errors.As(*SpecError) = false for %T", err)
				}
				want := SpecError{Name: "com.b", Value: "~1.2.0", Msg: se.Msg, Chains: [][]Step{{{"com.x", "1.0.0"}, {"com.a", "1.0.0"}}}}
				if diff := cmp.Diff(want, *se); diff != "" {
					t.Errorf("SpecError (-want +got):\n%s", diff)
				}
			},
		},
		{
			name:     "a Git URL in a package.json is refused",
			manifest: man("", "com.a@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.b@https://example.com/b.git")},
			},
			want: `com.a 1.0.0: dependency com.b: "https://example.com/b.git" is not an exact version; a package's dependencies take exact versions only`,
		},
		{
			name:     "a file: dependency whose package was not loaded",
			manifest: man("", "com.l@file:../l"),
			want:     `Packages/manifest.json:3:5: dependency com.l "file:../l": the local package was not loaded`,
		},
		{
			name:     "an unknown resolutionStrategy",
			manifest: man("newest", "com.a@1.0.0"),
			want:     `Packages/manifest.json: resolutionStrategy "newest" is not one of lowest, highestPatch, highestMinor, highest`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := &fakeCatalog{pkgs: tt.catalog, registries: tt.registries}
			in := Input{Manifest: tt.manifest, Locals: tt.locals, Catalog: cat}
			if tt.builtins != nil {
				in.Builtins = tt.builtins
			}
			g, err := Resolve(context.Background(), in)
			if err == nil {
				t.Fatalf("Resolve succeeded with %v, want an error", summary(g))
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error text (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

// TestResolveNoErrorForDroppedRequests: a request that cannot be satisfied
// is no error when the version making it is not chosen in the end, nor when
// a non-version source answers for the name.
func TestResolveNoErrorForDroppedRequests(t *testing.T) {
	cat := &fakeCatalog{pkgs: map[string][]VersionInfo{
		// com.a 1.0.0 asks for a version and a range nobody has, but com.b
		// raises com.a to 2.0.0, which asks for neither.
		"com.a": {ver("1.0.0", "com.c@9.9.9", "com.d@^1.0.0"), ver("2.0.0")},
		"com.b": {ver("1.0.0", "com.a@2.0.0", "com.unity.ugui@^1.0.0")},
	}}
	in := Input{
		Manifest: man("", "com.a@1.0.0", "com.b@1.0.0"),
		Builtins: fakeBuiltins{"com.unity.ugui": "1.0.0"},
		Catalog:  cat,
	}
	g, err := Resolve(context.Background(), in)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	want := []string{"com.a 2.0.0 registry 1", "com.b 1.0.0 registry 0", "com.unity.ugui 1.0.0 builtin 1"}
	if diff := cmp.Diff(want, summary(g)); diff != "" {
		t.Errorf("graph (-want +got):\n%s", diff)
	}
}

// TestResolveCatalogErrorPassesThrough: an auth or network failure is not a
// "not found"; it comes back wrapped, with the catalog's type intact.
func TestResolveCatalogErrorPassesThrough(t *testing.T) {
	cat := &fakeCatalog{
		pkgs: map[string][]VersionInfo{"com.a": {ver("1.0.0", "com.private.b@1.0.0")}},
		errs: map[string]error{"com.private.b": &authErr{Registry: "https://private.example.com", Status: 401}},
	}
	_, err := Resolve(context.Background(), Input{Manifest: man("", "com.a@1.0.0"), Catalog: cat})
	var ae *authErr
	if !errors.As(err, &ae) {
		t.Fatalf("errors.As(*authErr) = false for %v", err)
	}
	if ae.Status != 401 {
		t.Errorf("status = %d, want 401", ae.Status)
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		t.Errorf("an auth failure reads as not found: %v", err)
	}
	if !strings.Contains(err.Error(), "com.private.b") {
		t.Errorf("error %q does not name the package", err)
	}
}

func TestResolveCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cat := &fakeCatalog{pkgs: map[string][]VersionInfo{"com.a": {ver("1.0.0")}}}
	_, err := Resolve(ctx, Input{Manifest: man("", "com.a@1.0.0"), Catalog: cat})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(cat.calls) != 0 {
		t.Errorf("the catalog was asked %v after cancellation", cat.calls)
	}
}

func TestResolveNoManifest(t *testing.T) {
	if _, err := Resolve(context.Background(), Input{}); err == nil {
		t.Fatal("Resolve without a manifest succeeded")
	}
}

// TestNotFoundChainsCapped: a graph of stacked diamonds has exponentially
// many chains; the error keeps maxChains of them.
func TestNotFoundChainsCapped(t *testing.T) {
	pkgs := map[string][]VersionInfo{"com.root": {ver("1.0.0", "com.l0@1.0.0", "com.r0@1.0.0")}}
	const layers = 12 // 2^12 chains
	for i := range layers {
		next := "com.missing@1.0.0"
		if i < layers-1 {
			next = "com.l" + strconv.Itoa(i+1) + "@1.0.0 com.r" + strconv.Itoa(i+1) + "@1.0.0"
		}
		pkgs["com.l"+strconv.Itoa(i)] = []VersionInfo{ver("1.0.0", strings.Fields(next)...)}
		pkgs["com.r"+strconv.Itoa(i)] = []VersionInfo{ver("1.0.0", strings.Fields(next)...)}
	}
	_, err := Resolve(context.Background(), Input{Manifest: man("", "com.root@1.0.0"), Catalog: &fakeCatalog{pkgs: pkgs}})
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("want a NotFoundError, got %v", err)
	}
	if len(nf.Chains) != maxChains {
		t.Errorf("%d chains, want %d", len(nf.Chains), maxChains)
	}
	for _, c := range nf.Chains {
		if c[0].Name != "com.root" || c[len(c)-1].Name != "com.missing" || len(c) != layers+2 {
			t.Errorf("chain %s does not run from com.root to com.missing", FormatChain(c))
		}
	}
}

func TestLockOfLocalAndGit(t *testing.T) {
	g := &Graph{Packages: []Package{
		{Name: "com.g", Version: "https://example.com/g.git", Source: lockfile.SourceGit, Hash: "abc", Registry: "ignored"},
		{Name: "com.l", Version: "file:../l", Source: lockfile.SourceLocal, Dependencies: deps("com.r@1.0.0")},
		{Name: "com.n", Version: "https://example.com/n.git", Source: lockfile.SourceGit},
		{Name: "com.r", Version: "1.0.0", Depth: 1, Source: lockfile.SourceRegistry, Registry: testRegistry, Hash: "ignored"},
	}}
	want := &lockfile.Lock{Entries: []lockfile.Entry{
		{Name: "com.g", Version: "https://example.com/g.git", Source: lockfile.SourceGit, Hash: "abc"},
		{Name: "com.l", Version: "file:../l", Source: lockfile.SourceLocal, Dependencies: []lockfile.Dep{{Name: "com.r", Version: "1.0.0"}}},
		{Name: "com.n", Version: "https://example.com/n.git", Source: lockfile.SourceGit},
		{Name: "com.r", Version: "1.0.0", Depth: 1, Source: lockfile.SourceRegistry, URL: testRegistry},
	}}
	if diff := cmp.Diff(want, g.Lock()); diff != "" {
		t.Errorf("Lock (-want +got):\n%s", diff)
	}
}
