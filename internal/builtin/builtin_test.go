package builtin

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/resolve"
)

// The resolver takes a *Set as its Builtins.
var _ resolve.Builtins = (*Set)(nil)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/<name>, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff)\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}

func mustFor(t *testing.T, editor string) *Set {
	t.Helper()
	s, err := ForEditor(editor)
	if err != nil {
		t.Fatalf("ForEditor(%q): %v", editor, err)
	}
	return s
}

// depStrings renders deps as "name@version" in order.
func depStrings(deps []manifest.Dependency) []string {
	out := []string{}
	for _, d := range deps {
		out = append(out, d.Name+"@"+d.Version)
	}
	return out
}

func mod(names ...string) []string {
	out := []string{}
	for _, n := range names {
		out = append(out, "com.unity.modules."+n+"@1.0.0")
	}
	return out
}

func TestForEditor(t *testing.T) {
	tests := []struct {
		editor     string
		line       string
		approx     bool
		noteHas    string
		testFwk    string // built-in version of com.unity.test-framework, "" = not built in
		uielements []string
	}{
		{"2019.4.40f1", "2020.3", true, "no built-in package data for Unity 2019.4; using Unity 2020.3, the oldest", "",
			mod("ui", "imgui", "jsonserialize", "uielementsnative")},
		{"2020.3.41f1", "2020.3", false, "recorded at 2020.3.41f1", "", mod("ui", "imgui", "jsonserialize", "uielementsnative")},
		{"2020.3.16f1c1", "2020.3", false, "recorded at 2020.3.41f1", "", mod("ui", "imgui", "jsonserialize", "uielementsnative")},
		{"2021.3", "2021.3", false, "unknown 2021.3 patch", "", mod("ui", "imgui", "jsonserialize", "uielementsnative")},
		{"2021.3.26f1", "2021.3", false, "unknown 2021.3 patch", "", mod("ui", "imgui", "jsonserialize", "uielementsnative")},
		{"2022.3.20f1", "2022.3", false, "unknown 2022.3 patch", "", mod("ui", "imgui", "jsonserialize")},
		{"2022.3.2t5", "2022.3", false, "unknown 2022.3 patch", "", mod("ui", "imgui", "jsonserialize")},
		{" 2022.3.62f1 ", "2022.3", false, "unknown 2022.3 patch", "", mod("ui", "imgui", "jsonserialize")},
		{"2023.1.5f1", "2022.3", true, "no built-in package data for Unity 2023.1; using Unity 2022.3, the nearest older line", "",
			mod("ui", "imgui", "jsonserialize")},
		{"2023.2", "2022.3", true, "Unity 2023.2", "", mod("ui", "imgui", "jsonserialize")},
		{"6000.0.0b4", "6000.0", false, "recorded at 6000.0.32f1", "", mod("ui", "imgui", "jsonserialize", "hierarchycore")},
		{"6000.0.23f1", "6000.0", false, "recorded at 6000.0.32f1", "", mod("ui", "imgui", "jsonserialize", "hierarchycore")},
		{"6000.0.52f1", "6000.0", false, "recorded at 6000.0.32f1", "", mod("ui", "imgui", "jsonserialize", "hierarchycore")},
		{"6000.0.53f1", "6000.0", false, "recorded at 6000.0.72f1", "1.6.0", mod("ui", "imgui", "jsonserialize", "hierarchycore")},
		{"6000.0.80f1", "6000.0", false, "recorded at 6000.0.72f1", "1.6.0", mod("ui", "imgui", "jsonserialize", "hierarchycore")},
		{"6000.0", "6000.0", false, "recorded at 6000.0.72f1", "1.6.0", mod("ui", "imgui", "jsonserialize", "hierarchycore")},
		{"6000.1.11f1", "6000.1", false, "unknown 6000.1 patch", "1.5.1", mod("ui", "imgui", "jsonserialize", "hierarchycore")},
		{"6000.2.7f2", "6000.2", false, "unknown 6000.2 patch", "1.6.0", mod("ui", "imgui", "jsonserialize", "hierarchycore", "physics")},
		{"6000.3.6f1", "6000.3", false, "recorded at 6000.3.6f1", "1.6.0", mod("ui", "imgui", "jsonserialize", "hierarchycore", "physics")},
		{"6000.4.8f1", "6000.3", true, "no built-in package data for Unity 6000.4; using Unity 6000.3, the newest line", "1.6.0",
			mod("ui", "imgui", "jsonserialize", "hierarchycore", "physics")},
		{"", "6000.3", true, "no editor version given; using Unity 6000.3", "1.6.0",
			mod("ui", "imgui", "jsonserialize", "hierarchycore", "physics")},
	}
	for _, tt := range tests {
		t.Run(tt.editor, func(t *testing.T) {
			s := mustFor(t, tt.editor)
			if s.Line() != tt.line || s.Approximate() != tt.approx {
				t.Errorf("Line, Approximate = %q, %v; want %q, %v", s.Line(), s.Approximate(), tt.line, tt.approx)
			}
			if !strings.Contains(s.Note(), tt.noteHas) {
				t.Errorf("Note() = %q; want it to contain %q", s.Note(), tt.noteHas)
			}
			if len(s.Sources()) == 0 {
				t.Error("Sources() is empty")
			}
			v, _, ok := s.Lookup("com.unity.test-framework")
			if v != tt.testFwk || ok != (tt.testFwk != "") {
				t.Errorf("test-framework = %q, %v; want %q", v, ok, tt.testFwk)
			}
			_, deps, ok := s.Lookup("com.unity.modules.uielements")
			if !ok || !slices.Equal(depStrings(deps), tt.uielements) {
				t.Errorf("uielements deps = %v, %v; want %v", depStrings(deps), ok, tt.uielements)
			}
		})
	}
}

