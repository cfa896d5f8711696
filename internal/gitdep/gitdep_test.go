package gitdep

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/manifest"
)

// testRepo makes a repository with a package at its root and another in
// sub/, an annotated tag v1.0.0, a lightweight tag light, a branch dev one
// commit ahead, and returns its file:// URL and the commits.
func testRepo(t *testing.T) (url string, tagged, dev string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for these tests")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("package.json", `{"name":"com.example.root","version":"1.0.0"}`)
	write("Runtime/A.cs", "class A {}")
	write("sub/package.json", `{"name":"com.example.sub","version":"2.0.0"}`)
	write("sub/B.cs", "class B {}")
	git("add", ".")
	git("commit", "-q", "-m", "one")
	tagged = git("rev-parse", "HEAD")
	git("tag", "-a", "v1.0.0", "-m", "release")
	git("tag", "light")
	git("checkout", "-q", "-b", "dev")
	write("Runtime/C.cs", "class C {}")
	git("add", ".")
	git("commit", "-q", "-m", "two")
	dev = git("rev-parse", "HEAD")
	git("checkout", "-q", "main")
	return "file://" + dir, tagged, dev
}

func TestResolve(t *testing.T) {
	url, tagged, dev := testRepo(t)
	g := Git{}
	ctx := context.Background()
	for rev, want := range map[string]string{"v1.0.0": tagged, "light": tagged, "dev": dev, "": tagged, "main": tagged, dev: dev} {
		got, err := g.Resolve(ctx, url, rev)
		if err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", rev, got, err, want)
		}
	}
	if _, err := g.Resolve(ctx, url, "v9"); err == nil || !strings.Contains(err.Error(), `no branch or tag "v9"`) {
		t.Errorf("missing tag: %v", err)
	}
	if _, err := g.Resolve(ctx, "file:///nonexistent/repo.git", "v1"); err == nil || !strings.Contains(err.Error(), "git ls-remote") {
		t.Errorf("missing repository: %v", err)
	}
	if _, err := (Git{Path: "/nonexistent/git"}).Resolve(ctx, url, "v1.0.0"); err != ErrNoGit {
		t.Errorf("no git: %v", err)
	}
}

func TestArchive(t *testing.T) {
	url, tagged, dev := testRepo(t)
	ctx := context.Background()
	for _, c := range []struct {
		commit, sub, name string
		files             []string
	}{
		{tagged, "", "com.example.root", []string{"package/Runtime/A.cs", "package/package.json", "package/sub/B.cs", "package/sub/package.json"}},
		{dev, "", "com.example.root", []string{"package/Runtime/A.cs", "package/Runtime/C.cs", "package/package.json", "package/sub/B.cs", "package/sub/package.json"}},
		{tagged, "/sub", "com.example.sub", []string{"package/B.cs", "package/package.json"}},
		{tagged, "sub/", "com.example.sub", []string{"package/B.cs", "package/package.json"}},
	} {
		var buf bytes.Buffer
		pj, err := Git{}.Archive(ctx, url, c.commit, c.sub, filepath.Join(t.TempDir(), "work"), &buf)
		if err != nil {
			t.Fatalf("Archive(%s, %q): %v", c.commit[:7], c.sub, err)
		}
		p, err := manifest.ParsePackageJSON("package.json", pj)
		if err != nil || p.Name != c.name {
			t.Errorf("package.json of %q: %+v, %v", c.sub, p, err)
		}
		if got := tarFiles(t, &buf); strings.Join(got, " ") != strings.Join(c.files, " ") {
			t.Errorf("Archive(%s, %q) files = %v, want %v", c.commit[:7], c.sub, got, c.files)
		}
	}
	if _, err := (Git{}).Archive(ctx, url, tagged, "Runtime", filepath.Join(t.TempDir(), "work"), io.Discard); err == nil || !strings.Contains(err.Error(), "no package.json") {
		t.Errorf("folder without package.json: %v", err)
	}
}

func tarFiles(t *testing.T, r io.Reader) []string {
	t.Helper()
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			names = append(names, h.Name)
		}
	}
	sort.Strings(names)
	return names
}

func TestRepo(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/org/pkg.git":                   "https://example.com/org/pkg.git",
		"https://example.com/org/pkg.git#v1.0.0":            "https://example.com/org/pkg.git",
		"git+https://example.com/org/pkg.git?path=/sub#dev": "https://example.com/org/pkg.git",
		"git+ssh://git@example.com/org/pkg.git#v1":          "ssh://git@example.com/org/pkg.git",
		"git@example.com:org/pkg.git#v2":                    "git@example.com:org/pkg.git",
		"git+file:///srv/pkg.git":                           "file:///srv/pkg.git",
	} {
		s, err := manifest.ParseSpec(in)
		if err != nil || s.Kind != manifest.SpecGit {
			t.Fatalf("ParseSpec(%q) = %+v, %v", in, s, err)
		}
		if got := Repo(s); got != want {
			t.Errorf("Repo(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"fatal: unable to access 'https://me:s3cret@example.com/x.git/'": "fatal: unable to access 'https://***@example.com/x.git/'",
		"https://ghp_t0ken@example.com/o/x.git#v1":                       "https://***@example.com/o/x.git#v1",
		"git@example.com:o/x.git":                                        "git@example.com:o/x.git",
		"file:///srv/x.git":                                              "file:///srv/x.git",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
