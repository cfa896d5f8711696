// Package registry is the only code that speaks HTTP: the npm registry protocol
// as the Unity Package Manager uses it (UPM-SPEC §9), with the credential of
// every request chosen by UPM-SPEC §2.
package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/upkg/upkg/internal/upmconfig"
)

// Client talks to npm-protocol registries. The zero value works with no
// credentials; set Auths to the effective npmAuth entries.
type Client struct {
	// Base is the transport under the auth layer; nil means a clone of
	// http.DefaultTransport.
	Base http.RoundTripper
	// Auths are the npmAuth entries credentials are chosen from.
	Auths []upmconfig.Auth
	// UserAgent is sent with every request.
	UserAgent string
	// Trace, when set, receives one line per HTTP exchange (credentials
	// redacted).
	Trace io.Writer

	once sync.Once
	hc   *http.Client
}

func (c *Client) http() *http.Client {
	c.once.Do(func() {
		base := c.Base
		if base == nil {
			base = http.DefaultTransport.(*http.Transport).Clone()
		}
		c.hc = &http.Client{
			Transport: &authTransport{base: base, auths: c.Auths, trace: c.Trace},
			Timeout:   2 * time.Minute,
		}
	})
	return c.hc
}

type registryKey struct{}

// withRegistry marks the requests made with ctx as made on behalf of the
// registry at reg, which decides their credential.
func withRegistry(ctx context.Context, reg string) context.Context {
	return context.WithValue(ctx, registryKey{}, reg)
}

// endpoint joins a registry URL and a path below it.
func endpoint(reg, path string) string {
	return strings.TrimRight(reg, "/") + "/" + strings.TrimLeft(path, "/")
}

// getJSON GETs url on behalf of registry reg and decodes a 200 answer into v.
func (c *Client) getJSON(ctx context.Context, reg, u string, v any) error {
	req, err := http.NewRequestWithContext(withRegistry(ctx, reg), http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("build request for %s: %w", Redact(u), err)
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return classifyTransportError(reg, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c.statusError(reg, req, resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(v); err != nil {
		return fmt.Errorf("decode answer of %s: %w", Redact(u), err)
	}
	return nil
}

// statusError turns a non-200 answer into a typed error.
func (c *Client) statusError(reg string, req *http.Request, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	cred, hasCred := upmconfig.CredentialFor(c.Auths, reg, req.URL.String())
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		e := &AuthError{Registry: reg, URL: Redact(req.URL.String()), Status: resp.StatusCode}
		if hasCred {
			e.Entry = &cred
		}
		return e
	case http.StatusNotFound:
		return &NotFoundError{Registry: reg, URL: Redact(req.URL.String())}
	}
	return &StatusError{URL: Redact(req.URL.String()), Status: resp.StatusCode, Body: trimBody(body)}
}

func classifyTransportError(reg, u string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && errors.Is(ue.Err, errInsecureRedirect) {
		return fmt.Errorf("%s: %w", Redact(u), errInsecureRedirect)
	}
	return &NetworkError{Registry: reg, URL: Redact(u), Err: err}
}

// Whoami asks the registry which user the credential of reg belongs to
// (GET <registry>/-/whoami). A 200 answer with no user name (Verdaccio's {})
// means anonymous and is an *AuthError, as are 401 and 403.
func (c *Client) Whoami(ctx context.Context, reg string) (string, error) {
	var body struct {
		Username string `json:"username"`
	}
	u := endpoint(reg, "-/whoami")
	if err := c.getJSON(ctx, reg, u, &body); err != nil {
		return "", err
	}
	if body.Username == "" {
		e := &AuthError{Registry: reg, URL: u, Status: http.StatusOK, Anonymous: true}
		if cred, ok := upmconfig.MatchRegistry(c.Auths, reg); ok {
			e.Entry = &cred
		}
		return "", e
	}
	return body.Username, nil
}

// Redact removes a password from a URL's user info.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}

func trimBody(b []byte) string {
	s := strings.TrimSpace(string(b))
	s = strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
