// Package gitdep fetches Git dependencies of a Unity manifest (UPM-SPEC §5):
// it turns a revision into a commit with `git ls-remote`, fetches and checks
// out that one commit, and writes the package's folder as an npm-style tarball
// ("package/…", gzip), so that the cache, verification and extraction of
// registry packages serve Git packages too. Git itself does the talking:
// its credential helpers, SSH keys and proxy settings apply, and it never
// prompts (GIT_TERMINAL_PROMPT=0).
package gitdep

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/upkg/upkg/internal/manifest"
)

// Git runs the git program.
type Git struct {
	// Path is the git executable ("git": found on PATH).
	Path string
	// Env is the environment git runs with (the CLI passes its own; nil is
	// an empty one).
	Env []string
	// Warn, when set, hears what the user should know (a repository that
	// uses Git LFS without git-lfs installed).
	Warn func(string)
}

// ErrNoGit means git is not installed.
var ErrNoGit = errors.New("git is not installed or not on PATH; Git packages need it")

// Repo is the address git is given for a manifest Git URL: without the
// "git+" prefix, the ?path= query and the #revision.
func Repo(s manifest.Spec) string {
	u := s.URL
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	if len(u) > 4 && strings.EqualFold(u[:4], "git+") {
		u = u[4:]
	}
	return u
}

