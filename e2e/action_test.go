package e2e

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// The GitHub Action (action.yml at the repo root) is a composite action: its
// run steps are bash scripts. These tests run them as a runner would — in
// order, with the runner's variables and files (RUNNER_OS, RUNNER_ARCH,
// RUNNER_TEMP, GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT), `if:` conditions and
// ${{ }} expressions evaluated — against a real Verdaccio that requires a
// login. Steps that use other actions (actions/cache) are not run; their
// inputs are checked instead.

type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	Uses             string            `yaml:"uses"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
}

func loadAction(t *testing.T) *actionFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml: runs.using = %q, want composite", a.Runs.Using)
	}
	return &a
}

// runner is one job on a fake GitHub runner: a home, a workspace, a temp
// folder, and what the steps so far wrote to GITHUB_ENV, GITHUB_PATH and
// GITHUB_OUTPUT.
type runner struct {
	t         *testing.T
	action    *actionFile
	inputs    map[string]string
	Home      string
	Workspace string
	Temp      string
	env       map[string]string            // from GITHUB_ENV
	path      []string                     // from GITHUB_PATH, newest first
	outputs   map[string]map[string]string // step id → outputs
	ran       []string                     // names of the steps run
	used      []actionStep                 // uses: steps, with their `with` evaluated
	log       strings.Builder              // everything the steps printed
}

func newRunner(t *testing.T, inputs map[string]string) *runner {
	t.Helper()
	a := loadAction(t)
	in := map[string]string{}
	for name, spec := range a.Inputs {
		in[name] = spec.Default
	}
	for name, v := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
		in[name] = v
	}
	home := t.TempDir()
	r := &runner{
		t: t, action: a, inputs: in,
		Home:      home,
		Workspace: filepath.Join(home, "work"),
		Temp:      filepath.Join(home, "runner-temp"),
		env:       map[string]string{},
		outputs:   map[string]map[string]string{},
	}
	for _, d := range []string{r.Workspace, r.Temp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func runnerOS() string {
	switch runtime.GOOS {
	case "darwin":
		return "macOS"
	case "windows":
		return "Windows"
	}
	return "Linux"
}

func runnerArch() string {
	if runtime.GOARCH == "arm64" {
		return "ARM64"
	}
	return "X64"
}

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// value evaluates the expressions the action may use in env, with and
// outputs; ok is false for any other expression.
func (r *runner) value(expr string) (string, bool) {
	expr = strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(expr, "inputs."):
		v, ok := r.inputs[strings.TrimPrefix(expr, "inputs.")]
		return v, ok
	case strings.HasPrefix(expr, "steps."):
		parts := strings.Split(expr, ".")
		if len(parts) != 4 || parts[2] != "outputs" {
			return "", false
		}
		return r.outputs[parts[1]][parts[3]], true
	case expr == "runner.os":
		return runnerOS(), true
	case expr == "runner.arch":
		return runnerArch(), true
	case strings.HasPrefix(expr, "'") && strings.HasSuffix(expr, "'") && len(expr) >= 2:
		return strings.ReplaceAll(expr[1:len(expr)-1], "''", "'"), true
	}
	return "", false
}

// subst replaces every ${{ }} in s. Unknown expressions fail the test, unless
// keep is set (a uses: step's inputs, where hashFiles stays as written).
func (r *runner) subst(s string, keep bool) string {
	r.t.Helper()
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := r.value(exprRE.FindStringSubmatch(m)[1])
		if !ok {
			if keep {
				return m
			}
			r.t.Fatalf("action.yml: expression %s is not one this test evaluates", m)
		}
		return v
	})
}

// cond evaluates a step's `if:`: comparisons (== or !=) joined by &&.
func (r *runner) cond(s string) bool {
	r.t.Helper()
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	if m := exprRE.FindStringSubmatch(s); m != nil && m[0] == s {
		s = m[1]
	}
	for _, part := range strings.Split(s, "&&") {
		var op string
		switch {
		case strings.Contains(part, "!="):
			op = "!="
		case strings.Contains(part, "=="):
			op = "=="
		default:
			r.t.Fatalf("action.yml: if: %q is not a comparison this test evaluates", s)
		}
		lr := strings.SplitN(part, op, 2)
		a, ok1 := r.value(lr[0])
		b, ok2 := r.value(lr[1])
		if !ok1 || !ok2 {
			r.t.Fatalf("action.yml: if: %q is not a comparison this test evaluates", s)
		}
		// GitHub compares strings case-insensitively.
		if strings.EqualFold(a, b) != (op == "==") {
			return false
		}
	}
	return true
}

// run runs the steps in order up to and including the one whose id is
// stopAfter ("" for all); it returns the name of the step that failed, or "".
func (r *runner) run(stopAfter string) (failed string) {
	r.t.Helper()
	for i, st := range r.action.Runs.Steps {
		if !r.cond(st.If) {
			continue
		}
		name := st.Name
		if name == "" {
			name = fmt.Sprintf("step %d", i+1)
		}
		r.ran = append(r.ran, name)
		if st.Uses != "" {
			with := map[string]string{}
			for k, v := range st.With {
				with[k] = r.subst(v, true)
			}
			st.With = with
			r.used = append(r.used, st)
		} else if !r.runStep(i, st) {
			return name
		}
		if stopAfter != "" && st.ID == stopAfter {
			break
		}
	}
	return ""
}

func (r *runner) runStep(i int, st actionStep) bool {
	t := r.t
	t.Helper()
	if st.Shell != "bash" {
		t.Fatalf("action.yml: step %q: shell %q, want bash (the same on every runner OS)", st.Name, st.Shell)
	}
	if strings.Contains(st.Run, "${{") {
		t.Fatalf("action.yml: step %q puts an expression inside its script: pass inputs through env", st.Name)
	}
	dir := filepath.Join(r.Temp, fmt.Sprintf("step%d", i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "run.sh")
	files := map[string]string{}
	for _, f := range []string{"GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		files[f] = filepath.Join(dir, strings.ToLower(f))
		if err := os.WriteFile(files[f], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(script, []byte(st.Run), 0o644); err != nil {
		t.Fatal(err)
	}

	path := strings.Join(append(append([]string{}, r.path...), os.Getenv("PATH")), string(os.PathListSeparator))
	env := []string{
		"HOME=" + r.Home,
		"PATH=" + path,
		"CI=true",
		"GITHUB_ACTIONS=true",
		"GITHUB_WORKSPACE=" + r.Workspace,
		"RUNNER_OS=" + runnerOS(),
		"RUNNER_ARCH=" + runnerArch(),
		"RUNNER_TEMP=" + r.Temp,
		"NO_COLOR=1",
	}
	for k, v := range files {
		env = append(env, k+"="+v)
	}
	for k, v := range r.env {
		env = append(env, k+"="+v)
	}
	for k, v := range st.Env {
		env = append(env, k+"="+r.subst(v, false))
	}

	wd := r.Workspace
	if st.WorkingDirectory != "" {
		wd = filepath.Join(r.Workspace, r.subst(st.WorkingDirectory, false))
	}
	// What GitHub runs for `shell: bash`.
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Env, cmd.Dir = env, wd
	timer := time.AfterFunc(2*time.Minute, func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
		}
	})
	out, err := cmd.CombinedOutput()
	timer.Stop()
	fmt.Fprintf(&r.log, "##[group]%s\n%s##[endgroup]\n", st.Name, out)
	what := "action step " + st.Name + " (" + t.Name() + ")"
	secrets.record(what, string(out))
	if n := secrets.leaksIn(string(out)); n > 0 {
		t.Errorf("%s printed %d secret(s)", what, n)
	}
	if err != nil {
		return false
	}

	if st.ID != "" {
		r.outputs[st.ID] = readKeyValues(t, files["GITHUB_OUTPUT"])
	}
	for k, v := range readKeyValues(t, files["GITHUB_ENV"]) {
		r.env[k] = v
	}
	for _, line := range readLines(mustRead(t, files["GITHUB_PATH"])) {
		if line = strings.TrimSpace(line); line != "" {
			r.path = append([]string{line}, r.path...)
		}
	}
	return true
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readKeyValues reads a GITHUB_OUTPUT or GITHUB_ENV file: name=value lines
// and name<<DELIMITER blocks.
func readKeyValues(t *testing.T, path string) map[string]string {
	t.Helper()
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(mustRead(t, path))))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if k, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(k, "=") {
			var val []string
			for sc.Scan() && sc.Text() != delim {
				val = append(val, sc.Text())
			}
			kv[k] = strings.Join(val, "\n")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: line %q is neither name=value nor name<<DELIMITER", path, line)
		}
		kv[k] = v
	}
	return kv
}

// actionProject publishes two packages to a Verdaccio that requires a login,
// writes a project using them with its lock (made by upkg install in another
// sandbox), and returns the server, a user's token and the project's files.
func actionProject(t *testing.T) (srv *verdaccio.Server, token string, files map[string]string) {
	t.Helper()
	srv = verdaccio.ForTest(t, verdaccio.Options{})
	token = newUser(t, srv, "gabe", "gabe-password-4321")
	publish(t, srv, token,
		pkg{"com.example.core", "1.0.0", "2021.3", nil},
		pkg{"com.example.app", "2.0.0", "2021.3", map[string]string{"com.example.core": "1.0.0"}},
	)
	manifest := fmt.Sprintf(`{
  "dependencies": {
    "com.example.app": "2.0.0",
    "com.unity.modules.audio": "1.0.0"
  },
  "scopedRegistries": [
    { "name": "Studio", "url": "%s/", "scopes": ["com.example"] }
  ]
}
`, srv.URL)
	p := newSandbox(t)
	p.project(manifest, "2022.3.20f1")
	p.login(srv.URL, token)
	p.ok("", "install", "--no-materialize")
	return srv, token, map[string]string{
		"Packages/manifest.json":             manifest,
		"Packages/packages-lock.json":        p.read(filepath.Join(p.Project, "Packages", "packages-lock.json")),
		"ProjectSettings/ProjectVersion.txt": p.read(filepath.Join(p.Project, "ProjectSettings", "ProjectVersion.txt")),
	}
}

func (r *runner) checkout(dir string, files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Workspace, dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

func TestActionRunsUpkgCI(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the action's steps are bash scripts; this runs them on Linux and macOS")
	}
	srv, token, files := actionProject(t)

	for _, tc := range []struct {
		kind, secret string
	}{
		{"token", token},
		{"basic", "gabe:gabe-password-4321"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			r := newRunner(t, map[string]string{
				"upkg-path":    upkgBin,
				"registry":     srv.URL,
				"token":        tc.secret,
				"auth-kind":    tc.kind,
				"project-path": "game",
			})
			r.checkout("game", files)
			if failed := r.run(""); failed != "" {
				t.Fatalf("step %q failed:\n%s", failed, r.log.String())
			}
			logText := r.log.String()

			// Every step ran, actions/cache included (cache defaults to true).
			want := []string{"Install upkg", "Store the registry credential", "Find the upkg cache", "Cache upkg packages", "upkg ci"}
			if strings.Join(r.ran, "|") != strings.Join(want, "|") {
				t.Errorf("steps run: %q, want %q", r.ran, want)
			}
			// The binary came from upkg-path, through GITHUB_PATH.
			if got := r.outputs["install"]["path"]; got != filepath.Join(r.Temp, "upkg-bin", "upkg") {
				t.Errorf("install output path = %q", got)
			}

			// upkg ci installed the packages and left the lock as it was.
			game := filepath.Join(r.Workspace, "game")
			for _, dir := range []string{"com.example.app@2.0.0", "com.example.core@1.0.0"} {
				if _, err := os.Stat(filepath.Join(game, "Library", "PackageCache", dir, "package.json")); err != nil {
					t.Errorf("%s not installed: %v\n%s", dir, err, logText)
				}
			}
			if got := string(mustRead(t, filepath.Join(game, "Packages", "packages-lock.json"))); got != files["Packages/packages-lock.json"] {
				t.Errorf("upkg ci changed the lock")
			}

			// The credential landed in the user's .upmconfig.toml (of the
			// kind asked for), not in any output.
			cfg := string(mustRead(t, filepath.Join(r.Home, ".upmconfig.toml")))
			stored := map[string]string{"token": "token = ", "basic": "_auth = "}[tc.kind]
			if !strings.Contains(cfg, stored) {
				t.Errorf(".upmconfig.toml has no %s entry", stored)
			}
			if strings.Contains(logText, tc.secret) {
				t.Errorf("the secret appeared in the action's output")
			}

			// actions/cache gets upkg's cache folder, now filled, keyed by
			// the lock's hash.
			cacheDir := r.outputs["cache-dir"]["dir"]
			if !strings.HasPrefix(cacheDir, r.Home+string(os.PathSeparator)) {
				t.Errorf("cache dir %q is not under the runner's home", cacheDir)
			}
			if entries, err := os.ReadDir(cacheDir); err != nil || len(entries) == 0 {
				t.Errorf("cache dir %s is empty after upkg ci (%v)", cacheDir, err)
			}
			if len(r.used) != 1 {
				t.Fatalf("uses: steps run: %d, want 1 (actions/cache)", len(r.used))
			}
			c := r.used[0]
			if !strings.HasPrefix(c.Uses, "actions/cache@") {
				t.Errorf("uses: %q, want actions/cache", c.Uses)
			}
			if c.With["path"] != cacheDir {
				t.Errorf("actions/cache path = %q, want %q", c.With["path"], cacheDir)
			}
			if !strings.Contains(c.With["key"], "${{ hashFiles('**/Packages/packages-lock.json') }}") ||
				!strings.HasPrefix(c.With["key"], "upkg-"+runnerOS()+"-") {
				t.Errorf("actions/cache key = %q: want the OS and the hash of the lock", c.With["key"])
			}
		})
	}

	t.Run("without a token", func(t *testing.T) {
		r := newRunner(t, map[string]string{
			"upkg-path":    upkgBin,
			"registry":     srv.URL,
			"project-path": "game",
			"cache":        "false",
		})
		r.checkout("game", files)
		if failed := r.run(""); failed != "upkg ci" {
			t.Fatalf("failed step = %q, want upkg ci (no credential):\n%s", failed, r.log.String())
		}
		if want := []string{"Install upkg", "upkg ci"}; strings.Join(r.ran, "|") != strings.Join(want, "|") {
			t.Errorf("steps run: %q, want %q (no token: nothing stored; cache off)", r.ran, want)
		}
		if len(r.used) != 0 {
			t.Errorf("cache: false still ran actions/cache")
		}
	})
}

// releaseServer serves a release as GitHub does: BASE/latest redirects to
// BASE/tag/TAG, and BASE/download/TAG/NAME serves the archives and
// checksums.txt. The archive for this OS and arch holds upkgBin.
func releaseServer(t *testing.T, tag string, tamper bool) *httptest.Server {
	t.Helper()
	version := strings.TrimPrefix(tag, "v")
	archive := fmt.Sprintf("upkg_%s_%s_%s.tar.gz", version, runtime.GOOS, runtime.GOARCH)
	bin := mustRead(t, upkgBin)
	var buf strings.Builder
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range map[string][]byte{"upkg": bin, "README.md": []byte("# upkg\n")} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	tgz := buf.String()
	sum := sha256.Sum256([]byte(tgz))
	hexsum := hex.EncodeToString(sum[:])
	if tamper {
		hexsum = strings.Repeat("0", 64)
	}
	checksums := fmt.Sprintf("%s  upkg_%s_other_arch.tar.gz\n%s  %s\n", strings.Repeat("1", 64), version, hexsum, archive)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/releases/latest":
			http.Redirect(w, req, "/releases/tag/"+tag, http.StatusFound)
		case "/releases/tag/" + tag:
			fmt.Fprintln(w, "release page")
		case "/releases/download/" + tag + "/" + archive:
			http.ServeContent(w, req, archive, time.Time{}, strings.NewReader(tgz))
		case "/releases/download/" + tag + "/checksums.txt":
			fmt.Fprint(w, checksums)
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestActionDownloadsRelease(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the action's steps are bash scripts; this runs them on Linux and macOS")
	}
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("releases are built for amd64 and arm64 only")
	}
	for _, version := range []string{"latest", "v9.8.7", "9.8.7"} {
		t.Run(version, func(t *testing.T) {
			srv := releaseServer(t, "v9.8.7", false)
			r := newRunner(t, map[string]string{"version": version, "release-url": srv.URL + "/releases"})
			if failed := r.run("install"); failed != "" {
				t.Fatalf("step %q failed:\n%s", failed, r.log.String())
			}
			log := r.log.String()
			if !strings.Contains(log, "verified") || !strings.Contains(log, "upkg_9.8.7_"+runtime.GOOS+"_"+runtime.GOARCH+".tar.gz") {
				t.Errorf("install did not download and verify the archive:\n%s", log)
			}
			if _, err := os.Stat(filepath.Join(r.Temp, "upkg-bin", "upkg")); err != nil {
				t.Errorf("upkg not installed: %v", err)
			}
			if len(r.path) != 1 || r.path[0] != filepath.Join(r.Temp, "upkg-bin") {
				t.Errorf("GITHUB_PATH = %q", r.path)
			}
		})
	}
	t.Run("checksum mismatch", func(t *testing.T) {
		srv := releaseServer(t, "v9.8.7", true)
		r := newRunner(t, map[string]string{"version": "v9.8.7", "release-url": srv.URL + "/releases"})
		if failed := r.run("install"); failed != "Install upkg" {
			t.Fatalf("failed step = %q, want Install upkg:\n%s", failed, r.log.String())
		}
		if !strings.Contains(r.log.String(), "checksum mismatch") {
			t.Errorf("no checksum mismatch reported:\n%s", r.log.String())
		}
		if _, err := os.Stat(filepath.Join(r.Temp, "upkg-bin", "upkg")); err == nil {
			t.Errorf("a binary whose checksum did not match was installed")
		}
	})
	t.Run("unknown version", func(t *testing.T) {
		srv := releaseServer(t, "v9.8.7", false)
		r := newRunner(t, map[string]string{"version": "v1.0.0", "release-url": srv.URL + "/releases"})
		if failed := r.run("install"); failed != "Install upkg" {
			t.Fatalf("failed step = %q, want Install upkg:\n%s", failed, r.log.String())
		}
	})
}
