//go:build !(linux || darwin)

package cache

import (
	"context"
	"errors"
	"os"
	"syscall"
)

// canLinkByFolder: here MaterializeLinked links by paths (linkFunc).
const canLinkByFolder = false

// linkAt is not used where folders are not opened as descriptors.
func linkAt(olddirfd int, oldname string, newdirfd int, newname string) error {
	return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.ENOTSUP}
}

// linkTree is not used where folders are not opened as descriptors.
func (s *Store) linkTree(ctx context.Context, e *Entry, src, dst string) error {
	return errors.New("linking by folder descriptors is not available on this system")
}
