package cache

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/upkg/upkg/internal/dirspread"
	"github.com/upkg/upkg/internal/extract"
)

// smallFile is the largest file copied through one read and one write;
// larger ones are streamed.
const smallFile = 1 << 20

// Materialize puts the files of e at dest (a project's
// Library/PackageCache/<name>@<version>): it builds a hidden sibling of
// dest and renames it into place. An existing dest is replaced: renamed
// away, the new one renamed in, the old one removed — dest is never
// missing for more than the moment between two renames, and never half
// written.
//
// The files are the project's own, never hard links (MaterializeLinked is
// the opt-in that links, for users who accept the risk): a hard link shares
// its inode with the cache, so any in-place edit under dest (an editor, a
// script, Unity itself) would silently corrupt the cache, and no file mode
// stops root or the owner from doing that. Where the file system can clone
// files and the entry has a pkg/ folder, they are clones of it: macOS
// clonefile (APFS) for the whole tree at once, Linux FICLONE (btrfs, XFS,
// bcachefs) per file; both share data blocks until one side writes, which
// the kernel then copies, so they are as safe as a copy. Everywhere else
// the entry's tarball.tgz is unpacked straight into the hidden sibling and
// re-hashed on the way: a tarball that no longer matches its checksum
// fails the install before anything is renamed into place.
//
// Creating files is what costs (50 µs – 1 ms each on ext4 on a virtual
// disk, the machine kind this was measured on), and Linux creates the
// files of one folder one at a time. So each Materialize writes with a few
// goroutines interleaved across folders (extract.ExtractWith), all of them
// share the store's bound on files in flight, and callers should
// materialize many packages at once — it is the number of folders being
// written concurrently that sets the speed.
//
// Materialize holds the entry's lock shared, so Prune and Clean cannot
// delete the entry mid-copy, and marks the entry used (for LRU). An entry
// evicted since Ensure returned it yields an error matching
// fs.ErrNotExist: call Ensure again. A crash mid-way can leave a hidden
// ".<name>@<version>.upkg-new-*" folder beside dest, never a partial dest.
func (s *Store) Materialize(ctx context.Context, e *Entry, dest string) error {
	return s.materialize(ctx, e, dest, false)
}

// materialize is Materialize, or MaterializeLinked when link is set (and e
// has a sealed pkg/ folder, see ensureTree).
func (s *Store) materialize(ctx context.Context, e *Entry, dest string, link bool) (err error) {
	label := e.Meta.Name + "@" + e.Meta.Version
	unlock, err := s.rlockEntry(ctx, e.Key)
	if err != nil {
		return fmt.Errorf("install %s: %w", label, err)
	}
	defer unlock()
	src := e.PkgDir()
	fromTree := false
	if !e.Meta.TarballOnly && (link || s.canClone()) {
		// An entry whose pkg/ was lost is still whole: its tarball serves.
		_, err := os.Lstat(src)
		fromTree = err == nil
	}
	if !fromTree {
		// Fail early, before touching the project, if the entry is gone.
		if _, err := os.Lstat(e.TarballPath()); err != nil {
			if _, derr := os.Lstat(e.Dir); derr == nil && errors.Is(err, fs.ErrNotExist) {
				// The entry is there, its tarball is not.
				err = &DamagedError{Key: e.Key, Path: e.TarballPath(), Reason: "is missing"}
			}
			return fmt.Errorf("install %s: cache entry %s: %w", label, e.Key, err)
		}
	}

	if err := s.makeParent(dest); err != nil {
		return fmt.Errorf("install %s: %w", label, err)
	}
	tmp := newSibling(dest)
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	switch {
	case !fromTree:
		if err := s.unpack(ctx, e, tmp); err != nil {
			return fmt.Errorf("install %s: %w", label, err)
		}
	case !link && cloneTree(src, tmp):
		if e.Meta.Linkable {
			// A clone keeps the modes of a tree sealed for linking: the
			// project's copy is its own, and writable as the tarball says.
			if err := unseal(tmp, e.Meta.Files); err != nil {
				return fmt.Errorf("install %s: %w", label, err)
			}
		}
	default:
		var err error
		switch {
		case link && s.linkByFolder:
			err = s.linkTree(ctx, e, src, tmp)
		case link:
			err = s.copyTree(ctx, src, tmp, e.Meta.Files, e.Meta.Dirs, s.linkFunc(currentOS, e.Key))
		default:
			err = s.copyTree(ctx, src, tmp, e.Meta.Files, e.Meta.Dirs, s.copyFunc())
		}
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(pe.Path, src) {
				if _, derr := os.Lstat(e.Dir); derr == nil {
					// The entry is there, a file of it is not.
					err = &DamagedError{Key: e.Key, Path: pe.Path, Reason: "is missing"}
				}
			}
			return fmt.Errorf("install %s: %w", label, err)
		}
	}
	if err := replaceDir(tmp, dest); err != nil {
		return fmt.Errorf("install %s: %w", label, err)
	}
	s.markUsed(e.Key)
	return nil
}