func TestForEditorRejectsNonVersions(t *testing.T) {
	for _, in := range []string{"abc", "2022", "2022.x", "2022.3.", "2022.3.20f1 (abcdef)", "v2022.3", "-1.2", "6000.0.23q1"} {
		if s, err := ForEditor(in); err == nil {
			t.Errorf("ForEditor(%q) = %v, nil; want an error", in, s.Line())
		} else if !strings.Contains(err.Error(), "is not a Unity editor version") {
			t.Errorf("ForEditor(%q) error = %q", in, err)
		}
	}
}

// TestLookup pins dependency lists exactly as the public lock files list
// them (see data/*.json "sources").
func TestLookup(t *testing.T) {
	tests := []struct {
		editor, name, version string
		deps                  []string // nil: not built in
	}{
		{"2020.3.41f1", "com.unity.modules.uielementsnative", "1.0.0", mod("ui", "imgui", "jsonserialize")},
		{"2020.3.41f1", "com.unity.2d.tilemap", "1.0.0", []string{}},
		{"2020.3.41f1", "com.unity.render-pipelines.core", "", nil},
		{"2020.3.41f1", "com.unity.ugui", "1.0.0", mod("ui", "imgui")},
		{"2021.3", "com.unity.render-pipelines.universal", "12.1.7", []string{
			"com.unity.mathematics@1.2.1", "com.unity.burst@1.7.3",
			"com.unity.render-pipelines.core@12.1.7", "com.unity.shadergraph@12.1.7"}},
		{"2022.3", "com.unity.modules.uielementsnative", "", nil},
		{"2022.3", "com.unity.modules.hierarchycore", "", nil},
		{"2022.3", "com.unity.2d.tilemap", "1.0.0", mod("tilemap", "uielements")},
		{"2022.3", "com.unity.render-pipelines.core", "14.0.11", []string{
			"com.unity.ugui@1.0.0", "com.unity.modules.physics@1.0.0", "com.unity.modules.terrain@1.0.0",
			"com.unity.modules.jsonserialize@1.0.0"}},
		{"2022.3", "com.unity.modules.unitywebrequestwww", "1.0.0", mod("unitywebrequest", "unitywebrequestassetbundle",
			"unitywebrequestaudio", "audio", "assetbundle", "imageconversion")},
		{"2022.3", "com.unity.modules.xr", "1.0.0", mod("physics", "jsonserialize", "subsystems")},
		{"2022.3", "com.unity.modules.vr", "1.0.0", mod("jsonserialize", "physics", "xr")},
		{"6000.0.32f1", "com.unity.ugui", "2.0.0", mod("ui", "imgui")},
		{"6000.0.32f1", "com.unity.textmeshpro", "5.0.0", []string{"com.unity.ugui@2.0.0"}},
		{"6000.0.32f1", "com.unity.ext.nunit", "", nil},
		{"6000.0.32f1", "com.unity.visualeffectgraph", "17.0.3", []string{
			"com.unity.shadergraph@17.0.3", "com.unity.render-pipelines.core@17.0.3"}},
		{"6000.0.72f1", "com.unity.test-framework", "1.6.0", []string{
			"com.unity.ext.nunit@2.0.3", "com.unity.modules.imgui@1.0.0", "com.unity.modules.jsonserialize@1.0.0"}},
		{"6000.0.72f1", "com.unity.render-pipelines.core", "17.0.4", []string{
			"com.unity.burst@1.8.20", "com.unity.mathematics@1.3.2", "com.unity.ugui@2.0.0", "com.unity.collections@2.4.3",
			"com.unity.modules.physics@1.0.0", "com.unity.modules.terrain@1.0.0", "com.unity.modules.jsonserialize@1.0.0",
			"com.unity.rendering.light-transport@1.0.1"}},
		{"6000.1", "com.unity.render-pipelines.universal", "17.1.0", []string{
			"com.unity.render-pipelines.core@17.1.0", "com.unity.shadergraph@17.1.0",
			"com.unity.render-pipelines.universal-config@17.0.3"}},
		{"6000.2", "com.unity.shadergraph", "17.2.0", []string{
			"com.unity.render-pipelines.core@17.2.0", "com.unity.searcher@4.9.3"}},
		{"6000.3", "com.unity.modules.vectorgraphics", "1.0.0", mod("uielements", "imageconversion", "imgui")},
		{"6000.3", "com.unity.modules.adaptiveperformance", "1.0.0", mod("subsystems")},
		{"6000.3", "com.unity.multiplayer.center", "1.0.1", mod("uielements")},
		{"6000.2", "com.unity.modules.adaptiveperformance", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.editor+"/"+tt.name, func(t *testing.T) {
			v, deps, ok := mustFor(t, tt.editor).Lookup(tt.name)
			if tt.deps == nil {
				if ok {
					t.Fatalf("Lookup = %s %v; want not built in", v, depStrings(deps))
				}
				return
			}
			if !ok || v != tt.version || !slices.Equal(depStrings(deps), tt.deps) {
				t.Errorf("Lookup = %q %v %v; want %q %v", v, depStrings(deps), ok, tt.version, tt.deps)
			}
		})
	}
}

