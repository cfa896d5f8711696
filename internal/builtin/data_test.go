package builtin

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/Masterminds/semver/v3"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// evidenceDir is the folder of public Unity projects the tables are made of.
var evidenceDir = filepath.Join("..", "..", "testdata", "unity-projects")

// TestTablesAreGenerated checks that data/ is exactly what the generator
// makes of the evidence: the tables are data, never edited by hand.
func TestTablesAreGenerated(t *testing.T) {
	evidence, err := LoadEvidence(evidenceDir)
	if err != nil {
		t.Fatal(err)
	}
	files, contradictions, _, err := BuildTables(evidence)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range contradictions {
		t.Logf("contradiction in the evidence: %s", c)
	}
	lines, err := knownLines(dataFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(files) {
		t.Errorf("data/ has %d lines, the evidence gives %d (run go run ./internal/builtin/gen)", len(lines), len(files))
	}
	for line, want := range files {
		got, err := dataFS.ReadFile("data/" + line + ".json")
		if err != nil || string(got) != string(want) {
			t.Errorf("data/%s.json is not what the evidence gives (run go run ./internal/builtin/gen): %v", line, err)
		}
	}
}

// TestDataFiles checks every embedded table for what the resolver relies
// on: valid names and exact versions, modules at 1.0.0 that depend only on
// modules, and sources that name a lock file at a commit.
func TestDataFiles(t *testing.T) {
	lines, err := knownLines(dataFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range lines {
		lf, err := loadLine(dataFS, k)
		if err != nil {
			t.Errorf("line %s: %v", k, err)
			continue
		}
		for _, ed := range lf.Editors {
			where := ed.Editor
			for _, src := range ed.Sources {
				if !strings.HasPrefix(src, "https://github.com/") || !strings.HasSuffix(src, "Packages/packages-lock.json") {
					t.Errorf("%s: source %q does not name a lock file", where, src)
				}
			}
			for name, p := range ed.Builtin {
				if err := manifest.ValidateName(name); err != nil {
					t.Errorf("%s: %s: %v", where, name, err)
				}
				if _, err := semver.StrictNewVersion(p.Version); err != nil {
					t.Errorf("%s: %s version %q: %v", where, name, p.Version, err)
				}
				if IsModule(name) && p.Version != "1.0.0" {
					t.Errorf("%s: module %s at %s; modules are 1.0.0", where, name, p.Version)
				}
				for _, d := range p.Dependencies {
					if IsModule(name) && !IsModule(d.Name) {
						t.Errorf("%s: module %s depends on %s, which is no module", where, name, d.Name)
					}
				}
			}
		}
	}
}

// TestEditorLinesCovered pins what the evidence covers: these editor lines
// have a table of their own, with the modules and Unity UI. 6000.4 has
// none: no public Unity-written lock beside a ProjectVersion.txt of that
// line was found that its manifest still matches (README, "How close to
// Unity").
func TestEditorLinesCovered(t *testing.T) {
	for _, line := range []string{"2019.4", "2020.3", "2021.1", "2021.2", "2021.3", "2022.1", "2022.2", "2022.3", "2023.1", "2023.2", "2023.3", "6000.0", "6000.1", "6000.2", "6000.3", "6000.5"} {
		s, err := ForEditor(line)
		if err != nil {
			t.Fatal(err)
		}
		if s.Approximate() || s.Line() != line {
			t.Errorf("Unity %s: no table of its own (%s)", line, s.Origin())
			continue
		}
		for _, name := range []string{"com.unity.modules.ui", "com.unity.modules.physics", "com.unity.ugui"} {
			if _, _, ok := s.Lookup(name); !ok {
				t.Errorf("Unity %s has no %s", line, name)
			}
		}
	}
}

// TestFacts pins facts of real locks that the issue names.
func TestFacts(t *testing.T) {
	tests := []struct{ editor, name, version string }{
		{"6000.0.32f1", "com.unity.ugui", "2.0.0"},
		{"2022.3.20f1", "com.unity.ugui", "1.0.0"},
		{"2020.3.48f1", "com.unity.ugui", "1.0.0"},
	}
	for _, tt := range tests {
		s, err := ForEditor(tt.editor)
		if err != nil {
			t.Fatal(err)
		}
		if v, _, _ := s.Lookup(tt.name); v != tt.version {
			t.Errorf("Unity %s: %s = %q; want %s (%s)", tt.editor, tt.name, v, tt.version, s.Origin())
		}
	}
}

// TestUGUIOn2023_2 pins issue 8's case: 2023.2 locks show com.unity.ugui
// 1.0.0 and 2.0.0 built in, and a project that asks for 2.0.0 keeps it.
func TestUGUIOn2023_2(t *testing.T) {
	for _, v := range []string{"1.0.0", "2.0.0"} {
		s, err := ForEditor("2023.2.20f1")
		if err != nil {
			t.Fatal(err)
		}
		s = s.WithRequests([]manifest.Dependency{{Name: "com.unity.ugui", Version: v}})
		if got, _, _ := s.Lookup("com.unity.ugui"); got != v {
			t.Errorf("asked for %s: com.unity.ugui = %s (%s)", v, got, s.Origin())
		}
	}
}

func TestEvidenceIndexErrors(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range []string{`[{"id": ""}]`, `[{"id": "a/b"}]`, `[{"id": "a"}, {"id": "a"}]`, `{`} {
		if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCorpusIndex(dir); err == nil {
			t.Errorf("ReadCorpusIndex(%s) accepted it", bad)
		}
	}
}

// TestLeaveOneOut measures how well the tables predict a release they have
// not seen: for each lock of the evidence, the tables are built from all the
// other locks, and the lock's packages are looked up for its editor (with
// its direct dependencies as the manifest's requests). It counts the
// built-in entries reproduced exactly (version and dependencies) and the
// registry packages wrongly taken for built in, and logs both figures.
func TestLeaveOneOut(t *testing.T) {
	evidence, err := LoadEvidence(evidenceDir)
	if err != nil {
		t.Fatal(err)
	}
	var builtins, exact, registry, wrong int
	for i, e := range evidence {
		others := append(append([]Evidence{}, evidence[:i]...), evidence[i+1:]...)
		files, _, _, err := BuildTables(others)
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{}
		for line, data := range files {
			fsys["data/"+line+".json"] = &fstest.MapFile{Data: data}
		}
		s, err := forEditor(fsys, e.Editor)
		if err != nil {
			continue // another engine's version
		}
		var direct []manifest.Dependency
		for _, en := range e.Lock.Entries {
			if en.Depth == 0 {
				direct = append(direct, manifest.Dependency{Name: en.Name, Version: en.Version})
			}
		}
		s = s.WithRequests(direct)
		for _, en := range e.Lock.Entries {
			v, deps, ok := s.Lookup(en.Name)
			switch en.Source {
			case lockfile.SourceBuiltin:
				builtins++
				if ok && v == en.Version && slices.Equal(depStrings(deps), lockDeps(en)) {
					exact++
				} else if os.Getenv("UPKG_DEBUG_LOO") != "" {
					t.Logf("%s %s: lock %s %v; tables %s %v (%v)", e.Editor, en.Name, en.Version, lockDeps(en), v, depStrings(deps), ok)
				}
			case lockfile.SourceRegistry:
				registry++
				if ok {
					wrong++
				}
			}
		}
	}
	t.Logf("leave one out: %d of %d built-in entries reproduced exactly (%.1f %%); %d of %d registry packages taken for built in",
		exact, builtins, 100*float64(exact)/float64(max(builtins, 1)), wrong, registry)
	if builtins == 0 || float64(exact) < 0.9*float64(builtins) {
		t.Errorf("only %d of %d built-in entries reproduced for unseen releases", exact, builtins)
	}
}

func lockDeps(e lockfile.Entry) []string {
	out := []string{}
	for _, d := range e.Dependencies {
		out = append(out, d.Name+"@"+d.Version)
	}
	return out
}
