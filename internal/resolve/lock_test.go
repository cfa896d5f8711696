package resolve

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/textdiff"
)

// update rewrites the golden files: go test ./internal/resolve -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// readGolden returns the golden file at path, first writing got there with
// -update.
func readGolden(t *testing.T, path string, got []byte) []byte {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	return want
}

// checkOutcome compares a resolution's outcome (see outcome) with the
// golden file path, reporting a unified diff.
func checkOutcome(t *testing.T, path, got string) {
	t.Helper()
	if want := readGolden(t, path, []byte(got)); got != string(want) {
		t.Fatalf("the resolution differs from %s:\n%s", path, textdiff.Unified(path, "got", want, []byte(got)))
	}
}

const unityRegistry = "https://packages.unity.com"

// projectInput is a Unity-like project with every kind of source: a scoped
// registry, Unity's registry, built-in packages and modules, file: folder
// and tarball, Git, an embedded package, a lock Unity wrote and a strategy.
func projectInput() (Input, *fakeCatalog) {
	cat := &fakeCatalog{
		pkgs: map[string][]VersionInfo{
			"com.example.tools": {
				ver("1.1.0"),
				ver("1.2.0", "com.example.core@1.0.0", "com.unity.nuget.newtonsoft-json@3.0.2"),
			},
			"com.example.core":                {ver("1.0.0"), ver("1.0.4"), ver("1.1.0")},
			"com.unity.collab-proxy":          {ver("2.0.5"), ver("2.0.7")},
			"com.unity.ide.rider":             {ver("3.0.24", "com.unity.ext.nunit@1.0.6")},
			"com.unity.ext.nunit":             {ver("1.0.6"), ver("1.0.7"), needs(ver("2.0.5"), "2023.1", "")},
			"com.unity.textmeshpro":           {ver("3.0.6", "com.unity.ugui@1.0.0")},
			"com.unity.timeline":              {ver("1.0.0"), ver("1.6.2", "com.unity.modules.director@1.0.0", "com.unity.modules.animation@1.0.0", "com.unity.modules.audio@1.0.0", "com.unity.modules.particlesystem@1.0.0"), ver("1.7.6")},
			"com.unity.test-framework":        {ver("1.1.33", "com.unity.ext.nunit@1.0.6", "com.unity.modules.imgui@1.0.0", "com.unity.modules.jsonserialize@1.0.0")},
			"com.unity.nuget.newtonsoft-json": {ver("3.0.2"), ver("3.2.1"), ver("3.2.2")},
		},
		registries: map[string]string{"com.example.tools": testRegistry, "com.example.core": testRegistry},
	}
	for name := range cat.pkgs {
		if _, ok := cat.registries[name]; !ok {
			cat.registries[name] = unityRegistry
		}
	}
	builtins := fakeBuiltins{
		"com.unity.ugui":                    "1.0.0 com.unity.modules.ui@1.0.0 com.unity.modules.imgui@1.0.0",
		"com.unity.modules.ai":              "1.0.0",
		"com.unity.modules.animation":       "1.0.0",
		"com.unity.modules.audio":           "1.0.0",
		"com.unity.modules.director":        "1.0.0 com.unity.modules.audio@1.0.0 com.unity.modules.animation@1.0.0",
		"com.unity.modules.imgui":           "1.0.0",
		"com.unity.modules.jsonserialize":   "1.0.0",
		"com.unity.modules.particlesystem":  "1.0.0",
		"com.unity.modules.physics":         "1.0.0",
		"com.unity.modules.ui":              "1.0.0",
		"com.unity.modules.uielements":      "1.0.0 com.unity.modules.ui@1.0.0",
		"com.unity.render-pipelines.core":   "14.0.10",
		"com.unity.modules.vehicles":        "1.0.0 com.unity.modules.physics@1.0.0",
		"com.unity.modules.unitywebrequest": "1.0.0",
	}
	m := man(StrategyHighestPatch,
		"com.example.tools@1.2.0",
		"com.mycompany.gitpkg@https://example.com/team/gitpkg.git#v2.0.0",
		"com.mycompany.local@file:../LocalPackages/com.mycompany.local",
		"com.mycompany.tar@file:../Tarballs/com.mycompany.tar-1.0.0.tgz",
		"com.unity.collab-proxy@2.0.5",
		"com.unity.ide.rider@3.0.24",
		"com.unity.test-framework@1.1.33",
		"com.unity.textmeshpro@3.0.6",
		"com.unity.timeline@1.0.0",
		"com.unity.ugui@1.0.0",
		"com.unity.modules.ai@1.0.0",
		"com.unity.modules.physics@1.0.0",
	)
	locals := map[string]LocalPackage{
		"com.mycompany.gitpkg": {
			Source: lockfile.SourceGit, Hash: "4c5a0b7e9d1f2a3b4c5d6e7f8091a2b3c4d5e6f7",
			Dependencies: deps("com.unity.modules.uielements@1.0.0"),
		},
		"com.mycompany.local": {
			Source: lockfile.SourceLocal, Version: "file:../LocalPackages/com.mycompany.local",
			Dependencies: deps("com.example.core@1.0.0"),
		},
		"com.mycompany.tar": {
			Source: lockfile.SourceLocalTarball, Version: "file:../Tarballs/com.mycompany.tar-1.0.0.tgz",
		},
		"com.mycompany.embedded": {
			Source: lockfile.SourceEmbedded, Version: "file:com.mycompany.embedded",
			Dependencies: deps("com.unity.nuget.newtonsoft-json@3.2.1", "com.unity.modules.vehicles@1.0.0"),
		},
	}
	lock := &lockfile.Lock{Entries: []lockfile.Entry{
		// Locked above the manifest's 1.0.0, which nothing else asks more
		// than: the direct request wins (no real lock keeps a direct
		// dependency above every request).
		{Name: "com.unity.timeline", Version: "1.6.2", Source: lockfile.SourceRegistry, URL: unityRegistry},
		// Locked below the new request: replaced.
		{Name: "com.unity.nuget.newtonsoft-json", Version: "3.0.2", Depth: 1, Source: lockfile.SourceRegistry, URL: unityRegistry},
	}}
	return Input{
		Manifest:      m,
		Lock:          lock,
		EditorVersion: "2022.3.20f1",
		Locals:        locals,
		Builtins:      builtins,
		Catalog:       cat,
	}, cat
}