// TestNotBuiltInOnAnyLine pins claims the public lock files did not bear
// out: through 6000.3 these come from the registry.
func TestNotBuiltInOnAnyLine(t *testing.T) {
	lines, err := knownLines()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range lines {
		s := mustFor(t, k.String())
		for _, name := range []string{"com.unity.collections", "com.unity.burst", "com.unity.mathematics", "com.unity.timeline"} {
			if v, _, ok := s.Lookup(name); ok {
				t.Errorf("Unity %s: %s %s is built in; the public locks show it from the registry", k, name, v)
			}
		}
	}
}

func TestEveryLineHasTheCoreModules(t *testing.T) {
	lines, err := knownLines()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) < 7 {
		t.Fatalf("only %d lines of data: %v", len(lines), lines)
	}
	for _, k := range lines {
		s := mustFor(t, k.String())
		for _, name := range []string{"com.unity.modules.ai", "com.unity.modules.physics", "com.unity.modules.uielements", "com.unity.ugui"} {
			if _, _, ok := s.Lookup(name); !ok {
				t.Errorf("Unity %s has no %s", k, name)
			}
		}
	}
}

func TestLookupReturnsACopy(t *testing.T) {
	s := mustFor(t, "2022.3")
	_, deps, _ := s.Lookup("com.unity.modules.vr")
	deps[0].Name = "changed"
	_, again, _ := s.Lookup("com.unity.modules.vr")
	if again[0].Name != "com.unity.modules.jsonserialize" {
		t.Errorf("Lookup's slice aliases the Set: %v", again)
	}
}

func TestNilSet(t *testing.T) {
	var s *Set
	if _, _, ok := s.Lookup("com.unity.ugui"); ok {
		t.Error("nil Set has packages")
	}
	if n := s.Names(); n != nil {
		t.Errorf("nil Set Names() = %v", n)
	}
}

