// Package cmdutil holds what every command shares: the exit-code table, the
// global flags, and the Factory that hands commands their streams and config.
package cmdutil

import (
	"errors"
	"fmt"

	"github.com/upkg/upkg/internal/regurl"
)

// Exit codes of CLI.md. Scripts depend on them; never renumber. The comment
// after each is its kind: the "kind" of a --json error object (ExitKind).
const (
	ExitOK        = 0 // ok
	ExitFailure   = 1 // failure
	ExitUsage     = 2 // usage
	ExitAuth      = 3 // auth
	ExitNotFound  = 4 // not-found
	ExitNetwork   = 5 // network
	ExitFrozen    = 6 // frozen
	ExitIntegrity = 7 // integrity
	ExitInput     = 8 // input
	// ExitInterrupted is for Ctrl-C (128 + SIGINT, the shell's convention;
	// CLI.md is silent on it).
	ExitInterrupted = 130 // interrupted
)

// ExitKind names the class of an exit code, as the "kind" of a --json error
// object (docs/json/error.md): "failure" for a code it does not know.
func ExitKind(code int) string {
	switch code {
	case ExitOK:
		return "ok"
	case ExitUsage:
		return "usage"
	case ExitAuth:
		return "auth"
	case ExitNotFound:
		return "not-found"
	case ExitNetwork:
		return "network"
	case ExitFrozen:
		return "frozen"
	case ExitIntegrity:
		return "integrity"
	case ExitInput:
		return "input"
	case ExitInterrupted:
		return "interrupted"
	}
	return "failure"
}

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
