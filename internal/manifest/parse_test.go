package manifest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const fullManifest = `{
  "dependencies": {
    "com.unity.timeline": "1.7.6",
    "com.example.tools": "2.0.0-pre.1+build.7",
    "com.example.local": "file:../../shared/com.example.local",
    "com.example.tarball": "file:tarballs/com.example.tarball-1.0.0.tgz",
    "com.example.git": "https://git.example.com/team/repo.git?path=/Packages/git#v1.0.0",
    "com.unity.modules.ui": "1.0.0"
  },
  "scopedRegistries": [
    {
      "name": "Team",
      "url": "https://npm.example.com/team/",
      "scopes": ["com.example", "com.other"],
      "overrideBuiltIns": false
    }
  ],
  "testables": ["com.example.tools"],
  "enableLockFile": false,
  "resolutionStrategy": "highestMinor",
  "registry": "http://127.0.0.1:4873",
  "unknownKey": {"kept": [1, 2, 3]}
}
`

func TestParseFull(t *testing.T) {
	m, err := Parse("Packages/manifest.json", []byte(fullManifest))
	if err != nil {
		t.Fatal(err)
	}
	want := &Manifest{
		Path: "Packages/manifest.json",
		Dependencies: []Dependency{
			// Each value parsed once, here: Spec is filled.
			{Name: "com.unity.timeline", Version: "1.7.6", Spec: Spec{Kind: SpecVersion, Version: "1.7.6"}, Line: 3, Column: 27},
			{Name: "com.example.tools", Version: "2.0.0-pre.1+build.7", Spec: Spec{Kind: SpecVersion, Version: "2.0.0-pre.1+build.7"}, Line: 4, Column: 26},
			{Name: "com.example.local", Version: "file:../../shared/com.example.local", Spec: Spec{Kind: SpecLocalFolder, Path: "../../shared/com.example.local"}, Line: 5, Column: 26},
			{Name: "com.example.tarball", Version: "file:tarballs/com.example.tarball-1.0.0.tgz", Spec: Spec{Kind: SpecLocalTarball, Path: "tarballs/com.example.tarball-1.0.0.tgz"}, Line: 6, Column: 28},
			{Name: "com.example.git", Version: "https://git.example.com/team/repo.git?path=/Packages/git#v1.0.0",
				Spec: Spec{Kind: SpecGit, URL: "https://git.example.com/team/repo.git?path=/Packages/git#v1.0.0", Rev: "v1.0.0", SubPath: "/Packages/git"}, Line: 7, Column: 24},
			{Name: "com.unity.modules.ui", Version: "1.0.0", Spec: Spec{Kind: SpecVersion, Version: "1.0.0"}, Line: 8, Column: 29},
		},
		ScopedRegistries:   []ScopedRegistry{{Name: "Team", URL: "https://npm.example.com/team/", Scopes: []string{"com.example", "com.other"}}},
		Testables:          []string{"com.example.tools"},
		EnableLockFile:     false,
		ResolutionStrategy: StrategyHighestMinor,
		Registry:           "http://127.0.0.1:4873",
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Every position points at the value's opening quote.
	lines := strings.Split(fullManifest, "\n")
	for _, d := range m.Dependencies {
		if got := lines[d.Line-1][d.Column-1:]; !strings.HasPrefix(got, `"`+d.Version+`"`) {
			t.Errorf("%s at %d:%d points at %q", d.Name, d.Line, d.Column, got)
		}
	}

	// CRLF line endings and a BOM change nothing but nothing else either.
	crlf := append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll([]byte(fullManifest), []byte("\n"), []byte("\r\n"))...)
	m2, err := Parse("Packages/manifest.json", crlf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, m2); diff != "" {
		t.Errorf("CRLF+BOM (-want +got):\n%s", diff)
	}
}

