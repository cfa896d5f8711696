//go:build !linux

package extract

import (
	"io"
	"io/fs"
)

// streamDirect is not done here: every file goes through the page cache
// (see direct_linux.go).
func streamDirect(name, rel string, body io.Reader, size int64, perm fs.FileMode, buf []byte) (done bool, err error) {
	return false, nil
}

// buffered has nothing to clear where files are never opened direct.
func buffered(fd int, name string) error { return nil }
