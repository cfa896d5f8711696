package cache

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// statName is fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW) for what
// sealedChange looks at; name ends in a NUL.
func statName(dirfd int, name []byte) (regular bool, size int64, mtime time.Time, err error) {
	return fstatName(dirfd, name)
}

// linkName is linkat(olddirfd, name, newdirfd, name, 0) as a
// *os.LinkError; name ends in a NUL.
func linkName(olddirfd, newdirfd int, name []byte) error {
	base := string(name[:len(name)-1])
	for {
		err := unix.Linkat(olddirfd, base, newdirfd, base, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return &os.LinkError{Op: "link", Old: base, New: base, Err: err}
		}
		return nil
	}
}
