package cmdutil

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/upmconfig"
)

// DefaultRegistry is --default-registry, else UPKG_DEFAULT_REGISTRY, else
// the registry of the project's editor (Unity's, or Unity China's for its
// China builds). (A manifest's own "registry" key beats all three; the
// manifest package applies it.)
func (f *Factory) DefaultRegistry(editor string) string {
	for _, v := range []string{f.Globals.DefaultRegistry, f.Getenv("UPKG_DEFAULT_REGISTRY")} {
		if v != "" {
			return strings.TrimRight(v, "/")
		}
	}
	return manifest.DefaultRegistryFor(editor)
}

// CacheDir is upkg's own folder in the UPM cache root (UPM-SPEC §3):
// UPKG_CACHE_DIR, else <root>/upkg/v1 where root is UPM_CACHE_ROOT, cacheRoot
// or the OS default. It also returns the size cap.
func (f *Factory) CacheDir(cfg *upmconfig.Config) (dir string, maxSize int64, err error) {
	loc, err := f.Locator()
	if err != nil {
		return "", 0, err
	}
	root := ""
	maxSize = upmconfig.DefaultMaxCacheSize
	for _, e := range cfg.Effective(loc) {
		switch e.Key {
		case upmconfig.KeyCacheRoot:
			root, _ = e.Value.(string)
		case upmconfig.KeyMaxCacheSize:
			if n, ok := e.Value.(int64); ok {
				maxSize = n
			}
		}
	}
	if d := f.Getenv("UPKG_CACHE_DIR"); d != "" {
		return d, maxSize, nil
	}
	if root == "" {
		return "", 0, fmt.Errorf("no cache root: set UPM_CACHE_ROOT or cacheRoot")
	}
	return filepath.Join(root, "upkg", "v1"), maxSize, nil
}

// Store opens the global cache, once.
func (f *Factory) Store() (*cache.Store, error) {
	return f.store.get(func() (*cache.Store, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		dir, maxSize, err := f.CacheDir(cfg)
		if err != nil {
			return nil, err
		}
		return cache.Open(dir, maxSize)
	})
}

// ProjectRegistries are the registries the project's manifest names: its
// scoped registries' URLs, in order, and the registry of the names no scope
// covers (the manifest's "registry" key, else DefaultRegistry). Without a
// project, scoped is empty and unscoped is DefaultRegistry's.
func (f *Factory) ProjectRegistries() (scoped []string, unscoped string, err error) {
	_, found, err := f.ProjectRoot()
	if err != nil {
		return nil, "", err
	}
	if !found {
		return nil, f.DefaultRegistry(""), nil
	}
	p, err := f.Project()
	if err != nil {
		return nil, "", err
	}
	for _, sr := range p.Manifest.ScopedRegistries {
		scoped = append(scoped, sr.URL)
	}
	return scoped, p.Manifest.UnscopedRegistry(f.DefaultRegistry(p.Editor)), nil
}
