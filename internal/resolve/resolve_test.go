package resolve

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// strategyCatalog has one package, com.c, with patch, minor, major and
// pre-release versions, and com.a/com.z that ask for com.c/com.zero
// indirectly.
func strategyCatalog() map[string][]VersionInfo {
	return map[string][]VersionInfo{
		"com.a": {ver("1.0.0", "com.c@1.1.0")},
		"com.c": {
			ver("1.0.0"), ver("1.1.0"), ver("1.1.5"), ver("1.2.0"), ver("1.3.0-pre.1"),
			ver("2.0.0"), ver("2.1.0-pre.1"),
		},
		"com.z":    {ver("1.0.0", "com.zero@0.1.0")},
		"com.zero": {ver("0.1.0"), ver("0.1.3"), ver("0.2.0"), ver("1.0.0")},
		"com.p":    {ver("1.0.0", "com.pre@2.0.0-pre.1")},
		"com.pre":  {ver("2.0.0-pre.1"), ver("2.0.0-pre.2"), ver("2.0.1-pre.1")},
		"com.b":    {ver("1.0.0", "com.c@2.1.0-pre.1")},
	}
}

// editorCatalog has versions of com.c for ever newer editors; the project
// editor in those cases is 2022.3.20f1.
func editorCatalog() map[string][]VersionInfo {
	return map[string][]VersionInfo{
		"com.a": {ver("1.0.0", "com.c@1.1.0")},
		"com.b": {ver("1.0.0", "com.c@1.1.5")},
		"com.c": {
			needs(ver("1.1.0"), "2021.3", ""),
			needs(ver("1.1.4"), "2022.3", "10f1"),
			needs(ver("1.1.5"), "2022.3", "21f1"),
			needs(ver("1.1.6"), "2023.1", ""),
		},
	}
}

