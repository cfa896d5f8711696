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
		return fmt.Sprintf("log in: upkg login --registry %s (or store a token you have: upkg auth set --registry %s --token-stdin)", e.Registry, e.Registry)
	}
	return fmt.Sprintf("the registry refused that credential; log in again: upkg login --registry %s (or store a new token: upkg auth set --registry %s --token-stdin)", e.Carried.Entry, e.Carried.Entry)
}

// TLSHint is the fix of a refused certificate: the TLS error's own, with the
// command that stores caFile for a certificate no one trusts.
func TLSHint(e *registry.TLSError) string {
	if e.Reason != registry.TLSUnknownAuthority {
		return e.Fix()
	}
	return e.Fix() + " (upkg config set --global caFile /path/to/ca.pem)"
}
