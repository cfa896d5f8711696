package upmconfig

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func ptr[T any](v T) *T { return &v }

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toCRLF(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

func noFinalNewline(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\n")) }

// mustSet and friends fail the test on an error.
func mustSet(t *testing.T, in []byte, reg string, u AuthUpdate) []byte {
	t.Helper()
	out, err := SetAuth(in, reg, u)
	if err != nil {
		t.Fatalf("SetAuth(%s): %v", reg, err)
	}
	return out
}

func mustRemove(t *testing.T, in []byte, reg string) []byte {
	t.Helper()
	out, removed, err := RemoveAuth(in, reg)
	if err != nil || !removed {
		t.Fatalf("RemoveAuth(%s) = removed %v, %v", reg, removed, err)
	}
	return out
}

func mustSetKey(t *testing.T, in []byte, key string, v any) []byte {
	t.Helper()
	out, err := SetKey(in, key, v)
	if err != nil {
		t.Fatalf("SetKey(%s): %v", key, err)
	}
	return out
}

func mustUnsetKey(t *testing.T, in []byte, key string) []byte {
	t.Helper()
	out, removed, err := UnsetKey(in, key)
	if err != nil || !removed {
		t.Fatalf("UnsetKey(%s) = removed %v, %v", key, removed, err)
	}
	return out
}

// changedLines returns the 1-based lines of in that differ from out, as the
// first and last line of the single hunk between their common prefix and
// suffix. A pure insertion reports the line it is inserted before twice.
func changedLines(in, out []byte) (first, last int, same bool) {
	p := 0
	for p < len(in) && p < len(out) && in[p] == out[p] {
		p++
	}
	if p == len(in) && p == len(out) {
		return 0, 0, true
	}
	// Align the hunk on a line start: a cut "A\nB\n" before "A-other" would
	// otherwise be seen as starting after the shared "A".
	p = bytes.LastIndexByte(in[:p], '\n') + 1
	s := 0
	for s < len(in)-p && s < len(out)-p && in[len(in)-1-s] == out[len(out)-1-s] {
		s++
	}
	// Count from line starts so that a hunk that starts mid-line (a value)
	// is reported on its own line.
	lineAt := func(off int) int { return 1 + bytes.Count(in[:off], []byte("\n")) }
	end := len(in) - s
	first = lineAt(p)
	if end <= p {
		return first, first, false
	}
	return first, lineAt(end - 1), false
}

type editCase struct {
	name  string
	input string              // file under testdata/edit
	prep  func([]byte) []byte // optional transformation of the input
	// base, when set, computes the document the edit is applied to (and
	// whose lines may change) from the input; edit then works on it.
	base  func(t *testing.T, in []byte) []byte
	edit  func(t *testing.T, in []byte) []byte
	lines [2]int // the lines of the edited document that may change
}

var editCases = []editCase{
	{name: "set-new-entry", input: "input.toml", lines: [2]int{20, 20},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://new.example.net/npm", AuthUpdate{Token: ptr("tok-new-\"quoted\"\\"), Email: ptr("me@new.example.net"), AlwaysAuth: ptr(true)})
		}},
	{name: "set-token-change", input: "input.toml", lines: [2]int{9, 9},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "HTTPS://NPM.example.com:443/", AuthUpdate{Token: ptr("tok-company-5678")})
		}},
	{name: "set-token-to-auth", input: "input.toml", lines: [2]int{9, 9},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://npm.example.com", AuthUpdate{Basic: ptr("YmFzaWM6cGFzcw==")})
		}},
	{name: "set-auth-to-token-add-email", input: "input.toml", lines: [2]int{15, 17},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://registry.example.org/unity", AuthUpdate{Token: ptr("tok-2"), Email: ptr("ci@example.org"), AlwaysAuth: ptr(false)})
		}},
	{name: "set-remove-email", input: "input.toml", lines: [2]int{10, 10},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://npm.example.com", AuthUpdate{Email: ptr("")})
		}},
	{name: "remove-first-entry", input: "input.toml", lines: [2]int{7, 12},
		edit: func(t *testing.T, in []byte) []byte { return mustRemove(t, in, "https://npm.example.com/") }},
	{name: "remove-second-entry", input: "input.toml", lines: [2]int{13, 17},
		edit: func(t *testing.T, in []byte) []byte { return mustRemove(t, in, "https://registry.example.org/unity") }},
	{name: "setkey-cacheRoot-new", input: "input.toml", lines: [2]int{6, 6},
		edit: func(t *testing.T, in []byte) []byte { return mustSetKey(t, in, KeyCacheRoot, "/var/cache/upm") }},
	{name: "setkey-cacheRoot-change", input: "input.toml", lines: [2]int{6, 6},
		base: func(t *testing.T, in []byte) []byte { return mustSetKey(t, in, KeyCacheRoot, "/var/cache/upm") },
		edit: func(t *testing.T, in []byte) []byte { return mustSetKey(t, in, KeyCacheRoot, `D:\upm cache`) }},
	{name: "setkey-maxCacheSize-change", input: "input.toml", lines: [2]int{5, 5},
		edit: func(t *testing.T, in []byte) []byte { return mustSetKey(t, in, KeyMaxCacheSize, int64(5_000_000_000)) }},
	{name: "unsetkey-maxCacheSize", input: "input.toml", lines: [2]int{5, 5},
		edit: func(t *testing.T, in []byte) []byte { return mustUnsetKey(t, in, KeyMaxCacheSize) }},
	{name: "unsetkey-unknown", input: "input.toml", lines: [2]int{4, 4},
		edit: func(t *testing.T, in []byte) []byte { return mustUnsetKey(t, in, "cacheSize") }},
	{name: "dotted-set-token", input: "dotted.toml", lines: [2]int{3, 3},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://a.example.com", AuthUpdate{Token: ptr("tok-a2")})
		}},
	{name: "dotted-add-email", input: "dotted.toml", lines: [2]int{7, 7},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://b.example.com", AuthUpdate{Email: ptr("b@example.com"), AlwaysAuth: ptr(true)})
		}},
	{name: "dotted-remove-a", input: "dotted.toml", lines: [2]int{3, 4},
		edit: func(t *testing.T, in []byte) []byte { return mustRemove(t, in, "https://a.example.com") }},
	{name: "dotted-remove-b", input: "dotted.toml", lines: [2]int{6, 7},
		edit: func(t *testing.T, in []byte) []byte { return mustRemove(t, in, "https://b.example.com") }},
	{name: "dotted-new-entry", input: "dotted.toml", lines: [2]int{10, 10},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://c.example.com", AuthUpdate{Basic: ptr("Yzpj")})
		}},
	{name: "nokeys-setkey", input: "nokeys.toml", lines: [2]int{3, 3},
		edit: func(t *testing.T, in []byte) []byte { return mustSetKey(t, in, KeyCacheRoot, "/c") }},
	{name: "nokeys-remove-only-entry", input: "nokeys.toml", lines: [2]int{2, 5},
		edit: func(t *testing.T, in []byte) []byte { return mustRemove(t, in, "https://npm.example.com") }},
	{name: "nofinal-token-change", input: "nokeys.toml", prep: noFinalNewline, lines: [2]int{5, 5},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://npm.example.com", AuthUpdate{Token: ptr("tok2")})
		}},
	{name: "nofinal-add-email", input: "nokeys.toml", prep: noFinalNewline, lines: [2]int{5, 5},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://npm.example.com", AuthUpdate{Email: ptr("e@example.com")})
		}},
	{name: "nofinal-new-entry", input: "nokeys.toml", prep: noFinalNewline, lines: [2]int{5, 5},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://other.example.com", AuthUpdate{Token: ptr("t")})
		}},
	{name: "empty-new-entry", input: "empty.toml", lines: [2]int{1, 1},
		edit: func(t *testing.T, in []byte) []byte {
			return mustSet(t, in, "https://npm.example.com", AuthUpdate{Token: ptr("t")})
		}},
	{name: "empty-setkey", input: "empty.toml", lines: [2]int{1, 1},
		edit: func(t *testing.T, in []byte) []byte { return mustSetKey(t, in, KeyMaxCacheSize, 42) }},
}

