package cli

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/iostreams"
	"github.com/upkg/upkg/internal/testregistry"
	"github.com/upkg/upkg/internal/upmconfig"
)

const (
	loginPW    = "alice-password-123"
	loginOTP   = "246810"
	otherEntry = "# my registries\n[npmAuth.\"https://other.example.com\"]\n# keep me\ntoken = \"other-token-0000\"\n"
)

// loginEnv runs upkg in-process with a sandboxed user config.
type loginEnv struct {
	t    *testing.T
	home string
	cfg  string
}

func newLoginEnv(t *testing.T) *loginEnv {
	t.Helper()
	e := &loginEnv{t: t, home: t.TempDir()}
	e.cfg = filepath.Join(e.home, "u.toml")
	if err := os.WriteFile(e.cfg, []byte(otherEntry), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs upkg with stdin and returns the exit code, stdout and stderr. No
// secret of the test may appear in them.
func (e *loginEnv) run(stdin string, secrets []string, args ...string) (int, string, string) {
	e.t.Helper()
	return e.runCtx(context.Background(), stdin, secrets, args...)
}

// runCtx is run with ctx as the process's context (cancelled = Ctrl-C).
func (e *loginEnv) runCtx(ctx context.Context, stdin string, secrets []string, args ...string) (int, string, string) {
	e.t.Helper()
	ios, out, errOut := iostreams.Test(stdin)
	env := map[string]string{
		"UPM_USER_CONFIG_FILE":   e.cfg,
		"UPM_GLOBAL_CONFIG_FILE": filepath.Join(e.home, "g.toml"),
		"NPM_CONFIG_USERCONFIG":  filepath.Join(e.home, "npmrc"),
	}
	f := &cmdutil.Factory{
		IO: ios, Globals: &cmdutil.Globals{}, GOOS: "linux", Version: "test",
		Getenv: func(k string) string { return env[k] },
		Home:   func() (string, error) { return e.home, nil },
	}
	code := Run(ctx, f, args)
	for _, s := range append(secrets, loginPW, "other-token-0000") {
		if strings.Contains(out.String()+errOut.String(), s) {
			e.t.Errorf("upkg %s printed a secret (****%s)", strings.Join(args, " "), s[len(s)-4:])
		}
	}
	return code, out.String(), errOut.String()
}

// entry returns the user config's entry for reg.
func (e *loginEnv) entry(reg string) (upmconfig.Auth, bool) {
	e.t.Helper()
	f, err := upmconfig.LoadFile(e.cfg, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return upmconfig.MatchRegistry(f.NpmAuth, reg)
}

// intact checks that the other entry and the comments survived, and the mode.
func (e *loginEnv) intact() {
	e.t.Helper()
	data, err := os.ReadFile(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), otherEntry) {
		e.t.Errorf("the other entry or its comments changed:\n%s", data)
	}
	if st, _ := os.Stat(e.cfg); st.Mode().Perm() != 0o600 {
		e.t.Errorf("config mode %v, want 0600", st.Mode().Perm())
	}
}

// untouched checks that nothing was written.
func (e *loginEnv) untouched() {
	e.t.Helper()
	data, _ := os.ReadFile(e.cfg)
	if string(data) != otherEntry {
		e.t.Errorf("the config changed:\n%s", data)
	}
}

func issuedSecrets(reg *testregistry.Registry) []string {
	var s []string
	for tok := range reg.Issued() {
		s = append(s, tok)
	}
	return append(s, reg.Revoked()...)
}

func TestLoginWeb(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: testregistry.LoginOptions{Web: true, WebPending: 1, WebRetryAfter: "1"}})
	e := newLoginEnv(t)
	code, stdout, stderr := e.run("", nil, "login", "--registry", reg.URL, "--always-auth")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	secrets := issuedSecrets(reg)
	for _, s := range secrets {
		if strings.Contains(stdout+stderr, s) {
			t.Errorf("the token was printed")
		}
	}
	if !strings.Contains(stderr, reg.URL+"/-/web/login/") || !strings.Contains(stderr, "Stored token for "+reg.URL+" in "+e.cfg) {
		t.Errorf("stderr lacks the URL or where the token went:\n%s", stderr)
	}
	a, ok := e.entry(reg.URL)
	if !ok || reg.Issued()[a.Token] != "alice" || !a.AlwaysAuth {
		t.Errorf("stored entry %+v is not the issued token with alwaysAuth", upmconfig.Auth{Registry: a.Registry, AlwaysAuth: a.AlwaysAuth})
	}
	if n := len(reg.RequestsTo("/-/v1/done")); n != 2 {
		t.Errorf("doneUrl polled %d times, want 2 (one 202, then 200)", n)
	}
	e.intact()
	// The stored token works.
	if code, out, _ := e.run("", secrets, "whoami", "--registry", reg.URL); code != 0 || strings.TrimSpace(out) != "alice" {
		t.Errorf("whoami: exit %d, %q", code, out)
	}
}

