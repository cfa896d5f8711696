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

// linkName is not used where folders are not opened as descriptors.
func linkName(olddirfd, newdirfd int, name []byte) error {
	base := string(name[:len(name)-1])
	return &os.LinkError{Op: "link", Old: base, New: base, Err: syscall.ENOTSUP}
}

// linkTree is not used where folders are not opened as descriptors.
func (s *Store) linkTree(ctx context.Context, e *Entry, src, dst string) error {
	return errors.New("linking by folder descriptors is not available on this system")
}
