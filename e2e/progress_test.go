package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// TestInstallProgressBar runs install on a terminal (a pseudo-terminal) while
// the registry is slow: a progress bar counts the packages, warnings and the
// summary line are not mangled by it, and --no-progress or a pipe get none.
func TestInstallProgressBar(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	tok := newUser(t, srv, "pia", "pia-password-777")
	var deps []string
	for i := 0; i < 4; i++ {
		name := fmt.Sprintf("com.example.bar%d", i)
		publish(t, srv, tok, pkg{name, "1.0.0", "", nil})
		deps = append(deps, fmt.Sprintf("%q:\"1.0.0\"", name))
	}
	sp := newSpy(t, "127.0.0.1:0", srv.URL)
	sp.tarballDelay = 500 * time.Millisecond
	manifest := fmt.Sprintf(`{"dependencies":{%s},"scopedRegistries":[{"name":"x","url":%q,"scopes":["com.example"]}]}`, strings.Join(deps, ","), sp.URL)

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
	for _, want := range []string{"Installing", "/4 packages", "warning: no ", "Installed 4 packages"} {
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
		if strings.Contains(out, "Installing") || !strings.Contains(out, "Installed 4 packages") {
			t.Errorf("%s, on a terminal:\n%q", name, out)
		}
	}
}
