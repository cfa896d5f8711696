package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/iostreams"
	"github.com/upkg/upkg/internal/testregistry"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/json")

// jwt is a token in the form of a JSON Web Token whose exp claim says
// 2030-01-01T00:00:00Z; upkg reads the claim without verifying anything.
func jwt(sub string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"`+sub+`","exp":1893456000}`)) + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
}

// TestJSONShapes pins the --json documents of docs/json (whoami, login,
// auth set/list/status/remove, config, cache, version, and the error
// object) in golden files, testdata/json/*.json: URLs of the test registries
// become http://127.0.0.1:REGn, the sandbox's folder $HOME. Run with
// -update to rewrite them after a deliberate change (and update the docs).
func TestJSONShapes(t *testing.T) {
	good := jwt("alice")
	reg := testregistry.New(t, testregistry.Options{Token: good})
	refusing := testregistry.New(t, testregistry.Options{Token: "the-only-token-it-takes-0000"})
	logins := testregistry.New(t, testregistry.Options{Token: "x-token-00000000"})
	secrets := []string{good, "stale-token-000000001111", "global-token-22223333", loginPW}

	home := t.TempDir()
	user := filepath.Join(home, "u.toml")
	global := filepath.Join(home, "g.toml")
	// A global entry for reg that the user entry will shadow, and a stale
	// token for the refusing registry.
	globalToml := "[npmAuth.\"" + reg.URL + "/\"]\ntoken = \"global-token-22223333\"\n\n" +
		"[npmAuth.\"" + refusing.URL + "\"]\ntoken = \"stale-token-000000001111\"\nemail = \"ci@example.com\"\n"
	if err := os.WriteFile(global, []byte(globalToml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"UPM_USER_CONFIG_FILE":   user,
		"UPM_GLOBAL_CONFIG_FILE": global,
		"UPM_CACHE_ROOT":         filepath.Join(home, "cache"),
		"UPKG_DEFAULT_REGISTRY":  "http://127.0.0.1:9",
		"NPM_CONFIG_USERCONFIG":  filepath.Join(home, "npmrc"),
	}
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		ios, out, errOut := iostreams.Test(stdin)
		f := &cmdutil.Factory{
			IO: ios, Globals: &cmdutil.Globals{}, GOOS: "linux", Version: "v1.2.3",
			Build:  cmdutil.BuildInfo{Version: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-01-02T03:04:05Z", Go: "go1.26.0", OS: "linux", Arch: "amd64"},
			Getenv: func(k string) string { return env[k] },
			Home:   func() (string, error) { return home, nil },
		}
		code := Run(context.Background(), f, args)
		for _, s := range append(secrets, issuedSecrets(logins)...) {
			if strings.Contains(out.String()+errOut.String(), s) {
				t.Errorf("upkg %s printed a secret (****%s)", strings.Join(args, " "), s[len(s)-4:])
			}
		}
		return code, out.String(), errOut.String()
	}
	normalize := strings.NewReplacer(
		reg.URL, "http://127.0.0.1:REG1",
		refusing.URL, "http://127.0.0.1:REG2",
		logins.URL, "http://127.0.0.1:REG3",
		home, "$HOME",
	)

	steps := []struct {
		golden string
		stdin  string
		args   []string
		code   int
	}{
		{"version", "", []string{"version", "--json"}, 0},
		{"error-usage", "", []string{"--json", "whoami"}, cmdutil.ExitUsage},
		{"error-unknown-command", "", []string{"--json", "frobnicate"}, cmdutil.ExitUsage},
		{"error-auth", "", []string{"--json", "whoami", "--registry", reg.URL}, cmdutil.ExitAuth},
		{"auth-set", good + "\n", []string{"--json", "auth", "set", "--registry", reg.URL, "--token-stdin", "--email", "alice@example.com"}, 0},
		{"auth-list", "", []string{"--json", "auth", "list"}, 0},
		{"whoami", "", []string{"--json", "whoami", "--registry", reg.URL}, 0},
		{"auth-status", "", []string{"--json", "auth", "status"}, cmdutil.ExitAuth},
		{"auth-status-offline", "", []string{"--json", "--offline", "auth", "status"}, 0},
		{"login", loginPW + "\n", []string{"--json", "login", "--registry", logins.URL, "--auth-type", "legacy", "--username", "bob", "--password-stdin"}, 0},
		{"logout", "", []string{"--json", "logout", "--registry", logins.URL}, 0},
		{"config-set", "", []string{"--json", "config", "set", "maxCacheSize", "5000000"}, 0},
		{"config-get", "", []string{"--json", "config", "get", "maxCacheSize"}, 0},
		{"config-list", "", []string{"--json", "config", "list"}, 0},
		{"config-unset", "", []string{"--json", "config", "unset", "maxCacheSize"}, 0},
		{"config-path", "", []string{"--json", "config", "path"}, 0},
		{"cache-dir", "", []string{"--json", "cache", "dir"}, 0},
		{"cache-list", "", []string{"--json", "cache", "list"}, 0},
		{"cache-verify", "", []string{"--json", "cache", "verify"}, 0},
		{"cache-prune", "", []string{"--json", "cache", "prune"}, 0},
		{"cache-clean", "", []string{"--json", "cache", "clean"}, 0},
		{"auth-remove", "", []string{"--json", "auth", "remove", "--registry", reg.URL}, 0},
	}
	for _, s := range steps {
		code, stdout, stderr := run(s.stdin, s.args...)
		if code != s.code {
			t.Errorf("upkg %s: exit %d, want %d\n%s", strings.Join(s.args, " "), code, s.code, stderr)
			continue
		}
		if !json.Valid([]byte(stdout)) || strings.Count(stdout, "\n{") > 0 {
			t.Errorf("upkg %s: stdout is not one JSON document:\n%s", strings.Join(s.args, " "), stdout)
			continue
		}
		if code != 0 && !strings.Contains(stderr, "error: ") {
			t.Errorf("upkg %s: no human error on stderr:\n%s", strings.Join(s.args, " "), stderr)
		}
		checkGolden(t, filepath.Join("testdata", "json", s.golden+".json"), []byte(normalize.Replace(stdout)))
	}
}

// checkGolden compares got with the golden file (or writes it with -update).
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -run TestJSONShapes -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
