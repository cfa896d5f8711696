package e2e

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
	"github.com/upkg/upkg/internal/upmconfig"
)

// storedToken reads the token upkg stored for reg and registers it as a secret.
func storedToken(t *testing.T, s *sandbox, reg string) string {
	t.Helper()
	f, err := upmconfig.LoadFile(s.UserCfg, false)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := upmconfig.MatchRegistry(f.NpmAuth, reg)
	if !ok || a.Token == "" {
		t.Fatalf("no token stored for %s in %s", reg, s.UserCfg)
	}
	secrets.add(a.Token)
	return a.Token
}

// TestLoginAgainstVerdaccio: login creates a user (201), logs an existing
// one in through npm's 409 flow, refuses a wrong password without writing
// anything; what it stored works for whoami, install and the real npm; logout
// leaves whoami failing.
func TestLoginAgainstVerdaccio(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	pubToken := newUser(t, srv, "publisher", "publisher-password-1")
	publish(t, srv, pubToken, pkg{"com.example.core", "1.0.0", "2021.3", nil})
	newUser(t, srv, "dave", "dave-password-789")
	secrets.add("carol-password-321", base64.StdEncoding.EncodeToString([]byte("carol:carol-password-321")), "dave-wrong-password")

	t.Run("new user", func(t *testing.T) {
		s := newSandbox(t)
		s.write(s.UserCfg, "# my config\ncacheRoot = \""+filepath.ToSlash(filepath.Join(s.Home, "cache"))+"\"\n\n[npmAuth.\"https://other.example.com\"]\ntoken = \"other-token-abcdef\"\n")
		secrets.add("other-token-abcdef")
		r := s.ok("carol-password-321\n", "login", "--registry", srv.URL, "--username", "carol", "--password-stdin", "--email", "carol@example.com")
		if !strings.Contains(r.Stderr, "Logged in as carol") || !strings.Contains(r.Stderr, "(new account)") || !strings.Contains(r.Stderr, "Stored token for "+srv.URL+" in "+s.UserCfg) {
			t.Errorf("login report:\n%s", r.Stderr)
		}
		storedToken(t, s, srv.URL)
		cfg := s.read(s.UserCfg)
		if !strings.HasPrefix(cfg, "# my config\n") || !strings.Contains(cfg, "other-token-abcdef") || !strings.Contains(cfg, `email = "carol@example.com"`) {
			t.Errorf("config after login:\n%s", strings.ReplaceAll(cfg, "other-token-abcdef", "****"))
		}
		if st, _ := os.Stat(s.UserCfg); st.Mode().Perm() != 0o600 {
			t.Errorf("config mode %v", st.Mode().Perm())
		}
		if r := s.ok("", "whoami", "--registry", srv.URL); strings.TrimSpace(r.Stdout) != "carol" {
			t.Errorf("whoami = %q", r.Stdout)
		}
		s.project(`{"dependencies":{"com.example.core":"1.0.0"},"scopedRegistries":[{"name":"v","url":"`+srv.URL+`","scopes":["com.example"]}]}`, "2022.3.20f1")
		s.ok("", "install")
		if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache", "com.example.core@1.0.0", "package.json")); err != nil {
			t.Errorf("install with the stored token: %v", err)
		}

		r = s.ok("", "logout", "--registry", srv.URL)
		if !strings.Contains(r.Stderr, "Revoked the token on "+srv.URL) || !strings.Contains(r.Stderr, "Removed the entry") {
			t.Errorf("logout report:\n%s", r.Stderr)
		}
		s.fails(3, "", "whoami", "--registry", srv.URL)
		if cfg := s.read(s.UserCfg); !strings.HasPrefix(cfg, "# my config\n") || !strings.Contains(cfg, "other-token-abcdef") {
			t.Errorf("logout touched other entries")
		}
	})

	t.Run("existing user (409 flow)", func(t *testing.T) {
		s := newSandbox(t)
		r := s.ok("dave-password-789", "login", "--registry", srv.URL+"/", "--username", "dave", "--password-stdin", "--verbose")
		if !strings.Contains(r.Stderr, "(existing account)") {
			t.Errorf("login report:\n%s", r.Stderr)
		}
		// npm's flow: the PUT answered 409, then GET ?write=true and PUT -rev with Basic auth.
		for _, step := range []string{"PUT " + srv.URL + "/-/user/org.couchdb.user:dave → 409", "GET " + srv.URL + "/-/user/org.couchdb.user:dave?write=true → 200", "/-rev/"} {
			if !strings.Contains(r.Stderr, step) {
				t.Errorf("trace lacks %q:\n%s", step, r.Stderr)
			}
		}
		storedToken(t, s, srv.URL)
		if r := s.ok("", "whoami", "--registry", srv.URL); strings.TrimSpace(r.Stdout) != "dave" {
			t.Errorf("whoami = %q", r.Stdout)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		s := newSandbox(t)
		r := s.fails(3, "dave-wrong-password", "login", "--registry", srv.URL, "--username", "dave", "--password-stdin")
		if !strings.Contains(r.Stderr, "wrong user name or password") {
			t.Errorf("message:\n%s", r.Stderr)
		}
		if _, err := os.Stat(s.UserCfg); err == nil {
			t.Errorf("a config file was written")
		}
	})

	t.Run("basic", func(t *testing.T) {
		s := newSandbox(t)
		s.ok("dave-password-789", "login", "--basic", "--registry", srv.URL, "--username", "dave", "--password-stdin")
		if r := s.ok("", "whoami", "--registry", srv.URL); strings.TrimSpace(r.Stdout) != "dave" {
			t.Errorf("whoami (basic) = %q", r.Stdout)
		}
		s.fails(3, "dave-wrong-password", "login", "--basic", "--registry", srv.URL, "--username", "dave", "--password-stdin")
	})

	t.Run("npm uses the stored token", func(t *testing.T) {
		s := newSandbox(t)
		rc := filepath.Join(s.Home, "for-npm.npmrc")
		s.write(rc, "; mine\nfund=false\n")
		s.ok("dave-password-789", "login", "--registry", srv.URL, "--username", "dave", "--password-stdin", "--npmrc="+rc)
		storedToken(t, s, srv.URL)
		cmd := exec.Command("npm", "whoami", "--registry", srv.URL+"/", "--userconfig", rc)
		cmd.Env = append(s.env(), "npm_config_update_notifier=false")
		cmd.Dir = s.Home
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(lastLine(string(out))) != "dave" {
			t.Errorf("npm whoami: %v\n%s", err, out)
		}
		if data := s.read(rc); !strings.HasPrefix(data, "; mine\nfund=false\n") {
			t.Errorf(".npmrc lost its lines")
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestLoginTerminal drives `upkg login` in a pseudo-terminal: Verdaccio has
// no web login (404), so upkg falls back to asking a user name and a
// password, and the password is not echoed.
func TestLoginTerminal(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	newUser(t, srv, "erin", "erin-password-555")
	s := newSandbox(t)
	cmd := exec.Command(upkgBin, "login", "--registry", srv.URL)
	cmd.Env = s.env()
	cmd.Dir = s.Home
	p := startPTY(t, cmd, "erin-password-555")
	p.expect("Username: ", "erin")
	p.expect("Password: ", "erin-password-555")
	p.wait()
	got := p.text()
	secrets.record("upkg login in a pty ("+t.Name()+")", got)
	if strings.Contains(got, "erin-password-555") {
		t.Errorf("the password was echoed")
	}
	if !p.echoing() {
		t.Errorf("login left the terminal without echo")
	}
	if !strings.Contains(got, "erin") || !strings.Contains(got, "no web login") || !strings.Contains(got, "Stored token") {
		t.Errorf("terminal session:\n%s", got)
	}
	storedToken(t, s, srv.URL)
	if r := s.ok("", "whoami", "--registry", srv.URL); strings.TrimSpace(r.Stdout) != "erin" {
		t.Errorf("whoami = %q", r.Stdout)
	}
}

// TestLoginInterrupted presses Ctrl-C at each prompt of `upkg login`: the
// command stops at once (exit 130) without storing anything, and leaves the
// terminal echoing again after the no-echo password prompt.
func TestLoginInterrupted(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	for _, at := range []string{"Username: ", "Password: "} {
		t.Run(strings.TrimSuffix(at, ": "), func(t *testing.T) {
			s := newSandbox(t)
			cmd := exec.Command(upkgBin, "login", "--registry", srv.URL, "--auth-type", "legacy")
			cmd.Env, cmd.Dir = s.env(), s.Home
			p := startPTY(t, cmd, "never-typed")
			if at == "Password: " {
				p.expect("Username: ", "gus")
			}
			p.waitFor(at)
			p.send("\x03")
			if code := p.exitCode(10 * time.Second); code != 130 {
				t.Errorf("Ctrl-C at %q: exit %d, want 130\n%s", at, code, p.redacted())
			}
			if !strings.Contains(p.text(), "interrupted") {
				t.Errorf("Ctrl-C at %q printed no 'interrupted':\n%s", at, p.redacted())
			}
			if _, err := os.Stat(s.UserCfg); !os.IsNotExist(err) {
				t.Errorf("Ctrl-C at %q: %s exists (%v)", at, s.UserCfg, err)
			}
			if !p.echoing() {
				t.Errorf("Ctrl-C at %q left the terminal without echo", at)
			}
		})
	}
}
