package cache

import (
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// cloneTree clones the whole entry with one clonefile call: on APFS the
// copy shares the cache's blocks, copy-on-write, and costs no per-file
// work. It reports false (nothing created) when the file system or the
// volume pair cannot clone; the caller then copies.
func cloneTree(src, dst string) bool {
	if err := unix.Clonefile(src, dst, unix.CLONE_NOFOLLOW); err != nil {
		os.RemoveAll(dst) // in case a failure left part of a tree
		return false
	}
	return true
}

// copyFile creates dst (which must not exist) with the contents of src. It
// runs only where clonefile failed, so it does not try to clone again.
func copyFile(src, dst string, perm uint32, size int64, _ *atomic.Bool) error {
	sfd, dfd, err := openPair(src, dst, perm)
	if err != nil {
		return err
	}
	if err := copyFD(sfd, dfd, src, dst, size); err != nil {
		closePair(sfd, dfd, dst)
		return err
	}
	return closePair(sfd, dfd, dst)
}

// tryFileClone is Linux's FICLONE probe; there is none here.
func tryFileClone(dir string) bool { return false }
