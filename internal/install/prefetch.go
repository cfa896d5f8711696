package install

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/resolve"
)

// fetcher puts registry packages into the cache, each at most once per run,
// and can start before resolution ends: a tarball whose version is already
// known — a direct dependency's exact version, or what the lock file holds —
// is fetched as soon as its packument names its address, while the resolver
// still waits on other packuments. Installing the resolved packages then
// waits on the same fetch instead of starting one. A guess that resolution
// overrides (an indirect dependency asking for a higher version) costs one
// unused download, which stays in the shared cache.
type fetcher struct {
	ctx        context.Context
	opts       Options
	downloaded *atomic.Int64
	// guesses are the versions worth fetching early, by package name.
	guesses map[string]string
	sem     chan struct{}
	wg      sync.WaitGroup
	// place, when set, installs a package into the project as soon as it
	// is in the cache (see placeEarly), returning its folder's name; into,
	// when set, names the folder before the download, so that a package
	// downloaded now is installed in the same pass (cache.EnsureInto).
	place func(ctx context.Context, name, version string, e *cache.Entry) (string, error)
	into  func(name, version string) (dir, dest string)

	mu   sync.Mutex
	runs map[string]*fetchRun // by name@version and cache key
}

// fetchRun is one package's Ensure, shared by everyone who asks for it.
type fetchRun struct {
	done    chan struct{}
	entry   *cache.Entry
	fetched bool // downloaded by this run, not found in the cache
	err     error
	// dir is the project folder place filled (when placed): fetchAll
	// uses it if resolution chose the same folder, else installs again.
	dir    string
	placed bool
}

func newFetcher(ctx context.Context, opts Options, oldLock *lockfile.Lock, locals map[string]resolve.LocalPackage, downloaded *atomic.Int64) *fetcher {
	guesses := map[string]string{}
	if oldLock != nil {
		for _, e := range oldLock.Entries {
			if e.Source == lockfile.SourceRegistry {
				guesses[e.Name] = e.Version
			}
		}
	}
	for _, d := range opts.Manifest.Dependencies {
		if d.SpecErr == nil && d.Spec.Kind == manifest.SpecVersion {
			guesses[d.Name] = d.Version
		}
	}
	for name := range locals {
		delete(guesses, name) // embedded and file: packages override any version
	}
	return &fetcher{
		ctx: ctx, opts: opts, downloaded: downloaded, guesses: guesses,
		sem: make(chan struct{}, packagesInFlight), runs: map[string]*fetchRun{},
	}
}

// guess is the catalog's hook: name's packument has arrived.
func (f *fetcher) guess(name, registry string, versions []resolve.VersionInfo) {
	want, ok := f.guesses[name]
	if !ok {
		return
	}
	for _, v := range versions {
		if v.Version == want && v.Dist.Tarball != "" {
			f.start(name, want, registry, v.Dist)
			return
		}
	}
}

// start begins fetching name@version into the cache unless that is already
// under way, and returns the fetch to wait on.
func (f *fetcher) start(name, version, registry string, dist resolve.Dist) *fetchRun {
	id := name + "@" + version + " " + dist.Integrity + " " + dist.Shasum
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.runs[id]; ok {
		return r
	}
	r := &fetchRun{done: make(chan struct{})}
	f.runs[id] = r
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer close(r.done)
		select {
		case f.sem <- struct{}{}:
		case <-f.ctx.Done():
			r.err = f.ctx.Err()
			return
		}
		defer func() { <-f.sem }()
		dest := ""
		if f.into != nil {
			r.dir, dest = f.into(name, version)
		}
		r.entry, r.placed, r.err = f.ensureInto(f.ctx, name, version, registry, dist, &r.fetched, dest)
		if r.err == nil && !r.placed && f.place != nil {
			// A failure here is fetchAll's to meet again and explain.
			var err error
			r.dir, err = f.place(f.ctx, name, version, r.entry)
			r.placed = err == nil
		}
	}()
	return r
}

// ensureInto is one Store.EnsureInto of name@version from registry,
// setting *fetched when it downloads (rather than finding the entry
// cached); with dest, a package it downloads is installed there too,
// and it reports whether it was.
func (f *fetcher) ensureInto(ctx context.Context, name, version, registry string, dist resolve.Dist, fetched *bool, dest string) (*cache.Entry, bool, error) {
	fetch := func(ctx context.Context) (io.ReadCloser, error) {
		*fetched = true
		rc, err := f.opts.Client.Tarball(ctx, registry, dist.Tarball)
		if err != nil {
			return nil, err
		}
		return &countingReader{rc: rc, n: f.downloaded, rep: f.opts.Reporter}, nil
	}
	key := cache.Key{Integrity: dist.Integrity, Shasum: dist.Shasum}
	return f.opts.Store.EnsureInto(ctx, key, name, version, fetch, dest)
}

// wait waits for the fetch r or for ctx.
func (r *fetchRun) wait(ctx context.Context) (*cache.Entry, error) {
	select {
	case <-r.done:
		return r.entry, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
