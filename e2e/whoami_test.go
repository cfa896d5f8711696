package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// newUser creates a Verdaccio user and registers its secrets.
func newUser(t *testing.T, srv *verdaccio.Server, name, password string) string {
	t.Helper()
	token, err := srv.AddUser(context.Background(), name, password)
	if err != nil {
		t.Fatalf("add user %s: %v", name, err)
	}
	secrets.add(token, password, base64.StdEncoding.EncodeToString([]byte(name+":"+password)))
	return token
}

func TestWhoamiAgainstVerdaccio(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	token := newUser(t, srv, "alice", "alice-password-123")

	t.Run("token", func(t *testing.T) {
		s := newSandbox(t)
		s.ok(token, "auth", "set", "--registry", srv.URL, "--token-stdin")
		r := s.ok("", "whoami", "--registry", srv.URL)
		if strings.TrimSpace(r.Stdout) != "alice" {
			t.Errorf("whoami = %q, want alice", r.Stdout)
		}
		// Trailing slash and letter case still match the entry.
		r = s.ok("", "whoami", "--registry", strings.ToUpper(srv.URL[:7])+srv.URL[7:]+"/")
		if strings.TrimSpace(r.Stdout) != "alice" {
			t.Errorf("whoami (other spelling) = %q", r.Stdout)
		}
		r = s.ok("", "whoami", "--registry", srv.URL, "--json", "--verbose")
		if !strings.Contains(r.Stdout, `"username": "alice"`) {
			t.Errorf("whoami --json: %s", r.Stdout)
		}
		if !strings.Contains(r.Stderr, "Bearer ****"+token[len(token)-4:]) {
			t.Errorf("--verbose trace lacks the redacted credential:\n%s", r.Stderr)
		}
	})

	t.Run("basic", func(t *testing.T) {
		s := newSandbox(t)
		s.ok("alice:alice-password-123\n", "auth", "set", "--registry", srv.URL, "--basic-stdin")
		r := s.ok("", "whoami", "--registry", srv.URL, "--verbose")
		if strings.TrimSpace(r.Stdout) != "alice" {
			t.Errorf("whoami = %q, want alice", r.Stdout)
		}
	})

	t.Run("no entry", func(t *testing.T) {
		s := newSandbox(t)
		r := s.fails(3, "", "whoami", "--registry", srv.URL)
		if !strings.Contains(r.Stderr, "no npmAuth entry") || !strings.Contains(r.Stderr, "upkg auth set --registry "+srv.URL) {
			t.Errorf("message lacks the diagnosis or the fix:\n%s", r.Stderr)
		}
	})

	t.Run("wrong token", func(t *testing.T) {
		s := newSandbox(t)
		wrong := "not-a-valid-token-0000111122223333"
		secrets.add(wrong)
		s.ok(wrong, "auth", "set", "--registry", srv.URL+"/", "--token-stdin")
		r := s.fails(3, "", "whoami", "--registry", srv.URL, "--verbose")
		if !strings.Contains(r.Stderr, s.UserCfg) || !strings.Contains(r.Stderr, "****3333") {
			t.Errorf("message does not name the entry and its file:\n%s", r.Stderr)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		s := newSandbox(t)
		secrets.add("alice:wrong-password-999")
		s.ok("alice:wrong-password-999", "auth", "set", "--registry", srv.URL, "--basic-stdin")
		s.fails(3, "", "whoami", "--registry", srv.URL)
	})

	t.Run("global entry", func(t *testing.T) {
		s := newSandbox(t)
		s.write(s.GlobalCfg, "[npmAuth.\""+srv.URL+"\"]\ntoken = \""+token+"\"\n")
		r := s.ok("", "whoami", "--registry", srv.URL)
		if strings.TrimSpace(r.Stdout) != "alice" {
			t.Errorf("whoami = %q, want alice", r.Stdout)
		}
	})
}

// TestImportNpmrcAgainstVerdaccio: a .npmrc written by the real `npm login`
// (driven through a pseudo-terminal) imports into a working entry.
func TestImportNpmrcAgainstVerdaccio(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	newUser(t, srv, "bob", "bob-password-456")
	s := newSandbox(t)
	npmrcPath := filepath.Join(s.Home, ".npmrc")
	npmLogin(t, s, srv.URL, "bob", "bob-password-456", npmrcPath)
	rc, err := os.ReadFile(npmrcPath)
	if err != nil {
		t.Fatalf("npm login wrote no .npmrc: %v", err)
	}
	if !strings.Contains(string(rc), ":_authToken=") {
		t.Fatalf("npm login wrote no token (%d bytes)", len(rc))
	}
	tok := string(rc)[strings.Index(string(rc), ":_authToken=")+len(":_authToken="):]
	tok = strings.Trim(strings.SplitN(tok, "\n", 2)[0], "\"\r")
	secrets.add(tok)

	// Default location (NPM_CONFIG_USERCONFIG), scheme from the loopback rule.
	r := s.ok("", "auth", "import-npmrc")
	if !strings.Contains(r.Stderr, "Imported token for "+srv.URL) {
		t.Errorf("import report:\n%s", r.Stderr)
	}
	r = s.ok("", "whoami", "--registry", srv.URL)
	if strings.TrimSpace(r.Stdout) != "bob" {
		t.Errorf("whoami = %q, want bob", r.Stdout)
	}

	// --npmrc FILE with --registry, into a fresh config.
	s2 := newSandbox(t)
	r = s2.ok("", "auth", "import-npmrc", "--npmrc", npmrcPath, "--registry", srv.URL+"/", "--json")
	if !strings.Contains(r.Stdout, `"kind": "token"`) {
		t.Errorf("import --json: %s", r.Stdout)
	}
	if r := s2.ok("", "whoami", "--registry", srv.URL); strings.TrimSpace(r.Stdout) != "bob" {
		t.Errorf("whoami = %q", r.Stdout)
	}

	// username + _password (base64) as older npm wrote them, with ${VAR}.
	s3 := newSandbox(t)
	legacy := filepath.Join(s3.Home, "legacy.npmrc")
	host := strings.TrimPrefix(srv.URL, "http:")
	s3.write(legacy, "# legacy credentials\nregistry="+srv.URL+"/\n"+host+"/:username=bob\n"+host+"/:_password=${BOB_PW_B64}\n"+host+"/:email=bob@example.com\n")
	s3.extraEnv = append(s3.extraEnv, "BOB_PW_B64="+base64.StdEncoding.EncodeToString([]byte("bob-password-456")))
	secrets.add(base64.StdEncoding.EncodeToString([]byte("bob-password-456")))
	s3.ok("", "auth", "import-npmrc", "--npmrc", legacy)
	if r := s3.ok("", "whoami", "--registry", srv.URL); strings.TrimSpace(r.Stdout) != "bob" {
		t.Errorf("whoami (basic from username/_password) = %q", r.Stdout)
	}
	if !strings.Contains(s3.read(s3.UserCfg), `email = "bob@example.com"`) {
		t.Errorf("email not carried over:\n%s", s3.read(s3.UserCfg))
	}

	// A top-level token with no registry= asks for --registry.
	s4 := newSandbox(t)
	top := filepath.Join(s4.Home, "top.npmrc")
	s4.write(top, "_authToken="+tok+"\n")
	r = s4.fails(2, "", "auth", "import-npmrc", "--npmrc", top)
	if !strings.Contains(r.Stderr, "--registry") {
		t.Errorf("no hint about --registry:\n%s", r.Stderr)
	}
	s4.ok("", "auth", "import-npmrc", "--npmrc", top, "--registry", srv.URL)
	if r := s4.ok("", "whoami", "--registry", srv.URL); strings.TrimSpace(r.Stdout) != "bob" {
		t.Errorf("whoami (top-level token) = %q", r.Stdout)
	}
}
