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

// writesColdCopies reports whether a cold install into a store that keeps
// pkg/ folders writes the project's files from the tarball too (a second
// extraction, EnsureInto) instead of cloning pkg/'s files into the project
// once they are written. On Linux a FICLONE of a file written moments ago
// first writes its data back to disk (XFS waits for it: a clone took 74
// against 26 µs of a file already on disk), so cloning costs more than
// writing again: the small profile's cold install (100 packages × 200
// files) took 2.0–2.3 s cloning against 1.0–1.2 s writing twice on XFS,
// 2.0 s against 2.1 s on Btrfs. The project's copy then shares no blocks
// with the cache; warm installs into other projects still clone. macOS
// clones a whole tree in one clonefile call; not measured, unchanged.
func writesColdCopies(goos string) bool { return goos == "linux" }
