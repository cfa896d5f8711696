package cmdutil

import (
	"fmt"

	"github.com/upkg/upkg/internal/registry"
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
