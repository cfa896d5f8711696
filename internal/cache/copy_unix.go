//go:build linux || darwin

package cache

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Raw system calls: *os.File registers every descriptor with the runtime
// poller, extra system calls that add up over thousands of small files.

func openFD(name string, flags int, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(name, flags|unix.O_CLOEXEC|unix.O_NOFOLLOW, perm)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}

// openPair opens src for reading and creates dst, which must not exist.
func openPair(src, dst string, perm uint32) (sfd, dfd int, err error) {
	sfd, err = openFD(src, unix.O_RDONLY, 0)
	if err != nil {
		return -1, -1, err
	}
	dfd, err = openFD(dst, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, perm)
	if err != nil {
		unix.Close(sfd)
		return -1, -1, err
	}
	return sfd, dfd, nil
}

// copyFD copies the contents of sfd (the cache file src, expected to be
// size bytes long) to dfd.
func copyFD(sfd, dfd int, src, dst string, size int64) error {
	bufSize := size + 1 // one more, to notice a file that grew
	if bufSize > smallFile {
		bufSize = smallFile
	}
	buf := make([]byte, bufSize)
	var total int64
	for {
		n, err := unix.Read(sfd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "read", Path: src, Err: err}
		}
		if n == 0 {
			break
		}
		total += int64(n)
		if total > size {
			break
		}
		for p := buf[:n]; len(p) > 0; {
			m, err := unix.Write(dfd, p)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				return &os.PathError{Op: "write", Path: dst, Err: err}
			}
			p = p[m:]
		}
	}
	if total != size {
		return sizeError(src, total, size)
	}
	return nil
}

func closePair(sfd, dfd int, dst string) error {
	unix.Close(sfd)
	if err := unix.Close(dfd); err != nil {
		return &os.PathError{Op: "close", Path: dst, Err: err}
	}
	return nil
}