func TestEditGolden(t *testing.T) {
	for _, tc := range editCases {
		t.Run(tc.name, func(t *testing.T) {
			in := readTestdata(t, filepath.Join("edit", tc.input))
			if tc.prep != nil {
				in = tc.prep(in)
			}
			run := func(t *testing.T, in []byte) (base, out []byte) {
				base = in
				if tc.base != nil {
					base = tc.base(t, in)
				}
				out = tc.edit(t, base)
				if _, err := Parse("out.toml", out, false); err != nil {
					t.Fatalf("the output does not parse: %v\n%s", err, out)
				}
				return base, out
			}

			base, out := run(t, in)
			golden := filepath.Join("testdata", "edit", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := readTestdata(t, filepath.Join("edit", tc.name+".golden"))
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", golden, out, want)
			}
			first, last, same := changedLines(base, out)
			if same {
				t.Fatalf("the edit changed nothing")
			}
			if first < tc.lines[0] || last > tc.lines[1] {
				t.Errorf("the edit touched lines %d-%d of the input, want only %d-%d", first, last, tc.lines[0], tc.lines[1])
			}

			if !bytes.Contains(in, []byte("\n")) {
				return // no line ending to follow
			}
			// The same edit of the CRLF file gives the CRLF golden output.
			_, outCRLF := run(t, toCRLF(in))
			if !bytes.Equal(outCRLF, toCRLF(want)) {
				t.Errorf("CRLF output differs:\n--- got\n%q\n--- want\n%q", outCRLF, toCRLF(want))
			}
			if n := bytes.Count(outCRLF, []byte("\n")); n != bytes.Count(outCRLF, []byte("\r\n")) {
				t.Errorf("CRLF output has bare LF line endings: %q", outCRLF)
			}
		})
	}
}