func TestGraphLockGolden(t *testing.T) {
	in, _ := projectInput()
	g, err := Resolve(context.Background(), in)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	got := g.Lock()
	golden := filepath.Join("testdata", "lock", "project.golden.json")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	data := readGolden(t, golden, buf.Bytes())
	var want lockfile.Lock
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("decode %s: %v", golden, err)
	}
	if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("lock (-%s +got):\n%s", golden, diff)
	}
	for _, p := range g.Packages {
		if len(p.Warnings) != 0 {
			t.Errorf("%s: unexpected warnings %q", p.Name, p.Warnings)
		}
	}
}

func TestKeepDepths(t *testing.T) {
	g := &Graph{Packages: []Package{
		{Name: "com.a", Version: "1.0.0", Source: lockfile.SourceRegistry, Registry: unityRegistry, Depth: 0,
			Dependencies: []manifest.Dependency{{Name: "com.b", Version: "1.0.0"}}},
		{Name: "com.b", Version: "1.0.0", Source: lockfile.SourceRegistry, Registry: unityRegistry, Depth: 1},
	}}
	old := g.Lock()
	old.Entries[1].Depth = 3
	if !g.KeepDepths(old) || g.Packages[1].Depth != 3 {
		t.Errorf("an unchanged graph did not take the lock's depth: %+v", g.Packages[1])
	}
	old.Entries[1].Depth = 5
	old.Entries[1].Version = "1.0.1"
	if g.KeepDepths(old) || g.Packages[1].Depth != 3 {
		t.Errorf("a changed graph took the lock's depth: %+v", g.Packages[1])
	}
	if g.KeepDepths(nil) || g.KeepDepths(&lockfile.Lock{}) {
		t.Error("no lock, or another number of entries")
	}
}