// TestLoginWebInterrupted presses Ctrl-C while upkg waits for the browser:
// it stops at once, exit 130, nothing stored.
func TestLoginWebInterrupted(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: testregistry.LoginOptions{Web: true, WebPending: -1, WebRetryAfter: "1"}})
	e := newLoginEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	code, _, stderr := e.runCtx(ctx, "", nil, "login", "--registry", reg.URL, "--timeout", "1m")
	if code != cmdutil.ExitInterrupted || !strings.Contains(stderr, "interrupted") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s to stop", d)
	}
	e.untouched()
}

func TestLoginWebTimeout(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: testregistry.LoginOptions{Web: true, WebPending: -1, WebRetryAfter: "0"}})
	e := newLoginEnv(t)
	code, _, stderr := e.run("", nil, "login", "--registry", reg.URL, "--timeout", "1s")
	if code != cmdutil.ExitAuth || !strings.Contains(stderr, "not completed within 1s") || !strings.Contains(stderr, "--auth-type legacy") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	e.untouched()
}

func TestLoginWebFallback(t *testing.T) {
	for _, tc := range []struct {
		name  string
		login testregistry.LoginOptions
		args  []string
		code  int
		want  string
	}{
		// No terminal: after the fallback upkg needs a user name and says
		// which flag gives it.
		{"500 falls back to couch", testregistry.LoginOptions{Web: true, WebLoginStatus: 500}, nil, cmdutil.ExitUsage, "pass --username"},
		{"404 falls back to couch", testregistry.LoginOptions{}, nil, cmdutil.ExitUsage, "pass --username"},
		{"forced web", testregistry.LoginOptions{Web: true, WebLoginStatus: 500}, []string{"--auth-type", "web"}, cmdutil.ExitFailure, "--auth-type legacy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: tc.login})
			e := newLoginEnv(t)
			code, _, stderr := e.run("", nil, append([]string{"login", "--registry", reg.URL}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, tc.code, tc.want, stderr)
			}
			if n := len(reg.RequestsTo("/-/v1/login")); n != 1 {
				t.Errorf("POST /-/v1/login sent %d times", n)
			}
			e.untouched()
		})
	}
	// With the credentials given, the 500 is followed by a couch login.
	reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: testregistry.LoginOptions{Web: true, WebLoginStatus: 500}})
	e := newLoginEnv(t)
	code, _, stderr := e.run(loginPW+"\n", nil, "login", "--registry", reg.URL, "--auth-type", "legacy", "--username", "alice", "--password-stdin")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if a, ok := e.entry(reg.URL); !ok || reg.Issued()[a.Token] != "alice" {
		t.Errorf("no working token stored")
	}
}

