package npmrc

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// warnMatch checks that every want appears, in order, as a substring of a
// distinct warning, and that there are no other warnings.
func warnMatch(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("warnings = %q, want %d matching %q", got, len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("warning[%d] = %q, want it to contain %q", i, got[i], want[i])
		}
	}
}

func TestParse(t *testing.T) {
	userPass := b64("user:pass")
	tests := []struct {
		name     string
		in       string
		env      map[string]string
		creds    []Cred
		top      Cred
		registry string
		scoped   map[string]string
		warns    []string
	}{
		{
			name:  "token unquoted",
			in:    "//registry.example.com/:_authToken=npm_abc123\n",
			creds: []Cred{{NerfDart: "//registry.example.com/", Token: "npm_abc123", Line: 1}},
		},
		{
			name:  "spaces around equals and trailing blanks",
			in:    "  //r.example.com/:_authToken   =   tok  \t\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Line: 1}},
		},
		{
			name:  "nerf dart without trailing slash",
			in:    "//r.example.com/npm:_authToken=tok",
			creds: []Cred{{NerfDart: "//r.example.com/npm/", Token: "tok", Line: 1}},
		},
		{
			name:  "host only, no slash",
			in:    "//r.example.com:_authToken=tok",
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Line: 1}},
		},
		{
			name:  "host lower-cased, port and path case kept",
			in:    "//R.Example.COM:8080/Npm/:_authToken=tok",
			creds: []Cred{{NerfDart: "//r.example.com:8080/Npm/", Token: "tok", Line: 1}},
		},
		{
			name:  "dot segments resolved",
			in:    "//r.example.com/a/./b/../c/:_authToken=tok",
			creds: []Cred{{NerfDart: "//r.example.com/a/c/", Token: "tok", Line: 1}},
		},
		{
			name:  "_auth",
			in:    "//r.example.com/:_auth=" + userPass,
			creds: []Cred{{NerfDart: "//r.example.com/", Auth: userPass, Line: 1}},
		},
		{
			name: "username and base64 _password",
			in: "//r.example.com/:username=user\n" +
				"//r.example.com/:_password=" + b64("pass") + "\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Auth: userPass, Line: 1}},
		},
		{
			name: "_password before username, unpadded url-safe base64, password with colon",
			in: "//r.example.com/:_password=" + base64.RawURLEncoding.EncodeToString([]byte("p:w?>")) + "\n" +
				"//r.example.com/:username=u\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Auth: b64("u:p:w?>"), Line: 1}},
		},
		{
			name:  "username without _password",
			in:    "//r.example.com/:username=user\n",
			warns: []string{"//r.example.com/:username without //r.example.com/:_password; no _auth built from it"},
		},
		{
			name:  "_password without username",
			in:    "\n//r.example.com/:_password=" + b64("pass") + "\n",
			warns: []string{":2: //r.example.com/:_password without //r.example.com/:username"},
		},
		{
			name: "username without _password falls back to _auth",
			in: "//r.example.com/:username=user\n" +
				"//r.example.com/:_auth=" + userPass + "\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Auth: userPass, Line: 1}},
			warns: []string{"username without"},
		},
		{
			name: "username/_password beat _auth",
			in: "//r.example.com/:_auth=" + b64("old:pw") + "\n" +
				"//r.example.com/:username=user\n" +
				"//r.example.com/:_password=" + b64("pass") + "\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Auth: userPass, Line: 1}},
			warns: []string{":1: //r.example.com/:_auth ignored: //r.example.com/:username and //r.example.com/:_password take precedence"},
		},
		{
			name: "token and _auth both kept",
			in: "//r.example.com/:_authToken=tok\n" +
				"//r.example.com/:_auth=" + userPass + "\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Auth: userPass, Line: 1}},
			warns: []string{":1: //r.example.com/:_authToken and basic credentials"},
		},
		{
			name:  "_auth that is not user:pass",
			in:    "//r.example.com/:_auth=bm9jb2xvbg==", // "nocolon"
			creds: []Cred{{NerfDart: "//r.example.com/", Auth: "bm9jb2xvbg==", Line: 1}},
			warns: []string{"//r.example.com/:_auth is not the base64 of user:password"},
		},
		{
			name: "email and always-auth",
			in: "//r.example.com/:_authToken=tok\n" +
				"//r.example.com/:email=me@example.com\n" +
				"//r.example.com/:always-auth=true\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Email: "me@example.com", AlwaysAuth: true, Line: 1}},
		},
		{
			name:  "email alone is a cred",
			in:    "//r.example.com/:email=me@example.com\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Email: "me@example.com", Line: 1}},
		},
		{
			name: "always-auth false and non-boolean",
			in: "//a.example.com/:_authToken=t\n//a.example.com/:always-auth=false\n" +
				"//b.example.com/:_authToken=t\n//b.example.com/:always-auth=yes\n",
			creds: []Cred{
				{NerfDart: "//a.example.com/", Token: "t", Line: 1},
				{NerfDart: "//b.example.com/", Token: "t", Line: 3},
			},
			warns: []string{":4: //b.example.com/:always-auth is not true or false"},
		},
		{
			name: "first-seen order and first line",
			in: "//b.example.com/:_authToken=b\n" +
				"//a.example.com/:_authToken=a\n" +
				"//b.example.com/:email=b@example.com\n",
			creds: []Cred{
				{NerfDart: "//b.example.com/", Token: "b", Email: "b@example.com", Line: 1},
				{NerfDart: "//a.example.com/", Token: "a", Line: 2},
			},
		},
		{
			name: "duplicate key: last wins, spelled differently",
			in: "//r.example.com/:_authToken=old\n" +
				"//R.EXAMPLE.COM:_authToken=new\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "new", Line: 1}},
			warns: []string{":2: //R.EXAMPLE.COM:_authToken overrides the value set on line 1"},
		},
		{
			name: "certfile keyfile unknown and miscased fields",
			in: "//r.example.com/:certfile=/c.pem\n" +
				"//r.example.com/:keyfile=/k.pem\n" +
				"//r.example.com/:ca=xyz\n" +
				"//r.example.com/:_authtoken=tok\n" +
				"//r.example.com=tok\n" +
				"//:_authToken=tok\n",
			warns: []string{
				":1: //r.example.com/:certfile ignored: client certificates (:certfile, :keyfile) are not supported by UPM",
				":2: //r.example.com/:keyfile ignored: client certificates",
				":3: //r.example.com/:ca ignored: unknown field :ca",
				":4: //r.example.com/:_authtoken ignored: keys are case-sensitive (did you mean :_authToken?)",
				":5: //r.example.com ignored: expected //host/path/:field",
				":6: //:_authToken ignored: // is not a valid //host/path/ registry prefix",
			},
		},
		{
			name: "empty values",
			in:   "//r.example.com/:_authToken=\n//r.example.com/:always-auth=\n",
			warns: []string{
				":1: //r.example.com/:_authToken has an empty value; npm ignores it",
				":2: //r.example.com/:always-auth has an empty value; npm ignores it",
			},
		},
		{
			name:  "double-quoted with JSON escapes",
			in:    `//r.example.com/:_authToken = "a\"b\\c\u00e9\/d;e#f"`,
			creds: []Cred{{NerfDart: "//r.example.com/", Token: `a"b\cé/d;e#f`, Line: 1}},
		},
		{
			name:  "double-quoted followed by a comment",
			in:    `//r.example.com/:_authToken="tok" ; set by hand`,
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Line: 1}},
		},
		{
			name:  "single-quoted keeps ; # and backslashes",
			in:    `//r.example.com/:_authToken='a;b#c\d'`,
			creds: []Cred{{NerfDart: "//r.example.com/", Token: `a;b#c\d`, Line: 1}},
		},
		{
			name:  "single-quoted followed by a comment",
			in:    `//r.example.com/:_authToken='tok' # it's mine`,
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Line: 1}},
		},
		{
			name:  "quoted key",
			in:    `"//r.example.com/:_authToken" = tok`,
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Line: 1}},
		},
		{
			name: "comments",
			in: "# a comment\n; another\n   # indented\n\t; tab\n\n   \n" +
				"//a.example.com/:_authToken=tok ; inline\n" +
				"//b.example.com/:_authToken=tok#inline\n" +
				`//c.example.com/:_authToken=t\;o\#k\\x\y` + "\n",
			creds: []Cred{
				{NerfDart: "//a.example.com/", Token: "tok", Line: 7},
				{NerfDart: "//b.example.com/", Token: "tok", Line: 8},
				{NerfDart: "//c.example.com/", Token: `t;o#k\x\y`, Line: 9},
			},
		},
		{
			name:  "CRLF, lone CR and BOM",
			in:    "\xEF\xBB\xBF//a.example.com/:_authToken=a\r\n\r\n//b.example.com/:_authToken=b\r//c.example.com/:_authToken=c\r\n",
			creds: []Cred{{NerfDart: "//a.example.com/", Token: "a", Line: 1}, {NerfDart: "//b.example.com/", Token: "b", Line: 3}, {NerfDart: "//c.example.com/", Token: "c", Line: 4}},
		},
		{
			name:     "BOM before a key",
			in:       "\xEF\xBB\xBFregistry=https://r.example.com/",
			registry: "https://r.example.com/",
		},
		{
			name:  "${VAR} set",
			in:    "//r.example.com/:_authToken=${NPM_TOKEN}\n",
			env:   map[string]string{"NPM_TOKEN": "s3cret"},
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "s3cret", Line: 1}},
		},
		{
			name:  "${VAR} inside text and in double quotes",
			in:    `//r.example.com/:_authToken="pre-${A}-${B}-post"`,
			env:   map[string]string{"A": "1", "B": "2"},
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "pre-1-2-post", Line: 1}},
		},
		{
			name:  "${VAR} in the key",
			in:    "//${HOST}/:_authToken=tok\n",
			env:   map[string]string{"HOST": "R.example.com:4873"},
			creds: []Cred{{NerfDart: "//r.example.com:4873/", Token: "tok", Line: 1}},
		},
		{
			name:  "${VAR} unset stays literal with a warning",
			in:    "\n//r.example.com/:_authToken=${NPM_TOKEN}\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "${NPM_TOKEN}", Line: 2, Unset: []string{"NPM_TOKEN"}}},
			warns: []string{":2: ${NPM_TOKEN} in the value of //r.example.com/:_authToken: NPM_TOKEN is not set; left as the literal text ${NPM_TOKEN}"},
		},
		{
			name:  "${VAR?} unset is empty with a warning",
			in:    "//r.example.com/:_authToken=${NPM_TOKEN?}\n//r.example.com/:email=a@b.c\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Email: "a@b.c", Line: 1}},
			warns: []string{":1: ${NPM_TOKEN?} in the value of //r.example.com/:_authToken: NPM_TOKEN is not set; replaced by an empty string"},
		},
		{
			name:  "${VAR?} set",
			in:    "//r.example.com/:_authToken=${T?}\n",
			env:   map[string]string{"T": "tok"},
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "tok", Line: 1}},
		},
		{
			name:  `\${VAR} is escaped`,
			in:    `//r.example.com/:_authToken=\${T}`,
			env:   map[string]string{"T": "tok"},
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "${T}", Line: 1}},
		},
		{
			name:  `escaped in JSON: "\\${VAR}"`,
			in:    `//r.example.com/:_authToken="\\${T}"`,
			env:   map[string]string{"T": "tok"},
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "${T}", Line: 1}},
		},
		{
			name:  "even backslashes: a backslash then the value",
			in:    `//r.example.com/:_authToken=\\\\${T}`, // ini makes it \\${T}
			env:   map[string]string{"T": "tok"},
			creds: []Cred{{NerfDart: "//r.example.com/", Token: `\tok`, Line: 1}},
		},
		{
			name:  "not variables",
			in:    `//r.example.com/:_authToken=$T-${}-${a{b}-${x`,
			creds: []Cred{{NerfDart: "//r.example.com/", Token: "$T-${}-${a{b}-${x", Line: 1}},
		},
		{
			name:  "unset _password: warning, not a parse error",
			in:    "//r.example.com/:username=u\n//r.example.com/:_password=${NPM_PASS}\n",
			warns: []string{":2: ${NPM_PASS} in the value", ":2: //r.example.com/:_password uses an unset variable"},
		},
		{
			name: "top-level credentials",
			in: "registry=https://r.example.com/npm/\n" +
				"_authToken=toptok\n" +
				"username=user\n" +
				"_password=" + b64("pass") + "\n" +
				"email=me@example.com\n" +
				"always-auth=true\n",
			registry: "https://r.example.com/npm/",
			top:      Cred{Token: "toptok", Auth: userPass, Email: "me@example.com", AlwaysAuth: true, Line: 2},
			warns:    []string{":2: _authToken and basic credentials"},
		},
		{
			name:     "top-level _auth",
			in:       "_auth = \"" + userPass + "\"\nregistry = \"http://localhost:4873/\"",
			registry: "http://localhost:4873/",
			top:      Cred{Auth: userPass, Line: 1},
		},
		{
			name: "registry and scoped registries",
			in: "registry=${REG}\n" +
				"@my-co:registry=https://npm.pkg.github.com/\n" +
				"@other:registry = 'http://localhost:4873'\n",
			env:      map[string]string{"REG": "https://r.example.com/"},
			registry: "https://r.example.com/",
			scoped:   map[string]string{"@my-co": "https://npm.pkg.github.com/", "@other": "http://localhost:4873"},
		},
		{
			name: "bad registry URLs",
			in: "registry=localhost:4873\n" +
				"@a:registry=https://user:hunter2@r.example.com/\n" +
				"@b:registry=ftp://r.example.com/\n" +
				"@:registry=https://r.example.com/\n" +
				"@c:registry=\n",
			registry: "localhost:4873",
			scoped:   map[string]string{"@a": "https://user:hunter2@r.example.com/", "@b": "ftp://r.example.com/", "@c": ""},
			warns: []string{
				":1: registry is not an absolute registry URL",
				":2: @a:registry contains user info",
				":3: @b:registry is not an http or https URL",
				":4: @:registry ignored: no scope name",
				":5: @c:registry has an empty value",
			},
		},
		{
			name: "sections are ignored with the keys after them",
			in: "//a.example.com/:_authToken=a\n" +
				"[work] ; comment\n" +
				"//b.example.com/:_authToken=b\n" +
				"save-exact=true\n" +
				"registry=https://b.example.com/\n",
			creds: []Cred{{NerfDart: "//a.example.com/", Token: "a", Line: 1}},
			warns: []string{
				":2: section [work] ignored",
				":3: //b.example.com/:_authToken ignored: it is inside section [work]",
				":5: registry ignored: it is inside section [work]",
			},
		},
		{
			name: "section keys are not expanded or validated",
			in:   "[x]\n//r.example.com/:_password=${NOPE}\n//r.example.com/:_password=!!!\n",
			warns: []string{
				":1: section [x] ignored",
				":2: //r.example.com/:_password ignored",
				":3: //r.example.com/:_password ignored",
			},
		},
		{
			name: "TLS, scoped credentials and miscased top-level keys",
			in: "strict-ssl=false\ncafile=/ca.pem\ncertfile=/c.pem\n" +
				"@my-co:_authToken=tok\n_AuthToken=tok\nsave-exact=true\n@my-co:foo=bar\n",
			warns: []string{
				":1: strict-ssl ignored: TLS settings are not imported",
				":2: cafile ignored: TLS settings are not imported",
				":3: certfile ignored: client certificates are not supported by UPM",
				":4: @my-co:_authToken ignored: npm reads only @scope:registry per scope",
				":5: _AuthToken ignored: keys are case-sensitive (did you mean _authToken?)",
			},
		},
		{
			name:  "user info and query in a key are dropped",
			in:    "//me@R.example.com/npm?x:_authToken=tok\n",
			creds: []Cred{{NerfDart: "//r.example.com/npm/", Token: "tok", Line: 1}},
		},
		{
			name:  "bracketed key is a key, not a section",
			in:    "[a]=b\n//r.example.com/:_authToken=tok\\\n",
			creds: []Cred{{NerfDart: "//r.example.com/", Token: `tok\`, Line: 2}},
		},
		{
			name: "empty file",
			in:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("home/.npmrc", []byte(tt.in), envOf(tt.env))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Path != "home/.npmrc" {
				t.Errorf("Path = %q", f.Path)
			}
			if !reflect.DeepEqual(f.Creds, tt.creds) {
				t.Errorf("Creds =\n  %+v\nwant\n  %+v", f.Creds, tt.creds)
			}
			if !reflect.DeepEqual(f.Top, tt.top) {
				t.Errorf("Top = %+v, want %+v", f.Top, tt.top)
			}
			if f.Registry != tt.registry {
				t.Errorf("Registry = %q, want %q", f.Registry, tt.registry)
			}
			wantScoped := tt.scoped
			if wantScoped == nil {
				wantScoped = map[string]string{}
			}
			if !reflect.DeepEqual(f.Scoped, wantScoped) {
				t.Errorf("Scoped = %v, want %v", f.Scoped, wantScoped)
			}
			warnMatch(t, f.Warnings, tt.warns)
			for _, w := range f.Warnings {
				if !strings.HasPrefix(w, "home/.npmrc:") {
					t.Errorf("warning %q does not start with path:line", w)
				}
			}
		})
	}
}

func TestParseNilGetenv(t *testing.T) {
	f, err := Parse("", []byte("//r.example.com/:_authToken=${T}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Creds[0].Token; got != "${T}" {
		t.Errorf("Token = %q, want literal ${T}", got)
	}
	warnMatch(t, f.Warnings, []string{"line 1: ${T} in the value"})
}

// TestParseNpmLogin reads files as `npm login` / `npm config set` write them.
func TestParseNpmLogin(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyZWFsX2dyb3VwcyI6WyJ0ZXN0Il0sIm5hbWUiOiJ0ZXN0In0.Zk5c-8xW_aQm0v1XyL2n3o4p5q6r7s8t9u0v1w2x3y4"
	in := "registry=http://127.0.0.1:4873/\n" +
		"//127.0.0.1:4873/:_authToken=" + jwt + "\n" +
		"//npm.pkg.github.com/:_authToken=\"ghp_" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n" +
		"@unity-co:registry=https://npm.pkg.github.com/\n" +
		"//npm.example.com/:_authToken=${NPM_TOKEN}\n" +
		"email=me@example.com\n"
	f, err := Parse("/home/me/.npmrc", []byte(in), envOf(map[string]string{"NPM_TOKEN": "npm_abcdef"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []Cred{
		{NerfDart: "//127.0.0.1:4873/", Token: jwt, Line: 2},
		{NerfDart: "//npm.pkg.github.com/", Token: "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Line: 3},
		{NerfDart: "//npm.example.com/", Token: "npm_abcdef", Line: 5},
	}
	if !reflect.DeepEqual(f.Creds, want) {
		t.Fatalf("Creds = %+v\nwant %+v", f.Creds, want)
	}
	if !reflect.DeepEqual(f.Top, Cred{Email: "me@example.com", Line: 6}) {
		t.Errorf("Top = %+v", f.Top)
	}
	if len(f.Warnings) != 0 {
		t.Errorf("Warnings = %q", f.Warnings)
	}
	urls := []struct{ url, how string }{
		{"http://127.0.0.1:4873", "scheme from registry= in the file"},
		{"https://npm.pkg.github.com", "scheme from @unity-co:registry= in the file"},
		{"https://npm.example.com", "https by default"},
	}
	for i, c := range f.Creds {
		u, how := f.RegistryURL(c.NerfDart, "")
		if u != urls[i].url || how != urls[i].how {
			t.Errorf("RegistryURL(%q) = %q, %q; want %q, %q", c.NerfDart, u, how, urls[i].url, urls[i].how)
		}
	}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"no equals", "foo\n", 1, 1, "expected key=value"},
		{"no equals indented", "a=b\n\n   foo bar\n", 3, 4, "expected key=value"},
		{"pasted token", "npm_abcdefghijklmnop\n", 1, 1, "expected key=value"},
		{"bracket without close", "[section\n", 1, 1, "expected key=value"},
		{"empty key", "=value\n", 1, 1, "missing key before '='"},
		{"blank key", "  \t= value\n", 1, 4, "missing key before '='"},
		{"quoted empty key", `"" = value`, 1, 1, "missing key before '='"},
		{"unterminated double quote", `key="abc`, 1, 5, "value of key: unterminated double-quoted string"},
		{"unterminated after escape", `key = "abc\"`, 1, 7, "unterminated double-quoted string"},
		{"lone double quote", `key="`, 1, 5, "unterminated double-quoted string"},
		{"bad escape", `key = "a\qb"`, 1, 9, "invalid escape"},
		{"bad unicode escape", `k="\u12"`, 1, 4, `invalid \u escape`},
		{"control character", "k=\"a\tb\"", 1, 5, "control character"},
		{"text after closing quote", `key="abc" x`, 1, 11, "unexpected text after the closing quote"},
		{"single quote inside single quotes", `key='abc' x'`, 1, 0, ""}, // ends with ': npm's rule, valid
		{"unterminated single quote", "key='abc\n", 1, 5, "unterminated single-quoted string"},
		{"unterminated quoted key", `"abc=1`, 1, 1, "key: unterminated double-quoted string"},
		{"columns count runes", "é=\"x", 1, 3, "unterminated"},
		{"column after BOM", "\xEF\xBB\xBFk=\"x", 1, 3, "unterminated"},
		{"bad base64 _password", "//r.example.com/:_password=s3cr3t!!\n", 1, 28, "//r.example.com/:_password is not valid base64"},
		{"bad base64 _password, CRLF", "a=b\r\n//r.example.com/:_password = @@\r\n", 2, 30, "not valid base64"},
		{"bad base64 top-level _password", "username=u\n_password=\"p@ss\"\n", 2, 11, "the value of _password is not valid base64"},
		{"bad _password even without username", "//r.example.com/:_password=x", 1, 28, "not valid base64"},
		{"UTF-16", "\xFF\xFEr\x00=\x00", 1, 1, "UTF-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("p/.npmrc", []byte(tt.in), nil)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Parse: unexpected error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want error", f)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			if f != nil {
				t.Errorf("File = %+v, want nil on error", f)
			}
			if pe.File != "p/.npmrc" || pe.Line != tt.line || pe.Column != tt.col || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("error = %q (%s:%d:%d), want p/.npmrc:%d:%d containing %q", pe.Msg, pe.File, pe.Line, pe.Column, tt.line, tt.col, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), pe.File+":") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestParseErrorString(t *testing.T) {
	e := &ParseError{File: "a/.npmrc", Line: 3, Column: 7, Msg: "boom"}
	if got := e.Error(); got != "a/.npmrc:3:7: boom" {
		t.Errorf("Error() = %q", got)
	}
	e.File = ""
	if got := e.Error(); got != "3:7: boom" {
		t.Errorf("Error() = %q", got)
	}
}

// TestNoSecretsInMessages checks that warnings and errors name keys, not values.
func TestNoSecretsInMessages(t *testing.T) {
	const secret = "SECRET!VALUE"
	warnIn := "//r.example.com/:_authToken=" + secret + "1\n" +
		"//r.example.com/:_authToken=" + secret + "2\n" +
		"//r.example.com/:_auth=" + secret + "\n" +
		"//r.example.com/:username=" + secret + "\n" +
		"//s.example.com/:_password=" + b64(secret) + "\n" +
		"//s.example.com/:always-auth=" + secret + "\n" +
		"//r.example.com/:certfile=" + secret + "\n" +
		"//r.example.com/:_AUTH=" + secret + "\n" +
		"registry=https://u:" + secret + "@r.example.com/\n" +
		"_authToken=" + secret + "${UNSET}\n" +
		"strict-ssl=" + secret + "\n" +
		"[" + "sec" + "]\n" +
		"//r.example.com/:_authToken=" + secret + "\n"
	f, err := Parse("x", []byte(warnIn), envOf(map[string]string{"USED": secret}))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) < 8 {
		t.Errorf("only %d warnings: %q", len(f.Warnings), f.Warnings)
	}
	for _, w := range f.Warnings {
		if strings.Contains(w, secret) || strings.Contains(w, b64(secret)) {
			t.Errorf("warning leaks the secret: %q", w)
		}
	}
	for _, in := range []string{
		secret + "\n",
		"k=\"" + secret + "\n",
		"k=\"" + secret + "\\q\"\n",
		"k='" + secret + "\n",
		"k=\"" + secret + "\" " + secret + "\n",
		"//r.example.com/:_password=" + secret + "!\n",
		"//r.example.com/:_password=${USED}\n",
	} {
		_, err := Parse("x", []byte(in), envOf(map[string]string{"USED": secret}))
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error", in)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error leaks the secret: %v", err)
		}
	}
}
