package manifest

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/upkg/upkg/internal/jsonpos"
	"github.com/upkg/upkg/internal/regurl"
)

var fuzzURLs = []string{"http://127.0.0.1:4873", "HTTP://127.0.0.1:4873/", "http://127.0.0.1:4874/x", "https://npm.example.com"}

// FuzzEdits applies one operation (op picks it and the registry URL) to a
// manifest and checks, independently of the editor's own verification: the
// output parses; the change happened; every other root key and every other
// dependency, testable and registry is as it was; the byte order mark, the
// final newline and the line ending style are kept. name is the package or
// testable; value is the version, or the scopes (comma-separated).
func FuzzEdits(f *testing.F) {
	var seeds [][]byte
	files, _ := filepath.Glob("testdata/edit/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range ar.Files {
			seeds = append(seeds, af.Data, bytes.ReplaceAll(af.Data, []byte("\n"), []byte("\r\n")))
		}
	}
	seeds = append(seeds, []byte(fullManifest), []byte("\xEF\xBB\xBF{}"), []byte(`{"dependencies":{}}`))
	for i, s := range seeds {
		for op := range 6 {
			f.Add(s, uint8(op+6*(i%len(fuzzURLs))), "com.example.a", "1.0.0")
			f.Add(s, uint8(op), "com.unity.modules.ai", "com.example,com.example.tools")
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, op uint8, name, value string) {
		const path = "fuzz/manifest.json"
		before, perr := Parse(path, data)
		url := fuzzURLs[int(op/6)%len(fuzzURLs)]
		var scopes []string
		if value != "" {
			scopes = strings.Split(value, ",")
		}
		var out []byte
		var removed bool
		var err error
		var key string // the root key the operation may change
		switch op % 6 {
		case 0:
			key = keyDependencies
			out, err = SetDependency(path, data, name, value)
		case 1:
			key = keyDependencies
			out, removed, err = RemoveDependency(path, data, name)
		case 2:
			key = keyTestables
			out, err = AddTestable(path, data, name)
		case 3:
			key = keyTestables
			out, removed, err = RemoveTestable(path, data, name)
		case 4:
			key = keyScopedRegistries
			out, err = AddScopes(path, data, ScopedRegistry{Name: name, URL: url, Scopes: scopes})
		case 5:
			key = keyScopedRegistries
			out, err = RemoveScopes(path, data, url, scopes)
		}
		if perr != nil {
			if err == nil || err.Error() != perr.Error() {
				t.Fatalf("input does not parse (%v) but the edit says %v", perr, err)
			}
			return
		}
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) || strings.Contains(err.Error(), "internal error") {
				t.Fatalf("edit failed: %v", err)
			}
			// Refused input: check that it really is invalid.
			switch op % 6 {
			case 0:
				if ValidateName(name) == nil && utf8.ValidString(value) {
					t.Fatalf("SetDependency(%q, %q) refused: %v", name, value, err)
				}
			case 2:
				if ValidateName(name) == nil {
					t.Fatalf("AddTestable(%q) refused: %v", name, err)
				}
			case 4:
				ok := utf8.ValidString(name)
				for _, s := range scopes {
					ok = ok && s != "" && strings.TrimSpace(s) == s && utf8.ValidString(s)
				}
				if ok {
					t.Fatalf("AddScopes(%q, %q) refused: %v", name, scopes, err)
				}
			default:
				t.Fatalf("refused: %v", err)
			}
			return
		}
		after, err := Parse(path, out)
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, out)
		}
		// Bytes: BOM, final newline, line endings.
		if bytes.HasPrefix(data, bom) != bytes.HasPrefix(out, bom) || bytes.HasSuffix(data, []byte("\n")) != bytes.HasSuffix(out, []byte("\n")) {
			t.Fatalf("BOM or final newline changed:\n%q\n%q", data, out)
		}
		if le := lineEndings(data); le != 0 && lineEndings(out)&^le != 0 {
			t.Fatalf("line endings changed (%d → %d):\n%q\n%q", le, lineEndings(out), data, out)
		}
		// Every other root key is as it was, in the same order.
		if !reflect.DeepEqual(rootWithout(t, data, key), rootWithout(t, out, key)) {
			t.Fatalf("other keys changed:\n%s\n%s", data, out)
		}
		switch op % 6 {
		case 0:
			want := slices.DeleteFunc(slices.Clone(before.Dependencies), func(d Dependency) bool { return d.Name == name })
			got := slices.DeleteFunc(slices.Clone(after.Dependencies), func(d Dependency) bool { return d.Name == name })
			if !sameDeps(want, got) || !hasDep(after, name, value) {
				t.Fatalf("set %s %q:\n%s\n%s", name, value, data, out)
			}
		case 1:
			want := slices.DeleteFunc(slices.Clone(before.Dependencies), func(d Dependency) bool { return d.Name == name })
			if !sameDeps(want, after.Dependencies) || removed != (len(want) < len(before.Dependencies)) {
				t.Fatalf("remove %s (removed %v):\n%s\n%s", name, removed, data, out)
			}
		case 2:
			want := before.Testables
			if !slices.Contains(want, name) {
				want = append(slices.Clone(want), name)
			}
			if !slices.Equal(want, after.Testables) {
				t.Fatalf("add testable %s:\n%s\n%s", name, data, out)
			}
		case 3:
			want := slices.DeleteFunc(slices.Clone(before.Testables), func(s string) bool { return s == name })
			if !slices.Equal(want, after.Testables) || removed != (len(want) < len(before.Testables)) {
				t.Fatalf("remove testable %s (removed %v):\n%s\n%s", name, removed, data, out)
			}
		case 4, 5:
			checkScopes(t, before, after, url, scopes, op%6 == 4)
		}
	})
}

