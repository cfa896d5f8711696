package builtin

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/upkg/upkg/internal/lockfile"
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

// depStrings renders deps as "name@version" in order.
func depStrings(deps []manifest.Dependency) []string {
	out := []string{}
	for _, d := range deps {
		out = append(out, d.Name+"@"+d.Version)
	}
	return out
}

// entry is a lock entry "name@version" of source with deps "n@v".
func entry(source, nameVersion string, deps ...string) lockfile.Entry {
	name, version, _ := strings.Cut(nameVersion, "@")
	e := lockfile.Entry{Name: name, Version: version, Source: source}
	for _, d := range deps {
		n, v, _ := strings.Cut(d, "@")
		e.Dependencies = append(e.Dependencies, lockfile.Dep{Name: n, Version: v})
	}
	if source == lockfile.SourceRegistry {
		e.URL = "https://packages.unity.com"
	}
	return e
}

func bi(nv string, deps ...string) lockfile.Entry { return entry(lockfile.SourceBuiltin, nv, deps...) }
func reg(nv string, deps ...string) lockfile.Entry {
	return entry(lockfile.SourceRegistry, nv, deps...)
}

func ev(editor string, entries ...lockfile.Entry) Evidence {
	return Evidence{Editor: editor, Source: "https://example.com/" + editor + "/" + entries[0].Name, Lock: &lockfile.Lock{Entries: entries}}
}

// synthetic is the evidence the table logic is tested on: two lines, core
// packages that change from patch to patch, a package that becomes built in
// within a line.
func synthetic() []Evidence {
	mods22 := []lockfile.Entry{
		bi("com.unity.modules.ui@1.0.0"), bi("com.unity.modules.imgui@1.0.0"),
		bi("com.unity.modules.terrain@1.0.0"),
		bi("com.unity.modules.uielements@1.0.0", "com.unity.modules.ui@1.0.0", "com.unity.modules.imgui@1.0.0"),
	}
	return []Evidence{
		ev("2022.3.10f1", append(slices.Clone(mods22),
			bi("com.unity.ugui@1.0.0", "com.unity.modules.ui@1.0.0"),
			bi("com.unity.render-pipelines.core@14.0.8", "com.unity.ugui@1.0.0"))...),
		ev("2022.3.40f1", append(slices.Clone(mods22),
			bi("com.unity.render-pipelines.core@14.0.11", "com.unity.ugui@1.0.0"),
			reg("com.unity.test-framework@1.1.33"))...),
		ev("2022.3.50f1", bi("com.unity.test-framework@1.4.0", "com.unity.modules.imgui@1.0.0"),
			bi("com.unity.modules.imgui@1.0.0")),
		ev("6000.0.23f1", bi("com.unity.modules.ui@1.0.0"), bi("com.unity.modules.imgui@1.0.0"),
			bi("com.unity.modules.hierarchycore@1.0.0"),
			bi("com.unity.modules.uielements@1.0.0", "com.unity.modules.ui@1.0.0", "com.unity.modules.hierarchycore@1.0.0"),
			bi("com.unity.ugui@2.0.0", "com.unity.modules.ui@1.0.0")),
	}
}

