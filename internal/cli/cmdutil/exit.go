// Package cmdutil holds what every command shares: the exit-code table, the
// global flags, and the Factory that hands commands their streams and config.
package cmdutil

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

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
// http(s) URL without user info, query or fragment (npmAuth keys and
// scopedRegistries hold none: a credential goes in .upmconfig.toml, and a
// query would be stored and then dropped when URLs are compared), or a usage
// error (exit 2). A host without a scheme gets a hint with the URL it
// probably meant. The message never repeats user info or a query, which may
// hold a secret. Every command taking --registry uses it.
func CheckRegistryURL(reg string) error { return CheckURLFlag("--registry", reg) }

// CheckURLFlag is CheckRegistryURL for the registry URL of the flag named
// flag (--registry, --default-registry).
func CheckURLFlag(flag, reg string) error {
	if reg == "" {
		return UsageErrorf("%s: no URL given", flag)
	}
	if strings.Contains(reg, "@") {
		if u, err := url.Parse(reg); err != nil || u.User != nil || !strings.Contains(reg, "://") {
			return &ExitError{Code: ExitUsage,
				Err:  fmt.Errorf("%s: a registry URL holds no user name or password", flag),
				Hint: "store the credential in .upmconfig.toml instead: upkg login, or upkg auth set --token-stdin"}
		}
	}
	if !strings.Contains(reg, "://") {
		err := &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s %q is not a URL: it has no scheme (http:// or https://)", flag, reg)}
		if guess := schemeFor(reg) + reg; validURL(guess) {
			err.Hint = fmt.Sprintf("did you mean %s %s?", flag, guess)
		}
		return err
	}
	if _, err := regurl.NormalizeURL(reg); err != nil {
		return UsageErrorf("%s: %v", flag, err)
	}
	u, err := url.Parse(reg)
	if err != nil { // NormalizeURL parsed it
		return UsageErrorf("%s: %v", flag, err)
	}
	var extra, mark string
	switch {
	case u.RawQuery != "" || u.ForceQuery:
		extra, mark = "query string", "?…"
	case u.Fragment != "" || strings.Contains(reg, "#"):
		extra, mark = "fragment", "#…"
	default:
		return nil
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return &ExitError{Code: ExitUsage,
		Err:  fmt.Errorf("%s %s%s: a registry URL has no %s", flag, u.String(), mark, extra),
		Hint: fmt.Sprintf("did you mean %s %s?", flag, u.String())}
}

// schemeFor is the scheme a URL written without one most likely has: http
// for this machine (a local Verdaccio), https elsewhere.
func schemeFor(hostPath string) string {
	u, err := url.Parse("https://" + hostPath)
	if err == nil && regurl.IsLoopback(u.Hostname()) {
		return "http://"
	}
	return "https://"
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if _, err := regurl.NormalizeURL(s); err != nil {
		return false
	}
	return strings.Contains(u.Hostname(), ".") || regurl.IsLoopback(u.Hostname())
}
