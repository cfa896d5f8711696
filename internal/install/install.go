// Package install turns a resolution into files: it resolves the manifest,
// fetches and verifies every registry package into the shared cache, puts each
// into Library/PackageCache/<name>@<version>, removes what is no longer
// resolved, and writes the lock file — in that order, so a failure leaves the
// old lock in place.
package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/gitdep"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
)

// Reporter hears about progress. Implementations must be safe for concurrent
// use.
type Reporter interface {
	// Resolving is called during resolution each time the metadata of one
	// more package is in, with how many are in so far (from any goroutine).
	Resolving(known int)
	// Resolved is called once with the number of packages to fetch.
	Resolved(toFetch int)
	// Fetched is called when one package is in the cache and installed.
	Fetched(name, version string, downloaded bool)
	// Downloaded is called as tarball bytes arrive, with how many.
	Downloaded(n int)
	// Warn reports something the user should know.
	Warn(msg string)
}

// Registry is what an install asks of registries; *registry.Client is
// one, and tests pass a fake.
type Registry interface {
	// Packument fetches (or revalidates) name's packument on reg.
	Packument(ctx context.Context, reg, name string) (*registry.Packument, error)
	// CachedPackument returns the packument as cached, without the network;
	// nil if there is none.
	CachedPackument(reg, name string) *registry.CachedPackument
	// Tarball opens a tarball's bytes.
	Tarball(ctx context.Context, reg, url string) (io.ReadCloser, error)
}

// Options are the inputs of one install.
type Options struct {
	ProjectRoot   string
	Manifest      *manifest.Manifest
	ManifestBytes []byte
	OldLockBytes  []byte // nil when there is no lock file
	EditorVersion string
	// BuiltinsKey identifies where the built-in packages come from (see
	// builtin.SourceKey), for the no-op check.
	BuiltinsKey     string
	DefaultRegistry string
	// Builtins are the editor's built-in packages; the old lock's entries
	// fill in what they do not know exactly (builtin.Set.WithLock).
	Builtins *builtin.Set
	Client   Registry
	// Offline forbids the network: what is not cached is an error, a
	// damaged cache entry exit 7 rather than fetched again.
	Offline bool
	Store   *cache.Store
	// Git fetches Git dependencies (the zero value runs git from PATH).
	Git           gitdep.Git
	Jobs          int
	Frozen        bool
	NoMaterialize bool
	// Link hard-links the cache's read-only files into Library/PackageCache
	// instead of copying them (cache.Store.MaterializeLinked). A cache
	// entry whose linked files were edited is discarded and fetched again;
	// offline it is the error (exit 7).
	Link bool
	// Refresh asks the registries for every packument the resolution
	// needs; by default a cached one is used without asking while it is
	// fresh (PackumentsFreshFor).
	Refresh  bool
	Reporter Reporter
}

// PackumentsFreshFor is how long install trusts a cached packument without
// asking its registry again, when the registry's Cache-Control says nothing
// (a max-age it sends wins): five minutes, as bun does and as npm's public
// registry's max-age=300 makes npm do. A version published meanwhile is
// not seen for that long by a resolution that could use an older one; one
// that needs it (a manifest pinning it) fails on the cached documents and
// is resolved again against the registries. --refresh asks them at once.
const PackumentsFreshFor = 5 * time.Minute

// PackageReport is one package in the summary (CLI.md install --json).
type PackageReport struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Source  string `json:"source"`
	URL     string `json:"url,omitempty"`
	Depth   int    `json:"depth"`
	Cached  bool   `json:"cached"`
}

// Summary is what an install did.
type Summary struct {
	Packages        []PackageReport
	LockChanged     bool
	DownloadedBytes int64
	Added, Changed  []string
	Removed         []string
	FromCache       int
	Downloaded      int
	NoOp            bool
	Elapsed         time.Duration
	// BuiltinOrigin says where the built-in packages came from;
	// BuiltinChanges lists those the lock recorded otherwise (the project
	// moved to another editor).
	BuiltinOrigin  string
	BuiltinChanges []builtin.Change
}

