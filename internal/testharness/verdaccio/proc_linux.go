//go:build linux

package verdaccio

import "syscall"

// setParentDeathSignal makes the kernel kill Verdaccio if the process that
// started it dies without calling Stop (a test binary killed by a timeout), so
// no registry is left running.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
