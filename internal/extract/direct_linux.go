package extract

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// Large files skip the page cache on Linux (O_DIRECT). A file written
// through the page cache costs a fresh page per 4 kB, and on virtual
// machines that hand free memory back to their host (free page reporting,
// as on Firecracker) each fresh page is a fault into the host: 118 MB of
// native plugins took 0.37–0.47 s of wall time (0.55–0.85 s of kernel time)
// buffered and 44–53 ms direct on the 2-core benchmark machine, where
// writing the same files into a page cache that had just freed pages took
// 25–33 ms. Large files are written once and not read back by the install,
// so keeping them out of the page cache loses nothing there, and where
// writes are fast anyway (bare metal, NVMe) the disk's bandwidth is spent
// either way, now or at writeback. The tail that is not a whole block goes
// through the page cache, as does everything on file systems that refuse
// O_DIRECT (the flag is cleared and the write retried).
const (
	// directMin is the smallest file written with O_DIRECT: each direct
	// write waits for the device, worth it only where it moves a lot.
	// Every streamed file (over bufferMax): with 1 MB instead, the unity
	// profile's warm install took 500–720 ms against 480–550 ms.
	directMin = bufferMax
)

// openDirect opens a new file for direct writes; tests replace it.
var openDirect = func(name string, perm uint32) (int, error) {
	return unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_DIRECT, perm)
}

// streamDirect writes a large file as streamFile does, through buf (whose
// address and length are multiples of directAlign), with O_DIRECT for its
// whole blocks. done is false, and nothing is created, where name's file
// system refuses O_DIRECT: streamFile then writes it buffered.
func streamDirect(name, rel string, body io.Reader, size int64, perm fs.FileMode, buf []byte) (done bool, err error) {
	if size < directMin {
		return false, nil
	}
	var fd int
	for {
		fd, err = openDirect(name, uint32(perm.Perm()))
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EINVAL) {
		return false, nil
	}
	if err != nil {
		return true, &os.PathError{Op: "open", Path: name, Err: err}
	}
	direct := true
	err = copyChunks(body, size, rel, buf, func(chunk []byte) error {
		if direct && len(chunk)%directAlign != 0 {
			// The tail: through the page cache, which takes any length.
			direct = false
			if err := buffered(fd, name); err != nil {
				return err
			}
		}
		return writeAll(fd, name, chunk, &direct)
	})
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = &os.PathError{Op: "close", Path: name, Err: cerr}
	}
	return true, err
}

// buffered clears O_DIRECT on fd.
func buffered(fd int, name string) error {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags&^unix.O_DIRECT)
	}
	if err != nil {
		return &os.PathError{Op: "fcntl", Path: name, Err: err}
	}
	return nil
}