func TestParseDefaults(t *testing.T) {
	for _, in := range []string{`{}`, `{"dependencies": {}}`, `{"registry": ""}`} {
		m, err := Parse("m.json", []byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		want := &Manifest{Path: "m.json", EnableLockFile: true, ResolutionStrategy: StrategyLowest}
		if in == `{"dependencies": {}}` {
			want.Dependencies = []Dependency{}
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("%s (-want +got):\n%s", in, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	deps := func(body string) string { return "{\n  \"dependencies\": {\n" + body + "\n  }\n}\n" }
	tests := []struct {
		name, in, want string
	}{
		{"range (the issue's example)", "{\n  \"scopedRegistries\": [],\n  \"testables\": [],\n\n  \"dependencies\": {\n    \"com.example.b\": \"1.0.0\",\n    \"com.example.a\":    \"^1.0.0\"\n  }\n}\n",
			`7:25: com.example.a: "^1.0.0" is a version range; Unity needs an exact version such as "1.0.0"`},
		{"tilde range", deps(`    "com.example.a": "~1.2"`), `3:22: com.example.a: "~1.2" is a version range; Unity needs an exact version such as "1.2.0"`},
		{"latest", deps(`    "com.example.a": "latest"`), `3:22: com.example.a: "latest" is a version range; Unity needs an exact version such as "1.0.0"`},
		{"hyphen range", deps(`    "com.example.a": "1.0.0 - 2.0.0"`), `3:22: com.example.a: "1.0.0 - 2.0.0" is a version range; Unity needs an exact version such as "1.0.0"`},
		{"not a spec", deps(`    "com.example.a": "stable"`), `3:22: com.example.a: "stable" is not an exact version, a file: path or a Git URL`},
		{"version not string", deps(`    "com.example.a": 1.0`), `3:22: com.example.a: the version must be a string, not a number`},
		{"duplicate dependency", deps("    \"com.example.a\": \"1.0.0\",\n    \"com.example.a\": \"2.0.0\""), `4:5: dependencies: "com.example.a" is listed twice`},
		{"npm scoped name", deps(`    "@example/a": "1.0.0"`), `3:5: dependencies: "@example/a": npm scoped names are not Unity package names; use a reverse-domain name such as "com.example.tools"`},
		{"uppercase name", deps(`    "com.Example.a": "1.0.0"`), `3:5: dependencies: "com.Example.a": package names must be lowercase ("com.example.a")`},
		{"name with an empty part", deps(`    "com..example": "1.0.0"`), `3:5: dependencies: "com..example": package names cannot start or end with '.' or contain ".."`},
		{"dependencies not object", `{"dependencies": ["com.example.a"]}`, `1:18: dependencies must be an object, not an array`},
		{"top level not object", `["x"]`, `1:1: the manifest must be a JSON object, not an array`},
		{"duplicate top-level key", `{"dependencies": {}, "dependencies": {}}`, `1:22: manifest: "dependencies" is listed twice`},
		{"syntax error", "{\n  \"dependencies\": {\n    \"com.example.a\": \"1.0.0\",\n  }\n}", `4:3: unexpected character '}', expected a string key`},
		{"syntax error after BOM", "\xEF\xBB\xBF{ x", `1:3: unexpected character 'x', expected a string key`},
		{"unterminated", "{\n  \"dependencies\": {\n    \"com.example.a\": \"1.0.0", `3:22: string not terminated`},
		{"empty file", "", `1:1: unexpected end of file, expected a value`},
		{"enableLockFile not bool", `{"enableLockFile": "true"}`, `1:20: enableLockFile must be a boolean, not a string`},
		{"unknown strategy", `{"resolutionStrategy": "newest"}`, `1:24: resolutionStrategy "newest" is not one of "lowest", "highestPatch", "highestMinor", "highest"`},
		{"strategy not string", `{"resolutionStrategy": 1}`, `1:24: resolutionStrategy must be a string, not a number`},
		{"registry not string", `{"registry": false}`, `1:14: registry must be a string, not a boolean`},
		{"registry not a URL", `{"registry": "npm.example.com"}`, `1:14: registry: "npm.example.com" is not an http(s) URL such as "https://npm.example.com"`},
		{"scopedRegistries not array", `{"scopedRegistries": {}}`, `1:22: scopedRegistries must be an array, not an object`},
		{"scoped registry not object", `{"scopedRegistries": ["x"]}`, `1:23: scopedRegistries[0] must be an object, not a string`},
		{"scoped registry without url", `{"scopedRegistries": [{"name": "a", "scopes": []}]}`, `1:23: scopedRegistries[0] has no "url"`},
		{"scoped registry bad url", `{"scopedRegistries": [{"url": "ftp://x.example.com"}]}`, `1:31: scopedRegistries[0].url: "ftp://x.example.com" is not an http(s) URL such as "https://npm.example.com"`},
		{"scoped registry name not string", `{"scopedRegistries": [{"name": 1}]}`, `1:32: scopedRegistries[0].name must be a string, not a number`},
		{"scopes not array", `{"scopedRegistries": [{"url": "https://r.example.com", "scopes": "com.example"}]}`, `1:66: scopedRegistries[0].scopes must be an array, not a string`},
		{"scope not string", `{"scopedRegistries": [{"url": "https://r.example.com", "scopes": [1]}]}`, `1:67: scopedRegistries[0].scopes[] must be a string, not a number`},
		{"scope empty", `{"scopedRegistries": [{"url": "https://r.example.com", "scopes": [""]}]}`, `1:67: scopedRegistries[0].scopes: "" is not a valid scope (a package name or a prefix of one, such as "com.example")`},
		{"scoped registry duplicate key", `{"scopedRegistries": [{"url": "https://r.example.com", "url": "https://r.example.com"}]}`, `1:56: scopedRegistries[0]: "url" is listed twice`},
		{"second scoped registry", `{"scopedRegistries": [{"url": "https://r.example.com"}, {"url": 1}]}`, `1:65: scopedRegistries[1].url must be a string, not a number`},
		{"testables not array", `{"testables": "com.example.a"}`, `1:15: testables must be an array, not a string`},
		{"testable not string", `{"testables": [null]}`, `1:16: testables[] must be a string, not null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse("Packages/manifest.json", []byte(tt.in))
			if err == nil {
				err = m.CheckValues(nil) // values an embedded package could override
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if got, want := err.Error(), "Packages/manifest.json:"+tt.want; got != want {
				t.Errorf("err\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestParseGolden parses every testdata/manifests/*.json and compares a
// readable dump of the result (or the error) with testdata/manifests.golden.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/manifests/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var out bytes.Buffer
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "== %s\n", filepath.Base(path))
		m, err := Parse("Packages/manifest.json", data)
		if err == nil {
			err = m.CheckValues(nil)
		}
		if err != nil {
			fmt.Fprintf(&out, "error: %v\n\n", err)
			continue
		}
		dumpManifest(&out, m)
	}
	golden(t, "manifests.golden", out.Bytes())
}

func dumpManifest(w *bytes.Buffer, m *Manifest) {
	fmt.Fprintf(w, "enableLockFile=%v resolutionStrategy=%s registry=%q\n", m.EnableLockFile, m.ResolutionStrategy, m.Registry)
	for _, d := range m.Dependencies {
		spec := d.Spec // as Parse parsed it
		url, reg := m.RegistryFor(d.Name, DefaultRegistry)
		via := "default"
		if reg != nil {
			via = "scoped " + reg.Name
		}
		fmt.Fprintf(w, "  %d:%d %s = %s\n    %s", d.Line, d.Column, d.Name, d.Version, spec.Kind)
		for _, f := range [][2]string{{"version", spec.Version}, {"path", spec.Path}, {"subpath", spec.SubPath}, {"rev", spec.Rev}} {
			if f[1] != "" {
				fmt.Fprintf(w, " %s=%s", f[0], f[1])
			}
		}
		if spec.Kind == SpecVersion {
			fmt.Fprintf(w, " from %s (%s)", url, via)
		}
		w.WriteString("\n")
	}
	for _, r := range m.ScopedRegistries {
		fmt.Fprintf(w, "  registry %q %s %q\n", r.Name, r.URL, r.Scopes)
	}
	if len(m.Testables) > 0 {
		fmt.Fprintf(w, "  testables %q\n", m.Testables)
	}
	w.WriteString("\n")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func TestDefaultRegistryFor(t *testing.T) {
	for editor, want := range map[string]string{
		"2022.3.49f1c1": DefaultRegistryChina, "2020.3.3f1c1": DefaultRegistryChina,
		"2022.3.49f1": DefaultRegistry, "": DefaultRegistry, "6000.0.23f1": DefaultRegistry, "junk": DefaultRegistry,
	} {
		if got := DefaultRegistryFor(editor); got != want {
			t.Errorf("DefaultRegistryFor(%q) = %q; want %q", editor, got, want)
		}
	}
}

// TestEmbeddedOverridesAnyValue: a value that is no valid request parses,
// and is no error for a name an embedded package provides (a real project
// asks for "nuget": "files:./Nuget" and Unity installs Packages/Nuget).
func TestEmbeddedOverridesAnyValue(t *testing.T) {
	m, err := Parse("Packages/manifest.json", []byte(`{"dependencies": {"nuget": "files:./Nuget", "com.example.a": "1.0.0"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.CheckValues(func(n string) bool { return n == "nuget" }); err != nil {
		t.Errorf("embedded: %v", err)
	}
	if err := m.CheckValues(nil); err == nil || !strings.Contains(err.Error(), `nuget: "files:./Nuget" is not an exact version`) {
		t.Errorf("not embedded: %v", err)
	}
}
