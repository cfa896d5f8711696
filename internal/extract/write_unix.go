//go:build linux || darwin

package extract

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// writeFile creates name (which must not exist) with data using raw
// open/write/close: an *os.File registers with the runtime poller and
// costs extra system calls, which add up over thousands of small files.
// O_EXCL also refuses to follow a symbolic link planted at name.
func writeFile(name string, data []byte, perm uint32) error {
	var fd int
	var err error
	for {
		fd, err = unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW, perm)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return &os.PathError{Op: "write", Path: name, Err: err}
		}
		data = data[n:]
	}
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: name, Err: err}
	}
	return nil
}