func TestNames(t *testing.T) {
	names := mustFor(t, "6000.3").Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}
	for _, want := range []string{"com.unity.modules.accessibility", "com.unity.render-pipelines.universal", "com.unity.ugui"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() lacks %s", want)
		}
	}
}

func TestIsModule(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"com.unity.modules.ai", true},
		{"com.unity.modules.uielementsnative", true},
		{"com.unity.modules.", false},
		{"com.unity.modules", false},
		{"com.unity.ugui", false},
		{"com.unity.modulesx.ai", false},
		{"Com.Unity.Modules.ai", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsModule(tt.name); got != tt.want {
			t.Errorf("IsModule(%q) = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckModule(t *testing.T) {
	s := mustFor(t, "2022.3.20f1")
	for _, name := range []string{"com.unity.modules.ai", "com.unity.ugui", "com.example.pkg"} {
		if err := s.CheckModule(name); err != nil {
			t.Errorf("CheckModule(%q) = %v; want nil", name, err)
		}
	}
	err := s.CheckModule("com.unity.modules.uielementsnative")
	var ume *UnknownModuleError
	if !errors.As(err, &ume) {
		t.Fatalf("CheckModule(uielementsnative) = %v; want *UnknownModuleError", err)
	}
	if ume.Name != "com.unity.modules.uielementsnative" || ume.Editor != "Unity 2022.3" || ume.Suggestion != "" ||
		!slices.Contains(ume.Known, "uielements") || slices.Contains(ume.Known, "uielementsnative") {
		t.Errorf("UnknownModuleError = %+v", ume)
	}
	if err := s.CheckModule("com.unity.modules.phisics"); !errors.As(err, &ume) || ume.Suggestion != "physics" {
		t.Errorf("CheckModule(phisics) = %v; want a suggestion of physics", err)
	}
}

// TestExplain pins the sentences users read (testdata/explain.golden).
func TestExplain(t *testing.T) {
	cases := []struct{ editor, name string }{
		{"2022.3.20f1", "com.unity.modules.foo"},
		{"2022.3.20f1", "com.unity.modules.uielement"},
		{"2022.3.20f1", "com.unity.ugui"},
		{"2022.3.20f1", "com.example.tools"},
		{"6000.0.23f1", "com.unity.modules.uielementsnative"},
		{"6000.0.23f1", "com.unity.ugui"},
		{"2023.2.5f1", "com.unity.modules.hierarchycore"},
		{"2023.2.5f1", "com.unity.render-pipelines.universal"},
		{"", "com.unity.test-framework"},
	}
	var b strings.Builder
	for _, c := range cases {
		b.WriteString(c.editor + " | " + c.name + "\n\t" + mustFor(t, c.editor).Explain(c.name) + "\n")
	}
	golden(t, "explain.golden", b.String())
}

func TestWith(t *testing.T) {
	s := mustFor(t, "2022.3")
	locked := Package{Name: "com.unity.render-pipelines.core", Version: "14.0.8", Dependencies: []manifest.Dependency{
		{Name: "com.unity.ugui", Version: "1.0.0"}}}
	extra := Package{Name: "com.unity.feature.characters-animation", Version: "1.0.0"}
	w := s.With(locked, extra)
	locked.Dependencies[0].Name = "changed" // With must keep its own copy

	if v, deps, _ := w.Lookup("com.unity.render-pipelines.core"); v != "14.0.8" || len(deps) != 1 || deps[0].Name != "com.unity.ugui" {
		t.Errorf("With: core = %s %v", v, deps)
	}
	if _, _, ok := w.Lookup(extra.Name); !ok {
		t.Error("With did not add a package")
	}
	if v, _, _ := s.Lookup("com.unity.render-pipelines.core"); v != "14.0.11" {
		t.Errorf("With changed the original Set: core = %s", v)
	}
	if _, _, ok := s.Lookup(extra.Name); ok {
		t.Error("With added to the original Set")
	}
	if w.Line() != s.Line() || w.Note() != s.Note() {
		t.Error("With lost Line or Note")
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"physics", "phisics", 1}, {"uielement", "uielements", 1}, {"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
