package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/upkg/upkg/internal/jsonpos"
)

// The golden tests in testdata/edit/*.txtar: the archive's comment lists
// operations, one a line, applied in order to the file "manifest.json"; the
// file "want" is the expected result (-update rewrites it). Operations:
//
//	set NAME VALUE              SetDependency
//	remove NAME                 RemoveDependency (which must report removed)
//	add-testable NAME           AddTestable
//	remove-testable NAME        RemoveTestable (which must report removed)
//	add-scopes URL NAME SCOPE…  AddScopes ("-" for an empty name)
//	remove-scopes URL SCOPE…    RemoveScopes
//
// "!remove" and "!remove-testable" expect removed false and data unchanged.
// A line "encoding: crlf nonewline bom" transforms both files the same way
// before the run (LF to CRLF, final newline dropped, byte order mark added),
// and the output must come back through the reverse transformation exactly, so
// the golden files stay readable while the bytes are checked.
func TestEditGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/edit/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var in, want []byte
			wantAt := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "manifest.json":
					in = f.Data
				case "want":
					want, wantAt = f.Data, i
				}
			}
			var enc []string
			var ops [][]string
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				f := strings.Fields(line)
				switch {
				case len(f) == 0 || strings.HasPrefix(f[0], "#"):
				case f[0] == "encoding:":
					enc = f[1:]
				default:
					ops = append(ops, f)
				}
			}
			data := encode(in, enc)
			for _, op := range ops {
				data, err = runOp(data, op)
				if err != nil {
					t.Fatalf("%s: %v", strings.Join(op, " "), err)
				}
			}
			got, err := decode(data, enc)
			if err != nil {
				t.Fatalf("%v\n%q", err, data)
			}
			if *update {
				if wantAt < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wantAt = len(ar.Files) - 1
				}
				ar.Files[wantAt].Data = got
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func runOp(data []byte, op []string) ([]byte, error) {
	const path = "Packages/manifest.json"
	args := op[1:]
	need := func(n int) error {
		if len(args) < n {
			return fmt.Errorf("want %d arguments", n)
		}
		return nil
	}
	removal := func(out []byte, removed bool, err error) ([]byte, error) {
		switch {
		case err != nil:
			return nil, err
		case strings.HasPrefix(op[0], "!") && (removed || !bytes.Equal(out, data)):
			return nil, errors.New("removed something")
		case !strings.HasPrefix(op[0], "!") && !removed:
			return nil, errors.New("removed nothing")
		}
		return out, nil
	}
	if err := need(1); err != nil {
		return nil, err
	}
	switch op[0] {
	case "set":
		if err := need(2); err != nil {
			return nil, err
		}
		return SetDependency(path, data, args[0], strings.Join(args[1:], " "))
	case "remove", "!remove":
		return removal(RemoveDependency(path, data, args[0]))
	case "add-testable":
		return AddTestable(path, data, args[0])
	case "remove-testable", "!remove-testable":
		return removal(RemoveTestable(path, data, args[0]))
	case "add-scopes":
		if err := need(2); err != nil {
			return nil, err
		}
		name := args[1]
		if name == "-" {
			name = ""
		}
		return AddScopes(path, data, ScopedRegistry{Name: name, URL: args[0], Scopes: args[2:]})
	case "remove-scopes":
		return RemoveScopes(path, data, args[0], args[1:])
	}
	return nil, fmt.Errorf("unknown operation %q", op[0])
}

func encode(b []byte, enc []string) []byte {
	for _, e := range enc {
		switch e {
		case "crlf":
			b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		case "nonewline":
			b = bytes.TrimRight(b, "\r\n")
		case "bom":
			b = append([]byte("\xEF\xBB\xBF"), b...)
		}
	}
	return b
}

// decode reverses encode and fails unless the bytes are exactly what encode
// would have made.
func decode(b []byte, enc []string) ([]byte, error) {
	orig := b
	for _, e := range enc {
		switch e {
		case "crlf":
			if lineEndings(b)&endLF != 0 {
				return nil, errors.New("a line ends in LF, not CRLF")
			}
			b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		case "nonewline":
			if bytes.HasSuffix(b, []byte("\n")) {
				return nil, errors.New("the output ends with a newline")
			}
			b = append(b, '\n')
		case "bom":
			var ok bool
			if b, ok = bytes.CutPrefix(b, []byte("\xEF\xBB\xBF")); !ok {
				return nil, errors.New("the byte order mark is gone")
			}
		}
	}
	if !bytes.Equal(encode(b, enc), orig) {
		return nil, errors.New("the output is not in the file's encoding")
	}
	return b, nil
}

