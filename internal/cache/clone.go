package cache

// probeClone reports whether files of the store in dir (a folder of it
// where temporary files may be made) can be cloned into projects, which
// decides whether Ensure keeps an extracted pkg/ folder in each entry:
//
//   - macOS: always — Materialize clones the whole tree with one clonefile
//     call (APFS), and copies from pkg/ where that fails.
//   - Linux: only if FICLONE works there (btrfs, XFS, bcachefs), tried once
//     on a pair of tiny files. On ext4 or tmpfs a pkg/ folder would be pure
//     overhead: every file created twice per cold install, once in the cache
//     and once in the project, where unpacking the tarball straight into the
//     project creates each once.
//   - elsewhere: never.
func probeClone(goos, dir string) bool {
	switch goos {
	case "darwin":
		return true
	case "linux":
		return tryFileClone(dir)
	default:
		return false
	}
}
