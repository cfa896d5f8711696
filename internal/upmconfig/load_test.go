package upmconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseShapes(t *testing.T) {
	const src = `# every shape at once
cacheRoot = "/cache"
maxCacheSize = 0x10
caFile = '/etc/ca.pem'
unknownTop = 1

[npmAuth]
"https://dotted.example.com".token = "t-dotted"
"https://dotted.example.com".alwaysAuth = true
"https://inline.example.com" = { _auth = "b-inline", email = "i@example.com", extra = 1 }

[npmAuth."https://header.example.com"]
token = """t-header"""
_auth = "b-header"
unknownInEntry = "x"

[npmAuth."https://header.example.com".sub]
y = 2

[npmAuth.'not a url']
token = 'x'

[[servers]]
name = "a"
[[servers]]
name = "b"
`
	f, err := Parse("u.toml", []byte(src), false)
	if err != nil {
		t.Fatal(err)
	}
	wantAuth := []Auth{
		{Registry: "https://dotted.example.com", Token: "t-dotted", AlwaysAuth: true, File: "u.toml", Line: 8},
		{Registry: "https://inline.example.com", Basic: "b-inline", Email: "i@example.com", File: "u.toml", Line: 10},
		{Registry: "https://header.example.com", Token: "t-header", Basic: "b-header", File: "u.toml", Line: 12},
		{Registry: "not a url", Token: "x", File: "u.toml", Line: 20},
	}
	if d := diff(wantAuth, f.NpmAuth); d != "" {
		t.Errorf("NpmAuth (-want +got):\n%s", d)
	}
	wantSettings := map[string]Setting{
		KeyCacheRoot:    {Key: KeyCacheRoot, Value: "/cache", File: "u.toml", Line: 2},
		KeyMaxCacheSize: {Key: KeyMaxCacheSize, Value: int64(16), File: "u.toml", Line: 3},
		KeyCAFile:       {Key: KeyCAFile, Value: "/etc/ca.pem", File: "u.toml", Line: 4},
	}
	if d := diff(wantSettings, f.Settings); d != "" {
		t.Errorf("Settings (-want +got):\n%s", d)
	}
	wantWarn := []string{
		"u.toml:5: unknown key unknownTop (kept, not used)",
		`u.toml:10: unknown key npmAuth."https://inline.example.com".extra (kept, not used)`,
		`u.toml:12: npmAuth."https://header.example.com" has both token and _auth; token wins`,
		`u.toml:15: unknown key npmAuth."https://header.example.com".unknownInEntry (kept, not used)`,
		`u.toml:17: unknown key npmAuth."https://header.example.com".sub (kept, not used)`,
		`u.toml:20: npmAuth."not a url": the key is not an absolute http(s) URL, so it matches no registry`,
		"u.toml:23: unknown key servers (kept, not used)",
	}
	var gotWarn []string
	for _, w := range f.Warnings {
		gotWarn = append(gotWarn, w.String())
	}
	if d := diff(wantWarn, gotWarn); d != "" {
		t.Errorf("Warnings (-want +got):\n%s", d)
	}
	if !f.Exists || f.Global || string(f.Data) != src {
		t.Errorf("Exists %v Global %v", f.Exists, f.Global)
	}
}

