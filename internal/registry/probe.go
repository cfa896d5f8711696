package registry

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"

	"github.com/upkg/upkg/internal/regurl"
)

// ProbeResult is the answer to one diagnostic request (upkg doctor).
type ProbeResult struct {
	// Status is the HTTP status of the answer.
	Status int
	// TLS is the connection's TLS state; nil over plain http.
	TLS *tls.ConnectionState
	// Body is the start of the answer (at most 1 MiB).
	Body []byte
	// Credential is the credential the request carried; the zero
	// Credential when it carried none.
	Credential Credential
}

// maxProbeBody bounds what a probe reads of an answer.
const maxProbeBody = 1 << 20

// Probe GETs path below registry reg with reg's credential, under the
// client's retry policy, and returns the answer whatever its status. Only a
// failure to get an answer is an error (a *NetworkError).
func (c *Client) Probe(ctx context.Context, reg, path string) (*ProbeResult, error) {
	u := endpoint(reg, path)
	resp, at, err := c.get(ctx, reg, u, "application/json", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
	if err != nil {
		return nil, fmt.Errorf("read the answer of %s: %w", regurl.Redact(u), err)
	}
	r := &ProbeResult{Status: resp.StatusCode, TLS: resp.TLS, Body: body}
	if at != nil {
		r.Credential = at.cred
	}
	return r, nil
}
