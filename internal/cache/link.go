package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/extract"
)

// sealedTime is the modification time of every regular file in a linkable
// entry's pkg/ folder: npm's own tarball time (1985-10-26T08:15:00Z), long
// past, so that any write through a hard link — which sets the time to
// now — shows, even on a file system that keeps whole seconds.
var sealedTime = time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)

// MaterializeLinked is Materialize in link mode: the files at dest are hard
// links to the entry's pkg/ files, which costs one link per file instead of
// creating and writing one, and no disk space.
//
// The price is that a project's file and the cache's are one inode: an
// in-place edit under dest (an editor, a script, Unity itself) edits the
// cache too, and every other project linked to it. So the entry's files are
// made read-only first (folders stay writable, so that the store can still
// delete the entry), with a fixed modification time (sealedTime), and each
// file's size and time are checked before it is linked: a file that changed
// fails with a *DamagedError naming it, before anything is renamed into
// place — the caller discards the entry and fetches it again (install does,
// except offline). Verify reports such files too.
//
// An entry kept as its tarball only (file systems that cannot clone) gets
// its pkg/ folder now, unpacked from the tarball and re-hashed on the way,
// under the entry's lock. Where a link cannot be made (the project on
// another file system than the cache; a file system or OS without hard
// links; a file with too many links), the file is copied instead.
func (s *Store) MaterializeLinked(ctx context.Context, e *Entry, dest string) error {
	e, err := s.ensureTree(ctx, e)
	if err != nil {
		return fmt.Errorf("install %s@%s: %w", e.Meta.Name, e.Meta.Version, err)
	}
	return s.materialize(ctx, e, dest, true)
}

// ensureTree returns e with a sealed pkg/ folder (Meta.Linkable), making
// it under the entry's lock if it has none.
func (s *Store) ensureTree(ctx context.Context, e *Entry) (*Entry, error) {
	if e.Meta.Linkable && !e.Meta.TarballOnly {
		return e, nil
	}
	unlock, err := s.lockEntry(ctx, e.Key)
	if err != nil {
		return e, err
	}
	defer unlock()
	// Another process may have done it meanwhile, or evicted the entry.
	cur, err := s.load(e.Key)
	if err != nil {
		return e, err
	}
	if cur.Meta.Linkable && !cur.Meta.TarballOnly {
		return cur, nil
	}
	if cur.Meta.TarballOnly {
		// A pkg/ folder here is what a crash between its rename and the
		// meta.json update left: made again, not trusted.
		if err := os.RemoveAll(cur.PkgDir()); err != nil {
			return e, fmt.Errorf("cache entry %s: %w", e.Key, err)
		}
		work := s.reserveTmp(e.Key)
		if err := s.unpack(ctx, cur, work); err != nil {
			os.RemoveAll(work)
			return e, err
		}
		if err := seal(work, cur.Meta.Files); err != nil {
			os.RemoveAll(work)
			return e, err
		}
		if err := os.Rename(work, cur.PkgDir()); err != nil {
			os.RemoveAll(work)
			return e, fmt.Errorf("cache entry %s: %w", e.Key, err)
		}
	} else if err := seal(cur.PkgDir(), cur.Meta.Files); err != nil {
		// A pkg/ folder kept for cloning: sealed where it is.
		return e, err
	}
	cur.Meta.TarballOnly, cur.Meta.Linkable = false, true
	if err := writeMeta(cur); err != nil {
		return e, err
	}
	return cur, nil
}

// seal makes the regular files of a package tree read-only (keeping their
// execute bits) with the modification time sealedTime.
func seal(dir string, files []extract.File) error {
	for _, f := range files {
		if !f.Mode.IsRegular() {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.Chmod(p, f.Mode.Perm()&^0o222); err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
		if err := os.Chtimes(p, sealedTime, sealedTime); err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
	}
	return nil
}

// unseal gives the regular files of a copied tree the modes their tarball
// gave them (seal's chmod undone; the time stays).
func unseal(dir string, files []extract.File) error {
	for _, f := range files {
		if f.Mode.IsRegular() {
			p := filepath.Join(dir, filepath.FromSlash(f.Path))
			if err := os.Chmod(p, f.Mode.Perm()); err != nil {
				return fmt.Errorf("make %s writable: %w", p, err)
			}
		}
	}
	return nil
}

// writeMeta replaces e's meta.json with e.Meta.
func writeMeta(e *Entry) error {
	data, err := encodeMeta(&e.Meta)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(e.Dir, metaName), data, 0o644); err != nil {
		return fmt.Errorf("cache entry %s: %w", e.Key, err)
	}
	return nil
}

// changedSinceSealed returns how the cache file at p differs from the
// sealed file f (its size or time), or "".
func changedSinceSealed(p string, f extract.File) (string, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return "", err
	}
	return sealedChange(fi.Mode().IsRegular(), fi.Size(), fi.ModTime(), f), nil
}

