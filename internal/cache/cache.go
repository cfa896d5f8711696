// Package cache is upkg's global store of verified package tarballs (and,
// where projects can clone from them, their extracted files), shared by
// every project and every upkg process of a user.
//
// Layout under the folder given to Open (the CLI passes <cacheRoot>/upkg/v1,
// or UPKG_CACHE_DIR):
//
//	CACHEDIR.TAG            tells backup tools to skip the folder
//	VERSION                 the layout version, "1"
//	entries/<algo>-<hex>/   one verified package, named by its checksum:
//	    tarball.tgz           the tarball as downloaded and verified (Verify re-hashes it)
//	    meta.json             name, version, checksums, sizes, file list, time added
//	    pkg/                  the package's files, only where the file system can
//	                          clone them into projects (see Materialize), or once
//	                          an install in link mode needed them (read-only, see
//	                          MaterializeLinked)
//	used/<algo>-<hex>       empty marker; its mtime is the last install (for LRU)
//	locks/<algo>-<hex>.lock per-entry lock files (never deleted: see Clean)
//	tmp/<algo>-<hex>.<rand> work in progress and entries being deleted
//	packuments/             reserved for the registry client
//
// The protocol follows Go's module cache: an entry is built in tmp/ and
// committed by renaming it into entries/, so an entry that exists is
// complete. Builders take the entry's lock, look again (another process may
// have finished), and clean leftovers of a crashed run only while holding
// that lock. Killing a process at any moment leaves either no entry or a
// complete one, and the next Ensure succeeds.
package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/dirspread"
)

// DefaultMaxSize is the size cap used when Open is given none: Unity's
// default maxCacheSize (UPM-SPEC §1).
const DefaultMaxSize int64 = 10_000_000_000

// LayoutVersion is written to VERSION; a store with another version is
// refused rather than misread.
const LayoutVersion = "1"

// cacheDirTag is the standard signature (https://bford.info/cachedir/).
const cacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55\n" +
	"# This file is a cache directory tag created by upkg.\n" +
	"# For information about cache directory tags, see https://bford.info/cachedir/\n"

const (
	entriesDir    = "entries"
	locksDir      = "locks"
	tmpDir        = "tmp"
	usedDir       = "used"
	packumentsDir = "packuments"
	gitDir        = "git"

	pkgName     = "pkg"
	tarballName = "tarball.tgz"
	metaName    = "meta.json"
)

// Store is an open cache. Its methods are safe for concurrent use, also by
// several processes sharing the folder.
type Store struct {
	dir     string
	maxSize int64

	// attempts is how many times Ensure downloads a tarball that fails
	// verification or breaks off; backoff is the pause before a retry
	// (times the attempt number). Tests shorten it.
	attempts int
	backoff  time.Duration
	// lockPoll is how often a waiter retries another process's lock.
	lockPoll time.Duration

	// local serialises Ensure calls of this process per entry, so that
	// goroutines wait on a channel instead of polling the file lock.
	mu    sync.Mutex
	local map[string]chan struct{}

	// parents are the folders packages were installed into (makeParent).
	parents sync.Map

	// fileOps bounds the files being created at once by all Materialize
	// calls together: creating files waits on the disk, so many in flight
	// pay off, but each blocked call holds an OS thread. writers is how
	// many files one Materialize creates at once (see extract.Options).
	fileOps chan struct{}
	writers int
	// streams bounds the downloads unpacked as they arrive (see
	// streamed); the others are unpacked once verified.
	streams chan struct{}
	// linkable: entries are built with a sealed pkg/ (BuildLinkable).
	linkable atomic.Bool
	// linkers bounds the folders being hard-linked at once (linkTree).
	linkers chan struct{}

	// probe tells whether the store's file system can clone files (see
	// probeClone; tests substitute it). It runs once, when first needed,
	// so that commands that build and install nothing never pay for it.
	probe     func(goos, dir string) bool
	cloneOnce sync.Once
	cloneOK   bool

	// link makes a hard link (os.Link), linkAt one relative to two open
	// folders, of the same NUL-terminated name in both (linkat(2), where
	// linkTree uses it); tests substitute failures.
	link   func(oldname, newname string) error
	linkAt func(olddirfd, newdirfd int, name []byte) error
	// linkByFolder: MaterializeLinked walks by open folders (linkTree)
	// rather than by paths (linkFunc); tests clear it to cover the other.
	linkByFolder bool
}