// extractOptions is how the store unpacks: s.writers files at once per
// package, and at most cap(s.fileOps) across all of them.
func (s *Store) extractOptions() extract.Options {
	return extract.Options{Writers: s.writers, Gate: s.fileOps}
}

// unpack extracts the entry's tarball into dst (which must not exist),
// hashing it on the way: a tarball that no longer matches the checksum it
// is stored under was damaged after Ensure, and what it unpacked to is
// not passed on. On error, dst may be left for the caller to remove.
func (s *Store) unpack(ctx context.Context, e *Entry, dst string) error {
	d, err := parseID(e.Key)
	if err != nil {
		return err
	}
	f, err := os.Open(e.TarballPath())
	if err != nil {
		return fmt.Errorf("cache entry %s: %w", e.Key, err)
	}
	defer f.Close()
	// The CRC-32C taken when the tarball was verified, else (older
	// entries) the key's own hash: see Meta.TarballCRC32C.
	h, want := d.newHash(), d.sum
	if crc, err := hex.DecodeString(e.Meta.TarballCRC32C); err == nil && len(crc) == 4 {
		h, want = newCRC(), crc
	}
	tee := io.TeeReader(f, h)
	var xerr error
	if extract.CanReplay(e.Meta.Files) {
		// Unpacked before, when the entry was made: its file list says
		// where each file is, and the checksum below that this is that
		// tarball.
		xerr = extract.Replay(ctx, tee, dst, e.Meta.Files, e.Meta.Dirs, s.extractOptions())
	} else {
		_, xerr = extract.ExtractWith(ctx, tee, dst, extract.DefaultLimits(), s.extractOptions())
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Walk stops at the end of the tar stream; hash what follows too.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return fmt.Errorf("read %s: %w", e.TarballPath(), err)
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return &DamagedError{Key: e.Key, Path: e.TarballPath(), Reason: "does not match its checksum"}
	}
	if errors.Is(xerr, extract.ErrListMismatch) {
		return &DamagedError{Key: e.Key, Path: filepath.Join(e.Dir, metaName), Reason: "lists files its tarball does not have where it says (" + xerr.Error() + ")"}
	}
	if xerr != nil {
		return fmt.Errorf("unpack %s: %w", e.TarballPath(), xerr)
	}
	return nil
}

// makeParent creates the folder packages are installed into (dest's
// parent, Library/PackageCache). The first time s installs into a folder,
// it deletes the old copies, of any package, that a replace could not
// delete (see replaceDir): once per run, where looking for one package's
// leftovers at each install read the whole folder per package. New copies
// ("-new-") are left alone: they may be another process's work.
//
// It also asks the file system to spread the package folders (see
// dirspread): that saves seconds where inodes were freed recently. Link
// mode too, whose only new inodes are folders: right after 20 000 files
// were deleted, each of the unity profile's 1 600 folders cost ext4 a scan
// of the freed inodes (warm link install 315–480 ms, 0.6–0.7 s of CPU;
// with the hint 108–121 ms). On a disk with nothing freed lately the hint
// costs link mode 9–13 ms (it reads the counts and inode tables of the
// block groups it picks: 20–100 block reads per install).
func (s *Store) makeParent(dest string) error {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	if _, seen := s.parents.LoadOrStore(parent, true); !seen {
		dirspread.Subfolders(parent)
		olds, _ := filepath.Glob(filepath.Join(parent, ".*"+siblingMark+"old-*"))
		for _, o := range olds {
			os.RemoveAll(o)
		}
	}
	return nil
}

// siblingPrefix is how the hidden folders beside dest begin: ".new" ones
// are built before being renamed into place, ".old" ones are what a
// replace moved away (Unity ignores hidden folders under PackageCache; a
// crash leaves ".<name>@<version>.upkg-new-*").
func siblingPrefix(dest, role string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+siblingMark+role+"-")
}

// siblingMark comes between a hidden sibling's package folder name and its
// role.
const siblingMark = ".upkg-"

// newSibling is a fresh name for a new copy of dest, beside it.
func newSibling(dest string) string { return freshName(siblingPrefix(dest, "new")) }

