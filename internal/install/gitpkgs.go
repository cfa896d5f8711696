package install

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/gitdep"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/resolve"
)

// gitPackage is a Git dependency of the manifest, fetched into the cache.
type gitPackage struct {
	commit  string
	entry   *cache.Entry
	fetched bool // archived from the repository by this run
}

// fetchGit resolves every Git dependency of the manifest to a commit — the
// one the lock file records for the same URL, as Unity keeps it, else what
// the revision names now — puts the package at that commit into the cache,
// and adds it to locals with its dependencies and commit, for the resolver.
// Embedded packages override Git ones, as any other request.
func fetchGit(ctx context.Context, opts Options, oldLock *lockfile.Lock, locals map[string]resolve.LocalPackage) (map[string]*gitPackage, error) {
	locked := map[string]lockfile.Entry{}
	if oldLock != nil {
		for _, e := range oldLock.Entries {
			if e.Source == lockfile.SourceGit && gitdep.IsCommit(e.Hash) {
				locked[e.Name] = e
			}
		}
	}
	type job struct {
		dep   manifest.Dependency
		local resolve.LocalPackage
		pkg   *gitPackage
		err   error
	}
	var jobs []*job
	for _, dep := range opts.Manifest.Dependencies {
		if dep.SpecErr != nil || dep.Spec.Kind != manifest.SpecGit {
			continue // findLocals reported bad values already
		}
		if _, embedded := locals[dep.Name]; embedded {
			continue
		}
		jobs = append(jobs, &job{dep: dep})
	}
	// Repositories are fetched at once, each by its own git: a network
	// round trip or two each, mostly waiting.
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(opts.Jobs, 1))
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			j.local, j.pkg, j.err = fetchGitDep(ctx, opts, j.dep, locked)
		}()
	}
	wg.Wait()
	out := map[string]*gitPackage{}
	for _, j := range jobs { // the first error in manifest order
		if j.err != nil {
			return nil, j.err
		}
		locals[j.dep.Name] = j.local
		out[j.dep.Name] = j.pkg
	}
	return out, nil
}

// fetchGitDep is fetchGit for one dependency.
func fetchGitDep(ctx context.Context, opts Options, dep manifest.Dependency, locked map[string]lockfile.Entry) (resolve.LocalPackage, *gitPackage, error) {
	var none resolve.LocalPackage
	label := fmt.Sprintf("%s (%s)", dep.Name, gitdep.Redact(dep.Version))
	repo := gitdep.Repo(dep.Spec)
	commit := ""
	var err error
	if e, ok := locked[dep.Name]; ok && e.Version == dep.Version {
		commit = e.Hash
	} else if opts.Offline {
		// No lock entry for this URL: which commit it names needs the
		// network.
		return none, nil, fmt.Errorf("%s: %w", label, gitdep.Offline(repo, "which commit "+gitdep.Redact(dep.Version)+" names"))
	} else if commit, err = opts.Git.Resolve(ctx, repo, dep.Spec.Rev); err != nil {
		return none, nil, fmt.Errorf("%s: %w", label, err)
	}
	g, p, err := gitEntry(ctx, opts, repo, commit, dep.Spec.SubPath, dep.Name)
	if err != nil {
		return none, nil, fmt.Errorf("%s: %w", label, err)
	}
	if p.Name != dep.Name {
		return none, nil, &manifest.ParseError{File: opts.Manifest.Path, Line: dep.Line, Column: dep.Column,
			Msg: fmt.Sprintf("%s points at a package named %q", dep.Name, p.Name)}
	}
	return resolve.LocalPackage{Source: lockfile.SourceGit, Version: dep.Version, Dependencies: p.Dependencies, Hash: commit}, g, nil
}

// gitEntry finds the cache entry of repo's folder sub at commit, or makes
// it: git checks the commit out, the folder is packed, and the cache takes
// it in like a downloaded tarball (verified, committed by rename) and
// records it. It returns the entry and the folder's package.json, read once.
func gitEntry(ctx context.Context, opts Options, repo, commit, sub, name string) (*gitPackage, *manifest.PackageJSON, error) {
	pjPath := name + "@" + commit[:10] + "/package.json"
	if rec, e, ok := opts.Store.GitLookup(repo, commit, sub); ok {
		p, err := manifest.ParsePackageJSON(pjPath, rec.PackageJSON)
		if err != nil {
			return nil, nil, err
		}
		return &gitPackage{commit: commit, entry: e}, p, nil
	}
	if opts.Offline {
		return nil, nil, gitdep.Offline(repo, "the package at commit "+commit[:10])
	}

	tmp, err := os.MkdirTemp(opts.Store.TmpDir(), "git-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	archive := filepath.Join(tmp, "package.tgz")
	f, err := os.Create(archive)
	if err != nil {
		return nil, nil, err
	}
	h := sha512.New()
	git := opts.Git
	git.Warn = opts.Reporter.Warn
	pj, err := git.Archive(ctx, repo, commit, sub, filepath.Join(tmp, "repo"), io.MultiWriter(f, h))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := manifest.ParsePackageJSON(pjPath, pj)
	if err != nil {
		return nil, nil, err
	}
	integrity := "sha512-" + base64.StdEncoding.EncodeToString(h.Sum(nil))
	version := p.Version
	if version == "" {
		version = commit[:10]
	}
	g := &gitPackage{commit: commit}
	g.entry, err = opts.Store.Ensure(ctx, cache.Key{Integrity: integrity}, name, version, func(context.Context) (io.ReadCloser, error) {
		g.fetched = true
		return os.Open(archive)
	})
	if err != nil {
		return nil, nil, err
	}
	if err := opts.Store.GitRecordSet(repo, cache.GitRecord{Repo: gitdep.Redact(repo), Commit: commit, Path: sub, Integrity: integrity, PackageJSON: pj}); err != nil {
		// The entry is cached; without its index the next run archives
		// it again, which is slower but not wrong.
		opts.Reporter.Warn(fmt.Sprintf("%s: could not record the Git package in the cache index: %v", name, err))
	}
	return g, p, nil
}
