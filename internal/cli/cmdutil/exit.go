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
// http(s) URL without user info, query or fragment (npmAuth keys and
// scopedRegistries hold none: a credential goes in .upmconfig.toml, and a
// query would be stored and then dropped when URLs are compared), or a usage
// error (exit 2). A host without a scheme gets a hint with the URL it
// probably meant. The message never repeats user info or a query, which may
// hold a secret. Every command taking --registry uses it.
func CheckRegistryURL(reg string) error {
	if reg == "" {
		return UsageErrorf("--registry: no URL given")
	}
	if strings.Contains(reg, "@") {
		if u, err := url.Parse(reg); err != nil || u.User != nil || !strings.Contains(reg, "://") {
			return &ExitError{Code: ExitUsage,
				Err:  errors.New("--registry: a registry URL holds no user name or password"),
				Hint: "store the credential in .upmconfig.toml instead: upkg login, or upkg auth set --token-stdin"}
		}
	}
	if !strings.Contains(reg, "://") {
		err := &ExitError{Code: ExitUsage, Err: fmt.Errorf("--registry %q is not a URL: it has no scheme (http:// or https://)", reg)}
		if guess := schemeFor(reg) + reg; validURL(guess) {
			err.Hint = fmt.Sprintf("did you mean --registry %s?", guess)
		}
		return err
	}
	if _, err := regurl.NormalizeURL(reg); err != nil {
		return UsageErrorf("--registry: %v", err)
	}
	u, err := url.Parse(reg)
	if err != nil { // NormalizeURL parsed it
		return UsageErrorf("--registry: %v", err)
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
		Err:  fmt.Errorf("--registry %s%s: a registry URL has no %s", u.String(), mark, extra),
		Hint: fmt.Sprintf("did you mean --registry %s?", u.String())}
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
