//go:build linux || darwin

package cache

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// linkTree is MaterializeLinked's tree walk where folders can be opened:
// each folder of the entry is opened once, in the cache and at dst, and
// its files are checked (fstatat) and linked (linkat) by name relative to
// the two descriptors. That spares the kernel two full path walks per file
// and the runtime a goroutine hand-off per file: one goroutine links a
// whole folder (a link takes microseconds), as many folders at once, of
// this package and others, as there are CPUs — so that a package of
// thousands of files does not finish alone on one CPU after the rest.
//
// The checks and fallbacks are linkFunc's: a sealed file that changed is a
// *DamagedError before anything is renamed into place; a link refused as
// unsupported is a copy (EMLINK: that file only).
func (s *Store) linkTree(ctx context.Context, e *Entry, src, dst string) error {
	// Both roots are opened once, and every folder under them is made and
	// opened relative to its root: the kernel walks a path of one or two
	// names instead of the ten or so of an absolute one, for each of the
	// unity profile's 1 600 folders (made once, opened on both sides).
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	droot, err := openDirFD(dst)
	if err != nil {
		return err
	}
	defer unix.Close(droot)
	sroot, err := openDirFD(src)
	if err != nil {
		return err
	}
	defer unix.Close(sroot)
	for _, d := range e.Meta.Dirs {
		if err := mkdirAt(droot, d); err != nil {
			return &fs.PathError{Op: "mkdir", Path: filepath.Join(dst, filepath.FromSlash(d)), Err: err}
		}
	}
	copyRest := s.copyFunc()
	var linking atomic.Bool
	linking.Store(true)
	g, gctx := errgroup.WithContext(ctx)
	// Linking is kernel CPU time, not waiting on the disk: one folder per
	// CPU at a time. More only queue runnable goroutines behind system
	// calls, which makes the runtime hand each blocked call's processor to
	// another thread (measured: 11 000 sleeps and 1 500 futex waits of the
	// scheduler around 20 000 links with 100 packages at once). A worker
	// holds a slot and links this entry's folders until none is left; it
	// waits for its slot like every other entry's first worker. After each
	// folder, while at least two are left, a worker takes a slot that is
	// free at that moment for one more worker — so that a package of
	// thousands of files does not finish alone on one CPU after the rest —
	// but never waits for one: a goroutine per folder (1 600 for the unity
	// profile) spent 6 of link mode's 28 ms of user CPU starting and
	// growing their stacks, and a worker that waits for a slot the first
	// one frees finds nothing left (small packages of two folders).
	groups := groupByDir(e.Meta.Files)
	if len(groups) == 0 {
		return nil
	}
	var next atomic.Int64
	var work func()
	work = func() {
		g.Go(func() error {
			defer func() { <-s.linkers }()
			return eachClaimed(gctx, &next, len(groups), func(i int) error {
				if err := s.linkDir(e, src, dst, sroot, droot, groups[i], &linking, copyRest); err != nil {
					return err
				}
				if int(next.Load()) < len(groups)-1 {
					select {
					case s.linkers <- struct{}{}:
						work()
					default:
					}
				}
				return nil
			})
		})
	}
	select {
	case s.linkers <- struct{}{}:
	case <-gctx.Done():
		return ctx.Err()
	}
	work()
	return g.Wait()
}

// linkDir links the files of one folder (g) of e from src to dst, whose
// descriptors are sroot and droot. linking is shared by the entry's
// folders: the first link refused as unsupported turns linking off for all.
func (s *Store) linkDir(e *Entry, src, dst string, sroot, droot int, g dirGroup, linking *atomic.Bool, copyRest putFunc) error {
	srcDir := filepath.Join(src, filepath.FromSlash(g.dir))
	dstDir := filepath.Join(dst, filepath.FromSlash(g.dir))
	sfd, err := openDirAt(sroot, g.dir, srcDir)
	if err != nil {
		return err
	}
	if sfd != sroot {
		defer unix.Close(sfd)
	}
	dfd, err := openDirAt(droot, g.dir, dstDir)
	if err != nil {
		return err
	}
	if dfd != droot {
		defer unix.Close(dfd)
	}
	// Each name, NUL-terminated, for statName and linkName.
	var name []byte
	for _, f := range g.files {
		base := path.Base(f.Path)
		if f.Mode&fs.ModeSymlink != 0 {
			if err := unix.Symlinkat(f.Link, dfd, base); err != nil {
				return &os.LinkError{Op: "symlink", Old: f.Link, New: filepath.Join(dstDir, base), Err: err}
			}
			continue
		}
		// Paths are joined only for errors and copies: thousands of
		// files, each a few microseconds of kernel time.
		srcPath := func() string { return filepath.Join(srcDir, base) }
		if strings.IndexByte(base, 0) >= 0 {
			// The kernel would read a shorter name.
			return &fs.PathError{Op: "lstat", Path: srcPath(), Err: unix.EINVAL}
		}
		name = append(append(name[:0], base...), 0)
		regular, size, mtime, err := statName(sfd, name)
		if err != nil {
			return &fs.PathError{Op: "lstat", Path: srcPath(), Err: err}
		}
		if how := sealedChange(regular, size, mtime, f); how != "" {
			return &DamagedError{Key: e.Key, Path: srcPath(), Reason: how + " since it was made read-only for hard-linking (a linked project file was edited?)"}
		}
		if linking.Load() {
			err := s.linkAt(sfd, dfd, name)
			if err == nil {
				continue
			}
			if !linkFallsBack(currentOS, err) {
				var le *os.LinkError
				if errors.As(err, &le) {
					le.Old, le.New = srcPath(), filepath.Join(dstDir, base)
				}
				return err
			}
			if !tooManyLinks(currentOS, err) {
				linking.Store(false)
			}
		}
		if err := copyRest(srcPath(), filepath.Join(dstDir, base), f); err != nil {
			return err
		}
	}
	return nil
}

// fstatName is statName by fstatat(2): darwin's, and Linux's where statx
// is missing.
func fstatName(dirfd int, name []byte) (regular bool, size int64, mtime time.Time, err error) {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, string(name[:len(name)-1]), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return false, 0, time.Time{}, err
	}
	return st.Mode&unix.S_IFMT == unix.S_IFREG, st.Size, time.Unix(st.Mtim.Unix()), nil
}

// openDirAt opens the folder rel (slash-separated, clean) under the open
// folder root, or returns root itself for the root (""); path names it in
// errors.
func openDirAt(root int, rel, path string) (int, error) {
	if rel == "" {
		return root, nil
	}
	for {
		fd, err := unix.Openat(root, rel, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// mkdirAt makes the folder rel (slash-separated, clean) under the open
// folder root, as os.Mkdir(…, 0o755) would.
func mkdirAt(root int, rel string) error {
	for {
		err := unix.Mkdirat(root, rel, 0o755)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

func openDirFD(dir string) (int, error) {
	for {
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: dir, Err: err}
		}
		return fd, nil
	}
}

// canLinkByFolder: MaterializeLinked links by folder descriptors here.
const canLinkByFolder = true
