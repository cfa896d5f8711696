package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// checkParseError fails unless err is a *ParseError with a real position.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 || pe.Msg == "" || pe.File == "" {
		t.Fatalf("bad error %T %v", err, err)
	}
}

// offsetOf turns a 1-based line and character column back into a byte offset.
func offsetOf(data []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		off += bytes.IndexByte(data[off:], '\n') + 1
	}
	if off == 0 && bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		off = 3
	}
	for c := 1; c < col; c++ {
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off
}

// encodeManifest writes m as manifest.json (for the round trip).
func encodeManifest(m *Manifest) []byte {
	var b bytes.Buffer
	str := func(s string) {
		enc, _ := json.Marshal(s)
		b.Write(enc)
	}
	list := func(xs []string) {
		enc, _ := json.Marshal(append([]string{}, xs...))
		b.Write(enc)
	}
	b.WriteString(`{"dependencies": {`)
	for i, d := range m.Dependencies {
		if i > 0 {
			b.WriteString(", ")
		}
		str(d.Name)
		b.WriteString(": ")
		str(d.Version)
	}
	b.WriteString(`}, "scopedRegistries": [`)
	for i, r := range m.ScopedRegistries {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`{"name": `)
		str(r.Name)
		b.WriteString(`, "url": `)
		str(r.URL)
		b.WriteString(`, "scopes": `)
		list(r.Scopes)
		b.WriteString(`}`)
	}
	enable, _ := json.Marshal(m.EnableLockFile)
	b.WriteString(`], "testables": `)
	list(m.Testables)
	b.WriteString(`, "enableLockFile": `)
	b.Write(enable)
	b.WriteString(`, "resolutionStrategy": `)
	str(m.ResolutionStrategy)
	b.WriteString(`, "registry": `)
	str(m.Registry)
	b.WriteString("}\n")
	return b.Bytes()
}

// FuzzParseManifest: Parse never panics; it accepts only valid names and
// values; every dependency's position points at its value; and a parsed
// manifest written back out parses to the same manifest (names, versions,
// registries and settings round-trip).
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(fullManifest))
	files, _ := filepath.Glob("testdata/manifests/*.json")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"dependencies": {"a.b": "git@h:r.git#x", "c.d": "file:x.tgz", "e.f": "1.0.0-a+b"}, "testables": [null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz/manifest.json", data)
		if err != nil {
			checkParseError(t, err)
			return
		}
		seen := map[string]bool{}
		for _, d := range m.Dependencies {
			if err := ValidateName(d.Name); err != nil || seen[d.Name] {
				t.Fatalf("accepted name %q (dup=%v): %v", d.Name, seen[d.Name], err)
			}
			seen[d.Name] = true
			// The value was parsed once, by Parse: Spec and SpecErr are
			// ParseSpec's answer.
			spec, err := ParseSpec(d.Version)
			if spec != d.Spec || (err == nil) != (d.SpecErr == nil) || err != nil && err.Error() != d.SpecErr.Error() {
				t.Fatalf("value %q: Spec %+v, SpecErr %v; ParseSpec says %+v, %v", d.Version, d.Spec, d.SpecErr, spec, err)
			}
			if err != nil {
				// Kept for an embedded package to override; CheckValues
				// reports it, at the value's position.
				var pe *ParseError
				if cerr := m.CheckValues(func(n string) bool { return n != d.Name }); !errors.As(cerr, &pe) || pe.Line != d.Line || pe.Column != d.Column {
					t.Fatalf("value %q: CheckValues = %v", d.Version, cerr)
				}
			}
			// The position points at the value: a JSON string decoding to
			// the version (the rest of the document follows it).
			var at string
			dec := json.NewDecoder(bytes.NewReader(data[offsetOf(data, d.Line, d.Column):]))
			if err := dec.Decode(&at); err != nil || at != d.Version {
				t.Fatalf("%s at %d:%d does not point at %q (%q, %v)", d.Name, d.Line, d.Column, d.Version, at, err)
			}
		}
		out := encodeManifest(m)
		back, err := Parse("fuzz/manifest.json", out)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		strip := func(m *Manifest) *Manifest {
			c := *m
			c.Dependencies = nil
			for _, d := range m.Dependencies {
				c.Dependencies = append(c.Dependencies, Dependency{Name: d.Name, Version: d.Version})
			}
			for i := range c.ScopedRegistries {
				if c.ScopedRegistries[i].Scopes == nil {
					c.ScopedRegistries[i].Scopes = []string{}
				}
			}
			if c.Testables == nil {
				c.Testables = []string{}
			}
			if c.ScopedRegistries == nil {
				c.ScopedRegistries = []ScopedRegistry{}
			}
			return &c
		}
		if diff := cmp.Diff(strip(m), strip(back)); diff != "" {
			t.Fatalf("round trip differs (-first +second):\n%s", diff)
		}
		for _, d := range m.Dependencies {
			url, reg := m.RegistryFor(d.Name, "http://127.0.0.1:1/")
			if strings.HasSuffix(url, "/") || reg != nil && !strings.HasPrefix(reg.URL, url) {
				t.Fatalf("RegistryFor(%q) = %q, %+v", d.Name, url, reg)
			}
		}
	})
}

