// Package e2e runs the built upkg binary the way a user does, against a real
// Verdaccio that requires a login (internal/testharness/verdaccio). Every run's
// stdout and stderr are scanned for the secrets the tests used.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// upkgBin is the binary under test, built once by TestMain.
var upkgBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "upkg-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	upkgBin = filepath.Join(dir, "upkg")
	if runtime.GOOS == "windows" {
		upkgBin += ".exe"
	}
	build := exec.Command("go", "build", "-o", upkgBin, "github.com/upkg/upkg/cmd/upkg")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build upkg:", err)
		os.Exit(1)
	}
	code := m.Run()
	if leaks := secrets.scanAll(); len(leaks) > 0 {
		fmt.Fprintln(os.Stderr, "SECRET LEAK: a secret appeared in the output of:")
		for _, l := range leaks {
			fmt.Fprintln(os.Stderr, "  ", l)
		}
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// secretBook remembers every secret a test used and every output upkg printed,
// so that a secret registered after the run that printed it is still caught.
type secretBook struct {
	mu      sync.Mutex
	secrets []string
	outputs []recorded
}

type recorded struct {
	what string
	text string
}

var secrets = &secretBook{}

// add registers secrets that must never appear in upkg's output.
func (b *secretBook) add(s ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, v := range s {
		if len(v) >= 6 {
			b.secrets = append(b.secrets, v)
		}
	}
}

func (b *secretBook) record(what, text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.outputs = append(b.outputs, recorded{what, text})
}

// leaksIn returns how many known secrets text contains.
func (b *secretBook) leaksIn(text string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, s := range b.secrets {
		if strings.Contains(text, s) {
			n++
		}
	}
	return n
}

func (b *secretBook) scanAll() []string {
	var leaks []string
	for _, o := range b.outputs {
		if b.leaksIn(o.text) > 0 {
			leaks = append(leaks, o.what)
		}
	}
	return leaks
}

// sandbox is a user's machine: its own HOME and config file locations.
type sandbox struct {
	t          *testing.T
	Home       string
	UserCfg    string
	GlobalCfg  string
	Project    string
	extraEnv   []string
	allowShown bool
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	home := t.TempDir()
	return &sandbox{
		t:         t,
		Home:      home,
		UserCfg:   filepath.Join(home, "cfg", ".upmconfig.toml"),
		GlobalCfg: filepath.Join(home, "etc", "upmconfig.toml"),
		Project:   filepath.Join(home, "project"),
	}
}

func (s *sandbox) env() []string {
	env := []string{
		"HOME=" + s.Home,
		"USERPROFILE=" + s.Home,
		"PATH=" + os.Getenv("PATH"),
		"UPM_USER_CONFIG_FILE=" + s.UserCfg,
		"UPM_GLOBAL_CONFIG_FILE=" + s.GlobalCfg,
		"NPM_CONFIG_USERCONFIG=" + filepath.Join(s.Home, ".npmrc"),
		"UPM_CACHE_ROOT=" + filepath.Join(s.Home, "cache"),
		"NO_COLOR=1",
		"CI=1",
	}
	return append(env, s.extraEnv...)
}

// result is one finished upkg run.
type result struct {
	Stdout, Stderr string
	Code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// run runs upkg with args and stdin in the sandbox. The output is checked for
// every secret known so far (and again at the end of the test binary).
func (s *sandbox) run(stdin string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, upkgBin, args...)
	cmd.Env = s.env()
	cmd.Dir = s.Home
	if _, err := os.Stat(filepath.Join(s.Project, "Packages")); err == nil {
		cmd.Dir = s.Project
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{Stdout: out.String(), Stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("run upkg %s: %v", strings.Join(args, " "), err)
	}
	what := "upkg " + strings.Join(args, " ") + " (" + s.t.Name() + ")"
	if !s.allowShown {
		secrets.record(what, r.Stdout+r.Stderr)
		if n := secrets.leaksIn(r.Stdout + r.Stderr); n > 0 {
			s.t.Errorf("%s printed %d secret(s)", what, n)
		}
	}
	return r
}

// ok runs upkg and fails the test unless it exits 0.
func (s *sandbox) ok(stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args...)
	if r.Code != 0 {
		s.t.Fatalf("upkg %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// fails runs upkg and fails the test unless it exits with code.
func (s *sandbox) fails(code int, stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args...)
	if r.Code != code {
		s.t.Fatalf("upkg %s: want exit %d, got %s", strings.Join(args, " "), code, r)
	}
	return r
}

func (s *sandbox) write(path, content string) {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *sandbox) read(path string) string {
	s.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}
