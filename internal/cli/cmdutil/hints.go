package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// The hints that name upkg's own commands live here, in one place: the
// packages below cli report facts (which credential, which file, which
// setting) and the CLI words the fix.

// AuthHint is the fix of a refused or missing credential.
func AuthHint(e *registry.AuthError) string {
	switch {
	case e.CrossOrigin:
		return fmt.Sprintf("the tarballs are on another server: set alwaysAuth = true for that registry: upkg auth set --registry %s --always-auth", e.Withheld.Entry)
	case e.Carried.Header == "":
		return fmt.Sprintf("log in: upkg login --registry %s (or store a token you have: %s)", e.Registry, storeToken(e.Registry))
	}
	in := ""
	if e.Carried.File != "" {
		in = " in " + e.Carried.File
	}
	return fmt.Sprintf("the registry refused the %s of npmAuth.%q%s: log in again: upkg login --registry %s (or store a new one: %s)",
		e.Carried.Kind(), e.Carried.Entry, in, e.Carried.Entry, storeToken(e.Carried.Entry))
}

func storeToken(reg string) string {
	return fmt.Sprintf("upkg auth set --registry %s --token-stdin", reg)
}

// Fixes are the fixes of doctor's findings that name upkg's commands
// (diagnose.Fixes).
type Fixes struct{}

// Auth is AuthHint.
func (Fixes) Auth(e *registry.AuthError) string { return AuthHint(e) }

// TLS is TLSHint.
func (Fixes) TLS(e *registry.TLSError) string { return TLSHint(e) }

// StoreToken is the command that stores a token for reg.
func (Fixes) StoreToken(reg string) string { return storeToken(reg) }

// TLSHint is the fix of a refused certificate: the TLS error's own, with the
// command that stores caFile for a certificate no one trusts.
func TLSHint(e *registry.TLSError) string {
	if e.Reason != registry.TLSUnknownAuthority {
		return e.Fix()
	}
	return e.Fix() + " (upkg config set --global caFile /path/to/ca.pem)"
}

// secretFlags are the flags people reach for to pass a secret on the command
// line (npm's, Artifactory's and Azure DevOps' names), which upkg has none of.
var secretFlags = map[string]bool{
	"token": true, "auth-token": true, "authToken": true, "_authToken": true, "auth": true, "_auth": true,
	"password": true, "pass": true, "_password": true, "secret": true, "pat": true, "basic": true, "api-key": true,
}

// FlagErrorHint is the hint for cobra's flag error err of command c: for a
// flag that would carry a secret, the ways c takes one instead and why.
func FlagErrorHint(c *cobra.Command, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	name, _, _ = strings.Cut(name, "=")
	if !secretFlags[name] {
		return ""
	}
	var ways []string
	for _, w := range []struct{ flag, how string }{
		{"token-stdin", "--token-stdin"},
		{"token-env", "--token-env VAR"},
		{"basic-stdin", "--basic-stdin (user:password)"},
		{"password-stdin", "--password-stdin"},
	} {
		if c.Flags().Lookup(w.flag) != nil {
			ways = append(ways, w.how)
		}
	}
	why := "a command line is visible to other processes and lands in shell history"
	if len(ways) == 0 {
		return fmt.Sprintf("upkg never takes a secret as an argument (%s): store one with %s, or log in with upkg login", why, storeToken("URL"))
	}
	return fmt.Sprintf("upkg never takes a secret as an argument (%s): pass it with %s", why, orList(ways))
}

// orList joins "a", "b" and "c" as "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// NetworkHint is the fix of a registry that could not be reached: for a
// package no scope routes (install.UnscopedError), that its scope may be
// missing; then doctor, and --offline when the cache holds a copy.
func NetworkHint(e *registry.NetworkError, unscoped *install.UnscopedError) string {
	h := "check the connection to the registry: upkg doctor"
	if unscoped != nil {
		h = fmt.Sprintf("if %s lives on another registry, route it there with a scope (upkg add %s --registry URL adds one); else %s",
			unscoped.Name, unscoped.Name, h)
	}
	if e.Cached {
		h += "; or run it again with --offline: the cache holds a copy"
	}
	return h
}

// ExplainAuth adds the near misses to err when it is an AuthError for a
// request that carried no credential: the npmAuth entries of auths on the
// registry's host that do not match it (upmconfig.NearMisses, what doctor
// shows), each with why, and the fix as the hint. Other errors are returned
// as they are.
func ExplainAuth(err error, auths []upmconfig.Auth) error {
	var ae *registry.AuthError
	if !errors.As(err, &ae) || ae.Carried.Header != "" || ae.CrossOrigin {
		return err
	}
	misses := upmconfig.NearMisses(auths, ae.Registry)
	if len(misses) == 0 {
		return err
	}
	var parts []string
	for _, m := range misses {
		in := ""
		if m.Entry.File != "" {
			in = " in " + m.Entry.File
		}
		parts = append(parts, fmt.Sprintf("npmAuth.%q%s nearly matches: %s", m.Entry.Registry, in, m.Reason))
	}
	hint := fmt.Sprintf("%s; rename that table to [npmAuth.%q], or store a credential for this URL: %s",
		strings.Join(parts, "; "), ae.Registry, storeToken(ae.Registry))
	return &ExitError{Code: ExitAuth, Err: err, Hint: hint}
}