func TestEditParseError(t *testing.T) {
	bad := []byte("{\n  \"dependencies\": {\n    \"com.example.a\": 1.0.0\n  }\n}\n")
	_, want := Parse("Packages/manifest.json", bad)
	calls := map[string]func() error{
		"SetDependency": func() error {
			_, err := SetDependency("Packages/manifest.json", bad, "com.example.b", "1.0.0")
			return err
		},
		"RemoveDependency": func() error {
			_, _, err := RemoveDependency("Packages/manifest.json", bad, "com.example.a")
			return err
		},
		"AddTestable": func() error { _, err := AddTestable("Packages/manifest.json", bad, "com.example.a"); return err },
		"RemoveTestable": func() error {
			_, _, err := RemoveTestable("Packages/manifest.json", bad, "com.example.a")
			return err
		},
		"AddScopes": func() error {
			_, err := AddScopes("Packages/manifest.json", bad, ScopedRegistry{Name: "x", URL: "http://127.0.0.1:4873", Scopes: []string{"com.example"}})
			return err
		},
		"RemoveScopes": func() error {
			_, err := RemoveScopes("Packages/manifest.json", bad, "http://127.0.0.1:4873", []string{"com.example"})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		var pe *ParseError
		if !errors.As(err, &pe) || err.Error() != want.Error() || !strings.HasPrefix(err.Error(), "Packages/manifest.json:3:") {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
	}
	if want == nil {
		t.Fatal("the bad manifest parses")
	}
}

func TestEditRefusesBadInput(t *testing.T) {
	data := []byte("{\n  \"dependencies\": {}\n}\n")
	if _, err := SetDependency("m.json", data, "Not A Name", "1.0.0"); err == nil {
		t.Error("SetDependency accepted an invalid name")
	}
	if _, err := SetDependency("m.json", data, "com.example.a", "1.0\xff"); err == nil {
		t.Error("SetDependency accepted invalid UTF-8")
	}
	if _, err := AddScopes("m.json", data, ScopedRegistry{URL: "ftp://127.0.0.1", Scopes: []string{"com.example"}}); err == nil {
		t.Error("AddScopes accepted an ftp URL")
	}
	if _, err := AddScopes("m.json", data, ScopedRegistry{URL: "http://127.0.0.1", Scopes: []string{" com.example"}}); err == nil {
		t.Error("AddScopes accepted a scope with spaces")
	}
}

func TestEditUnchanged(t *testing.T) {
	data := []byte("{\n  \"dependencies\": {\"com.example.a\": \"1.0.0\"},\n  \"testables\": [\"com.example.a\"],\n  \"scopedRegistries\": [{\"name\": \"x\", \"url\": \"http://127.0.0.1:4873/\", \"scopes\": [\"com.example\"]}]\n}")
	check := func(name string, out []byte, err error) {
		t.Helper()
		if err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
	out, err := SetDependency("m.json", data, "com.example.a", "1.0.0")
	check("SetDependency", out, err)
	out, err = AddTestable("m.json", data, "com.example.a")
	check("AddTestable", out, err)
	out, err = AddScopes("m.json", data, ScopedRegistry{Name: "y", URL: "HTTP://127.0.0.1:4873", Scopes: []string{"com.example"}})
	check("AddScopes", out, err)
	out, err = RemoveScopes("m.json", data, "http://127.0.0.1:4874", []string{"com.example"})
	check("RemoveScopes", out, err)
}

// TestVerifyEditCatches: the last check refuses output that differs from the
// intended tree or changes the file's bytes conventions.
func TestVerifyEditCatches(t *testing.T) {
	data := []byte("{\r\n  \"dependencies\": {\r\n    \"com.example.a\": \"1.0.0\"\r\n  }\r\n}\r\n")
	v, err := jsonpos.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{
		"other value":   "{\r\n  \"dependencies\": {\r\n    \"com.example.a\": \"2.0.0\"\r\n  }\r\n}\r\n",
		"key order":     "{\r\n  \"dependencies\": {\r\n    \"com.example.a\": \"1.0.0\"\r\n  },\r\n  \"x\": 1\r\n}\r\n",
		"mixed endings": "{\r\n  \"dependencies\": {\n    \"com.example.a\": \"1.0.0\"\r\n  }\r\n}\r\n",
		"final newline": "{\r\n  \"dependencies\": {\r\n    \"com.example.a\": \"1.0.0\"\r\n  }\r\n}",
		"bad manifest":  "{\r\n  \"dependencies\": []\r\n}\r\n",
	} {
		if err := verifyEdit("m.json", data, []byte(out), toTree(v).(*tObj)); err == nil || !strings.Contains(err.Error(), "internal error") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := verifyEdit("m.json", data, data, toTree(v).(*tObj)); err != nil {
		t.Errorf("unchanged: %v", err)
	}
}
