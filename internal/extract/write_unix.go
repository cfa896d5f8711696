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
	if err := writeAll(fd, name, data, nil); err != nil {
		unix.Close(fd)
		return err
	}
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: name, Err: err}
	}
	return nil
}

// writeAll writes data to fd (the file name). Where *direct is set (fd was
// opened with O_DIRECT) and the file system refuses a direct write, it
// clears O_DIRECT, sets *direct false and writes through the page cache.
func writeAll(fd int, name string, data []byte, direct *bool) error {
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EINVAL) && direct != nil && *direct:
			if err := buffered(fd, name); err != nil {
				return err
			}
			*direct = false
			continue
		case err != nil:
			return &os.PathError{Op: "write", Path: name, Err: err}
		}
		data = data[n:]
	}
	return nil
}
