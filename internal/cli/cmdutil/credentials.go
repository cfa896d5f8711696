package cmdutil

import (
	"context"

	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// Credentials wires the npmAuth entries of .upmconfig.toml into the registry
// client: each request gets the entry UPM-SPEC §2 gives it
// (upmconfig.CredentialFor), described by CredentialOf.
func Credentials(auths []upmconfig.Auth) registry.CredentialFunc {
	return func(_ context.Context, reg, u string) (registry.Credential, error) {
		a, ok := upmconfig.CredentialFor(auths, reg, u)
		if !ok {
			return registry.Credential{}, nil
		}
		return CredentialOf(a), nil
	}
}

// CredentialOf is the credential an npmAuth entry sends (the zero Credential
// for an entry with neither token nor _auth).
func CredentialOf(a upmconfig.Auth) registry.Credential {
	h := a.Header()
	if h == "" {
		return registry.Credential{}
	}
	return registry.Credential{Header: h, Entry: a.Registry, File: a.File, AlwaysAuth: a.AlwaysAuth}
}