func TestEditKeepsBOM(t *testing.T) {
	in := append([]byte(utf8BOM), readTestdata(t, "edit/input.toml")...)
	out := mustSet(t, in, "https://npm.example.com", AuthUpdate{Token: ptr("tok-bom")})
	if !bytes.HasPrefix(out, []byte(utf8BOM)) {
		t.Fatalf("BOM lost: %q", out[:10])
	}
	f, err := Parse("bom.toml", out, false)
	if err != nil {
		t.Fatal(err)
	}
	if f.NpmAuth[0].Token != "tok-bom" {
		t.Errorf("token = %q", f.NpmAuth[0].Token)
	}
	first, last, _ := changedLines(in, out)
	if first != 9 || last != 9 {
		t.Errorf("changed lines %d-%d, want 9", first, last)
	}
}

type editOp func(in []byte) ([]byte, error)

func opSet(reg string, u AuthUpdate) editOp {
	return func(in []byte) ([]byte, error) { return SetAuth(in, reg, u) }
}

func opRemove(reg string) editOp {
	return func(in []byte) ([]byte, error) {
		out, _, err := RemoveAuth(in, reg)
		return out, err
	}
}

func opSetKey(key string, v any) editOp {
	return func(in []byte) ([]byte, error) { return SetKey(in, key, v) }
}

