//go:build unix

package extract

import (
	"io/fs"
	"syscall"
)

// testUmask pins the process umask to the common 022 and returns it, so
// that mode checks do not depend on the shell that started the tests. It
// sets the same value every time, so calling it from any test is harmless.
func testUmask() fs.FileMode {
	syscall.Umask(0o022)
	return 0o022
}