func TestResolveRules(t *testing.T) {
	tests := []struct {
		name     string
		manifest *manifest.Manifest
		catalog  map[string][]VersionInfo
		locals   map[string]LocalPackage
		builtins fakeBuiltins
		lock     *lockfile.Lock
		editor   string
		want     []string
		// warnings by package name; packages not listed must have none.
		warnings map[string][]string
		// notFetched must never be asked of the catalog.
		notFetched []string
	}{
		{
			name:     "rule1/embedded overrides a registry request",
			manifest: man("", "com.a@1.0.0", "com.b@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0"), ver("2.0.0")},
				"com.b": {ver("1.0.0", "com.a@2.0.0")},
				"com.c": {ver("1.0.0")},
			},
			locals: map[string]LocalPackage{
				"com.a": {Source: lockfile.SourceEmbedded, Version: "file:com.a", Dependencies: deps("com.c@1.0.0")},
			},
			want: []string{
				"com.a file:com.a embedded 0",
				"com.b 1.0.0 registry 0",
				"com.c 1.0.0 registry 1",
			},
			notFetched: []string{"com.a"},
		},
		{
			name:     "rule1/embedded package the manifest does not list is a root",
			manifest: man("", "com.b@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.b": {ver("1.0.0", "com.e@3.0.0")},
				"com.c": {ver("1.0.0")},
			},
			locals: map[string]LocalPackage{
				"com.e": {Source: lockfile.SourceEmbedded, Dependencies: deps("com.c@1.0.0")},
			},
			want: []string{
				"com.b 1.0.0 registry 0",
				"com.c 1.0.0 registry 1",
				"com.e file:com.e embedded 0",
			},
			notFetched: []string{"com.e"},
		},
		{
			name:     "rule1/file: folder overrides registry requests",
			manifest: man("", "com.a@file:../a", "com.b@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("3.0.0")},
				"com.b": {ver("1.0.0", "com.a@3.0.0")},
				"com.c": {ver("1.0.0")},
			},
			locals: map[string]LocalPackage{
				"com.a": {Source: lockfile.SourceLocal, Version: "file:../a", Dependencies: deps("com.c@1.0.0")},
			},
			want: []string{
				"com.a file:../a local 0",
				"com.b 1.0.0 registry 0",
				"com.c 1.0.0 registry 1",
			},
			notFetched: []string{"com.a"},
		},
		{
			name:     "rule1/file: tarball is a local-tarball",
			manifest: man("", "com.t@file:../tarballs/com.t-1.0.0.tgz"),
			locals: map[string]LocalPackage{
				"com.t": {Source: lockfile.SourceLocalTarball, Version: "file:../tarballs/com.t-1.0.0.tgz"},
			},
			want: []string{"com.t file:../tarballs/com.t-1.0.0.tgz local-tarball 0"},
		},
		{
			name:     "rule1/the caller's source of a file: package wins over its suffix",
			manifest: man("", "com.t@file:../packed/com.t", "com.u@file:../u.tgz"),
			locals: map[string]LocalPackage{
				"com.t": {Source: lockfile.SourceLocalTarball, Version: "file:../packed/com.t"},
				"com.u": {},
			},
			want: []string{
				"com.t file:../packed/com.t local-tarball 0",
				"com.u file:../u.tgz local-tarball 0",
			},
		},
		{
			name: "rule1/git URL wins and has dependencies only when given",
			manifest: man("", "com.b@1.0.0", "com.g@https://example.com/g.git?path=/pkg#v1.0.0",
				"com.h@git@example.com:team/h.git"),
			catalog: map[string][]VersionInfo{
				"com.b": {ver("1.0.0", "com.g@2.0.0")},
				"com.c": {ver("1.0.0")},
				"com.g": {ver("2.0.0")},
			},
			locals: map[string]LocalPackage{
				"com.h": {Source: lockfile.SourceGit, Dependencies: deps("com.c@1.0.0"), Hash: "0123456789abcdef0123456789abcdef01234567"},
			},
			want: []string{
				"com.b 1.0.0 registry 0",
				"com.c 1.0.0 registry 1",
				"com.g https://example.com/g.git?path=/pkg#v1.0.0 git 0",
				"com.h git@example.com:team/h.git git 0",
			},
			notFetched: []string{"com.g", "com.h"},
		},
		{
			name:     "rule1/builtin wins over a version request",
			manifest: man("", "com.unity.ugui@1.0.0", "com.a@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a":          {ver("1.0.0", "com.unity.ugui@3.0.0")},
				"com.unity.ugui": {ver("1.0.0"), ver("3.0.0")},
			},
			builtins: fakeBuiltins{
				"com.unity.ugui":       "2.0.0 com.unity.modules.ui@1.0.0",
				"com.unity.modules.ui": "1.0.0",
			},
			want: []string{
				"com.a 1.0.0 registry 0",
				"com.unity.ugui 2.0.0 builtin 0",
				"com.unity.modules.ui 1.0.0 builtin 1",
			},
			notFetched: []string{"com.unity.ugui", "com.unity.modules.ui"},
		},
		{
			name:     "rule1/embedded wins over builtin",
			manifest: man("", "com.unity.render-pipelines.core@14.0.9"),
			locals: map[string]LocalPackage{
				"com.unity.render-pipelines.core": {Source: lockfile.SourceEmbedded, Version: "file:com.unity.render-pipelines.core"},
			},
			builtins: fakeBuiltins{"com.unity.render-pipelines.core": "14.0.10"},
			want:     []string{"com.unity.render-pipelines.core file:com.unity.render-pipelines.core embedded 0"},
		},
		{
			name:     "rule2/highest requested wins over the direct version",
			manifest: man("", "com.unity.xr.management@4.0.3", "com.unity.xr.openxr@1.2.0"),
			catalog: map[string][]VersionInfo{
				"com.unity.xr.management": {ver("4.0.3"), ver("4.0.6"), ver("4.2.0")},
				"com.unity.xr.openxr":     {ver("1.2.0", "com.unity.xr.management@4.0.6")},
			},
			want: []string{
				"com.unity.xr.management 4.0.6 registry 1", // raised by openxr (depth 0): depth 1, as Unity writes
				"com.unity.xr.openxr 1.2.0 registry 0",
			},
		},
		{
			name:     "rule2/diamond takes the higher of two requests",
			manifest: man("", "com.a@1.0.0", "com.b@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.c@1.0.0")},
				"com.b": {ver("1.0.0", "com.c@1.2.0")},
				"com.c": {ver("1.0.0"), ver("1.1.0"), ver("1.2.0"), ver("1.3.0")},
			},
			want: []string{
				"com.a 1.0.0 registry 0",
				"com.b 1.0.0 registry 0",
				"com.c 1.2.0 registry 1",
			},
		},
		{
			name:     "rule2/conflicting requests across majors: the highest wins",
			manifest: man("", "com.a@1.0.0", "com.b@1.0.0", "com.d@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.c@1.0.0")},
				"com.b": {ver("1.0.0", "com.c@2.0.0")},
				"com.d": {ver("1.0.0", "com.c@1.5.0")},
				"com.c": {ver("1.0.0"), ver("1.5.0"), ver("2.0.0"), ver("3.0.0")},
			},
			want: []string{
				"com.a 1.0.0 registry 0",
				"com.b 1.0.0 registry 0",
				"com.c 2.0.0 registry 1",
				"com.d 1.0.0 registry 0",
			},
		},
		{
			name:     "rule3/lock retained when at or above every request",
			manifest: man("", "com.a@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a":              {ver("1.0.0", "com.unity.timeline@1.0.0")},
				"com.unity.timeline": {ver("1.0.0"), ver("1.6.2"), ver("1.7.0")},
			},
			lock: lockOf("com.unity.timeline@1.6.2"),
			want: []string{"com.a 1.0.0 registry 0", "com.unity.timeline 1.6.2 registry 1"},
		},
		{
			name:     "rule3/a direct request wins over a higher lock",
			manifest: man("", "com.unity.timeline@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.unity.timeline": {ver("1.0.0"), ver("1.6.2"), ver("1.7.0")},
			},
			lock: lockOf("com.unity.timeline@1.6.2"),
			want: []string{"com.unity.timeline 1.0.0 registry 0"},
		},
		{
			name:     "rule3/lock dropped when a request goes above it",
			manifest: man("", "com.unity.timeline@1.0.0", "com.a@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a":              {ver("1.0.0", "com.unity.timeline@1.7.0")},
				"com.unity.timeline": {ver("1.0.0"), ver("1.6.2"), ver("1.7.0"), ver("1.8.0")},
			},
			lock: lockOf("com.unity.timeline@1.6.2", "com.a@1.0.0"),
			want: []string{
				"com.a 1.0.0 registry 0",
				"com.unity.timeline 1.7.0 registry 1",
			},
		},
		{
			name:     "rule3/lock from another registry is not kept",
			manifest: man("", "com.unity.timeline@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.unity.timeline": {ver("1.0.0"), ver("1.6.2")},
			},
			lock: &lockfile.Lock{Entries: []lockfile.Entry{{
				Name: "com.unity.timeline", Version: "1.6.2", Source: lockfile.SourceRegistry, URL: "http://127.0.0.1:9999",
			}}},
			want: []string{"com.unity.timeline 1.0.0 registry 0"},
		},
		{
			name:     "rule3/lock of a version the registry no longer has is not kept",
			manifest: man("", "com.unity.timeline@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.unity.timeline": {ver("1.0.0"), ver("1.6.2")},
			},
			lock: lockOf("com.unity.timeline@1.6.3"),
			want: []string{"com.unity.timeline 1.0.0 registry 0"},
		},
		{
			name:     "rule3/lock retained over a strategy window",
			manifest: man(StrategyHighest, "com.a@1.0.0"),
			catalog:  strategyCatalog(),
			lock:     lockOf("com.c@1.1.5"),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.5 registry 1"},
		},
		{
			name:     "rule4/lowest takes exactly the highest request",
			manifest: man(StrategyLowest, "com.a@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.0 registry 1"},
		},
		{
			name:     "rule4/no strategy is lowest",
			manifest: man("", "com.a@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.0 registry 1"},
		},
		{
			name:     "rule4/highestPatch widens an indirect request to its minor",
			manifest: man(StrategyHighestPatch, "com.a@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.5 registry 1"},
		},
		{
			name:     "rule4/highestMinor widens to the major and skips pre-releases",
			manifest: man(StrategyHighestMinor, "com.a@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.2.0 registry 1"},
		},
		{
			name:     "rule4/highestMinor below 1.0.0 acts like highestPatch",
			manifest: man(StrategyHighestMinor, "com.z@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.z 1.0.0 registry 0", "com.zero 0.1.3 registry 1"},
		},
		{
			name:     "rule4/highest takes the highest stable release",
			manifest: man(StrategyHighest, "com.a@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 2.0.0 registry 1"},
		},
		{
			name:     "rule4/a direct dependency is never widened",
			manifest: man(StrategyHighest, "com.c@1.1.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.c 1.1.0 registry 0"},
		},
		{
			name:     "rule4/a direct dependency loses to a higher indirect request but is not widened",
			manifest: man(StrategyHighest, "com.c@1.0.0", "com.a@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.0 registry 1"},
		},
		{
			name:     "rule4/an explicit pre-release request is honoured",
			manifest: man(StrategyHighest, "com.b@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.b 1.0.0 registry 0", "com.c 2.1.0-pre.1 registry 1"},
		},
		{
			name:     "rule4/a direct pre-release is honoured",
			manifest: man(StrategyHighest, "com.c@1.3.0-pre.1"),
			catalog:  strategyCatalog(),
			want:     []string{"com.c 1.3.0-pre.1 registry 0"},
		},
		{
			name:     "rule4/a pre-release request moves only within its own version",
			manifest: man(StrategyHighestPatch, "com.p@1.0.0"),
			catalog:  strategyCatalog(),
			want:     []string{"com.p 1.0.0 registry 0", "com.pre 2.0.0-pre.2 registry 1"},
		},
		{
			name:     "rule5/a window skips editor-incompatible versions",
			manifest: man(StrategyHighestPatch, "com.a@1.0.0"),
			catalog:  editorCatalog(),
			editor:   "2022.3.20f1",
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.4 registry 1"},
		},
		{
			name:     "rule5/without an editor version nothing is skipped",
			manifest: man(StrategyHighestPatch, "com.a@1.0.0"),
			catalog:  editorCatalog(),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.6 registry 1"},
		},
		{
			name:     "rule5/an explicit incompatible version is kept with a warning",
			manifest: man(StrategyHighestPatch, "com.c@1.1.6"),
			catalog:  editorCatalog(),
			editor:   "2022.3.20f1",
			want:     []string{"com.c 1.1.6 registry 0"},
			warnings: map[string][]string{
				"com.c": {"needs Unity 2023.1 or later; the project's editor is 2022.3.20f1"},
			},
		},
		{
			name:     "rule5/a window with nothing compatible installs the request with a warning",
			manifest: man(StrategyHighest, "com.b@1.0.0"),
			catalog:  editorCatalog(),
			editor:   "2022.3.20f1",
			want:     []string{"com.b 1.0.0 registry 0", "com.c 1.1.5 registry 1"},
			warnings: map[string][]string{
				"com.c": {"needs Unity 2022.3.21f1 or later; the project's editor is 2022.3.20f1"},
			},
		},
		{
			name:     "rule5/a locked version above every request must suit the editor",
			manifest: man("", "com.a@1.0.0"),
			catalog:  editorCatalog(),
			editor:   "2022.3.20f1",
			lock:     lockOf("com.c@1.1.6"),
			want:     []string{"com.a 1.0.0 registry 0", "com.c 1.1.0 registry 1"},
		},
		{
			name:     "rule6/only built-in modules reachable from the manifest appear",
			manifest: man("", "com.unity.ugui@1.0.0"),
			builtins: fakeBuiltins{
				"com.unity.ugui":            "1.0.0 com.unity.modules.ui@1.0.0 com.unity.modules.imgui@1.0.0",
				"com.unity.modules.ui":      "1.0.0",
				"com.unity.modules.imgui":   "1.0.0",
				"com.unity.modules.physics": "1.0.0",
				"com.unity.modules.audio":   "1.0.0",
			},
			want: []string{
				"com.unity.ugui 1.0.0 builtin 0",
				"com.unity.modules.imgui 1.0.0 builtin 1",
				"com.unity.modules.ui 1.0.0 builtin 1",
			},
			notFetched: []string{"com.unity.ugui", "com.unity.modules.ui", "com.unity.modules.imgui"},
		},
		{
			name:     "rule7/a dependency is dropped when the version requiring it changes",
			manifest: man("", "com.a@1.0.0", "com.b@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.x@1.0.0"), ver("2.0.0", "com.y@1.0.0")},
				"com.b": {ver("1.0.0", "com.a@2.0.0")},
				"com.x": {ver("1.0.0")},
				"com.y": {ver("1.0.0")},
			},
			want: []string{
				"com.a 2.0.0 registry 1",
				"com.b 1.0.0 registry 0",
				"com.y 1.0.0 registry 2",
			},
		},
		{
			name:     "rule7/depth is the shortest distance from the manifest",
			manifest: man("", "com.a@1.0.0", "com.e@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.b@1.0.0")},
				"com.b": {ver("1.0.0", "com.c@1.0.0")},
				"com.c": {ver("1.0.0", "com.d@1.0.0")},
				"com.d": {ver("1.0.0")},
				"com.e": {ver("1.0.0", "com.d@1.0.0")},
			},
			want: []string{
				"com.a 1.0.0 registry 0",
				"com.b 1.0.0 registry 1",
				"com.c 1.0.0 registry 2",
				"com.d 1.0.0 registry 1",
				"com.e 1.0.0 registry 0",
			},
		},
		{
			name:     "rule7/a dependency cycle resolves",
			manifest: man("", "com.a@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.b@1.0.0")},
				"com.b": {ver("1.0.0", "com.a@1.0.0")},
			},
			want: []string{"com.a 1.0.0 registry 0", "com.b 1.0.0 registry 1"},
		},
		{
			// A 1.0.0 asks B 2.0.0, which asks A 2.0.0, which asks only
			// B 1.0.0, which asks nothing: choosing afresh each round would
			// cycle forever; the choice settles on the higher versions.
			name:     "rule7/oscillating requests settle on the higher versions",
			manifest: man("", "com.a@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.a": {ver("1.0.0", "com.b@2.0.0"), ver("2.0.0", "com.b@1.0.0")},
				"com.b": {ver("1.0.0"), ver("2.0.0", "com.a@2.0.0")},
			},
			want: []string{"com.a 2.0.0 registry 0", "com.b 2.0.0 registry 1"},
		},
		{
			name:     "order/com.unity.modules last, the rest alphabetical",
			manifest: man("", "com.unity.modules.ai@1.0.0", "com.zeta@1.0.0", "com.alpha@1.0.0", "com.unity.timeline@1.0.0"),
			catalog: map[string][]VersionInfo{
				"com.zeta":           {ver("1.0.0")},
				"com.alpha":          {ver("1.0.0")},
				"com.unity.timeline": {ver("1.0.0")},
			},
			builtins: fakeBuiltins{"com.unity.modules.ai": "1.0.0"},
			want: []string{
				"com.alpha 1.0.0 registry 0",
				"com.unity.timeline 1.0.0 registry 0",
				"com.zeta 1.0.0 registry 0",
				"com.unity.modules.ai 1.0.0 builtin 0",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := &fakeCatalog{pkgs: tt.catalog}
			in := Input{Manifest: tt.manifest, Lock: tt.lock, EditorVersion: tt.editor, Locals: tt.locals, Catalog: cat}
			if tt.builtins != nil {
				in.Builtins = tt.builtins
			}
			g, err := Resolve(context.Background(), in)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if diff := cmp.Diff(tt.want, summary(g)); diff != "" {
				t.Errorf("graph (-want +got):\n%s", diff)
			}
			for _, p := range g.Packages {
				if diff := cmp.Diff(tt.warnings[p.Name], p.Warnings); diff != "" {
					t.Errorf("%s warnings (-want +got):\n%s", p.Name, diff)
				}
			}
			for _, name := range tt.notFetched {
				if slices.Contains(cat.calls, name) {
					t.Errorf("the catalog was asked for %s (calls %v)", name, cat.calls)
				}
			}
		})
	}
}