// tableFS is a data/ folder made by BuildTables.
func tableFS(t *testing.T, evidence []Evidence) fstest.MapFS {
	t.Helper()
	files, contradictions, skipped, err := BuildTables(evidence)
	if err != nil {
		t.Fatal(err)
	}
	if len(contradictions) > 0 || len(skipped) > 0 {
		t.Fatalf("contradictions %v, skipped %v", contradictions, skipped)
	}
	fsys := fstest.MapFS{}
	for line, data := range files {
		fsys["data/"+line+".json"] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func mustFor(t *testing.T, fsys fstest.MapFS, editor string) *Set {
	t.Helper()
	s, err := forEditor(fsys, editor)
	if err != nil {
		t.Fatalf("ForEditor(%q): %v", editor, err)
	}
	return s
}

func TestForEditorNearestEvidence(t *testing.T) {
	fsys := tableFS(t, synthetic())
	tests := []struct {
		editor  string
		name    string
		version string // "" = not built in
		exact   bool
		approx  bool
		noteHas string
	}{
		{"2022.3.10f1", "com.unity.render-pipelines.core", "14.0.8", true, false, "the built-in package table for Unity 2022.3.10f1"},
		{"2022.3.10f1c1", "com.unity.render-pipelines.core", "14.0.8", true, false, "table for Unity 2022.3.10f1"},
		{"2022.3.10f1", "com.unity.test-framework", "", false, false, ""},
		{"2022.3.30f1", "com.unity.render-pipelines.core", "14.0.11", false, false, "no built-in package table for Unity 2022.3.30f1; using the nearest, Unity 2022.3.40f1"},
		{"2022.3.40f1", "com.unity.test-framework", "", true, false, ""},
		{"2022.3.45f1", "com.unity.test-framework", "", false, false, ""}, // a tie: the older editor
		{"2022.3.46f1", "com.unity.test-framework", "1.4.0", false, false, ""},
		{"2022.3.50f1", "com.unity.test-framework", "1.4.0", true, false, ""},
		{"2022.3.50f1", "com.unity.render-pipelines.core", "14.0.11", false, false, ""},
		{"2022.3", "com.unity.test-framework", "1.4.0", false, false, "the newest of line 2022.3"},
		{"2022.3.2t5", "com.unity.render-pipelines.core", "14.0.8", false, false, ""},
		{"2023.1.5f1", "com.unity.ugui", "1.0.0", false, true, "no built-in package table for Unity 2023.1; using Unity 2022.3, the nearest older line"},
		{"2019.4.40f1", "com.unity.render-pipelines.core", "14.0.8", false, true, "the oldest line"},
		{"6000.1.2f1", "com.unity.ugui", "2.0.0", false, true, "the newest line"},
		{"6000.0.23f1", "com.unity.ugui", "2.0.0", true, false, ""},
		{"6000.0.23f1", "com.unity.modules.terrain", "1.0.0", false, false, ""}, // a module from another line
		{"", "com.unity.ugui", "2.0.0", false, true, "no editor version given"},
	}
	for _, tt := range tests {
		t.Run(tt.editor+"/"+tt.name, func(t *testing.T) {
			s := mustFor(t, fsys, tt.editor)
			v, _, ok := s.Lookup(tt.name)
			if v != tt.version || ok != (tt.version != "") {
				t.Errorf("Lookup = %q, %v; want %q", v, ok, tt.version)
			}
			if s.Exact(tt.name) != tt.exact || s.Approximate() != tt.approx {
				t.Errorf("Exact, Approximate = %v, %v; want %v, %v", s.Exact(tt.name), s.Approximate(), tt.exact, tt.approx)
			}
			if !strings.Contains(s.Origin(), tt.noteHas) {
				t.Errorf("Origin() = %q; want it to contain %q", s.Origin(), tt.noteHas)
			}
			if len(s.Sources()) == 0 {
				t.Error("no sources")
			}
		})
	}
	// Dependency lists come with their editor.
	_, deps, _ := mustFor(t, fsys, "6000.0.23f1").Lookup("com.unity.modules.uielements")
	if got := depStrings(deps); !slices.Equal(got, []string{"com.unity.modules.ui@1.0.0", "com.unity.modules.hierarchycore@1.0.0"}) {
		t.Errorf("6000.0 uielements deps = %v", got)
	}
}

func TestWithLock(t *testing.T) {
	fsys := tableFS(t, synthetic())
	lock := &lockfile.Lock{Entries: []lockfile.Entry{
		bi("com.unity.render-pipelines.core@14.0.9", "com.unity.ugui@1.0.0", "com.unity.modules.terrain@1.0.0"),
		bi("com.unity.render-pipelines.high-definition@14.0.9", "com.unity.render-pipelines.core@14.0.9"),
		reg("com.unity.test-framework@1.1.33"),
		reg("com.unity.modules.ui@1.0.0"), // a lock's mistake: modules stay built in
	}}

	// Not exact (no table for 2022.3.47f1): the lock decides.
	s, changes := mustFor(t, fsys, "2022.3.47f1").WithLock(lock)
	if len(changes) != 0 {
		t.Errorf("changes = %v; want none", changes)
	}
	for name, want := range map[string]string{
		"com.unity.render-pipelines.core":            "14.0.9",
		"com.unity.render-pipelines.high-definition": "14.0.9",
		"com.unity.test-framework":                   "",
		"com.unity.modules.ui":                       "1.0.0",
	} {
		if v, _, ok := s.Lookup(name); v != want || ok != (want != "") {
			t.Errorf("%s = %q, %v; want %q", name, v, ok, want)
		}
	}
	if _, deps, _ := s.Lookup("com.unity.render-pipelines.core"); len(deps) != 2 {
		t.Errorf("core deps = %v; want the lock's", deps)
	}
	if !strings.Contains(s.Origin(), "3 built-in packages as the project's lock records them") {
		t.Errorf("Origin() = %q", s.Origin())
	}

	// Exact (the table of 2022.3.50f1 shows test-framework built in; 40f1
	// shows core 14.0.11): the data wins and the differences are listed.
	s, changes = mustFor(t, fsys, "2022.3.50f1").WithLock(lock)
	var got []string
	for _, c := range changes {
		got = append(got, c.String())
	}
	want := []string{"com.unity.test-framework: 1.1.33 from a registry → 1.4.0 (built in)"}
	if !slices.Equal(got, want) {
		t.Errorf("changes = %q; want %q", got, want)
	}
	if v, _, _ := s.Lookup("com.unity.test-framework"); v != "1.4.0" {
		t.Errorf("test-framework = %q; want the table's 1.4.0", v)
	}
	if v, _, _ := s.Lookup("com.unity.render-pipelines.core"); v != "14.0.9" {
		t.Errorf("core = %q; not exact at 50f1, so the lock's 14.0.9", v)
	}

	// An editor folder is exact for every name.
	dir := t.TempDir()
	writeFiles(t, dir, fakeEditor("BuiltInPackages"))
	ed, err := FromEditorPath(filepath.Join(dir, "BuiltInPackages"))
	if err != nil {
		t.Fatal(err)
	}
	s, changes = ed.WithLock(lock)
	if len(changes) != 3 { // core and HDRP: built in by the lock, not in the editor; the ui module
		t.Errorf("changes = %v; want 3", changes)
	}
	if _, _, ok := s.Lookup("com.unity.render-pipelines.high-definition"); ok {
		t.Error("the lock added a package to an installed editor's set")
	}
	if s2, c := (*Set)(nil).WithLock(lock); s2 != nil || c != nil {
		t.Error("nil Set")
	}
}

func TestBuildTablesContradictions(t *testing.T) {
	a := ev("2022.3.10f1", bi("com.unity.ugui@1.0.0"))
	b := ev("2022.3.10f1", bi("com.unity.ugui@1.0.0"))
	b.Source += "/b"
	c := ev("2022.3.10f1", reg("com.unity.ugui@1.0.0"))
	c.Source += "/c"
	other := Evidence{Editor: "2022.3.2t5", Source: "x", Lock: &lockfile.Lock{}}
	files, contradictions, skipped, err := BuildTables([]Evidence{c, a, b, other})
	if err != nil {
		t.Fatal(err)
	}
	if len(contradictions) != 1 || contradictions[0].Package != "com.unity.ugui" || len(contradictions[0].KeptSources) != 2 ||
		!strings.Contains(contradictions[0].String(), "dropped from a registry") {
		t.Errorf("contradictions = %v", contradictions)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0], "2022.3.2t5") {
		t.Errorf("skipped = %v", skipped)
	}
	if !strings.Contains(string(files["2022.3"]), `"com.unity.ugui"`) {
		t.Errorf("the majority reading was not kept:\n%s", files["2022.3"])
	}
	// Generated again, the same bytes.
	again, _, _, _ := BuildTables([]Evidence{b, other, a, c})
	if string(again["2022.3"]) != string(files["2022.3"]) {
		t.Error("BuildTables depends on the order of its evidence")
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

func TestLookupReturnsACopy(t *testing.T) {
	s := mustFor(t, tableFS(t, synthetic()), "2022.3")
	_, deps, _ := s.Lookup("com.unity.modules.uielements")
	deps[0].Name = "changed"
	_, again, _ := s.Lookup("com.unity.modules.uielements")
	if again[0].Name != "com.unity.modules.ui" {
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
	if s.Exact("x") || s.Approximate() || s.Origin() == "" {
		t.Error("nil Set")
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
	s := mustFor(t, tableFS(t, synthetic()), "2022.3.10f1")
	for _, name := range []string{"com.unity.modules.ui", "com.unity.ugui", "com.example.pkg"} {
		if err := s.CheckModule(name); err != nil {
			t.Errorf("CheckModule(%q) = %v; want nil", name, err)
		}
	}
	err := s.CheckModule("com.unity.modules.uielementsnative")
	var ume *UnknownModuleError
	if !errors.As(err, &ume) {
		t.Fatalf("CheckModule(uielementsnative) = %v; want *UnknownModuleError", err)
	}
	if ume.Name != "com.unity.modules.uielementsnative" || ume.Editor != "Unity 2022.3.10f1" || ume.Suggestion != "" ||
		!slices.Contains(ume.Known, "uielements") {
		t.Errorf("UnknownModuleError = %+v", ume)
	}
}

// TestExplain pins the sentences users read (testdata/explain.golden), on
// the synthetic tables so that new evidence does not move them.
func TestExplain(t *testing.T) {
	fsys := tableFS(t, synthetic())
	cases := []struct{ editor, name string }{
		{"2022.3.10f1", "com.unity.modules.foo"},
		{"2022.3.10f1", "com.unity.modules.uielement"},
		{"2022.3.10f1", "com.unity.ugui"},
		{"2022.3.10f1", "com.example.tools"},
		{"6000.0.23f1", "com.unity.modules.uielementsnative"},
		{"6000.0.23f1", "com.unity.ugui"},
		{"2023.2.5f1", "com.unity.modules.hierarchycore"},
		{"2023.2.5f1", "com.unity.render-pipelines.core"},
		{"", "com.unity.test-framework"},
	}
	var b strings.Builder
	for _, c := range cases {
		b.WriteString(c.editor + " | " + c.name + "\n\t" + mustFor(t, fsys, c.editor).Explain(c.name) + "\n")
	}
	golden(t, "explain.golden", b.String())
}

func TestWith(t *testing.T) {
	s := mustFor(t, tableFS(t, synthetic()), "2022.3.40f1")
	locked := Package{Name: "com.unity.render-pipelines.core", Version: "14.0.8", Dependencies: []manifest.Dependency{
		{Name: "com.unity.ugui", Version: "1.0.0"}}}
	w := s.With(locked)
	locked.Dependencies[0].Name = "changed" // With must keep its own copy
	if v, deps, _ := w.Lookup("com.unity.render-pipelines.core"); v != "14.0.8" || len(deps) != 1 || deps[0].Name != "com.unity.ugui" {
		t.Errorf("With: core = %s %v", v, deps)
	}
	if v, _, _ := s.Lookup("com.unity.render-pipelines.core"); v != "14.0.11" {
		t.Errorf("With changed the original Set: core = %s", v)
	}
}

func TestDecodeLineErrors(t *testing.T) {
	ed := func(editor string) string {
		return `{"editor": "` + editor + `", "sources": ["s"], "builtin": {"com.unity.modules.ai": {"version": "1.0.0", "dependencies": {}}}}`
	}
	tests := []struct{ name, data, want string }{
		{"not json", `{`, "unexpected end of JSON input"},
		{"unknown field", `{"line": "2022.3", "extra": 1, "editors": [` + ed("2022.3.1f1") + `]}`, "unknown field"},
		{"trailing data", `{"line": "2022.3", "editors": [` + ed("2022.3.1f1") + `]} {}`, "trailing data"},
		{"bad line", `{"line": "2022", "editors": [` + ed("2022.3.1f1") + `]}`, "not an editor line"},
		{"no editors", `{"line": "2022.3", "editors": []}`, "no editors"},
		{"dependency twice", `{"line": "2022.3", "editors": [{"editor": "2022.3.1f1", "sources": ["s"], "builtin": {"a.b": {"version": "1.0.0",
			"dependencies": {"c.d": "1.0.0", "c.d": "2.0.0"}}}}]}`, "listed twice"},
		{"dependency not a string", `{"line": "2022.3", "editors": [{"editor": "2022.3.1f1", "builtin": {"a.b": {"version": "1.0.0",
			"dependencies": {"c.d": 1}}}}]}`, `"c.d": the value is not a string`},
		{"editor on another line", `{"line": "2022.3", "editors": [` + ed("2021.3.1f1") + `]}`, "not on line 2022.3"},
		{"editor not a version", `{"line": "2022.3", "editors": [` + ed("latest") + `]}`, "not a Unity editor version"},
		{"out of order", `{"line": "2022.3", "editors": [` + ed("2022.3.9f1") + `, ` + ed("2022.3.5f1") + `]}`, "not newer"},
		{"no sources", `{"line": "2022.3", "editors": [{"editor": "2022.3.1f1", "builtin": {}}]}`, "no sources"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeLine([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decodeLine error = %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDependencyOrderSurvivesTheTables(t *testing.T) {
	fsys := tableFS(t, []Evidence{ev("2022.3.1f1", bi("a.b@1.0.0", "z.z@1.0.0", "a.a@2.0.0", "m.m@3.0.0"))})
	_, deps, _ := mustFor(t, fsys, "2022.3.1f1").Lookup("a.b")
	if got := depStrings(deps); !slices.Equal(got, []string{"z.z@1.0.0", "a.a@2.0.0", "m.m@3.0.0"}) {
		t.Errorf("dependencies = %v", got)
	}
}

func TestWithRequests(t *testing.T) {
	fsys := tableFS(t, synthetic())
	req := func(nv ...string) []manifest.Dependency {
		var out []manifest.Dependency
		for _, s := range nv {
			n, v, _ := strings.Cut(s, "@")
			out = append(out, manifest.Dependency{Name: n, Version: v})
		}
		return out
	}
	core := "com.unity.render-pipelines.core"
	s := mustFor(t, fsys, "2022.3.45f1").WithRequests(req(core + "@14.0.8"))
	if v, deps, _ := s.Lookup(core); v != "14.0.8" || len(deps) != 1 {
		t.Errorf("not exact, a version the line ships: core = %s %v; want 14.0.8", v, deps)
	}
	if !strings.Contains(s.Origin(), "1 at the version the manifest asks for") {
		t.Errorf("Origin() = %q", s.Origin())
	}
	if v, _, _ := mustFor(t, fsys, "2022.3.40f1").WithRequests(req(core + "@14.0.8")).Lookup(core); v != "14.0.11" {
		t.Errorf("exact: core = %s; the table wins", v)
	}
	if v, deps, _ := mustFor(t, fsys, "2022.3.45f1").WithRequests(req(core + "@14.0.99")).Lookup(core); v != "14.0.99" || len(deps) != 1 {
		t.Errorf("a version no lock shows, of the same major: core = %s %v; want 14.0.99 with the nearest's dependencies", v, deps)
	}
	if v, _, _ := mustFor(t, fsys, "2022.3.45f1").WithRequests(req(core + "@15.0.0")).Lookup(core); v != "14.0.11" {
		t.Errorf("another major: core = %s; want the nearest table's", v)
	}
	if _, _, ok := mustFor(t, fsys, "2022.3.41f1").WithRequests(req("com.unity.test-framework@1.4.1")).Lookup("com.unity.test-framework"); ok {
		t.Error("a request made a package the release does not ship built in")
	}
	locked, _ := mustFor(t, fsys, "2022.3.45f1").WithLock(&lockfile.Lock{Entries: []lockfile.Entry{bi(core + "@14.0.9")}})
	if v, _, _ := locked.WithRequests(req(core + "@14.0.8")).Lookup(core); v != "14.0.9" {
		t.Errorf("the lock decided: core = %s; want the lock's 14.0.9", v)
	}
}