// Parallelism of file creation. Measured on ext4 on a virtual disk (2
// cores): one folder takes its files one at a time (~0.7 ms each, 1 writer
// or 16 alike), while 64 writers spread over 100 folders created 20 000
// files in 0.6–2.5 s. So per package a few writers suffice (more only
// queue on a folder), and the store-wide bound is what keeps the threads
// blocked in creat() in check when many packages are materialized at once;
// 4 writers per package measured no better than 16 in `make bench`.
// defaultStreams: see streamed.
const (
	defaultStreams = 4
	defaultFileOps = 128
	defaultWriters = 16
)

// Open opens the store in dir, creating its layout if needed. maxSize is
// the size cap Prune uses when given none (<= 0 means DefaultMaxSize).
func Open(dir string, maxSize int64) (*Store, error) {
	return open(dir, maxSize, probeClone)
}

// open is Open with the clone probe given, so tests can force its answer.
func open(dir string, maxSize int64, probe func(goos, dir string) bool) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open cache: no folder given")
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	for _, sub := range []string{entriesDir, locksDir, tmpDir, usedDir, packumentsDir, gitDir} {
		p := filepath.Join(dir, sub)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, fmt.Errorf("open cache: create %s: %w", p, err)
		}
		if sub == entriesDir || sub == tmpDir {
			// Entries are built in tmp/ and renamed into entries/: each is
			// a tree of its own, placed apart (see dirspread).
			dirspread.Subfolders(p)
		}
	}
	vpath := filepath.Join(dir, "VERSION")
	switch data, err := os.ReadFile(vpath); {
	case errors.Is(err, fs.ErrNotExist):
		if err := atomicfile.WriteFile(vpath, []byte(LayoutVersion+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("open cache: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("open cache: read %s: %w", vpath, err)
	case strings.TrimSpace(string(data)) != LayoutVersion:
		return nil, fmt.Errorf("open cache: %s has layout version %q; this upkg reads version %s (use another cache folder, or delete this one)", dir, strings.TrimSpace(string(data)), LayoutVersion)
	}
	tag := filepath.Join(dir, "CACHEDIR.TAG")
	if _, err := os.Stat(tag); errors.Is(err, fs.ErrNotExist) {
		if err := atomicfile.WriteFile(tag, []byte(cacheDirTag), 0o644); err != nil {
			return nil, fmt.Errorf("open cache: %w", err)
		}
	}
	return &Store{
		dir:      dir,
		maxSize:  maxSize,
		attempts: 3,
		backoff:  200 * time.Millisecond,
		lockPoll: 20 * time.Millisecond,
		local:    map[string]chan struct{}{},
		fileOps:  make(chan struct{}, defaultFileOps),
		streams:  make(chan struct{}, defaultStreams),
		linkers:  make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		writers:  defaultWriters,
		probe:    probe,
		link:     os.Link,
		linkAt:   linkName,

		linkByFolder: canLinkByFolder,
	}, nil
}

// BuildLinkable makes the entries s builds from now on keep a sealed pkg/
// folder (Meta.Linkable), as MaterializeLinked needs, on file systems that
// cannot clone as well: a link-mode install calls it, so that a download
// is unpacked into the cache once, as it arrives, rather than only listed
// then and unpacked from the tarball again at its first linked install
// (ensureTree, which still serves entries built before).
func (s *Store) BuildLinkable() { s.linkable.Store(true) }

// Dir returns the store's folder.
func (s *Store) Dir() string { return s.dir }

// MaxSize returns the size cap given to Open (or DefaultMaxSize).
func (s *Store) MaxSize() int64 { return s.maxSize }

// TmpDir is the store's scratch folder, on the same file system as its
// entries; Clean empties it.
func (s *Store) TmpDir() string { return filepath.Join(s.dir, tmpDir) }

// PackumentsDir returns the folder reserved for the registry client's
// packument cache.
func (s *Store) PackumentsDir() string { return filepath.Join(s.dir, packumentsDir) }

// canClone reports whether files in the store can be cloned rather than
// copied (decided once per Store).
func (s *Store) canClone() bool {
	s.cloneOnce.Do(func() { s.cloneOK = s.probe(currentOS, filepath.Join(s.dir, tmpDir)) })
	return s.cloneOK
}

func (s *Store) entryDir(id string) string { return filepath.Join(s.dir, entriesDir, id) }
func (s *Store) usedPath(id string) string { return filepath.Join(s.dir, usedDir, id) }
func (s *Store) lockPath(id string) string { return filepath.Join(s.dir, locksDir, id+".lock") }

// lockEntry takes the entry's exclusive lock: first against this process's
// other goroutines, then against other processes (a file lock, released by
// the kernel if the process dies). The returned func releases both.
func (s *Store) lockEntry(ctx context.Context, id string) (func(), error) {
	unlockLocal, err := s.lockLocal(ctx, id)
	if err != nil {
		return nil, err
	}
	fl := flock.New(s.lockPath(id))
	ok, err := fl.TryLockContext(ctx, s.lockPoll)
	if err != nil || !ok {
		unlockLocal()
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("lock cache entry %s: %w", id, err)
	}
	return func() {
		fl.Close()
		unlockLocal()
	}, nil
}

// rlockEntry takes the entry's lock shared, which keeps Prune and Clean
// from deleting it while it is read.
func (s *Store) rlockEntry(ctx context.Context, id string) (func(), error) {
	fl := flock.New(s.lockPath(id))
	ok, err := fl.TryRLockContext(ctx, s.lockPoll)
	if err != nil || !ok {
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("lock cache entry %s: %w", id, err)
	}
	return func() { fl.Close() }, nil
}

func (s *Store) lockLocal(ctx context.Context, id string) (func(), error) {
	for {
		s.mu.Lock()
		busy, ok := s.local[id]
		if !ok {
			mine := make(chan struct{})
			s.local[id] = mine
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				delete(s.local, id)
				s.mu.Unlock()
				close(mine)
			}, nil
		}
		s.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, fmt.Errorf("lock cache entry %s: %w", id, ctx.Err())
		}
	}
}

