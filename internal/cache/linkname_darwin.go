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
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, string(name[:len(name)-1]), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return false, 0, time.Time{}, err
	}
	return st.Mode&unix.S_IFMT == unix.S_IFREG, st.Size, time.Unix(st.Mtim.Unix()), nil
}

// linkAt is unix.Linkat without flags, as a *os.LinkError.
func linkAt(olddirfd int, oldname string, newdirfd int, newname string) error {
	for {
		err := unix.Linkat(olddirfd, oldname, newdirfd, newname, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: err}
		}
		return nil
	}
}

// linkName is linkat(olddirfd, name, newdirfd, name, 0) as a
// *os.LinkError; name ends in a NUL.
func linkName(olddirfd, newdirfd int, name []byte) error {
	base := string(name[:len(name)-1])
	return linkAt(olddirfd, base, newdirfd, base)
}
