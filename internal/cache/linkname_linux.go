package cache

import (
	"errors"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls of linkDir, one per file each, with a name the caller
// keeps NUL-terminated in a buffer of its own: x/sys/unix's wrappers copy
// every name into a fresh allocation first, 60 000 of them for the small
// profile's 20 000 files.

// noStatx is set once statx(2) is found missing: Linux before 4.11, or a
// seccomp filter older than the call that refuses it with EPERM.
var noStatx atomic.Bool

// statName is fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW) for what
// sealedChange looks at; name ends in a NUL.
func statName(dirfd int, name []byte) (regular bool, size int64, mtime time.Time, err error) {
	if !noStatx.Load() {
		var st unix.Statx_t
		for {
			_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])),
				unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC, unix.STATX_TYPE|unix.STATX_SIZE|unix.STATX_MTIME,
				uintptr(unsafe.Pointer(&st)), 0)
			switch e {
			case 0:
				return st.Mode&unix.S_IFMT == unix.S_IFREG, int64(st.Size), time.Unix(st.Mtime.Sec, int64(st.Mtime.Nsec)), nil
			case unix.EINTR:
				continue
			case unix.ENOSYS, unix.EPERM:
				noStatx.Store(true)
			default:
				return false, 0, time.Time{}, e
			}
			break
		}
	}
	return fstatName(dirfd, name)
}

// linkName is linkat(olddirfd, name, newdirfd, name, 0) as a
// *os.LinkError; name ends in a NUL.
func linkName(olddirfd, newdirfd int, name []byte) error {
	for {
		p := uintptr(unsafe.Pointer(&name[0]))
		_, _, e := unix.Syscall6(unix.SYS_LINKAT, uintptr(olddirfd), p, uintptr(newdirfd), p, 0, 0)
		switch {
		case e == 0:
			return nil
		case errors.Is(e, unix.EINTR):
			continue
		}
		base := string(name[:len(name)-1])
		return &os.LinkError{Op: "link", Old: base, New: base, Err: e}
	}
}
