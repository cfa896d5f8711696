package install

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
)

// catalog serves the resolver from registries: each name goes to the one
// registry its scope routes it to (never a fallback), each packument is fetched
// once, and Prefetch fetches a batch concurrently, bounded by jobs.
type catalog struct {
	ctx    context.Context // the run's context, for background fetches
	client Registry
	// builtins, when it can, explains a com.unity.modules.* name it does not
	// know instead of asking a registry for it: modules only come with the
	// editor.
	builtins moduleChecker
	manifest *manifest.Manifest
	defReg   string
	sem      chan struct{}
	// onVersions, when set, hears about every packument fetched, from the
	// goroutine that fetched it.
	onVersions func(name, registry string, versions []resolve.VersionInfo)
	// onKnown, when set, hears how many packuments are in so far, each time
	// one more is.
	onKnown func(known int)
	known   atomic.Int64

	// pinned maps a package to the version a lock consistent with the
	// manifest pins it at: its packument comes from the cache when the
	// cached one has that version, without asking the registry.
	pinned map[string]string
	// freshFor, when positive, serves a cached packument without asking
	// its registry while it is fresh: within the registry's Cache-Control
	// max-age, or freshFor when the registry gave none. servedFresh
	// records that one was, so that a resolution that fails on them can be
	// tried again against the registries.
	freshFor    time.Duration
	servedFresh atomic.Bool

	mu      sync.Mutex
	entries map[string]*catalogEntry
}

// moduleChecker is implemented by builtin.Set.
type moduleChecker interface {
	CheckModule(name string) error
}

type catalogEntry struct {
	done     chan struct{}
	versions []resolve.VersionInfo
	err      error
}

func newCatalog(ctx context.Context, client Registry, m *manifest.Manifest, defReg string, jobs int, builtins resolve.Builtins) *catalog {
	if jobs < 1 {
		jobs = 1
	}
	mc, _ := builtins.(moduleChecker)
	return &catalog{builtins: mc, ctx: ctx, client: client, manifest: m, defReg: defReg, sem: make(chan struct{}, jobs), entries: map[string]*catalogEntry{}}
}

// Registry is the URL name routes to, without a trailing slash.
func (c *catalog) Registry(name string) string {
	u, _ := c.manifest.RegistryFor(name, c.defReg)
	return u
}

// IsNotFound reports a package the registry does not have.
func (c *catalog) IsNotFound(err error) bool {
	var nf *registry.NotFoundError
	return errors.As(err, &nf)
}

// Prefetch starts fetching names in the background (resolve.Prefetcher).
func (c *catalog) Prefetch(names []string) {
	for _, n := range names {
		c.start(c.ctx, n)
	}
}

// Versions waits for name's packument and lists its versions.
func (c *catalog) Versions(ctx context.Context, name string) ([]resolve.VersionInfo, error) {
	e := c.start(c.ctx, name)
	select {
	case <-e.done:
		return e.versions, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *catalog) start(ctx context.Context, name string) *catalogEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[name]; ok {
		return e
	}
	e := &catalogEntry{done: make(chan struct{})}
	c.entries[name] = e
	if c.builtins != nil {
		if err := c.builtins.CheckModule(name); err != nil {
			e.err = err
			close(e.done)
			return e
		}
	}
	go func() {
		defer close(e.done)
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			e.err = ctx.Err()
			return
		}
		defer func() { <-c.sem }()
		p := c.cached(name)
		if p == nil {
			var err error
			if p, err = c.client.Packument(ctx, c.Registry(name), name); err != nil {
				e.err = c.unscoped(name, err)
				return
			}
		}
		e.versions = VersionInfos(p)
		if c.onVersions != nil {
			c.onVersions(name, c.Registry(name), e.versions)
		}
		if n := c.known.Add(1); c.onKnown != nil {
			c.onKnown(int(n))
		}
	}()
	return e
}

