// Package cmdutil holds what every command shares: the exit-code table, the
// global flags, and the Factory that hands commands their streams and config.
package cmdutil

import (
	"errors"
	"fmt"

	"github.com/upkg/upkg/internal/regurl"
)

// Exit codes of CLI.md. Scripts depend on them; never renumber.
const (
	ExitOK        = 0
	ExitFailure   = 1
	ExitUsage     = 2
	ExitAuth      = 3
	ExitNotFound  = 4
	ExitNetwork   = 5
	ExitFrozen    = 6
	ExitIntegrity = 7
	ExitInput     = 8
	// ExitInterrupted is for Ctrl-C (128 + SIGINT, the shell's convention;
	// CLI.md is silent on it).
	ExitInterrupted = 130
)

// ExitError is an error with the exit code it ends the process with and an
// optional hint: the next thing the user should do.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// WithCode wraps err so the process exits with code, adding a hint.
func WithCode(code int, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: code, Err: err, Hint: hint}
}

// UsageErrorf is a usage error (exit 2): a bad flag or argument.
func UsageErrorf(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// AsExitError returns the ExitError inside err, if any.
func AsExitError(err error) (*ExitError, bool) {
	var e *ExitError
	ok := errors.As(err, &e)
	return e, ok
}

// CheckRegistryURL validates the value of a --registry flag: an absolute
// http(s) URL, or a usage error (exit 2) naming the flag.
func CheckRegistryURL(reg string) error {
	if _, err := regurl.NormalizeURL(reg); err != nil {
		return UsageErrorf("--registry %q: %v", reg, err)
	}
	return nil
}