// sealedChange says how a cache file that is (or is not) regular, of size
// bytes, modified at mtime, differs from the sealed file f, or "".
func sealedChange(regular bool, size int64, mtime time.Time, f extract.File) string {
	switch {
	case !regular:
		return "is no longer a regular file"
	case size != f.Size:
		return fmt.Sprintf("changed size from %d to %d bytes", f.Size, size)
	case !mtime.Equal(sealedTime):
		return "was modified at " + mtime.UTC().Format(time.RFC3339)
	}
	return ""
}

// dirGroup is the files of one folder of an entry ("" is its root), in the
// entry's order.
type dirGroup struct {
	dir   string
	files []extract.File
}

// groupByDir splits files by folder, folders in order of first appearance.
// Where each folder's files come in one run — as a tarball usually lists
// them — the groups are slices of files itself; otherwise they share one
// new array, filled in a second pass once their sizes are known. The map
// of folders is looked up only where a file's folder is not the previous
// file's.
func groupByDir(files []extract.File) []dirGroup {
	var groups []dirGroup
	at := map[string]int{}
	of := make([]int32, len(files)) // each file's group
	var sizes []int
	runs := 0
	cur, curDir := -1, ""
	for i, f := range files {
		d := extract.ParentOf(f.Path)
		if cur < 0 || d != curDir {
			runs++
			g, ok := at[d]
			if !ok {
				g = len(groups)
				at[d] = g
				groups = append(groups, dirGroup{dir: d})
				sizes = append(sizes, 0)
			}
			cur, curDir = g, d
		}
		of[i] = int32(cur)
		sizes[cur]++
	}
	if runs == len(groups) {
		// One run per folder, in order of first appearance.
		for i, n := range sizes {
			groups[i].files, files = files[:n:n], files[n:]
		}
		return groups
	}
	all := make([]extract.File, len(files))
	for i, n := range sizes {
		groups[i].files, all = all[:0:n], all[n:]
	}
	for i, f := range files {
		g := &groups[of[i]]
		g.files = append(g.files, f)
	}
	return groups
}

// linkFunc hard-links one tree's files after checking each (see
// MaterializeLinked), copying where linking fails in a way that says it
// cannot work (linkFallsBack); the first such failure turns linking off for
// the rest of the tree.
func (s *Store) linkFunc(goos, key string) putFunc {
	var linking atomic.Bool
	linking.Store(true)
	copyRest := s.copyFunc()
	return func(src, dst string, f extract.File) error {
		if !f.Mode.IsRegular() {
			return copyRest(src, dst, f)
		}
		how, err := changedSinceSealed(src, f)
		if err != nil {
			return err
		}
		if how != "" {
			return &DamagedError{Key: key, Path: src, Reason: how + " since it was made read-only for hard-linking (a linked project file was edited?)"}
		}
		if linking.Load() {
			err := s.link(src, dst)
			if err == nil || !linkFallsBack(goos, err) {
				return err
			}
			if !tooManyLinks(goos, err) {
				linking.Store(false)
			}
		}
		return copyRest(src, dst, f)
	}
}

// Windows error numbers of os.Link that mean "no hard link here".
const (
	winErrorInvalidFunction = 1    // ERROR_INVALID_FUNCTION: FAT, some network shares
	winErrorNotSameDevice   = 17   // ERROR_NOT_SAME_DEVICE
	winErrorNotSupported    = 50   // ERROR_NOT_SUPPORTED
	winErrorAccessDenied    = 5    // ERROR_ACCESS_DENIED: shares that refuse links
	winErrorTooManyLinks    = 1142 // ERROR_TOO_MANY_LINKS
)

// linkFallsBack reports whether a failed hard link means "copy instead":
// another file system (EXDEV), one without hard links, a refusal by policy,
// or too many links to the file. Anything else (no space, the cache file
// gone) is a real failure.
func linkFallsBack(goos string, err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	if goos == "windows" {
		switch errno {
		case winErrorInvalidFunction, winErrorNotSameDevice, winErrorNotSupported, winErrorAccessDenied, winErrorTooManyLinks:
			return true
		}
		return false
	}
	return errors.Is(err, fs.ErrPermission) || tooManyLinks(goos, err) ||
		errno == syscall.EXDEV || errno == syscall.ENOTSUP || errno == syscall.EOPNOTSUPP || errno == syscall.ENOSYS
}

// tooManyLinks reports a link refused because the file has the most links
// its file system allows: only that file is copied, linking goes on.
func tooManyLinks(goos string, err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	if goos == "windows" {
		return errno == winErrorTooManyLinks
	}
	return errno == syscall.EMLINK
}
