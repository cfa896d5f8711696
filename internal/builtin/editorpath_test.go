package builtin

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles creates files (path relative to root → content) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeEditor is a small BuiltInPackages folder as an editor ships it.
func fakeEditor(prefix string) map[string]string {
	return map[string]string{
		prefix + "/com.unity.modules.ui/package.json": `{"name": "com.unity.modules.ui", "version": "1.0.0", "unity": "2022.3",
  "type": "module", "dependencies": {}}`,
		prefix + "/com.unity.modules.imgui/package.json":         `{"name": "com.unity.modules.imgui", "version": "1.0.0", "unity": "2022.3"}`,
		prefix + "/com.unity.modules.jsonserialize/package.json": `{"name": "com.unity.modules.jsonserialize", "version": "1.0.0", "unity": "2022.3"}`,
		prefix + "/com.unity.modules.uielements/package.json": `{
  "name": "com.unity.modules.uielements",
  "version": "1.0.0",
  "unity": "2022.3",
  "dependencies": {
    "com.unity.modules.ui": "1.0.0",
    "com.unity.modules.imgui": "1.0.0",
    "com.unity.modules.jsonserialize": "1.0.0"
  }
}`,
		prefix + "/com.unity.ugui/package.json": `{"name": "com.unity.ugui", "version": "1.0.0", "unity": "2019.2",
  "dependencies": {"com.unity.modules.ui": "1.0.0", "com.unity.modules.imgui": "1.0.0"}}`,
		prefix + "/README.txt":            "not a package",
		prefix + "/.DS_Store/placeholder": "a folder that is no package",
	}
}

func TestFromEditorPathLayouts(t *testing.T) {
	const pm = "Resources/PackageManager/BuiltInPackages"
	tests := []struct {
		name   string
		prefix string // where the BuiltInPackages folder goes under the temp dir
		dir    string // what is passed, relative to the temp dir
	}{
		{"editor folder (Windows, Linux)", "Editor/Data/" + pm, "Editor"},
		{"hub install folder", "2022.3.20f1/Editor/Data/" + pm, "2022.3.20f1"},
		{"folder holding Unity.app (macOS)", "2022.3.20f1/Unity.app/Contents/" + pm, "2022.3.20f1"},
		{"Unity.app itself", "Unity.app/Contents/" + pm, "Unity.app"},
		{"Data folder", "Editor/Data/" + pm, "Editor/Data"},
		{"BuiltInPackages itself", "x/" + pm, "x/" + pm},
		{"a copy under another name", "copy", "copy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			writeFiles(t, tmp, fakeEditor(tt.prefix))
			dir := filepath.Join(tmp, filepath.FromSlash(tt.dir))
			s, err := FromEditorPath(dir)
			if err != nil {
				t.Fatalf("FromEditorPath: %v", err)
			}
			want := []string{"com.unity.modules.imgui", "com.unity.modules.jsonserialize", "com.unity.modules.ui",
				"com.unity.modules.uielements", "com.unity.ugui"}
			if got := s.Names(); !slices.Equal(got, want) {
				t.Errorf("Names() = %v; want %v", got, want)
			}
			v, deps, ok := s.Lookup("com.unity.modules.uielements")
			if !ok || v != "1.0.0" || !slices.Equal(depStrings(deps), []string{"com.unity.modules.ui@1.0.0", "com.unity.modules.imgui@1.0.0", "com.unity.modules.jsonserialize@1.0.0"}) {
				t.Errorf("uielements = %s %v %v", v, depStrings(deps), ok)
			}
			if _, deps, _ := s.Lookup("com.unity.modules.ui"); len(deps) != 0 {
				t.Errorf("ui deps = %v", deps)
			}
			if s.Line() != "2022.3" || s.Approximate() {
				t.Errorf("Line, Approximate = %q, %v", s.Line(), s.Approximate())
			}
			root := filepath.Join(tmp, filepath.FromSlash(tt.prefix))
			if !strings.Contains(s.Origin(), "the editor at "+dir) || !slices.Equal(s.Sources(), []string{root}) {
				t.Errorf("Origin %q, Sources %v; want them to name %s and %s", s.Origin(), s.Sources(), dir, root)
			}
			if got := s.Explain("com.unity.modules.foo"); !strings.HasPrefix(got, "com.unity.modules.foo is not a built-in module of the editor at "+dir+" (known: imgui, jsonserialize, ui, uielements)") {
				t.Errorf("Explain = %q", got)
			}
		})
	}
}