func TestEditShapes(t *testing.T) {
	inlineWhole := []byte("[npmAuth]\n\"https://a.example.com\" = { token = \"tok\" }\n\"https://b.example.com\".token = \"b\"\n")
	inlineParent := []byte("# c\nnpmAuth = { \"https://a.example.com\" = { token = \"tok\" } }\n")
	topDotted := []byte("npmAuth.\"https://a.example.com\".token = \"tok\"\ncacheRoot = \"/c\"\n")
	subTable := []byte("[npmAuth.\"https://a.example.com\".extra]\nx = 1\n")
	multiline := []byte("[npmAuth.\"https://a.example.com\"]\ntoken = \"\"\"\n# not a comment\n\"\"\"\n[npmAuth.\"https://b.example.com\"]\ntoken = 'b'\n")

	tests := []struct {
		name    string
		in      []byte
		op      editOp
		wantErr string // substring
		want    string // whole output, when no error
	}{
		{"inline entry: set is refused", inlineWhole,
			opSet("https://a.example.com", AuthUpdate{Token: ptr("x")}),
			`the npmAuth entry for https://a.example.com is an inline table; edit it by hand or convert it to a [npmAuth."…"] table`, ""},
		{"inline entry: empty update is refused too", inlineWhole,
			opSet("https://a.example.com", AuthUpdate{}),
			"inline table", ""},
		{"inline entry: removal removes the line", inlineWhole,
			opRemove("https://a.example.com"),
			"", "[npmAuth]\n\"https://b.example.com\".token = \"b\"\n"},
		{"inline entry: another entry is editable", inlineWhole,
			opSet("https://b.example.com", AuthUpdate{Email: ptr("e")}),
			"", "[npmAuth]\n\"https://a.example.com\" = { token = \"tok\" }\n\"https://b.example.com\".token = \"b\"\n\"https://b.example.com\".email = \"e\"\n"},
		{"inline npmAuth: set is refused", inlineParent,
			opSet("https://a.example.com", AuthUpdate{Token: ptr("x")}),
			"inline table", ""},
		{"inline npmAuth: new entry is refused", inlineParent,
			opSet("https://new.example.com", AuthUpdate{Token: ptr("x")}),
			"inline table", ""},
		{"inline npmAuth: removal is refused", inlineParent,
			opRemove("https://a.example.com"),
			"inline table", ""},
		{"top-level dotted: change", topDotted,
			opSet("https://a.example.com", AuthUpdate{Basic: ptr("YQ==")}),
			"", "npmAuth.\"https://a.example.com\"._auth = \"YQ==\"\ncacheRoot = \"/c\"\n"},
		{"top-level dotted: add", topDotted,
			opSet("https://a.example.com", AuthUpdate{Email: ptr("e")}),
			"", "npmAuth.\"https://a.example.com\".token = \"tok\"\nnpmAuth.\"https://a.example.com\".email = \"e\"\ncacheRoot = \"/c\"\n"},
		{"top-level dotted: new entry as a table", topDotted,
			opSet("https://b.example.com", AuthUpdate{Token: ptr("b")}),
			"", "npmAuth.\"https://a.example.com\".token = \"tok\"\ncacheRoot = \"/c\"\n\n[npmAuth.\"https://b.example.com\"]\ntoken = \"b\"\n"},
		{"top-level dotted: remove", topDotted,
			opRemove("https://a.example.com"),
			"", "cacheRoot = \"/c\"\n"},
		{"entry only through a sub-table: set adds its table", subTable,
			opSet("https://a.example.com", AuthUpdate{Token: ptr("t")}),
			"", "[npmAuth.\"https://a.example.com\".extra]\nx = 1\n\n[npmAuth.\"https://a.example.com\"]\ntoken = \"t\"\n"},
		{"entry only through a sub-table: remove", subTable,
			opRemove("https://a.example.com"),
			"", ""},
		{"multi-line string with a # line is removed whole", multiline,
			opRemove("https://a.example.com"),
			"", "[npmAuth.\"https://b.example.com\"]\ntoken = 'b'\n"},
		{"multi-line string value is replaced", multiline,
			opSet("https://a.example.com", AuthUpdate{Token: ptr("x")}),
			"", "[npmAuth.\"https://a.example.com\"]\ntoken = \"x\"\n[npmAuth.\"https://b.example.com\"]\ntoken = 'b'\n"},
		{"header with sub-table removed together", []byte("a = 1\n\n# A\n[npmAuth.\"https://a.example.com\"]\ntoken = 'a'\n# A extra\n[npmAuth.\"https://a.example.com\".extra]\nx = 1\n\n# B\n[npmAuth.\"https://b.example.com\"]\ntoken = 'b'\n"),
			opRemove("https://a.example.com"),
			"", "a = 1\n\n# B\n[npmAuth.\"https://b.example.com\"]\ntoken = 'b'\n"},
		{"entries that normalise equal are all removed", []byte("[npmAuth.\"https://a.example.com\"]\ntoken = 'a'\n\n[npmAuth.\"https://A.example.com:443/\"]\ntoken = 'b'\n\n[npmAuth.\"https://c.example.com\"]\ntoken = 'c'\n"),
			opRemove("https://a.example.com"),
			"", "[npmAuth.\"https://c.example.com\"]\ntoken = 'c'\n"},
		{"set prefers the textually exact key", []byte("[npmAuth.\"https://a.example.com\"]\ntoken = 'a'\n[npmAuth.\"https://a.example.com/\"]\ntoken = 'b'\n"),
			opSet("https://a.example.com/", AuthUpdate{Token: ptr("x")}),
			"", "[npmAuth.\"https://a.example.com\"]\ntoken = 'a'\n[npmAuth.\"https://a.example.com/\"]\ntoken = \"x\"\n"},
		{"both token and _auth: set token removes _auth", []byte("[npmAuth.\"https://a.example.com\"]\n_auth = 'x'\ntoken = 'a'\nemail = 'e'\n"),
			opSet("https://a.example.com", AuthUpdate{Token: ptr("t")}),
			"", "[npmAuth.\"https://a.example.com\"]\ntoken = \"t\"\nemail = 'e'\n"},
		{"nil data (a missing file)", nil,
			opSet("https://a.example.com", AuthUpdate{Token: ptr("t")}),
			"", "[npmAuth.\"https://a.example.com\"]\ntoken = \"t\"\n"},
		{"token and _auth together are refused", []byte(""),
			opSet("https://a.example.com", AuthUpdate{Token: ptr("t"), Basic: ptr("b")}),
			"either token or _auth", ""},
		{"not a URL", []byte(""),
			opSet("npm.example.com", AuthUpdate{Token: ptr("t")}),
			"not an absolute http(s) URL", ""},
		{"invalid UTF-8 token", []byte(""),
			opSet("https://a.example.com", AuthUpdate{Token: ptr("\xff")}),
			"the token is not valid UTF-8", ""},
		{"malformed input is refused", []byte("[npmAuth\n"),
			opSet("https://a.example.com", AuthUpdate{Token: ptr("t")}),
			"1:9:", ""},
		{"setkey npmAuth is refused", []byte(""),
			opSetKey("npmAuth", "x"),
			"use SetAuth", ""},
		{"setkey of a table is refused", []byte("[cache]\nx = 1\n"),
			opSetKey("cache", "x"),
			"edit it by hand", ""},
		{"setkey bool is refused", []byte(""),
			opSetKey("cacheRoot", true),
			"must be a string or an integer", ""},
		{"setkey with a quoted key", []byte("a = 1\n"),
			opSetKey("odd key", "v"),
			"", "a = 1\n\"odd key\" = \"v\"\n"},
		{"setkey keeps the indentation of the last key", []byte("  a = 1\n[t]\n"),
			opSetKey("b", 2),
			"", "  a = 1\n  b = 2\n[t]\n"},
		{"header indentation is kept for new keys", []byte("[npmAuth.\"https://a.example.com\"]\n    token = \"a\"\n"),
			opSet("https://a.example.com", AuthUpdate{Email: ptr("e")}),
			"", "[npmAuth.\"https://a.example.com\"]\n    token = \"a\"\n    email = \"e\"\n"},
		{"new key right after an empty header", []byte("[npmAuth.\"https://a.example.com\"] # empty\n# trailing\n"),
			opSet("https://a.example.com", AuthUpdate{Token: ptr("t")}),
			"", "[npmAuth.\"https://a.example.com\"] # empty\ntoken = \"t\"\n# trailing\n"},
		{"alwaysAuth false is not written when absent", []byte("[npmAuth.\"https://a.example.com\"]\ntoken = \"a\"\n"),
			opSet("https://a.example.com", AuthUpdate{AlwaysAuth: ptr(false)}),
			"", "[npmAuth.\"https://a.example.com\"]\ntoken = \"a\"\n"},
		{"control characters are escaped", []byte(""),
			opSet("https://a.example.com", AuthUpdate{Token: ptr("a\tb\n\x01\x7f\"\\é")}),
			"", "[npmAuth.\"https://a.example.com\"]\ntoken = \"a\\tb\\n\\u0001\\u007F\\\"\\\\é\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.op(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", out, tc.want)
			}
		})
	}
}

