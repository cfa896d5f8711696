package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// slowRegistry is a Verdaccio with a user and four packages prefix0…prefix3
// 1.0.0, behind a spy that holds every tarball back delay; it returns the
// spy, the user's token and a manifest asking for the four.
func slowRegistry(t *testing.T, user, prefix string, delay time.Duration) (*spy, string, string) {
	t.Helper()
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, user, user+"-password-4321")
	var deps []string
	for i := 0; i < 4; i++ {
		name := fmt.Sprintf("%s%d", prefix, i)
		publish(t, srv, tok, pkg{name, "1.0.0", "", nil})
		deps = append(deps, fmt.Sprintf("%q:\"1.0.0\"", name))
	}
	sp := newSpy(t, "127.0.0.1:0", srv.URL)
	sp.delayTarballs(delay)
	manifest := fmt.Sprintf(`{"dependencies":{%s},"scopedRegistries":[{"name":"x","url":%q,"scopes":["com.example"]}]}`, strings.Join(deps, ","), sp.URL)
	return sp, tok, manifest
}

// TestInstallProgressBar runs install on a terminal (a pseudo-terminal) while
// the registry is slow: a line counts the packages being resolved, then a
// progress bar counts the packages fetched, warnings and the summary line
// are not mangled by them, and --no-progress or a pipe get none.
func TestInstallProgressBar(t *testing.T) {
	sp, tok, manifest := slowRegistry(t, "pia", "com.example.bar", 500*time.Millisecond)
	sp.delayPackuments(400 * time.Millisecond)

	run := func(ci bool, args ...string) string {
		s := newSandbox(t)
		s.project(manifest, "") // no ProjectVersion.txt: a warning during the install
		s.login(sp.URL, tok)
		cmd := exec.Command(upkgBin, args...)
		cmd.Dir = s.Project
		for _, kv := range s.env() {
			if ci || kv != "CI=1" {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		p := startPTY(t, cmd, tok)
		p.wait()
		out := p.text()
		secrets.record("install on a terminal", out)
		return out
	}

	out := run(false, "install", "--jobs", "1")
	for _, want := range []string{"Resolving… ", "Installing", "/4 packages", "warning: no ", "Installed 4 packages"} {
		if !strings.Contains(out, want) {
			t.Errorf("install on a terminal printed no %q:\n%q", want, out)
		}
	}
	if !strings.Contains(out, "[") || !strings.Contains(out, "]") {
		t.Errorf("no bar drawn:\n%q", out)
	}
	// The summary is on a line of its own, after the bar has gone.
	last := out[strings.LastIndex(out, "Installed 4 packages"):]
	if strings.ContainsAny(last, "[]") {
		t.Errorf("bar drawn after the summary:\n%q", last)
	}

	for name, out := range map[string]string{
		"--no-progress": run(false, "install", "--jobs", "1", "--no-progress"),
		"CI set":        run(true, "install", "--jobs", "1"),
	} {
		if strings.Contains(out, "Installing") || strings.Contains(out, "Resolving") || !strings.Contains(out, "Installed 4 packages") {
			t.Errorf("%s, on a terminal:\n%q", name, out)
		}
	}
}

// TestInstallInterrupted sends SIGINT (Ctrl-C) to an install waiting on a
// slow registry: it stops at once with exit 130, writes no lock file, leaves
// no half-made folder, and the next install completes.
func TestInstallInterrupted(t *testing.T) {
	sp, tok, manifest := slowRegistry(t, "ivy", "com.example.int", 2*time.Second)
	s := newSandbox(t)
	s.project(manifest, "2022.3.20f1")
	s.login(sp.URL, tok)

	cmd := exec.Command(upkgBin, "install")
	cmd.Env, cmd.Dir = s.env(), s.Project
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a tarball is being held back, then press Ctrl-C.
	for deadline := time.Now().Add(30 * time.Second); !sp.sawTarball(); {
		if time.Now().After(deadline) {
			t.Fatalf("no tarball request; upkg printed:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	secrets.record("interrupted install", out.String())
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("Ctrl-C: exit %d (%v), want 130:\n%s", code, err, out.String())
	}
	if _, err := os.Stat(filepath.Join(s.Project, "Packages", "packages-lock.json")); err == nil {
		t.Errorf("an interrupted install wrote the lock file")
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Project, "Library", "PackageCache")); len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("an interrupted install left folders: %v", names)
	}
	s.ok("", "cache", "verify")
	sp.delayTarballs(0)
	s.ok("", "install")
	installedNames := 0
	for i := 0; i < 4; i++ {
		if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache", fmt.Sprintf("com.example.int%d@1.0.0", i), "package.json")); err == nil {
			installedNames++
		}
	}
	if installedNames != 4 {
		t.Errorf("after the interrupted one, install put %d of 4 packages in place", installedNames)
	}
}
