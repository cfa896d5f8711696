//go:build !linux && !darwin

package cache

import "sync/atomic"

// cloneTree has no portable implementation; the caller copies.
func cloneTree(src, dst string) bool { return false }

// copyFile creates dst (which must not exist) with the contents of src.
func copyFile(src, dst string, perm uint32, size int64, _ *atomic.Bool) error {
	return copyFileOS(src, dst, perm, size)
}

// tryFileClone is Linux's FICLONE probe; there is none here.
func tryFileClone(dir string) bool { return false }