func TestLoginCouch(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + loginPW))
	for _, tc := range []struct {
		name    string
		login   testregistry.LoginOptions
		stdin   string
		args    []string
		code    int
		want    string // in stderr
		stored  bool
		account string
	}{
		{"new user", testregistry.LoginOptions{}, loginPW, nil, 0, "(new account)", true, "new"},
		{"existing user (409 flow)", testregistry.LoginOptions{Users: map[string]string{"alice": loginPW}}, loginPW + "\n", []string{"--email", "alice@example.com"}, 0, "(existing account)", true, "existing"},
		{"wrong password", testregistry.LoginOptions{Users: map[string]string{"alice": "another-password-1"}}, loginPW, nil, cmdutil.ExitAuth, "wrong user name or password", false, ""},
		{"OTP with --otp", testregistry.LoginOptions{OTP: loginOTP, Users: map[string]string{"alice": loginPW}}, loginPW, []string{"--otp", loginOTP}, 0, "Stored token", true, "existing"},
		{"OTP asked, no terminal", testregistry.LoginOptions{OTP: loginOTP}, loginPW, nil, cmdutil.ExitUsage, "pass --otp CODE", false, ""},
		{"wrong OTP", testregistry.LoginOptions{OTP: loginOTP}, loginPW, []string{"--otp", "111111"}, cmdutil.ExitAuth, "refused the one-time password", false, ""},
		{"no password on stdin", testregistry.LoginOptions{}, "", nil, cmdutil.ExitUsage, "password is empty", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: tc.login})
			e := newLoginEnv(t)
			args := append([]string{"login", "--registry", reg.URL, "--username", "alice", "--password-stdin"}, tc.args...)
			code, _, stderr := e.run(tc.stdin, []string{basic}, args...)
			for _, s := range issuedSecrets(reg) {
				if strings.Contains(stderr, s) {
					t.Errorf("the token was printed")
				}
			}
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, tc.code, tc.want, stderr)
			}
			if !tc.stored {
				e.untouched()
				return
			}
			a, ok := e.entry(reg.URL)
			if !ok || reg.Issued()[a.Token] != "alice" {
				t.Fatalf("no working token stored")
			}
			e.intact()
			if tc.name == "existing user (409 flow)" && a.Email != "alice@example.com" {
				t.Errorf("email = %q", a.Email)
			}
			for _, q := range reg.Requests() {
				if q.Authorization == testregistry.Bearer("x-token-00000000") {
					t.Errorf("a login request carried a stored credential")
				}
			}
		})
	}
}

func TestLoginBasic(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: testregistry.LoginOptions{Users: map[string]string{"me@example.com": loginPW}}})
	e := newLoginEnv(t)
	basic := base64.StdEncoding.EncodeToString([]byte("me@example.com:" + loginPW))
	code, _, stderr := e.run(loginPW, []string{basic}, "login", "--basic", "--registry", reg.URL, "--username", "me@example.com", "--password-stdin", "--npmrc")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	a, ok := e.entry(reg.URL)
	if !ok || a.Basic != basic || a.Token != "" {
		t.Fatalf("_auth not stored")
	}
	e.intact()
	rc, err := os.ReadFile(filepath.Join(e.home, "npmrc"))
	if err != nil || !strings.Contains(string(rc), strings.TrimPrefix(reg.URL, "http:")+"/:_auth="+basic) {
		t.Errorf(".npmrc = %d bytes, %v", len(rc), err)
	}
	if st, _ := os.Stat(filepath.Join(e.home, "npmrc")); st == nil || st.Mode().Perm() != 0o600 {
		t.Errorf(".npmrc mode is not 0600")
	}
	// The whoami of a Basic entry asks the registry.
	n := len(reg.RequestsTo("/-/whoami"))
	if code, out, _ := e.run("", []string{basic}, "whoami", "--registry", reg.URL); code != 0 || strings.TrimSpace(out) != "me@example.com" {
		t.Errorf("whoami: exit %d, %q", code, out)
	}
	if len(reg.RequestsTo("/-/whoami")) != n+1 {
		t.Errorf("whoami did not ask the registry")
	}

	// A wrong password: exit 3, nothing written.
	e2 := newLoginEnv(t)
	code, _, stderr = e2.run("wrong-password-000", nil, "login", "--basic", "--registry", reg.URL, "--username", "me@example.com", "--password-stdin")
	if code != cmdutil.ExitAuth || !strings.Contains(stderr, "refused") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	e2.untouched()
}