// FrozenError is `install --frozen` finding that the lock would change.
type FrozenError struct {
	LockPath string
	Missing  bool
	// Changes are the lock's entries that would be added, removed or
	// changed, by name (none when only the file's layout would change).
	Changes []LockChange
}

// LockChange is one package whose lock entry would change: From is the
// version locked ("" when it would be added), To the version resolved now
// ("" when it would be removed); Detail says what else differs when the
// version does not ("url http://a → http://b", "dependencies", …).
type LockChange struct {
	Name, From, To string
	Detail         string
}

// lockChanges compares the old lock's entries with the new one's, by name.
func lockChanges(old, cur *lockfile.Lock) []LockChange {
	before := map[string]lockfile.Entry{}
	if old != nil {
		for _, e := range old.Entries {
			before[e.Name] = e
		}
	}
	var out []LockChange
	seen := map[string]bool{}
	for _, e := range cur.Entries {
		seen[e.Name] = true
		o, ok := before[e.Name]
		switch {
		case !ok:
			out = append(out, LockChange{Name: e.Name, To: e.Version})
		case o.Version != e.Version:
			out = append(out, LockChange{Name: e.Name, From: o.Version, To: e.Version})
		default:
			if d := entryDetail(o, e); d != "" {
				out = append(out, LockChange{Name: e.Name, From: o.Version, To: e.Version, Detail: d})
			}
		}
	}
	if old != nil {
		for _, o := range old.Entries {
			if !seen[o.Name] {
				out = append(out, LockChange{Name: o.Name, From: o.Version})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// entryDetail says what differs between two entries of one version.
func entryDetail(o, e lockfile.Entry) string {
	var d []string
	if o.Source != e.Source {
		d = append(d, fmt.Sprintf("source %s → %s", o.Source, e.Source))
	}
	if o.URL != e.URL {
		d = append(d, fmt.Sprintf("url %s → %s", orNone(o.URL), orNone(e.URL)))
	}
	if o.Hash != e.Hash {
		d = append(d, fmt.Sprintf("hash %s → %s", orNone(o.Hash), orNone(e.Hash)))
	}
	if o.Depth != e.Depth {
		d = append(d, fmt.Sprintf("depth %d → %d", o.Depth, e.Depth))
	}
	if !slices.Equal(o.Dependencies, e.Dependencies) {
		d = append(d, "dependencies")
	}
	return strings.Join(d, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func (e *FrozenError) Error() string {
	if e.Missing {
		return fmt.Sprintf("--frozen: %s does not exist", e.LockPath)
	}
	return fmt.Sprintf("--frozen: %s would change (the manifest and the lock disagree)", e.LockPath)
}

// packagesInFlight bounds the packages fetched and installed at once.
const packagesInFlight = 128

// UpToDate reports whether the project is exactly as the last install left
// it, from opts.ProjectRoot, ManifestBytes, OldLockBytes, EditorVersion, BuiltinsKey,
// DefaultRegistry, NoMaterialize and the embedded and file: packages' own
// files alone: it reads one small state file and those package.json files
// and stats the installed folders, so a caller can check it before setting
// up registries, the cache or built-in tables.
func UpToDate(opts Options) (*Summary, bool) {
	state := readState(opts.ProjectRoot)
	if !state.upToDate(opts.ProjectRoot, inputsOf(opts, opts.OldLockBytes)) {
		return nil, false
	}
	return &Summary{Packages: state.Packages, NoOp: true}, true
}

// inputsOf hashes what an install's result depends on, with lock as the
// lock file's bytes.
func inputsOf(opts Options, lock []byte) string {
	mode := "materialize"
	if opts.NoMaterialize {
		mode = "no-materialize"
	}
	return hashInputs(opts.ManifestBytes, lock, []byte(opts.EditorVersion), []byte(opts.DefaultRegistry), []byte(mode), []byte(opts.BuiltinsKey),
		localInputs(opts.ProjectRoot, opts.Manifest))
}

// Run installs the project.
func Run(ctx context.Context, opts Options) (_ *Summary, err error) {
	start := time.Now()
	lockPath := project.Paths{Root: opts.ProjectRoot}.Lock()
	if sum, ok := UpToDate(opts); ok {
		sum.Elapsed = time.Since(start)
		return sum, nil
	}

	if opts.Link && opts.Store != nil {
		opts.Store.BuildLinkable()
	}
	var oldLock *lockfile.Lock
	// With "enableLockFile": false an existing lock decides nothing
	// (upm-manifestPrj): it is neither read nor written.
	if opts.OldLockBytes != nil && opts.Manifest.EnableLockFile {
		l, err := lockfile.Parse(lockPath, opts.OldLockBytes)
		if err != nil {
			return nil, err
		}
		oldLock = l
	}
	builtins, builtinChanges := opts.Builtins.WithLock(oldLock)
	builtins = builtins.WithRequests(opts.Manifest.Dependencies)
	if builtins.Approximate() && oldLock == nil {
		opts.Reporter.Warn(fmt.Sprintf("built-in packages may differ from the editor's: %s. To be exact, install that editor (upkg looks where Unity Hub puts it), pass --editor-path DIR (or set UNITY_EDITOR_PATH), or keep the packages-lock.json Unity wrote", builtins.Origin()))
	}
	locals, err := findLocals(opts.ProjectRoot, opts.Manifest)
	if err != nil {
		return nil, err
	}
	gits, err := fetchGit(ctx, opts, oldLock, locals)
	if err != nil {
		return nil, err
	}
	// Tarballs whose versions are already known start downloading while
	// resolution goes on; what is still running when Run returns is not
	// needed (or the run failed) and is cancelled.
	fctx, cancelFetches := context.WithCancel(ctx)
	var downloaded atomic.Int64
	fetches := newFetcher(fctx, opts, oldLock, locals, &downloaded)
	var early *earlyFolders
	fetches.place, fetches.into, early = placeEarly(opts)
	defer func() {
		cancelFetches()
		fetches.wg.Wait()
		if err != nil {
			// A failed install leaves Library/PackageCache as it was.
			early.remove()
		}
	}()
	resolveWith := func(freshFor time.Duration) (*resolve.Graph, *catalog, error) {
		cat := newCatalog(ctx, opts.Client, opts.Manifest, opts.DefaultRegistry, max(opts.Jobs, 1), builtins)
		cat.onVersions = fetches.guess
		cat.onKnown = opts.Reporter.Resolving
		cat.pinned = pinnedByLock(opts.Manifest, oldLock, opts.DefaultRegistry)
		cat.freshFor = freshFor
		graph, err := resolve.Resolve(ctx, resolve.Input{
			Manifest:      opts.Manifest,
			Lock:          oldLock,
			EditorVersion: opts.EditorVersion,
			Locals:        locals,
			Builtins:      builtins,
			Catalog:       cat,
		})
		return graph, cat, err
	}
	freshFor := PackumentsFreshFor
	if opts.Refresh || opts.Offline {
		freshFor = 0 // offline, every cached packument serves anyway
	}
	graph, cat, err := resolveWith(freshFor)
	if err != nil && cat.servedFresh.Load() && ctx.Err() == nil {
		// Maybe what is missing was published since: ask the registries.
		graph, _, err = resolveWith(0)
	}
	if err != nil {
		return nil, err
	}
	graph.KeepDepths(oldLock)
	newLock := lockfile.MarshalLike(graph.Lock(), opts.OldLockBytes)
	lockChanged := !bytes.Equal(newLock, opts.OldLockBytes)
	if opts.Frozen && opts.Manifest.EnableLockFile && lockChanged {
		return nil, &FrozenError{LockPath: lockPath, Missing: opts.OldLockBytes == nil, Changes: lockChanges(oldLock, graph.Lock())}
	}
	for _, p := range graph.Packages {
		for _, w := range p.Warnings {
			opts.Reporter.Warn(fmt.Sprintf("%s@%s: %s", p.Name, p.Version, w))
		}
	}

	sum := &Summary{LockChanged: lockChanged && opts.Manifest.EnableLockFile, BuiltinOrigin: builtins.Origin(), BuiltinChanges: builtinChanges}
	installed, err := fetchAll(ctx, opts, graph, sum, fetches, gits)
	if err != nil {
		return nil, err
	}
	// What is still running was not needed (a guess resolution
	// overrode): stopped before removeStale, so that no folder lands after.
	cancelFetches()
	fetches.wg.Wait()
	if !opts.NoMaterialize {
		removed, err := removeStale(opts.ProjectRoot, installed, graph)
		if err != nil {
			return nil, err
		}
		// A wrong guess this run placed was never the project's.
		sum.Removed = slices.DeleteFunc(removed, func(dir string) bool {
			return early.created(project.Paths{Root: opts.ProjectRoot}.Installed(dir))
		})
	}
	diffWithLock(sum, oldLock, graph)
	if opts.Manifest.EnableLockFile && lockChanged {
		if err := atomicfile.WriteFile(lockPath, newLock, 0o644); err != nil {
			return nil, err
		}
	}
	finalLock := opts.OldLockBytes
	if opts.Manifest.EnableLockFile {
		finalLock = newLock
	}
	st := &State{
		Inputs:    inputsOf(opts, finalLock),
		Installed: installed,
		Packages:  sum.Packages,
	}
	if err := writeState(opts.ProjectRoot, st); err != nil {
		opts.Reporter.Warn(fmt.Sprintf("could not save the install state (the next run will not be a fast no-op): %v", err))
	}
	// maxCacheSize: evict the least recently installed packages (UPM-SPEC §3).
	// The packages of this project were just marked used, so they go last.
	if max := opts.Store.MaxSize(); max > 0 && sum.Downloaded > 0 {
		if _, err := opts.Store.Prune(ctx, max); err != nil {
			opts.Reporter.Warn(fmt.Sprintf("could not trim the cache to maxCacheSize: %v", err))
		}
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// fetchAll puts every registry package into the cache and, unless
// NoMaterialize, into Library/PackageCache. It returns the folders installed,
// by folder name, with their cache keys.
func fetchAll(ctx context.Context, opts Options, graph *resolve.Graph, sum *Summary, fetches *fetcher, gits map[string]*gitPackage) (map[string]string, error) {
	var toFetch []int
	for i, p := range graph.Packages {
		rep := PackageReport{Name: p.Name, Version: p.Version, Source: p.Source, URL: p.Registry, Depth: p.Depth}
		sum.Packages = append(sum.Packages, rep)
		if p.Source == lockfile.SourceRegistry || p.Source == lockfile.SourceLocalTarball || p.Source == lockfile.SourceGit && gits[p.Name] != nil {
			toFetch = append(toFetch, i)
		}
	}
	opts.Reporter.Resolved(len(toFetch))
	installed := map[string]string{}
	layout := layoutFor(opts.EditorVersion)
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	// Many packages at once, not opts.Jobs: creating files is the cost of an
	// install, and the kernel serialises creations within one folder, so
	// throughput grows with the number of package folders being filled
	// (warm install of 100 packages × 200 files on ext4: 10.4 s with 16 at
	// once, 7.0 s with 32, 6.2 s with 64, 5.1 s with 100). Downloads stay
	// bounded by the registry client's connections per host (--jobs), and
	// files in flight by the cache's store-wide gate.
	g.SetLimit(packagesInFlight)
	for _, i := range toFetch {
		p := graph.Packages[i]
		g.Go(func() error {
			var (
				entry   *cache.Entry
				fetched bool
				dir     string
				placed  bool // installed already, by the fetch (placeEarly)
			)
			if git := gits[p.Name]; p.Source == lockfile.SourceGit {
				entry, fetched, dir = git.entry, git.fetched, layout.gitFolder(p.Name, git.commit)
			} else if p.Source == lockfile.SourceLocalTarball {
				// Unity extracts a file:<x.tgz> package into the project
				// (upm-localpath): through the cache, verified like a
				// download, so a tarball used by many projects unpacks once.
				tgz, err := localTarballPath(opts, p.Name, p.Version)
				if err != nil {
					return err
				}
				if entry, err = localTarballEntry(gctx, opts.Store, p.Name, p.Version, tgz); err != nil {
					return err
				}
				if dir, err = layout.tarballFolder(p.Name, tgz, entry); err != nil {
					return err
				}
			} else {
				run := fetches.start(p.Name, p.Version, p.Registry, p.Dist)
				var err error
				if entry, err = run.wait(gctx); err != nil {
					return err // the cache's errors name the package already
				}
				fetched = run.fetched
				if dir, err = layout.registryFolder(p.Name, p.Version, entry); err != nil {
					return err
				}
				placed = run.placed && run.dir == dir
			}
			if !opts.NoMaterialize && !placed {
				dest := project.Paths{Root: opts.ProjectRoot}.Installed(dir)
				materialize := materializer(opts)
				err := materialize(gctx, entry, dest)
				var damaged *cache.DamagedError
				if errors.As(err, &damaged) && p.Source == lockfile.SourceRegistry && !opts.Offline {
					// A cache file changed since it was verified: drop the
					// entry and fetch the package again, once. Offline,
					// the damage is the error (exit 7).
					opts.Reporter.Warn(fmt.Sprintf("%s@%s: %v; fetching it again", p.Name, p.Version, err))
					if err = opts.Store.Discard(gctx, entry.Key); err == nil {
						err = fs.ErrNotExist
					}
				}
				if errors.Is(err, fs.ErrNotExist) && p.Source == lockfile.SourceRegistry {
					// Another process evicted the entry between Ensure and
					// Materialize (Prune): fetch it again, once.
					if entry, _, err = fetches.ensureInto(gctx, p.Name, p.Version, p.Registry, p.Dist, &fetched, ""); err == nil {
						err = materialize(gctx, entry, dest)
					}
				}
				if err != nil {
					return err // the cache's errors name the package already
				}
			}
			mu.Lock()
			if !opts.NoMaterialize {
				installed[dir] = entry.Key
			}
			sum.Packages[i].Cached = !fetched
			if fetched {
				sum.Downloaded++
			} else {
				sum.FromCache++
			}
			mu.Unlock()
			opts.Reporter.Fetched(p.Name, p.Version, fetched)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sum.DownloadedBytes = fetches.downloaded.Load()
	return installed, nil
}

// placeEarly returns the fetcher's place function: it installs a registry
// package into Library/PackageCache as soon as its cache entry is ready,
// while resolution may still be going on, so that installing overlaps
// resolving (a warm install's resolution is tens of milliseconds of
// reading packuments; a cold one's, round trips to the registries). A
// guess resolution overrides leaves a folder that removeStale deletes; the
// folders it created are listed in the earlyFolders, which a failed run
// deletes. Nothing is placed early (nil) with NoMaterialize, with Frozen
// (which writes nothing when it fails), and where the folder's name does
// not say the version (editors 6000.0.0–6000.0.21 name it <name> alone: a
// wrong guess and the right version would share the folder).
//
// Where the folder's name is known before the download (<name>@<version>)
// and files are copied, the second function gives it, so that a package
// downloaded now is unpacked into the project in the pass that checks it
// before it is cached (cache.Store.EnsureInto).
func placeEarly(opts Options) (func(ctx context.Context, name, version string, e *cache.Entry) (string, error), func(name, version string) (string, string), *earlyFolders) {
	layout := layoutFor(opts.EditorVersion)
	if opts.NoMaterialize || opts.Frozen || layout == layoutBare {
		return nil, nil, nil
	}
	materialize := materializer(opts)
	early := &earlyFolders{paths: map[string]bool{}}
	// dest names a package's folder, noting it when it is new.
	dest := func(dir string) string {
		p := project.Paths{Root: opts.ProjectRoot}.Installed(dir)
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			early.add(p)
		}
		return p
	}
	place := func(ctx context.Context, name, version string, e *cache.Entry) (string, error) {
		dir, err := layout.registryFolder(name, version, e)
		if err != nil {
			return "", err
		}
		return dir, materialize(ctx, e, dest(dir))
	}
	var into func(name, version string) (string, string)
	if layout == layoutVersion && !opts.Link {
		into = func(name, version string) (string, string) {
			dir, _ := layout.registryFolder(name, version, nil)
			return dir, dest(dir)
		}
	}
	return place, into, early
}

// materializer is how opts puts a cache entry into the project.
func materializer(opts Options) func(ctx context.Context, e *cache.Entry, dest string) error {
	if opts.Link {
		return opts.Store.MaterializeLinked
	}
	return opts.Store.Materialize
}

// earlyFolders are the folders placeEarly created.
type earlyFolders struct {
	mu    sync.Mutex
	paths map[string]bool
}

func (f *earlyFolders) add(p string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paths[p] = true
}

// created reports whether placeEarly created the folder p.
func (f *earlyFolders) created(p string) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paths[p]
}

// remove deletes the folders (best effort: they are complete packages
// that no lock names, which the next install removes anyway).
func (f *earlyFolders) remove() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for p := range f.paths {
		os.RemoveAll(p)
	}
}

// removeStale deletes folders of Library/PackageCache that the resolution no
// longer has: package folders (name@version, name@hash, or a bare name, as
// the editor names them)
// that upkg did not just install, unless they belong to a resolved Git
// package upkg did not install (with --no-materialize it installs none).
func removeStale(projectRoot string, installed map[string]string, graph *resolve.Graph) ([]string, error) {
	keep := map[string]bool{}
	for _, p := range graph.Packages {
		keep[p.Name] = p.Source == lockfile.SourceGit
	}
	for dir := range installed {
		name, _ := folderPackage(dir)
		keep[name] = false // upkg installed it: other folders of it are stale
	}
	dir := project.Paths{Root: projectRoot}.PackageCache()
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var removed []string
	for _, e := range ents {
		name, ok := folderPackage(e.Name())
		if !e.IsDir() || !ok || installed[e.Name()] != "" || keep[name] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return removed, fmt.Errorf("remove %s: %w", filepath.Join(dir, e.Name()), err)
		}
		removed = append(removed, e.Name())
	}
	sort.Strings(removed)
	return removed, nil
}

// diffWithLock fills Added and Changed by comparing with the old lock.
func diffWithLock(sum *Summary, old *lockfile.Lock, graph *resolve.Graph) {
	before := map[string]string{}
	if old != nil {
		for _, e := range old.Entries {
			before[e.Name] = e.Version
		}
	}
	for _, p := range graph.Packages {
		v, ok := before[p.Name]
		switch {
		case !ok:
			sum.Added = append(sum.Added, p.Name+"@"+p.Version)
		case v != p.Version:
			sum.Changed = append(sum.Changed, p.Name+"@"+v+" → "+p.Version)
		}
	}
}

// countingReader counts the bytes downloaded and tells the reporter.
type countingReader struct {
	rc  io.ReadCloser
	n   *atomic.Int64
	rep Reporter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if n > 0 {
		c.n.Add(int64(n))
		c.rep.Downloaded(n)
	}
	return n, err
}

func (c *countingReader) Close() error { return c.rc.Close() }