// freshName is prefix and 64 random bits. Only the name is wanted, and the
// folder is made by whoever uses it (an existing one fails that): making
// and removing a folder here cost two more file system changes per
// package, which are slow right after many files were deleted (see
// README's Performance section).
func freshName(prefix string) string {
	return prefix + strconv.FormatUint(rand.Uint64(), 36)
}

// putFunc creates the file or symbolic link f at dst from its cache copy src.
type putFunc func(src, dst string, f extract.File) error

// copyFunc copies (or clones, until the file system refuses) one tree's files.
func (s *Store) copyFunc() putFunc {
	var clone atomic.Bool
	clone.Store(true) // until the file system says it cannot
	return func(src, dst string, f extract.File) error { return copyEntry(src, dst, f, &clone) }
}

// makeDirs makes dst, which must not exist, and the folders dirs (an
// entry's Meta.Dirs: sorted, so parents come first; few per package, so
// one goroutine) under it.
func makeDirs(dst string, dirs []string) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(dst, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// copyTree recreates the files and folders of one entry (as listed in its
// meta.json) from src under dst, which must not exist, with put per file.
func (s *Store) copyTree(ctx context.Context, src, dst string, files []extract.File, dirs []string, put putFunc) error {
	if err := makeDirs(dst, dirs); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for w := 0; w < min(s.writers, len(files)); w++ {
		g.Go(func() error {
			return eachClaimed(gctx, &next, len(files), func(i int) error {
				f := files[i]
				rel := filepath.FromSlash(f.Path)
				s.fileOps <- struct{}{}
				err := put(filepath.Join(src, rel), filepath.Join(dst, rel), f)
				<-s.fileOps
				return err
			})
		})
	}
	return g.Wait()
}

// eachClaimed is one worker of several that share next: it calls do with
// each index below n it claims from next, until none is left, ctx ends
// (its error) or do fails.
func eachClaimed(ctx context.Context, next *atomic.Int64, n int, do func(i int) error) error {
	for {
		i := int(next.Add(1) - 1)
		if i >= n {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := do(i); err != nil {
			return err
		}
	}
}

// copyEntry copies one file or symbolic link.
func copyEntry(src, dst string, f extract.File, clone *atomic.Bool) error {
	if f.Mode&fs.ModeSymlink != 0 {
		return os.Symlink(f.Link, dst)
	}
	return copyFile(src, dst, uint32(f.Mode.Perm()), f.Size, clone)
}

// copyFileOS is the portable copy: dst (which must not exist) gets the
// contents of src, which must be size bytes long — a cache file of another
// size has been damaged, and is not passed on.
func copyFileOS(src, dst string, perm uint32, size int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, os.FileMode(perm))
	if err != nil {
		return err
	}
	n, err := io.Copy(out, io.LimitReader(in, size+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if n != size {
		return sizeError(src, n, size)
	}
	return nil
}

func sizeError(src string, got, want int64) error {
	return &DamagedError{Path: src, Reason: fmt.Sprintf("has %d bytes, %d expected", got, want)}
}

// DamagedError is a cache entry whose files changed after they were
// verified: a file of the wrong size, a missing file, a tarball that no
// longer matches its checksum. Nothing of it is passed on; Discard the entry
// and fetch it again.
type DamagedError struct {
	Key    string // the entry, when known
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("cache file %s %s: the cache is damaged", e.Path, e.Reason)
}

// Discard deletes the entry key, under its lock: after a DamagedError (or
// a problem Verify found), so that the next Ensure fetches it again.
func (s *Store) Discard(ctx context.Context, key string) error {
	if _, err := parseID(key); err != nil {
		return err
	}
	if err := s.evict(ctx, key); err != nil {
		return fmt.Errorf("discard the damaged cache entry %s: %w", key, err)
	}
	return nil
}

// replaceDir renames tmp to dest, replacing whatever dest is.
func replaceDir(tmp, dest string) error {
	err := os.Rename(tmp, dest)
	if err == nil {
		return nil
	}
	if _, lerr := os.Lstat(dest); lerr != nil {
		return fmt.Errorf("move into place: %w", err)
	}
	old := freshName(siblingPrefix(dest, "old"))
	if err := os.Rename(dest, old); err != nil {
		return fmt.Errorf("move the old %s away: %w", dest, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		if rerr := os.Rename(old, dest); rerr != nil {
			return errors.Join(fmt.Errorf("move into place: %w", err), fmt.Errorf("restore the old %s: %w (it is now %s)", dest, rerr, old))
		}
		return fmt.Errorf("move into place: %w", err)
	}
	// The new copy is in place; a failure to delete the old one (a file
	// held open on Windows) is not worth failing the install for: the
	// folder is hidden, and the next Materialize to dest removes it.
	_ = os.RemoveAll(old)
	return nil
}
