package cache

import (
	"errors"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// cloneTree cannot clone a whole tree on Linux; files are cloned one by one
// in copyFile.
func cloneTree(src, dst string) bool { return false }

// copyFile creates dst (which must not exist) with the contents of src. It
// tries FICLONE first while clone is true: on btrfs, XFS and bcachefs the
// new file shares the cache file's blocks, copy-on-write. The first
// refusal (ext4, tmpfs, another file system) turns clone off for the rest
// of the tree, and the file is copied instead.
func copyFile(src, dst string, perm uint32, size int64, clone *atomic.Bool) error {
	sfd, dfd, err := openPair(src, dst, perm)
	if err != nil {
		return err
	}
	if clone.Load() {
		err := unix.IoctlFileClone(dfd, sfd)
		if err == nil {
			var st unix.Stat_t
			if err := unix.Fstat(dfd, &st); err != nil {
				closePair(sfd, dfd, dst)
				return &os.PathError{Op: "stat", Path: dst, Err: err}
			}
			if st.Size != size {
				closePair(sfd, dfd, dst)
				return sizeError(src, st.Size, size)
			}
			return closePair(sfd, dfd, dst)
		}
		if !cloneUnsupported(err) {
			closePair(sfd, dfd, dst)
			return &os.PathError{Op: "clone", Path: dst, Err: err}
		}
		clone.Store(false)
	}
	if err := copyFD(sfd, dfd, src, dst, size); err != nil {
		closePair(sfd, dfd, dst)
		return err
	}
	return closePair(sfd, dfd, dst)
}

// tryFileClone reports whether FICLONE works between two new files in dir.
// Both are removed again; any failure counts as "cannot clone", which only
// costs speed.
func tryFileClone(dir string) bool {
	src, err := os.CreateTemp(dir, "clone-probe-")
	if err != nil {
		return false
	}
	defer os.Remove(src.Name())
	defer src.Close()
	// A few bytes, so that the probe clones real data, not an empty range.
	if _, err := src.WriteString("upkg"); err != nil {
		return false
	}
	dst, err := os.CreateTemp(dir, "clone-probe-")
	if err != nil {
		return false
	}
	defer os.Remove(dst.Name())
	defer dst.Close()
	return unix.IoctlFileClone(int(dst.Fd()), int(src.Fd())) == nil
}

// cloneUnsupported tells "this file system (pair) cannot clone" from real
// failures.
func cloneUnsupported(err error) bool {
	for _, e := range []error{unix.EOPNOTSUPP, unix.ENOTSUP, unix.EXDEV, unix.EINVAL, unix.ENOTTY, unix.ENOSYS, unix.EPERM} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
