// Package atomicfile writes files so that readers see either the old or the new
// content, never a mix: temp file in the same folder, fsync, chmod, rename.
// WriteCache skips the fsync, for files that may be lost in a crash.
//
// github.com/google/renameio does the same on Unix but is not built on Windows,
// where upkg must work too; os.Rename on Windows replaces the target
// (MoveFileEx with MOVEFILE_REPLACE_EXISTING), which is all this needs.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile atomically replaces path with data and leaves it with mode perm,
// also when the file existed with another mode. Missing parent folders are
// created with mode 0700.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, true)
}

// WriteCache is WriteFile without the fsync, for caches whose readers take
// a damaged or empty file for a missing one (it is fetched again): after a
// crash the file may be the old one, the new one or empty, never a mix.
// The fsync is what makes a write wait for the disk: a cold install writes
// a cached packument per package, each on the way to resolving.
func WriteCache(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, false)
}

func write(path string, data []byte, perm os.FileMode, sync bool) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temp file in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", tmp, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	// Some file systems ignore the mode given at creation; make sure.
	if err := os.Chmod(path, perm); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	return nil
}