func TestEditNotFound(t *testing.T) {
	in := readTestdata(t, "edit/input.toml")
	out, removed, err := RemoveAuth(in, "https://none.example.com")
	if err != nil || removed || !bytes.Equal(out, in) {
		t.Errorf("RemoveAuth(missing) = %v, %v", removed, err)
	}
	out, removed, err = UnsetKey(in, KeyCacheRoot)
	if err != nil || removed || !bytes.Equal(out, in) {
		t.Errorf("UnsetKey(missing) = %v, %v", removed, err)
	}
}

func TestEditErrorsHideSecrets(t *testing.T) {
	const secret = "s3cr3t-value-0000"
	in := []byte("npmAuth = { \"https://a.example.com\" = { token = \"" + secret + "\" } }\n")
	for _, f := range []func() error{
		func() error {
			_, err := SetAuth(in, "https://a.example.com", AuthUpdate{Token: ptr(secret)})
			return err
		},
		func() error { _, _, err := RemoveAuth(in, "https://a.example.com"); return err },
		func() error {
			_, err := SetAuth([]byte("x = 1\n"), "https://a.example.com", AuthUpdate{Token: ptr(secret + "\xff")})
			return err
		},
		func() error {
			_, err := Parse("f.toml", []byte("[npmAuth.\"https://a.example.com\"]\ntoken = \""+secret+"\"\ntoken = \""+secret+"\"\n"), false)
			return err
		},
	} {
		err := f()
		if err == nil {
			t.Fatal("want an error")
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the secret: %v", err)
		}
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new", "folder", ".upmconfig.toml")
	if err := Save(path, []byte("a = 1\n")); err != nil {
		t.Fatal(err)
	}
	checkMode := func() {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
		}
	}
	checkMode()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, []byte("a = 2\n")); err != nil {
		t.Fatal(err)
	}
	checkMode()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "a = 2\n" {
		t.Errorf("content = %q, %v", got, err)
	}
	// A folder in the way is an error, not a panic.
	if err := Save(dir, []byte("x")); err == nil {
		t.Error("Save over a folder: want an error")
	}
}

func TestParseErrorWithoutFile(t *testing.T) {
	_, err := SetAuth([]byte("a = \n"), "https://a.example.com", AuthUpdate{Token: ptr("t")})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 1 || pe.Column != 5 || pe.File != "" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "1:5: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}
