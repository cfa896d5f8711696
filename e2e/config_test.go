package e2e

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

const seedConfig = `# My Unity credentials — keep this comment
cacheRoot = '/data/unity-cache'   # where UPM keeps downloads
someFutureKey = "kept"

# The team registry
[npmAuth."https://npm.example.com/team"]
token = "team-token-0123456789abcd"
email = "dev@example.com"
alwaysAuth = true
teamNote = "unknown key, kept"

[npmAuth.'https://pkgs.example.com/npm/registry/']
_auth = "dXNlcjpwYXNzd29yZC0wMTIzNDU2Nzg5"

[futureTable]
answer = 42
`

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s (run with -update to create): %v", path, err)
	}
	if string(want) != got {
		t.Errorf("%s differs from golden file:\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

// TestConfigSurvivesEdits: every edit of the built binary keeps every other
// byte of a hand-written file, for LF and CRLF files, and leaves mode 0600.
func TestConfigSurvivesEdits(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		name := map[string]string{"\n": "lf", "\r\n": "crlf"}[eol]
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t)
			secrets.add("team-token-0123456789abcd", "dXNlcjpwYXNzd29yZC0wMTIzNDU2Nzg5", "new-token-zyxw9876543210", "changed-token-5555666677")
			s.write(s.UserCfg, strings.ReplaceAll(seedConfig, "\n", eol))

			s.ok("new-token-zyxw9876543210\n", "auth", "set", "--registry", "http://127.0.0.1:4873", "--token-stdin", "--email", "ci@example.com")
			after1 := s.read(s.UserCfg)
			golden(t, "edit1-set-new."+name+".toml", after1)

			s.ok("changed-token-5555666677", "auth", "set", "--registry", "https://npm.example.com/team/", "--token-stdin")
			after2 := s.read(s.UserCfg)
			golden(t, "edit2-set-changed."+name+".toml", after2)

			s.ok("", "auth", "remove", "--registry", "https://pkgs.example.com/npm/registry")
			after3 := s.read(s.UserCfg)
			golden(t, "edit3-remove."+name+".toml", after3)

			s.ok("", "config", "set", "cacheRoot", "/srv/cache")
			after4 := s.read(s.UserCfg)
			golden(t, "edit4-cacheroot."+name+".toml", after4)

			if name == "crlf" && strings.Count(after4, "\n") != strings.Count(after4, "\r\n") {
				t.Errorf("CRLF file got LF-only lines:\n%q", after4)
			}
			fi, err := os.Stat(s.UserCfg)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			// The file still loads, with exactly the entries expected.
			var list struct {
				Entries []struct{ Registry, Kind, Secret string }
			}
			r := s.ok("", "auth", "list", "--json")
			if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
				t.Fatalf("auth list --json: %v\n%s", err, r.Stdout)
			}
			got := map[string]string{}
			for _, e := range list.Entries {
				got[e.Registry] = e.Kind + " " + e.Secret
			}
			want := map[string]string{
				"https://npm.example.com/team": "token ****6677",
				"http://127.0.0.1:4873":        "token ****3210",
			}
			if len(got) != len(want) || got["https://npm.example.com/team"] != want["https://npm.example.com/team"] || got["http://127.0.0.1:4873"] != want["http://127.0.0.1:4873"] {
				t.Errorf("entries = %v, want %v", got, want)
			}
		})
	}
}

func TestAuthListJSON(t *testing.T) {
	s := newSandbox(t)
	secrets.add("user-token-aaaabbbbccccdddd1234", "global-token-eeeeffff9876", "Z2xvYmFsOnNlY3JldHBhc3M=")
	s.write(s.UserCfg, `[npmAuth."https://npm.example.com"]
token = "user-token-aaaabbbbccccdddd1234"
email = "me@example.com"
`)
	s.write(s.GlobalCfg, `caFile = "/etc/ssl/corp.pem"
[npmAuth."https://npm.example.com/"]
token = "global-token-eeeeffff9876"
[npmAuth."https://build.example.com"]
_auth = "Z2xvYmFsOnNlY3JldHBhc3M="
alwaysAuth = true
`)
	r := s.ok("", "auth", "list", "--json")
	var doc struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.Stdout)
	}
	if len(doc.Entries) != 3 {
		t.Fatalf("want 3 entries, got %s", r.Stdout)
	}
	want := []map[string]any{
		{"registry": "https://npm.example.com", "kind": "token", "email": "me@example.com", "alwaysAuth": false, "file": s.UserCfg, "secret": "****1234", "active": true},
		{"registry": "https://npm.example.com/", "kind": "token", "email": "", "alwaysAuth": false, "file": s.GlobalCfg, "secret": "****9876", "active": false},
		{"registry": "https://build.example.com", "kind": "basic", "email": "", "alwaysAuth": true, "file": s.GlobalCfg, "secret": "****c3M=", "active": true},
	}
	for i, w := range want {
		for k, v := range w {
			if doc.Entries[i][k] != v {
				t.Errorf("entry %d %s = %v, want %v", i, k, doc.Entries[i][k], v)
			}
		}
	}
	// The text form names the files too and masks the secrets.
	r = s.ok("", "auth", "list")
	for _, want := range []string{s.UserCfg, s.GlobalCfg, "****1234"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("auth list lacks %q:\n%s", want, r.Stdout)
		}
	}
}