// FuzzParsePackageJSON: never panics; errors have positions; what it accepts
// has a valid name, an exact version and exact-version dependencies.
func FuzzParsePackageJSON(f *testing.F) {
	f.Add([]byte(`{"name": "com.example.tools", "version": "1.2.0", "unity": "2021.3", "unityRelease": "0b4", "dependencies": {"com.unity.ugui": "1.0.0"}}`))
	f.Add([]byte(`{"name": "a.b", "version": "1.0.0-rc.1+x", "displayName": "\u00e9", "dependencies": {}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePackageJSON("fuzz/package.json", data)
		if err != nil {
			checkParseError(t, err)
			return
		}
		if ValidateName(p.Name) != nil || p.Version == "" {
			t.Fatalf("accepted %+v", p)
		}
		for _, d := range p.Dependencies {
			if s, err := ParseSpec(d.Version); err != nil || s.Kind != SpecVersion || s != d.Spec || d.SpecErr != nil || d.Line < 1 || d.Column < 1 {
				t.Fatalf("accepted dependency %+v", d)
			}
		}
		if lowest := p.Unity; lowest != "" {
			if p.UnityRelease != "" {
				lowest += "." + p.UnityRelease
			}
			if !EditorCompatible(p.Unity, p.UnityRelease, lowest) {
				t.Fatalf("a package is not compatible with its own lowest editor %s: %+v", lowest, p)
			}
		}
	})
}

// FuzzParseSpec: ParseSpec, the editor version helpers and
// ParseProjectVersion never panic, and their results are consistent.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"1.0.0", "^1.0.0", "file:a.tgz", "git@h:r.git?path=/a#b", "https://h.example.com/r.git#v1", "2021.3.5f1", "6000.0.23f1c1"} {
		f.Add(s, "2022.3.0b4")
	}
	f.Fuzz(func(t *testing.T, value, editor string) {
		s, err := ParseSpec(value)
		if err == nil {
			switch s.Kind {
			case SpecVersion:
				if s.Version != value {
					t.Fatalf("version %q from %q", s.Version, value)
				}
			case SpecLocalFolder, SpecLocalTarball:
				if "file:"+s.Path != value {
					t.Fatalf("path %q from %q", s.Path, value)
				}
			case SpecGit:
				if s.URL != value || s.Rev != "" && !strings.HasSuffix(value, "#"+s.Rev) {
					t.Fatalf("git %+v from %q", s, value)
				}
			}
		} else if err.Error() == "" {
			t.Fatal("empty error")
		}
		if c1, c2 := CompareEditor(value, editor), CompareEditor(editor, value); c1 != -c2 {
			t.Fatalf("CompareEditor(%q, %q) = %d, reverse %d", value, editor, c1, c2)
		}
		if CompareEditor(value, value) != 0 {
			t.Fatalf("CompareEditor(%q, itself) != 0", value)
		}
		_ = EditorCompatible(value, editor, editor)
		if v, err := ParseProjectVersion("ProjectVersion.txt", []byte("m_EditorVersion: "+value+"\n")); err == nil && !editorOK(v) {
			t.Fatalf("ParseProjectVersion accepted %q", v)
		} else if err != nil {
			checkParseError(t, err)
		}
	})
}

// editorOK reports whether s parses as an editor version.
func editorOK(s string) bool {
	_, err := ParseEditorVersion(s)
	return err == nil
}