func TestLoginNoTerminal(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000"})
	e := newLoginEnv(t)
	code, _, stderr := e.run("", nil, "login", "--registry", reg.URL, "--auth-type", "legacy", "--username", "alice")
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "--password-stdin") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if len(reg.Requests()) != 0 {
		t.Errorf("asked the registry before having the input")
	}
	e.untouched()
}

func TestLogout(t *testing.T) {
	for _, tc := range []struct {
		name     string
		login    testregistry.LoginOptions
		basic    bool
		args     []string
		want     string
		revoked  int
		requests bool
	}{
		{"revoked", testregistry.LoginOptions{}, false, nil, "Revoked the token on", 1, true},
		{"unsupported", testregistry.LoginOptions{NoRevoke: true}, false, nil, "does not support revoking", 0, true},
		{"basic entry", testregistry.LoginOptions{Users: map[string]string{"alice": loginPW}}, true, nil, "cannot be revoked by upkg", 0, false},
		{"offline", testregistry.LoginOptions{}, false, []string{"--offline"}, "not revoked (--offline)", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{Token: "x-token-00000000", Login: tc.login})
			e := newLoginEnv(t)
			args := []string{"login", "--registry", reg.URL, "--username", "alice", "--password-stdin"}
			if tc.basic {
				args = append(args, "--basic")
			}
			if code, _, stderr := e.run(loginPW, nil, args...); code != 0 {
				t.Fatalf("login: exit %d\n%s", code, stderr)
			}
			before := len(reg.Requests())
			secrets := issuedSecrets(reg)
			code, _, stderr := e.run("", secrets, append([]string{"logout", "--registry", reg.URL + "/", "-v"}, tc.args...)...)
			if code != 0 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "Removed the entry for "+reg.URL) {
				t.Fatalf("logout: exit %d, want %q\n%s", code, tc.want, stderr)
			}
			if len(reg.Revoked()) != tc.revoked {
				t.Errorf("revoked %d tokens, want %d", len(reg.Revoked()), tc.revoked)
			}
			if asked := len(reg.Requests()) > before; asked != tc.requests {
				t.Errorf("asked the registry: %v", asked)
			}
			if _, ok := e.entry(reg.URL); ok {
				t.Errorf("entry still there")
			}
			e.untouched()
			if code, _, _ := e.run("", secrets, "whoami", "--registry", reg.URL); code != cmdutil.ExitAuth {
				t.Errorf("whoami after logout: exit %d, want 3", code)
			}
		})
	}
	// No entry: nothing to do, exit 1 with the list hint.
	e := newLoginEnv(t)
	if code, _, stderr := e.run("", nil, "logout", "--registry", "https://none.example.com"); code != cmdutil.ExitFailure || !strings.Contains(stderr, "upkg auth list") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

func TestLogoutUnreachable(t *testing.T) {
	e := newLoginEnv(t)
	reg := "http://127.0.0.1:1"
	if err := os.WriteFile(e.cfg, []byte(otherEntry+"\n[npmAuth.\""+reg+"\"]\ntoken = \"unreachable-token-1234\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := e.run("", []string{"unreachable-token-1234"}, "logout", "--registry", reg)
	if code != cmdutil.ExitNetwork || !strings.Contains(stderr, "nothing was removed") || !strings.Contains(stderr, "--offline") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if _, ok := e.entry(reg); !ok {
		t.Errorf("the entry was removed although the token was not revoked")
	}
}