// TestEnvLocations: UPM_USER_CONFIG_FILE and UPM_GLOBAL_CONFIG_FILE decide
// where every command reads and writes; ~/.upmconfig.toml is never touched.
func TestEnvLocations(t *testing.T) {
	s := newSandbox(t)
	secrets.add("env-location-token-12345678")
	s.ok("env-location-token-12345678", "auth", "set", "--registry", "https://npm.example.com", "--token-stdin")
	if _, err := os.Stat(filepath.Join(s.Home, ".upmconfig.toml")); err == nil {
		t.Errorf("wrote ~/.upmconfig.toml despite UPM_USER_CONFIG_FILE")
	}
	r := s.ok("", "config", "path")
	if strings.TrimSpace(r.Stdout) != s.UserCfg {
		t.Errorf("config path = %q, want %q", r.Stdout, s.UserCfg)
	}
	r = s.ok("", "config", "path", "--global")
	if strings.TrimSpace(r.Stdout) != s.GlobalCfg {
		t.Errorf("config path --global = %q, want %q", r.Stdout, s.GlobalCfg)
	}
	s.ok("", "config", "set", "caFile", "/etc/ssl/corp.pem", "--global")
	if !strings.Contains(s.read(s.GlobalCfg), `caFile = "/etc/ssl/corp.pem"`) {
		t.Errorf("global file: %s", s.read(s.GlobalCfg))
	}
	s.ok("", "config", "set", "maxCacheSize", "5000000000")
	r = s.ok("", "config", "list", "--json")
	var doc struct {
		Settings []struct {
			Key    string
			Value  any
			Source string
			Where  string
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatal(err, r.Stdout)
	}
	got := map[string]string{}
	for _, e := range doc.Settings {
		got[e.Key] = e.Source + "|" + e.Where
	}
	want := map[string]string{
		"cacheRoot":    "env|UPM_CACHE_ROOT",
		"maxCacheSize": "user|" + s.UserCfg,
		"caFile":       "global|" + s.GlobalCfg,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: source %q, want %q", k, got[k], v)
		}
	}
	r = s.ok("", "config", "get", "maxCacheSize")
	if strings.TrimSpace(r.Stdout) != "5000000000" {
		t.Errorf("config get maxCacheSize = %q", r.Stdout)
	}
	s.fails(2, "", "config", "set", "cacheRoot", "/x", "--global")
	s.ok("", "config", "unset", "maxCacheSize")
	r = s.ok("", "config", "get", "maxCacheSize")
	if strings.TrimSpace(r.Stdout) != "10000000000" {
		t.Errorf("default maxCacheSize = %q", r.Stdout)
	}
}

func TestBadInput(t *testing.T) {
	s := newSandbox(t)
	bad := "[npmAuth.\"https://npm.example.com\"]\ntoken = \"abc\nemail = 1\n"
	s.write(s.UserCfg, bad)
	for _, args := range [][]string{
		{"auth", "list"},
		{"auth", "remove", "--registry", "https://npm.example.com"},
		{"config", "set", "cacheRoot", "/tmp/x"},
		{"whoami", "--registry", "http://127.0.0.1:1"},
	} {
		r := s.fails(8, "tok-123456789", args...)
		if !strings.Contains(r.Stderr, s.UserCfg+":2:") {
			t.Errorf("upkg %v: message lacks file:line:column:\n%s", args, r.Stderr)
		}
	}
	s.fails(8, "tok-123456789", "auth", "set", "--registry", "https://x.example.com", "--token-stdin")
	if s.read(s.UserCfg) != bad {
		t.Errorf("a malformed file was changed")
	}

	rc := filepath.Join(s.Home, "bad.npmrc")
	s.write(rc, "registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=\"unterminated\n")
	s2 := newSandbox(t)
	r := s2.fails(8, "", "auth", "import-npmrc", "--npmrc", rc)
	if !strings.Contains(r.Stderr, rc+":2:") {
		t.Errorf("npmrc error lacks file:line:column:\n%s", r.Stderr)
	}
	if _, err := os.Stat(s2.UserCfg); err == nil {
		t.Errorf("a config file was written after a bad .npmrc")
	}

	s.fails(2, "", "auth", "list", "--no-such-flag")
	s.fails(2, "", "no-such-command")
	s.fails(2, "", "auth", "no-such-command")
	s.fails(2, "", "config", "get")
	s.fails(2, "secret", "auth", "set", "--registry", "not a url", "--token-stdin")
	s.fails(2, "", "auth", "set", "--registry", "https://x.example.com", "--token-stdin", "--basic-stdin")
}

func TestEncodeAndBasicStdin(t *testing.T) {
	s := newSandbox(t)
	s.allowShown = true // auth encode prints an _auth by design
	r := s.ok("me@example.com:pat-secret-value\n", "auth", "encode")
	if strings.TrimSpace(r.Stdout) != "bWVAZXhhbXBsZS5jb206cGF0LXNlY3JldC12YWx1ZQ==" {
		t.Errorf("encode = %q", r.Stdout)
	}
	if strings.Contains(r.Stderr, "pat-secret-value") {
		t.Errorf("encode echoed the input")
	}
	s.fails(2, "no-colon-here", "auth", "encode")
	s.allowShown = false
	secrets.add("pat-secret-value", "bWVAZXhhbXBsZS5jb206cGF0LXNlY3JldC12YWx1ZQ==")
	s.ok("me@example.com:pat-secret-value", "auth", "set", "--registry", "https://pkgs.example.com/npm/registry", "--basic-stdin")
	if !strings.Contains(s.read(s.UserCfg), `_auth = "bWVAZXhhbXBsZS5jb206cGF0LXNlY3JldC12YWx1ZQ=="`) {
		t.Errorf("file: %s", s.read(s.UserCfg))
	}
	s.fails(2, "", "auth", "set", "--registry", "https://x.example.com", "--token-env", "NOT_SET_ANYWHERE")
}