// TestResolvePackageFields checks what a Package carries besides its
// version: registry, dist, declared dependencies, hash, requests.
func TestResolvePackageFields(t *testing.T) {
	cat := &fakeCatalog{
		pkgs: map[string][]VersionInfo{
			"com.a": {{Version: "1.0.0", Dependencies: deps("com.c@1.0.0", "com.b@1.0.0"), Deprecated: "use com.z"}},
			"com.b": {ver("1.0.0"), ver("1.1.0")},
			"com.c": {ver("1.0.0", "com.b@1.1.0")},
		},
		registries: map[string]string{"com.c": "https://c.example.com"},
	}
	m := man("", "com.a@1.0.0", "com.g@https://example.com/g.git#main")
	locals := map[string]LocalPackage{"com.g": {Source: lockfile.SourceGit, Hash: "89abcdef0123456789abcdef0123456789abcdef"}}
	g, err := Resolve(context.Background(), Input{Manifest: m, Locals: locals, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{
		{
			Name: "com.a", Version: "1.0.0", Source: lockfile.SourceRegistry, Depth: 0,
			Dependencies: deps("com.c@1.0.0", "com.b@1.0.0"),
			Registry:     testRegistry,
			Dist:         Dist{Tarball: testRegistry + "/com.a/-/com.a-1.0.0.tgz", Integrity: "sha512-com.a@1.0.0"},
			Deprecated:   "use com.z",
			Requests:     []Request{{Version: "1.0.0"}},
		},
		{
			// com.a's request for 1.0.0 lost to com.c's 1.1.0, but a
			// package's request counts whatever it asks (only the
			// manifest's must ask for the selected version).
			Name: "com.b", Version: "1.1.0", Source: lockfile.SourceRegistry, Depth: 1,
			Registry: testRegistry,
			Dist:     Dist{Tarball: testRegistry + "/com.b/-/com.b-1.1.0.tgz", Integrity: "sha512-com.b@1.1.0"},
			Requests: []Request{
				{From: "com.a", FromVersion: "1.0.0", Version: "1.0.0"},
				{From: "com.c", FromVersion: "1.0.0", Version: "1.1.0"},
			},
		},
		{
			Name: "com.c", Version: "1.0.0", Source: lockfile.SourceRegistry, Depth: 1,
			Dependencies: deps("com.b@1.1.0"),
			Registry:     "https://c.example.com",
			Dist:         Dist{Tarball: "https://c.example.com/com.c/-/com.c-1.0.0.tgz", Integrity: "sha512-com.c@1.0.0"},
			Requests:     []Request{{From: "com.a", FromVersion: "1.0.0", Version: "1.0.0"}},
		},
		{
			Name: "com.g", Version: "https://example.com/g.git#main", Source: lockfile.SourceGit, Depth: 0,
			Hash:     "89abcdef0123456789abcdef0123456789abcdef",
			Requests: []Request{{Version: "https://example.com/g.git#main"}},
		},
	}
	if diff := cmp.Diff(want, g.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}

// TestResolvePrefetch checks that a Prefetcher sees each new batch of
// registry names before Versions is asked for them, once each.
func TestResolvePrefetch(t *testing.T) {
	cat := &prefetchCatalog{fakeCatalog: fakeCatalog{pkgs: map[string][]VersionInfo{
		"com.a": {ver("1.0.0", "com.c@1.0.0")},
		"com.b": {ver("1.0.0", "com.c@1.0.0", "com.d@1.0.0", "com.unity.modules.ui@1.0.0")},
		"com.c": {ver("1.0.0", "com.a@1.0.0")},
		"com.d": {ver("1.0.0")},
	}}}
	in := Input{
		Manifest: man("", "com.a@1.0.0", "com.b@1.0.0", "com.l@file:../l"),
		Locals:   map[string]LocalPackage{"com.l": {Source: lockfile.SourceLocal}},
		Builtins: fakeBuiltins{"com.unity.modules.ui": "1.0.0"},
		Catalog:  cat,
	}
	if _, err := Resolve(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"com.a", "com.b"}, {"com.c", "com.d"}}, cat.batches); diff != "" {
		t.Errorf("prefetch batches (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"com.a", "com.b", "com.c", "com.d"}, cat.calls); diff != "" {
		t.Errorf("Versions calls (-want +got):\n%s", diff)
	}
}

// TestResolveDeterministic resolves the same input twice with the manifest
// in another order and expects the same graph.
func TestResolveDeterministic(t *testing.T) {
	catalog := map[string][]VersionInfo{
		"com.a": {ver("1.0.0", "com.c@1.0.0", "com.d@1.0.0")},
		"com.b": {ver("1.0.0", "com.d@1.1.0", "com.c@1.2.0")},
		"com.c": {ver("1.0.0"), ver("1.2.0", "com.d@1.0.0")},
		"com.d": {ver("1.0.0"), ver("1.1.0")},
	}
	one, err := Resolve(context.Background(), Input{Manifest: man("", "com.a@1.0.0", "com.b@1.0.0"), Catalog: &fakeCatalog{pkgs: catalog}})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Resolve(context.Background(), Input{Manifest: man("", "com.b@1.0.0", "com.a@1.0.0"), Catalog: &fakeCatalog{pkgs: catalog}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(summary(one), summary(two)); diff != "" {
		t.Errorf("graphs differ with the manifest reordered (-first +second):\n%s", diff)
	}
}

// TestResolveUsesParsedSpec: the resolver reads what the manifest parser
// (or a packument's reader) made of each value, Spec and SpecErr, and never
// parses Version again; values built here disagree with their Version on
// purpose to show which one is read.
func TestResolveUsesParsedSpec(t *testing.T) {
	git := manifest.Dependency{Name: "com.g", Version: "1.0.0", Line: 3, Column: 5,
		Spec: manifest.Spec{Kind: manifest.SpecGit, URL: "https://example.com/g.git"}}
	m := &manifest.Manifest{Path: "Packages/manifest.json", Dependencies: []manifest.Dependency{git}}
	g, err := Resolve(context.Background(), Input{Manifest: m, Catalog: &fakeCatalog{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Packages) != 1 || g.Packages[0].Source != lockfile.SourceGit {
		t.Errorf("packages %+v; want com.g from Git, as its Spec says", g.Packages)
	}

	// A value the parser kept with its error is reported at its position,
	// with the parser's message.
	bad := manifest.Dependency{Name: "com.a", Version: "1.0.0", Line: 4, Column: 7, SpecErr: errors.New("the parser's message")}
	m.Dependencies = []manifest.Dependency{bad}
	_, err = Resolve(context.Background(), Input{Manifest: m, Catalog: &fakeCatalog{pkgs: map[string][]VersionInfo{"com.a": {ver("1.0.0")}}}})
	var pe *manifest.ParseError
	if !errors.As(err, &pe) || err.Error() != "Packages/manifest.json:4:7: com.a: the parser's message" {
		t.Errorf("err = %v; want the parser's message at 4:7", err)
	}

	// A packument's dependency says why its value is not a version with
	// the message its reader parsed.
	dep := manifest.Dependency{Name: "com.b", Version: "not-a-version", SpecErr: errors.New("the reader's message")}
	cat := &fakeCatalog{pkgs: map[string][]VersionInfo{
		"com.a": {{Version: "1.0.0", Dependencies: []manifest.Dependency{dep}}},
		"com.b": {ver("1.0.0")},
	}}
	_, err = Resolve(context.Background(), Input{Manifest: man("", "com.a@1.0.0"), Catalog: cat})
	var se *SpecError
	if !errors.As(err, &se) || se.Msg != "the reader's message" {
		t.Errorf("err = %v; want a *SpecError with the reader's message", err)
	}
}