// unscoped wraps a network error of a package no scope routes in an
// UnscopedError; other errors stay as they are.
func (c *catalog) unscoped(name string, err error) error {
	var ne *registry.NetworkError
	if !errors.As(err, &ne) {
		return err
	}
	if _, sr := c.manifest.RegistryFor(name, c.defReg); sr != nil {
		return err
	}
	return &UnscopedError{Name: name, Registry: c.Registry(name), ManifestRegistry: c.manifest.Registry != "", Err: err}
}

// UnscopedError is a registry package that no scope of the manifest routes,
// whose registry could not be reached: it went to the default registry (or
// the manifest's "registry"), which may not be where it lives.
type UnscopedError struct {
	Name, Registry string
	// ManifestRegistry is set when the manifest's "registry" key chose
	// Registry rather than the default.
	ManifestRegistry bool
	Err              error
}

func (e *UnscopedError) Error() string {
	which := "the default registry"
	if e.ManifestRegistry {
		which = `the manifest's "registry"`
	}
	return fmt.Sprintf("%v (no scope in the manifest matches %s; it went to %s %s)", e.Err, e.Name, which, e.Registry)
}

func (e *UnscopedError) Unwrap() error { return e.Err }

// cached returns name's cached packument when the lock pins name and the
// cached document has the pinned version, or when it is fresh (freshFor);
// else nil.
func (c *catalog) cached(name string) *registry.Packument {
	v, pinned := c.pinned[name]
	if !pinned && c.freshFor <= 0 {
		return nil
	}
	p := c.client.CachedPackument(c.Registry(name), name)
	if p == nil {
		return nil
	}
	if pinned {
		for _, pv := range p.Versions {
			if pv.Version == v {
				return p.Packument
			}
		}
	}
	if c.freshFor > 0 && p.FreshFor(time.Now(), c.freshFor) {
		c.servedFresh.Store(true)
		return p.Packument
	}
	return nil
}

// pinnedByLock returns the registry packages a lock pins, when the lock
// matches the manifest: every direct dependency is locked as the manifest
// asks (a registry one at its version and registry; a file: or Git one at
// its value). Then the lock decides every version, and a packument can only
// confirm it: install and ci need no registry for what the cache holds.
// nil when the lock does not match.
func pinnedByLock(m *manifest.Manifest, l *lockfile.Lock, defReg string) map[string]string {
	if l == nil {
		return nil
	}
	locked := make(map[string]lockfile.Entry, len(l.Entries))
	for _, e := range l.Entries {
		locked[e.Name] = e
	}
	for _, d := range m.Dependencies {
		e, ok := locked[d.Name]
		if !ok {
			return nil
		}
		if d.SpecErr != nil {
			return nil
		}
		switch {
		case e.Source == lockfile.SourceBuiltin || e.Source == lockfile.SourceEmbedded:
		case d.Spec.Kind == manifest.SpecVersion:
			reg, _ := m.RegistryFor(d.Name, defReg)
			if e.Source != lockfile.SourceRegistry || e.Version != d.Version || strings.TrimRight(e.URL, "/") != strings.TrimRight(reg, "/") {
				return nil
			}
		case e.Version != d.Version:
			return nil
		}
	}
	pinned := map[string]string{}
	for _, e := range l.Entries {
		if e.Source == lockfile.SourceRegistry {
			pinned[e.Name] = e.Version
		}
	}
	return pinned
}

// VersionInfos lists a packument's versions as the resolver reads them, in
// no particular order.
func VersionInfos(p *registry.Packument) []resolve.VersionInfo {
	out := make([]resolve.VersionInfo, 0, len(p.Versions))
	for _, v := range p.Versions {
		out = append(out, resolve.VersionInfo{
			Version:      v.Version,
			Unity:        v.Unity,
			UnityRelease: v.UnityRelease,
			Dependencies: v.Dependencies,
			Deprecated:   v.Deprecated,
			Dist:         resolve.Dist{Tarball: v.Dist.Tarball, Integrity: v.Dist.Integrity, Shasum: v.Dist.Shasum},
		})
	}
	return out
}