var fullSHA = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}$`) })

// IsCommit reports whether rev is a full commit SHA.
func IsCommit(rev string) bool { return fullSHA().MatchString(rev) }

// Resolve returns the commit rev names in repo: rev itself when it is a
// full SHA; else, from `git ls-remote`, the tag (peeled, for annotated
// tags), the branch, or — for an empty rev — HEAD.
func (g Git) Resolve(ctx context.Context, repo, rev string) (string, error) {
	if IsCommit(rev) {
		return rev, nil
	}
	want := rev
	if want == "" {
		want = "HEAD"
	}
	// "<name>^{}" also asks for the commit an annotated tag points at.
	out, err := g.run(ctx, "", "ls-remote", "--", repo, want, want+"^{}")
	if err != nil {
		return "", err
	}
	found := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		sha, ref, ok := strings.Cut(sc.Text(), "\t")
		if ok && IsCommit(sha) {
			found[ref] = sha
		}
	}
	for _, ref := range []string{"refs/tags/" + want + "^{}", "refs/tags/" + want, "refs/heads/" + want, want} {
		if sha, ok := found[ref]; ok {
			return sha, nil
		}
	}
	return "", &Error{Op: "ls-remote", Msg: fmt.Sprintf("%s has no branch or tag %q", Redact(repo), want), Kind: KindNotFound}
}

// Archive fetches commit from repo into a scratch repository at work (which
// must not exist; the caller removes it), checks it out as Unity does — a
// clone, so files marked export-ignore are there and, when git-lfs is
// installed, Git LFS files hold their content rather than pointers — and
// writes the folder sub of that checkout (the root for "") to w as a gzipped
// tar with its files under "package/". It returns the folder's package.json.
func (g Git) Archive(ctx context.Context, repo, commit, sub, work string, w io.Writer) ([]byte, error) {
	if _, err := g.run(ctx, "", "init", "-q", work); err != nil {
		return nil, err
	}
	if _, err := g.run(ctx, work, "remote", "add", "origin", repo); err != nil {
		return nil, err
	}
	// One commit, not the history. Servers that refuse to serve a commit
	// by its SHA (old ones) get a full fetch instead.
	if _, err := g.run(ctx, work, "fetch", "-q", "--depth", "1", "--no-tags", "origin", commit); err != nil {
		if _, err2 := g.run(ctx, work, "fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"); err2 != nil {
			return nil, err
		}
	}
	lfs := g.HasLFS(ctx)
	if lfs {
		// The LFS filters for this repository alone, whatever the user's
		// global configuration: checkout then fetches LFS content.
		if _, err := g.run(ctx, work, "lfs", "install", "--local"); err != nil {
			return nil, err
		}
	}
	if _, err := g.run(ctx, work, "-c", "advice.detachedHead=false", "checkout", "-q", "--detach", commit); err != nil {
		return nil, err
	}
	dir := filepath.Join(work, filepath.FromSlash(strings.Trim(sub, "/")))
	if !lfs && usesLFS(work, dir) {
		if g.Warn != nil {
			g.Warn(fmt.Sprintf("%s uses Git LFS, and git-lfs is not installed: its LFS files are installed as pointer files (install git-lfs and run the install again)", Redact(repo)))
		}
	}
	pj, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, &Error{Op: "checkout", Msg: fmt.Sprintf("%s at %s has no package.json in %q", Redact(repo), commit[:10], "/"+strings.Trim(sub, "/")), Kind: KindNotFound}
	}
	if err := writeTarball(w, dir); err != nil {
		return nil, fmt.Errorf("pack %s at %s: %w", Redact(repo), commit[:10], err)
	}
	return pj, nil
}

// usesLFS reports whether a .gitattributes file of the checkout at root, on
// the way down to dir, sends files through the LFS filter.
func usesLFS(root, dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, ".gitattributes")); err == nil && bytes.Contains(b, []byte("filter=lfs")) {
			return true
		}
		if d == root || len(d) <= len(root) {
			return false
		}
	}
}

// HasLFS reports whether git-lfs is installed (`git lfs version` runs).
func (g Git) HasLFS(ctx context.Context) bool {
	_, err := g.run(ctx, "", "lfs", "version")
	return err == nil
}

// tarTime stamps every file of a packed checkout, so that packing the same
// commit again gives the same bytes (and the same cache entry).
var tarTime = time.Unix(0, 0).UTC()

// writeTarball writes the tree at dir, without Git's own .git, as an
// npm-style gzipped tar: regular files (with their executable bit),
// folders and symbolic links under "package/", in sorted order.
func writeTarball(w io.Writer, dir string) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		if d.Name() == ".git" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil // a submodule's .git file
		}
		name := "package/" + filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		h := &tar.Header{Name: name, ModTime: tarTime, Format: tar.FormatPAX}
		switch {
		case d.IsDir():
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, name+"/", 0o755
			return tw.WriteHeader(h)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, target, 0o777
			return tw.WriteHeader(h)
		case info.Mode().IsRegular():
			h.Typeflag, h.Size, h.Mode = tar.TypeReg, info.Size(), 0o644
			if info.Mode()&0o111 != 0 {
				h.Mode = 0o755
			}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			return err
		}
		return nil // sockets, devices: not package content
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func (g Git) command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	path := g.Path
	if path == "" {
		path = "git"
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	// Only the environment the caller gives (nil: none), so that nothing
	// below the CLI reads the process's own.
	cmd.Env = append(append([]string(nil), g.Env...), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=", "GCM_INTERACTIVE=never")
	return cmd
}

func (g Git) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := g.command(ctx, dir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, g.explain(err, stderr.Bytes(), args[0])
	}
	return stdout.Bytes(), nil
}

// explain turns a failed git run into an error with git's own message, with
// any password in a URL it repeats removed.
func (g Git) explain(err error, stderr []byte, what string) error {
	var pe *fs.PathError
	if errors.Is(err, exec.ErrNotFound) || errors.As(err, &pe) && pe.Op == "fork/exec" && errors.Is(pe.Err, fs.ErrNotExist) {
		return ErrNoGit
	}
	msg := strings.TrimSpace(string(stderr))
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 && strings.HasPrefix(msg[i+1:], "fatal:") {
		msg = msg[i+1:]
	}
	if msg == "" {
		msg = err.Error()
	}
	return &Error{Op: what, Msg: Redact(msg), Kind: kindOf(msg)}
}

// Kinds of Git failures, for exit codes.
const (
	KindOther    = iota
	KindNetwork  // the repository could not be reached
	KindNotFound // the repository (or revision) is not there
	KindAuth     // the server wants credentials git does not have
)

// Error is a failed git run: the git command and git's own message (user
// info in URLs removed), with what kind of failure it reads as.
type Error struct {
	Op, Msg string
	Kind    int
}

func (e *Error) Error() string { return "git " + e.Op + ": " + e.Msg }

// Offline is the error for what git would have to fetch from repo while the
// network is forbidden (--offline): what names it, e.g. "the package at
// commit 0123456789". A network failure (exit 5).
func Offline(repo, what string) *Error {
	return &Error{Op: "fetch", Msg: fmt.Sprintf("%s from %s is not in the cache, and --offline forbids the network (run the install once online)", what, Redact(repo)), Kind: KindNetwork}
}

// kindOf reads git's message: the phrases git and its transports print for
// a host that cannot be reached, a repository that is not there, and
// missing credentials (prompts are off).
func kindOf(msg string) int {
	m := strings.ToLower(msg)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(m, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("authentication failed", "could not read username", "could not read password", "terminal prompts disabled", "permission denied (publickey"):
		return KindAuth
	case has("repository not found", "does not appear to be a git repository", "not found", "does not exist"):
		return KindNotFound
	case has("could not resolve host", "failed to connect", "connection refused", "connection timed out", "timed out",
		"network is unreachable", "unable to access", "could not read from remote repository", "connection reset", "no route to host"):
		return KindNetwork
	}
	return KindOther
}

var userinfo = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`://[^/@\s]+@`) })

// Redact hides the user part of URLs in s ("https://oauth2:TOKEN@host" and
// "https://TOKEN@host" → "https://***@host"): Git URLs in manifests often
// carry an access token there.
func Redact(s string) string { return userinfo().ReplaceAllString(s, "://***@") }
