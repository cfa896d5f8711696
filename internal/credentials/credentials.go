// Package credentials wires the npmAuth entries of .upmconfig.toml into the
// registry client: the registry never opens config files, it asks a
// registry.CredentialFunc, and this is the one that answers from the entries.
package credentials

import (
	"context"

	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// FromEntries is the CredentialFunc of auths: each request gets the entry
// UPM-SPEC §2 gives it (upmconfig.CredentialFor), described by Of.
func FromEntries(auths []upmconfig.Auth) registry.CredentialFunc {
	return func(_ context.Context, reg, u string) (registry.Credential, error) {
		a, ok := upmconfig.CredentialFor(auths, reg, u)
		if !ok {
			return registry.Credential{}, nil
		}
		return Of(a), nil
	}
}

// Of is the credential an npmAuth entry sends (the zero Credential for an
// entry with neither token nor _auth).
func Of(a upmconfig.Auth) registry.Credential {
	h := a.Header()
	if h == "" {
		return registry.Credential{}
	}
	return registry.Credential{Header: h, Entry: a.Registry, File: a.File, AlwaysAuth: a.AlwaysAuth}
}