func TestFromEditorPathKeepsFileOrder(t *testing.T) {
	tmp := t.TempDir()
	writeFiles(t, tmp, map[string]string{"BuiltInPackages/com.unity.x/package.json": `{"name": "com.unity.x", "version": "2.0.0",
  "dependencies": {"com.unity.zeta": "1.0.0", "com.unity.alpha": "3.1.0", "com.unity.modules.ui": "1.0.0"}}`})
	s, err := FromEditorPath(filepath.Join(tmp, "BuiltInPackages"))
	if err != nil {
		t.Fatal(err)
	}
	_, deps, _ := s.Lookup("com.unity.x")
	want := []string{"com.unity.zeta@1.0.0", "com.unity.alpha@3.1.0", "com.unity.modules.ui@1.0.0"}
	if !slices.Equal(depStrings(deps), want) {
		t.Errorf("deps = %v; want %v", depStrings(deps), want)
	}
	if s.Line() != "" {
		t.Errorf("Line() = %q; want \"\" when no package.json names its editor", s.Line())
	}
}

func TestFromEditorPathLineMajority(t *testing.T) {
	tmp := t.TempDir()
	writeFiles(t, tmp, map[string]string{
		"BuiltInPackages/a.one/package.json":   `{"name": "a.one", "version": "1.0.0", "unity": "2019.1"}`,
		"BuiltInPackages/a.two/package.json":   `{"name": "a.two", "version": "1.0.0", "unity": "6000.0"}`,
		"BuiltInPackages/a.three/package.json": `{"name": "a.three", "version": "1.0.0", "unity": "6000.1"}`,
		"BuiltInPackages/a.four/package.json":  `{"name": "a.four", "version": "1.0.0", "unity": "6000.0"}`,
		"BuiltInPackages/a.five/package.json":  `{"name": "a.five", "version": "1.0.0", "unity": "6000.1"}`,
	})
	s, err := FromEditorPath(filepath.Join(tmp, "BuiltInPackages"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Line() != "6000.1" {
		t.Errorf("Line() = %q; want the newest of the most named lines, 6000.1", s.Line())
	}
}

func TestFromEditorPathErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		dir   string
		want  []string
	}{
		{"missing folder", nil, "nope", []string{"editor folder", "nope"}},
		{"a file that is no editor executable", map[string]string{"file": "x"}, "file", []string{"no BuiltInPackages folder"}},
		{"no BuiltInPackages", map[string]string{"Editor/Data/other.txt": "x"}, "Editor",
			[]string{"no BuiltInPackages folder in the editor at", filepath.Join("Data", "Resources", "PackageManager", "BuiltInPackages")}},
		{"empty BuiltInPackages", map[string]string{"BuiltInPackages/notes.txt": "x"}, "BuiltInPackages",
			[]string{"no built-in packages"}},
		{"malformed package.json", map[string]string{"BuiltInPackages/com.unity.x/package.json": `{"name": "com.unity.x", "version": 1}`},
			"BuiltInPackages", []string{filepath.Join("com.unity.x", "package.json") + ":1:"}},
		{"no version", map[string]string{"BuiltInPackages/com.unity.x/package.json": `{"name": "com.unity.x"}`},
			"BuiltInPackages", []string{"no \"version\""}},
		{"duplicate name", map[string]string{
			"BuiltInPackages/one/package.json": `{"name": "com.unity.x", "version": "1.0.0"}`,
			"BuiltInPackages/two/package.json": `{"name": "com.unity.x", "version": "2.0.0"}`,
		}, "BuiltInPackages", []string{"com.unity.x appears twice", "1.0.0", "2.0.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			writeFiles(t, tmp, tt.files)
			s, err := FromEditorPath(filepath.Join(tmp, tt.dir))
			if err == nil {
				t.Fatalf("FromEditorPath = %v; want an error", s.Names())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestFromEditorPathFollowsSymlinkedPackages(t *testing.T) {
	tmp := t.TempDir()
	writeFiles(t, tmp, map[string]string{
		"elsewhere/com.unity.y/package.json":       `{"name": "com.unity.y", "version": "1.2.3"}`,
		"BuiltInPackages/com.unity.x/package.json": `{"name": "com.unity.x", "version": "1.0.0"}`,
	})
	if err := os.Symlink(filepath.Join(tmp, "elsewhere", "com.unity.y"), filepath.Join(tmp, "BuiltInPackages", "com.unity.y")); err != nil {
		t.Fatalf("symlink: %v", err)
	}
	s, err := FromEditorPath(filepath.Join(tmp, "BuiltInPackages"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _, ok := s.Lookup("com.unity.y"); !ok || v != "1.2.3" {
		t.Errorf("symlinked package = %q, %v", v, ok)
	}
}
