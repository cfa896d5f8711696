package manifest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePackageJSON(t *testing.T) {
	in := "\xEF\xBB\xBF{\r\n" +
		"  \"name\": \"com.example.tools\",\r\n" +
		"  \"version\": \"1.2.0-preview.3\",\r\n" +
		"  \"displayName\": \"Example <Tools> & \\\"more\\\"\",\r\n" +
		"  \"description\": \"ignored\",\r\n" +
		"  \"unity\": \"2021.3\",\r\n" +
		"  \"unityRelease\": \"0b4\",\r\n" +
		"  \"dependencies\": {\r\n" +
		"    \"com.unity.ugui\": \"1.0.0\",\r\n" +
		"    \"com.example.core\": \"2.0.0\"\r\n" +
		"  },\r\n" +
		"  \"samples\": [{\"displayName\": \"x\", \"path\": \"Samples~/x\"}],\r\n" +
		"  \"author\": {\"name\": \"me\"}\r\n" +
		"}\r\n"
	p, err := ParsePackageJSON("Packages/com.example.tools/package.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &PackageJSON{
		Name: "com.example.tools", Version: "1.2.0-preview.3", DisplayName: `Example <Tools> & "more"`,
		Unity: "2021.3", UnityRelease: "0b4",
		Dependencies: []Dependency{
			{Name: "com.unity.ugui", Version: "1.0.0", Spec: Spec{Kind: SpecVersion, Version: "1.0.0"}, Line: 9, Column: 23},
			{Name: "com.example.core", Version: "2.0.0", Spec: Spec{Kind: SpecVersion, Version: "2.0.0"}, Line: 10, Column: 25},
		},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	minimal, err := ParsePackageJSON("p.json", []byte(`{"version": "1.0.0", "name": "a.b"}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&PackageJSON{Name: "a.b", Version: "1.0.0"}, minimal); diff != "" {
		t.Errorf("minimal (-want +got):\n%s", diff)
	}
}

func TestParsePackageJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no name", `{"version": "1.0.0"}`, `1:1: package.json has no "name"`},
		{"no version", `{"name": "a.b"}`, `1:1: package.json has no "version"`},
		{"bad name", `{"name": "@a/b", "version": "1.0.0"}`, `1:10: name "@a/b": npm scoped names are not Unity package names; use a reverse-domain name such as "com.example.tools"`},
		{"name not string", `{"name": ["a.b"]}`, `1:10: name must be a string, not an array`},
		{"bad version", `{"name": "a.b", "version": "1.0"}`, `1:28: version "1.0" is not a valid SemVer 2.0 version such as "1.0.0"`},
		{"bad unity", `{"name": "a.b", "version": "1.0.0", "unity": "2021.3.1f1"}`, `1:46: unity "2021.3.1f1" is not an editor version such as "2021.3"`},
		{"bad unityRelease", `{"name": "a.b", "version": "1.0.0", "unity": "2021.3", "unityRelease": "b4"}`, `1:72: unityRelease "b4" is not a release such as "0b4" or "23f1"`},
		{"unityRelease alone", `{"name": "a.b", "version": "1.0.0", "unityRelease": "0b4"}`, `1:53: unityRelease needs "unity" as well`},
		{"displayName not string", `{"displayName": null}`, `1:17: displayName must be a string, not null`},
		{"range dependency", `{"name": "a.b", "version": "1.0.0", "dependencies": {"c.d": "^1.0.0"}}`, `1:61: c.d: "^1.0.0" is a version range; Unity needs an exact version such as "1.0.0"`},
		{"git dependency", `{"name": "a.b", "version": "1.0.0", "dependencies": {"c.d": "https://h.example.com/r.git"}}`, `1:61: c.d: "https://h.example.com/r.git": a package's own dependencies must be exact versions (file: paths and Git URLs are allowed only in the project manifest)`},
		{"file dependency", `{"name": "a.b", "version": "1.0.0", "dependencies": {"c.d": "file:../c"}}`, `1:61: c.d: "file:../c": a package's own dependencies must be exact versions (file: paths and Git URLs are allowed only in the project manifest)`},
		{"duplicate dependency", `{"dependencies": {"c.d": "1.0.0", "c.d": "1.0.0"}}`, `1:35: dependencies: "c.d" is listed twice`},
		{"duplicate key", `{"name": "a.b", "name": "a.b"}`, `1:17: package.json: "name" is listed twice`},
		{"syntax", `{"name": "a.b",}`, `1:16: unexpected character '}', expected a string key`},
		{"not object", `"a.b"`, `1:1: package.json must be a JSON object, not a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePackageJSON("package.json", []byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if got, want := err.Error(), "package.json:"+tt.want; got != want {
				t.Errorf("err\n got %q\nwant %q", got, want)
			}
		})
	}
}
