//go:build unix

package e2e

import "golang.org/x/sys/unix"

// echoing reports whether the terminal echoes what is typed (the mode a
// no-echo prompt must put back).
func (p *ptySession) echoing() bool {
	p.t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.f.Fd()), ioctlGetTermios)
	if err != nil {
		p.t.Fatalf("read the terminal's mode: %v", err)
	}
	return tio.Lflag&unix.ECHO != 0
}