func TestParseOtherShapes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []Auth
	}{
		{"top-level dotted", "npmAuth.\"https://a.example.com\".token = \"t\"\nnpmAuth.\"https://a.example.com\".email = \"e\"\n",
			[]Auth{{Registry: "https://a.example.com", Token: "t", Email: "e", Line: 1}}},
		{"whole npmAuth inline", "x = 1\nnpmAuth = { \"https://a.example.com\" = { token = \"t\" }, 'https://b.example.com' = { _auth = \"b\", alwaysAuth = false } }\n",
			[]Auth{{Registry: "https://a.example.com", Token: "t", Line: 2}, {Registry: "https://b.example.com", Basic: "b", Line: 2}}},
		{"multi-line inline table", "npmAuth = {\n  \"https://a.example.com\" = {\n    token = \"t\", # c\n  },\n}\n",
			[]Auth{{Registry: "https://a.example.com", Token: "t", Line: 2}}},
		{"empty entry", "[npmAuth.\"https://a.example.com\"]\n", []Auth{{Registry: "https://a.example.com", Line: 1}}},
		{"BOM", "\xEF\xBB\xBF[npmAuth.\"https://a.example.com\"]\ntoken = \"t\"\n", []Auth{{Registry: "https://a.example.com", Token: "t", Line: 1}}},
		{"CRLF", "[npmAuth.\"https://a.example.com\"]\r\ntoken = \"t\"\r\n", []Auth{{Registry: "https://a.example.com", Token: "t", Line: 1}}},
		{"empty file", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("f", []byte(tc.src), false)
			if err != nil {
				t.Fatal(err)
			}
			got := f.NpmAuth
			for i := range got {
				got[i].File = ""
			}
			if d := diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		msg       string // substring
	}{
		{"missing value", "a = 1\nb = \n", 2, 5, ""},
		{"duplicate key", "[npmAuth.\"https://a.example.com\"]\ntoken = \"a\"\ntoken = \"b\"\n", 3, 1, "already defined"},
		{"duplicate table", "[npmAuth.\"https://a.example.com\"]\n[npmAuth.\"https://a.example.com\"]\n", 2, 2, ""},
		{"unterminated header", "[npmAuth\n", 1, 9, ""},
		{"unterminated string", "\n\ncacheRoot = \"abc\n", 3, 17, "new lines"},
		{"token is a number", "[npmAuth.\"https://a.example.com\"]\ntoken = 5\n", 2, 9, `npmAuth."https://a.example.com".token must be a string, not an integer`},
		{"_auth is a bool", "[npmAuth.\"https://a.example.com\"]\n_auth = true\n", 2, 9, "_auth must be a string, not a boolean"},
		{"email is an array", "[npmAuth.\"https://a.example.com\"]\nemail = [\"a\"]\n", 2, 9, "email must be a string, not an array"},
		{"alwaysAuth is a string", "[npmAuth.\"https://a.example.com\"]\nalwaysAuth = \"yes\"\n", 2, 14, "alwaysAuth must be a boolean, not a string"},
		{"maxCacheSize is a string", "maxCacheSize = \"x\"\n", 1, 16, "maxCacheSize must be an integer, not a string"},
		{"maxCacheSize is a float", "maxCacheSize = 1.5\n", 1, 16, "not a float"},
		{"cacheRoot is an inline table", "cacheRoot = { a = 1 }\n", 1, 13, "cacheRoot must be a string, not a table"},
		{"cacheRoot is a table", "x = 1\n[cacheRoot]\n", 2, 2, "cacheRoot must be a string, not a table"},
		{"caFile is a dotted table", "caFile.x = \"a\"\n", 1, 1, "caFile must be a string, not a table"},
		{"npmAuth is a string", "npmAuth = \"x\"\n", 1, 11, "npmAuth must be a table, not a string"},
		{"npmAuth is an array of tables", "[[npmAuth]]\n", 1, 3, "npmAuth must be a table, not an array of tables"},
		{"entry is a string", "[npmAuth]\n\"https://a.example.com\" = \"tok\"\n", 2, 27, `npmAuth."https://a.example.com" must be a table, not a string`},
		{"entry is a number", "[npmAuth]\n\"https://a.example.com\" = { token = \"t\" }\nnpm = 1\n", 3, 7, "npmAuth.npm must be a table, not an integer"},
		{"token is a table", "[npmAuth.\"https://a.example.com\".token]\n", 1, 34, "token must be a string, not a table"},
		{"token is a dotted table", "[npmAuth]\n\"https://a.example.com\".token.x = \"a\"\n", 2, 25, "token must be a string, not a table"},
		{"inline token is a number", "npmAuth = { \"https://a.example.com\" = { token = 5 } }\n", 1, 49, "token must be a string, not an integer"},
		{"date", "cacheRoot = 2024-01-01\n", 1, 13, "not a date/time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("cfg.toml", []byte(tc.src), false)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if pe.File != "cfg.toml" || pe.Line != tc.line || pe.Column != tc.col || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %s, want cfg.toml:%d:%d: …%s…", pe, tc.line, tc.col, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "cfg.toml:") {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadMerge(t *testing.T) {
	dir := t.TempDir()
	user := writeFile(t, dir, ".upmconfig.toml", `cacheRoot = "/u/cache"
mystery = true

[npmAuth."https://npm.example.com"]
token = "user-tok"
`)
	global := writeFile(t, dir, "upmconfig.toml", `cacheRoot = "/g/cache"
maxCacheSize = 5
caFile = "/etc/ca.pem"

[npmAuth."https://NPM.example.com:443/"]
token = "global-tok"

[npmAuth."https://other.example.com"]
_auth = "Zzpn"
`)
	c, err := Load(user, global)
	if err != nil {
		t.Fatal(err)
	}
	want := []Auth{
		{Registry: "https://npm.example.com", Token: "user-tok", File: user, Line: 4},
		{Registry: "https://other.example.com", Basic: "Zzpn", File: global, Line: 8},
	}
	if d := diff(want, c.Auths()); d != "" {
		t.Errorf("Auths (-want +got):\n%s", d)
	}
	if s, ok := c.Setting(KeyCacheRoot); !ok || s.Value != "/u/cache" || s.File != user || s.Line != 1 {
		t.Errorf("cacheRoot = %+v, %v", s, ok)
	}
	if s, ok := c.Setting(KeyMaxCacheSize); ok {
		t.Errorf("maxCacheSize from the global file must be ignored, got %+v", s)
	}
	if s, ok := c.Setting(KeyCAFile); !ok || s.Value != "/etc/ca.pem" || s.File != global || s.Line != 3 {
		t.Errorf("caFile = %+v, %v", s, ok)
	}
	if _, ok := c.Setting("mystery"); ok {
		t.Error("unknown keys are no settings")
	}
	var warns []string
	for _, w := range c.Warnings() {
		warns = append(warns, w.String())
	}
	wantWarn := []string{
		user + ":2: unknown key mystery (kept, not used)",
		global + ":1: cacheRoot is ignored in the global config file; cache settings belong in the user .upmconfig.toml",
		global + ":2: maxCacheSize is ignored in the global config file; cache settings belong in the user .upmconfig.toml",
	}
	if d := diff(wantWarn, warns); d != "" {
		t.Errorf("Warnings (-want +got):\n%s", d)
	}
	if !c.User.Exists || c.User.Global || !c.Global.Exists || !c.Global.Global {
		t.Errorf("flags: user %+v global %+v", c.User.Exists, c.Global.Exists)
	}

	// caFile in the user file wins over the global one.
	user2 := writeFile(t, dir, "u2.toml", "caFile = \"/home/ca.pem\"\n")
	c, err = Load(user2, global)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Setting(KeyCAFile); s.Value != "/home/ca.pem" {
		t.Errorf("caFile = %+v", s)
	}
}

func TestLoadMissingAndBroken(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(filepath.Join(dir, "none.toml"), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.User.Exists || c.User.Data != nil || c.Global.Exists || len(c.Auths()) != 0 || len(c.Warnings()) != 0 {
		t.Errorf("missing files: %+v %+v", c.User, c.Global)
	}
	if _, ok := c.Setting(KeyCacheRoot); ok {
		t.Error("setting from a missing file")
	}

	broken := writeFile(t, dir, "broken.toml", "[npmAuth.\"https://a.example.com\"]\ntoken = \n")
	_, err = Load("", broken)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != broken || pe.Line != 2 || pe.Column != 9 {
		t.Fatalf("err = %v", err)
	}

	_, err = LoadFile(dir, false) // a folder
	if err == nil || !strings.Contains(err.Error(), "read "+dir) {
		t.Errorf("err = %v", err)
	}

	var nilConfig Config
	if nilConfig.Auths() != nil || nilConfig.Warnings() != nil {
		t.Error("an empty Config has no entries")
	}
	if _, ok := nilConfig.Setting(KeyCAFile); ok {
		t.Error("an empty Config has no settings")
	}
}

// diff returns "" when want and got are deeply equal (nil and empty slices
// count as equal), else both, one per line.
func diff(want, got any) string {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	if wv.Kind() == reflect.Slice && gv.Kind() == reflect.Slice && wv.Len() == 0 && gv.Len() == 0 {
		return ""
	}
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("want %#v\n got %#v", want, got)
}
