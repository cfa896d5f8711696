package builtin

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzForEditor feeds ForEditor what a ProjectVersion.txt may hold: it must
// never panic, and whatever it accepts yields a usable Set.
func FuzzForEditor(f *testing.F) {
	for _, s := range []string{"", "2022.3.20f1", "6000.0.23f1", "2021.3", "2020.3.16f1c1", "2022.3.2t5", "2019.4.40f1", "9999.9", "abc", "2022.3.0b4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s, err := ForEditor(v)
		if err != nil {
			return
		}
		if s.Line() == "" || s.Note() == "" || len(s.Sources()) == 0 {
			t.Fatalf("ForEditor(%q): Line %q, Note %q, Sources %v", v, s.Line(), s.Note(), s.Sources())
		}
		if _, _, ok := s.Lookup("com.unity.modules.ui"); !ok {
			t.Fatalf("ForEditor(%q): no com.unity.modules.ui", v)
		}
	})
}

// FuzzFromEditorPath feeds an installed editor's package.json (untrusted:
// any folder can be passed) through FromEditorPath: no panic, and an
// accepted file yields exactly one package.
func FuzzFromEditorPath(f *testing.F) {
	for _, s := range []string{
		`{"name": "com.unity.modules.ai", "version": "1.0.0", "unity": "2022.3"}`,
		`{"name": "com.unity.ugui", "version": "2.0.0", "dependencies": {"com.unity.modules.ui": "1.0.0", "com.unity.modules.imgui": "1.0.0"}}`,
		`{"name": "com.unity.x", "version": "1.0.0", "dependencies": {"a.b": "^1.0.0"}}`,
		`{"name": "com.unity.x", "version": "1.0.0", "unityRelease": "0b4"}`,
		`{"name": 1}`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	// One folder per worker process, rewritten by each input: a fresh
	// t.TempDir per input would cost more than the parse being fuzzed.
	root := filepath.Join(f.TempDir(), "BuiltInPackages")
	if err := os.MkdirAll(filepath.Join(root, "pkg"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(root, "pkg", "package.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := FromEditorPath(root)
		if err != nil {
			return
		}
		names := s.Names()
		if len(names) != 1 {
			t.Fatalf("accepted one package.json, got packages %v", names)
		}
		if v, _, ok := s.Lookup(names[0]); !ok || v == "" {
			t.Fatalf("Lookup(%q) = %q, %v", names[0], v, ok)
		}
		_ = s.Explain(names[0])
		_ = s.Explain("com.unity.modules.none")
	})
}