// markUsed records now as the entry's last install. The marker only
// orders evictions, so failing to touch it must not fail an install whose
// files are fine: the entry then counts as used when it was added.
func (s *Store) markUsed(id string) {
	p := s.usedPath(id)
	now := time.Now()
	if err := os.Chtimes(p, now, now); errors.Is(err, fs.ErrNotExist) {
		_ = os.WriteFile(p, nil, 0o644)
	}
}

// removeLeftovers deletes tmp/<id>.* — what a crashed or failed build of
// this entry left. The caller must hold the entry's lock.
func (s *Store) removeLeftovers(id string) error {
	matches, err := filepath.Glob(filepath.Join(s.dir, tmpDir, id+".*"))
	if err != nil {
		return fmt.Errorf("list leftovers of %s: %w", id, err)
	}
	for _, m := range matches {
		if err := os.RemoveAll(m); err != nil {
			return fmt.Errorf("remove leftover %s: %w", m, err)
		}
	}
	return nil
}

// discardLocked deletes a committed entry: it is renamed into tmp/ first,
// so that readers never see it half-deleted. The caller must hold the
// entry's lock.
func (s *Store) discardLocked(id string) error {
	trash := s.reserveTmp(id)
	if err := os.Rename(s.entryDir(id), trash); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove cache entry %s: %w", id, err)
	}
	if err := os.Remove(s.usedPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove cache entry %s: %w", id, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove cache entry %s: %w", id, err)
	}
	return nil
}

// reserveTmp returns a fresh, unused path tmp/<id>.<random>.
func (s *Store) reserveTmp(id string) string {
	return filepath.Join(s.dir, tmpDir, freshName(id+"."))
}

// currentOS is runtime.GOOS; functions take the OS as a parameter so that
// tests on one OS cover every branch.
const currentOS = runtime.GOOS
