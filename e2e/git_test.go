package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo is a Git repository on disk holding Unity packages.
type gitRepo struct {
	t   *testing.T
	Dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for the Git package tests")
	}
	r := &gitRepo{t: t, Dir: filepath.Join(t.TempDir(), "packages.git")}
	os.MkdirAll(r.Dir, 0o755)
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files and commits them, returning the commit.
func (r *gitRepo) commit(files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", ".")
	r.git("commit", "-q", "-m", "change")
	return r.git("rev-parse", "HEAD")
}

// TestInstallGitPackages installs Git dependencies the way Unity does: a
// tag and a branch with ?path=, the commits recorded as the lock's hash,
// the packages' own registry dependencies resolved, folders named
// <name>@<commit[:10]>; the locked commit is kept when the branch moves
// on, and a warm cache installs with the repository gone and offline.
func TestInstallGitPackages(t *testing.T) {
	srv, token := appRegistry(t, "gil", "gil-password-9753")
	repo := newGitRepo(t)
	tagged := repo.commit(map[string]string{
		"package.json":               `{"name": "com.example.gitroot", "version": "1.0.0", "dependencies": {"com.example.core": "1.0.0"}}`,
		"Runtime/Root.cs":            "class Root {}",
		"Tools/package.json":         `{"name": "com.example.gittool", "version": "0.3.0"}`,
		"Tools/Editor/Tool.cs":       "class Tool {}",
		"Tools/Editor/Tool.cs.meta":  "guid: 1",
		"Tools/Editor/nested/x.txt":  "x",
		"Tools/Editor/nested/y.json": "{}",
	})
	repo.git("tag", "-a", "v1.0.0", "-m", "release 1.0.0")
	repo.git("checkout", "-q", "-b", "dev")
	dev := repo.commit(map[string]string{"Tools/Editor/New.cs": "class New {}"})
	repo.git("checkout", "-q", "main")

	rootURL := "git+file://" + repo.Dir + "#v1.0.0"
	toolURL := "git+file://" + repo.Dir + "?path=/Tools#dev"
	s := newSandbox(t)
	s.project(fmt.Sprintf(`{
  "dependencies": {
    "com.example.gitroot": %q,
    "com.example.gittool": %q
  },
  "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]
}
`, rootURL, toolURL, srv.URL), "2022.3.20f1")
	s.login(srv.URL, token)

	s.ok("", "install")
	lockPath := filepath.Join(s.Project, "Packages", "packages-lock.json")
	lock := s.read(lockPath)
	var doc struct {
		Dependencies map[string]struct {
			Version, Source, Hash string
			Depth                 int
			Dependencies          map[string]string
		}
	}
	if err := json.Unmarshal([]byte(lock), &doc); err != nil {
		t.Fatal(err)
	}
	root, tool, core := doc.Dependencies["com.example.gitroot"], doc.Dependencies["com.example.gittool"], doc.Dependencies["com.example.core"]
	if root.Source != "git" || root.Version != rootURL || root.Hash != tagged || root.Dependencies["com.example.core"] != "1.0.0" {
		t.Errorf("gitroot lock entry: %+v", root)
	}
	if tool.Source != "git" || tool.Version != toolURL || tool.Hash != dev {
		t.Errorf("gittool lock entry: %+v", tool)
	}
	if core.Source != "registry" || core.Depth != 1 {
		t.Errorf("the Git package's dependency: %+v", core)
	}
	if !strings.Contains(lock, `"hash": "`+tagged+`"`) {
		t.Errorf("lock:\n%s", lock)
	}
	cache := filepath.Join(s.Project, "Library", "PackageCache")
	for _, f := range []string{
		"com.example.gitroot@" + tagged[:10] + "/Runtime/Root.cs",
		"com.example.gitroot@" + tagged[:10] + "/Tools/Editor/Tool.cs", // the root package holds the whole tree
		"com.example.gittool@" + dev[:10] + "/Editor/New.cs",
		"com.example.gittool@" + dev[:10] + "/package.json",
		"com.example.core@1.0.0/package.json",
	} {
		if _, err := os.Stat(filepath.Join(cache, f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	if r := s.ok("", "install"); !strings.Contains(r.Stderr, "Up to date") {
		t.Errorf("second run is no no-op:\n%s", r)
	}

	// The branch moves on: the lock keeps the commit it has, as Unity does.
	repo.git("checkout", "-q", "dev")
	moved := repo.commit(map[string]string{"Tools/Editor/Later.cs": "class Later {}"})
	repo.git("checkout", "-q", "main")
	os.RemoveAll(filepath.Join(s.Project, "Library"))
	s.ok("", "ci")
	if got := s.read(lockPath); got != lock {
		t.Errorf("the lock changed after the branch moved:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(cache, "com.example.gittool@"+moved[:10])); err == nil {
		t.Errorf("installed the branch's new commit instead of the locked one")
	}

	// Without the lock, the branch's new commit is taken, and the old
	// folder goes.
	os.Remove(lockPath)
	s.ok("", "install")
	if !strings.Contains(s.read(lockPath), `"hash": "`+moved+`"`) {
		t.Errorf("without a lock the branch's head was not taken:\n%s", s.read(lockPath))
	}
	if _, err := os.Stat(filepath.Join(cache, "com.example.gittool@"+dev[:10])); err == nil {
		t.Errorf("the folder of the old commit is still there")
	}

	// The repository gone and offline: the cache serves.
	os.Rename(repo.Dir, repo.Dir+".gone")
	os.RemoveAll(filepath.Join(s.Project, "Library"))
	s.ok("", "install", "--offline")
	if _, err := os.Stat(filepath.Join(cache, "com.example.gitroot@"+tagged[:10], "package.json")); err != nil {
		t.Errorf("offline install from the cache: %v", err)
	}
	if r := s.ok("", "cache", "verify"); !strings.Contains(r.Stderr, "no problems") {
		t.Errorf("cache verify: %s", r)
	}

	// Offline, a Git URL the lock does not record cannot be resolved: a
	// network failure (exit 5) naming the package.
	os.Rename(repo.Dir+".gone", repo.Dir)
	offline := newSandbox(t)
	offline.project(fmt.Sprintf(`{"dependencies": {"com.example.gitroot": %q}}`, rootURL), "2022.3.20f1")
	r := offline.fails(5, "", "install", "--offline")
	if !strings.Contains(r.Stderr, "com.example.gitroot") || !strings.Contains(r.Stderr, "offline") {
		t.Errorf("offline without a lock entry:\n%s", r.Stderr)
	}

	// A revision the repository does not have is "not found" (exit 4), naming it.
	other := newSandbox(t)
	other.project(fmt.Sprintf(`{"dependencies": {"com.example.gitroot": %q}}`, "git+file://"+repo.Dir+"#v9.9.9"), "2022.3.20f1")
	r = other.fails(4, "", "install")
	for _, w := range []string{"com.example.gitroot", `no branch or tag "v9.9.9"`} {
		if !strings.Contains(r.Stderr, w) {
			t.Errorf("missing revision: message lacks %q:\n%s", w, r.Stderr)
		}
	}
}

// TestDoctorGit: doctor says whether git is there when the manifest has Git
// packages.
func TestDoctorGit(t *testing.T) {
	s := newSandbox(t)
	s.project(`{"dependencies": {"com.example.gitroot": "git+file:///srv/packages.git#v1.0.0"}}`, "2022.3.20f1")
	r := s.run("", "doctor", "--registry", "http://127.0.0.1:9")
	if !strings.Contains(r.Stdout, "git") || !strings.Contains(r.Stdout, "for 1 Git packages") {
		t.Errorf("doctor with git on PATH:\n%s", r.Stdout)
	}
	s.extraEnv = []string{"PATH=" + t.TempDir()}
	r = s.fails(1, "", "doctor", "--registry", "http://127.0.0.1:9")
	for _, w := range []string{"git is not on PATH", "com.example.gitroot", "install git"} {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("doctor without git lacks %q:\n%s", w, r.Stdout)
		}
	}
}

// TestGitAsUnityClones (issue 9, items 6 and 7): a Git package is what a
// checkout of its commit holds (export-ignore files too), the scp-like form
// without ".git" is a Git URL, and ?path= may hold "." and ".." segments.
func TestGitAsUnityClones(t *testing.T) {
	repo := newGitRepo(t)
	commit := repo.commit(map[string]string{
		".gitattributes":        "Samples~/** export-ignore\nTools/Docs~ export-ignore\n",
		"package.json":          `{"name": "com.example.cloned", "version": "1.0.0"}`,
		"Runtime/A.cs":          "class A {}",
		"Samples~/Demo/Demo.cs": "class Demo {}",
		"Tools/package.json":    `{"name": "com.example.clonedtool", "version": "1.0.0"}`,
		"Tools/Docs~/index.md":  "# docs",
		"Tools/Editor/T.cs":     "class T {}",
	})
	repo.git("tag", "v1.0.0")

	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	// The scp-like address reaches the local repository through git's own
	// URL rewriting, as a company mirror would.
	s.write(filepath.Join(s.Home, ".gitconfig"), fmt.Sprintf("[url \"file://%s\"]\n\tinsteadOf = git@git.example.com:team/packages\n", repo.Dir))
	s.project(`{
  "dependencies": {
    "com.example.cloned": "git@git.example.com:team/packages#v1.0.0",
    "com.example.clonedtool": "git+file://`+repo.Dir+`?path=/Tools/../Tools/./#v1.0.0"
  }
}
`, "2022.3.20f1")
	s.ok("", "install", "--no-progress")
	cache := filepath.Join(s.Project, "Library", "PackageCache")
	for _, f := range []string{
		"com.example.cloned@" + commit[:10] + "/Samples~/Demo/Demo.cs",
		"com.example.cloned@" + commit[:10] + "/Runtime/A.cs",
		"com.example.clonedtool@" + commit[:10] + "/Docs~/index.md",
		"com.example.clonedtool@" + commit[:10] + "/Editor/T.cs",
	} {
		if _, err := os.Stat(filepath.Join(cache, f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json"))
	if !strings.Contains(lock, `"version": "git@git.example.com:team/packages#v1.0.0"`) || !strings.Contains(lock, `"hash": "`+commit+`"`) {
		t.Errorf("lock:\n%s", lock)
	}
}

// TestGitLFSPackage (item 6): a Git package whose repository keeps files in
// Git LFS installs their content, not pointer files; doctor says git-lfs is
// there. (scripts/test-deps.sh installs git-lfs.)
func TestGitLFSPackage(t *testing.T) {
	if err := exec.Command("git", "lfs", "version").Run(); err != nil {
		t.Fatalf("git-lfs is needed for this test (scripts/test-deps.sh installs it): %v", err)
	}
	repo := newGitRepo(t)
	repo.git("lfs", "install", "--local")
	repo.git("lfs", "track", "*.bin")
	content := strings.Repeat("real LFS content\n", 100)
	commit := repo.commit(map[string]string{
		"package.json":      `{"name": "com.example.lfs", "version": "1.0.0"}`,
		"Runtime/model.bin": content,
	})
	if pointer := repo.git("show", "HEAD:Runtime/model.bin"); !strings.Contains(pointer, "git-lfs.github.com/spec") {
		t.Fatalf("the test repository does not store model.bin in LFS:\n%s", pointer)
	}
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	s.project(`{"dependencies": {"com.example.lfs": "git+file://`+repo.Dir+`"}}`, "2022.3.20f1")
	s.ok("", "install", "--no-progress")
	got := s.read(filepath.Join(s.Project, "Library", "PackageCache", "com.example.lfs@"+commit[:10], "Runtime", "model.bin"))
	if got != content {
		t.Errorf("model.bin is not its LFS content:\n%.200s", got)
	}
	d := s.run("", "doctor", "--json")
	if !strings.Contains(d.Stdout, `"check": "git-lfs"`) || !strings.Contains(d.Stdout, "git-lfs/") {
		t.Errorf("doctor does not report git-lfs:\n%s", d.Stdout)
	}
}
