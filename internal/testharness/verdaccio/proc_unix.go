//go:build unix

package verdaccio

import (
	"os"
	"syscall"
)

// sysProcAttr puts Verdaccio in its own process group, so that Stop can signal
// it and anything it spawned without touching the test process.
func sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	return attr
}

// terminate asks the process group to exit.
func terminate(p *os.Process) error {
	return syscall.Kill(-p.Pid, syscall.SIGTERM)
}

// forceKill kills the process group.
func forceKill(p *os.Process) error {
	return syscall.Kill(-p.Pid, syscall.SIGKILL)
}
