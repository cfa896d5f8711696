//go:build !unix

package verdaccio

import (
	"os"
	"syscall"
)

// sysProcAttr returns nil: without process groups Stop kills the node process
// itself, which is all Verdaccio runs.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// terminate kills the process; there is no gentler signal here.
func terminate(p *os.Process) error { return p.Kill() }

// forceKill kills the process.
func forceKill(p *os.Process) error { return p.Kill() }
