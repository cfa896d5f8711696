//go:build !unix

package e2e

// echoing: the pseudo-terminal tests run on Unix only (creack/pty).
func (p *ptySession) echoing() bool { return true }
