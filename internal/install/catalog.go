package install

import (
	"context"
	"errors"
	"sync"

	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
)

// catalog serves the resolver from registries: each name goes to the one
// registry its scope routes it to (never a fallback), each packument is fetched
// once, and Prefetch fetches a batch concurrently, bounded by jobs.
type catalog struct {
	ctx    context.Context // the run's context, for background fetches
	client *registry.Client
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

func newCatalog(ctx context.Context, client *registry.Client, m *manifest.Manifest, defReg string, jobs int, builtins resolve.Builtins) *catalog {
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
		p, err := c.client.Packument(ctx, c.Registry(name), name)
		if err != nil {
			e.err = err
			return
		}
		for _, v := range p.Versions {
			e.versions = append(e.versions, resolve.VersionInfo{
				Version:      v.Version,
				Unity:        v.Unity,
				UnityRelease: v.UnityRelease,
				Dependencies: v.Dependencies,
				Deprecated:   v.Deprecated,
				Dist:         resolve.Dist{Tarball: v.Dist.Tarball, Integrity: v.Dist.Integrity, Shasum: v.Dist.Shasum},
			})
		}
		if c.onVersions != nil {
			c.onVersions(name, c.Registry(name), e.versions)
		}
	}()
	return e
}
