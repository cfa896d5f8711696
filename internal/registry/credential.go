package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/secret"
)

// Credential is the Authorization one request carries, and what messages may
// say about where it is kept. The zero value is no credential.
type Credential struct {
	// Header is the whole Authorization value ("Bearer …" or "Basic …").
	Header string
	// Entry names where the credential is kept (for an npmAuth entry, its
	// table key as written) and File the file it came from; both only word
	// messages.
	Entry, File string
	// AlwaysAuth is set when the credential also goes to tarballs on other
	// origins than its registry (UPM-SPEC §2 rule 3).
	AlwaysAuth bool
}

// CredentialFunc chooses the credential of a request to url made on behalf of
// the registry at reg: UPM-SPEC §2's rules over the configured entries. The
// zero Credential means none; an error fails the request. It must be safe for
// concurrent use.
type CredentialFunc func(ctx context.Context, reg, url string) (Credential, error)

// Kind is "token" (Bearer), "basic" (Basic) or "none".
func (c Credential) Kind() string {
	switch scheme, _, _ := strings.Cut(c.Header, " "); scheme {
	case "Bearer":
		return "token"
	case "Basic":
		return "basic"
	}
	return "none"
}

// Masked is the secret of the header, masked (secret.Mask).
func (c Credential) Masked() string {
	_, value, _ := strings.Cut(c.Header, " ")
	return secret.Mask(value)
}

// String describes the credential for traces and messages, secret masked:
// `Bearer ****abcd (npmAuth."https://r.example.com", /home/u/.upmconfig.toml)`.
func (c Credential) String() string {
	if c.Header == "" {
		return "no credential"
	}
	scheme, _, _ := strings.Cut(c.Header, " ")
	return fmt.Sprintf("%s %s (npmAuth.%q, %s)", scheme, c.Masked(), c.Entry, c.File)
}

// credential is the credential of a request to u for reg; none when the
// client has no CredentialFunc.
func (c *Client) credential(ctx context.Context, reg, u string) (Credential, error) {
	if c.Credentials == nil || reg == "" {
		return Credential{}, nil
	}
	cred, err := c.Credentials(ctx, reg, u)
	if err != nil {
		return Credential{}, fmt.Errorf("choose the credential for %s: %w", regurl.Redact(u), err)
	}
	return cred, nil
}