func hasDep(m *Manifest, name, value string) bool {
	for _, d := range m.Dependencies {
		if d.Name == name {
			return d.Version == value
		}
	}
	return false
}

func sameDeps(a, b []Dependency) bool {
	return slices.EqualFunc(a, b, func(x, y Dependency) bool { return x.Name == y.Name && x.Version == y.Version })
}

// rootWithout is the document's tree without the root key key.
func rootWithout(t *testing.T, data []byte, key string) *tObj {
	v, err := jsonpos.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	o := toTree(v).(*tObj)
	o.Members = slices.DeleteFunc(o.Members, func(m tMember) bool { return m.Key == key })
	return o
}

// checkScopes checks AddScopes (add) or RemoveScopes on the parsed manifests:
// registries at other URLs are untouched; after adding, the first entry for
// url has every scope; after removing, no entry for url has any of them and
// entries left without scopes are gone.
func checkScopes(t *testing.T, before, after *Manifest, url string, scopes []string, add bool) {
	t.Helper()
	want, _ := regurl.NormalizeURL(url)
	isURL := func(r ScopedRegistry) bool {
		n, err := regurl.NormalizeURL(r.URL)
		return err == nil && n == want
	}
	others := func(m *Manifest) []ScopedRegistry {
		return slices.DeleteFunc(slices.Clone(m.ScopedRegistries), isURL)
	}
	if !slices.EqualFunc(others(before), others(after), func(x, y ScopedRegistry) bool { return reflect.DeepEqual(x, y) }) {
		t.Fatalf("other registries changed: %+v → %+v", before.ScopedRegistries, after.ScopedRegistries)
	}
	var mine []ScopedRegistry
	for _, r := range after.ScopedRegistries {
		if isURL(r) {
			mine = append(mine, r)
		}
	}
	if add {
		if len(scopes) == 0 {
			return
		}
		if len(mine) == 0 {
			t.Fatalf("no entry for %s: %+v", url, after.ScopedRegistries)
		}
		for _, s := range scopes {
			if !slices.Contains(mine[0].Scopes, s) {
				t.Fatalf("scope %q missing: %+v", s, mine[0])
			}
		}
		return
	}
	for _, r := range mine {
		for _, s := range scopes {
			if slices.Contains(r.Scopes, s) {
				t.Fatalf("scope %q left: %+v", s, r)
			}
		}
	}
	if len(after.ScopedRegistries) == 0 && len(before.ScopedRegistries) > 0 && len(others(before)) > 0 {
		t.Fatalf("registries lost")
	}
}
