// Package registry is the only code that speaks HTTP: the npm registry protocol
// as the Unity Package Manager uses it (UPM-SPEC §9), with the credential of
// every request chosen by UPM-SPEC §2.
package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/upkg/upkg/internal/regurl"
)

// Client talks to npm-protocol registries. The zero value works with no
// credentials; set Credentials to choose them. Set the fields
// before the first request: the HTTP client is built once from them. A Client
// is safe for concurrent use.
type Client struct {
	// Base is the transport under the auth layer. nil means a clone of
	// http.DefaultTransport configured from MaxConns, Proxy and RootCAs; a
	// non-nil Base is used as it is (the caller configured it).
	Base http.RoundTripper
	// Credentials chooses the credential of each request (nil: none). It
	// is the only source of Authorization headers besides login's own.
	Credentials CredentialFunc
	// UserAgent is sent with every request.
	UserAgent string
	// Trace, when set, receives one line per HTTP exchange (credentials
	// redacted), retries marked. Lines are written whole, one at a time.
	Trace io.Writer

	// CacheDir, when set, keeps every packument fetched with its ETag and
	// Last-Modified, revalidates them with If-None-Match/If-Modified-Since,
	// and serves them when Offline.
	CacheDir string
	// Offline forbids the network: packuments come from CacheDir only, and
	// tarballs are refused (the cache package serves those).
	Offline bool
	// Retry is the retry policy; its zero value is the default policy.
	Retry RetryPolicy
	// MaxConns bounds the connections per host, and the idle ones kept for
	// reuse (default 16).
	MaxConns int
	// Proxy chooses the proxy of each request; nil means ProxyEnv's choice
	// (see ProxyFromEnv: HTTP(S)_PROXY, ALL_PROXY, UNITY_PROXYSERVER, their
	// NO_PROXY counterparts, lower-case forms too).
	Proxy func(*http.Request) (*url.URL, error)
	// RootCAs are the trusted certificate authorities; nil means the system's
	// plus ExtraRoots.
	RootCAs *x509.CertPool
	// ExtraRoots are trusted besides the system's store when RootCAs is nil
	// (caFile, NODE_EXTRA_CA_CERTS: see ReadRoots). They and the system's
	// store are then loaded at the first request that speaks TLS, not before.
	ExtraRoots *Roots
	// ProxyEnv, when set, is the proxy configuration (see ProxyFromEnv): it
	// chooses the proxy when Proxy is nil, and names the variable in the
	// explanation of a 407. nil means no proxy: the CLI passes the
	// environment's (ProxyFromEnv); nothing here reads the process's own.
	ProxyEnv *ProxyEnv
	// GlobalConfig is the path of the global upmconfig.toml and CAFiles the
	// extra CA files behind RootCAs; both only name things in the
	// explanation of an untrusted certificate (*TLSError).
	GlobalConfig string
	CAFiles      []string

	once sync.Once
	hc   *http.Client
}

// DefaultMaxConns is the default of Client.MaxConns.
const DefaultMaxConns = 16

func (c *Client) http() *http.Client {
	c.once.Do(func() {
		base := c.Base
		if base == nil {
			t := c.transport()
			base = t
			if c.RootCAs == nil && c.ExtraRoots.Len() > 0 {
				base = &lazyRoots{plain: t, extra: c.ExtraRoots}
			}
		}
		base = &explainTransport{base: base, env: c.proxyEnv(), globalConfig: c.GlobalConfig, caFiles: c.CAFiles}
		var trace io.Writer
		if c.Trace != nil {
			trace = &lockedWriter{w: c.Trace}
		}
		// No overall Timeout: a large tarball may take long. The retry loop
		// bounds the wait for headers and the body reader the stalls.
		c.hc = &http.Client{
			Transport: &authTransport{base: base, creds: c.credential, trace: trace},
		}
	})
	return c.hc
}

// transport builds the default base transport from the Client's fields.
func (c *Client) transport() *http.Transport {
	// The clone keeps ForceAttemptHTTP2: a registry that offers HTTP/2
	// over TLS gets every request as a stream of one connection, custom
	// roots or not (TestHTTP2WhereOffered).
	t := http.DefaultTransport.(*http.Transport).Clone()
	n := c.MaxConns
	if n <= 0 {
		n = DefaultMaxConns
	}
	t.MaxConnsPerHost = n
	t.MaxIdleConnsPerHost = n
	t.MaxIdleConns = max(t.MaxIdleConns, 4*n)
	t.Proxy = c.Proxy
	if t.Proxy == nil {
		t.Proxy = c.proxyEnv().Func() // the configuration 407 explanations name
	}
	if c.RootCAs != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return t
}

// proxyEnv is the proxy configuration the client's explanations refer to.
func (c *Client) proxyEnv() ProxyEnv {
	if c.ProxyEnv != nil {
		return *c.ProxyEnv
	}
	return ProxyFromEnv(func(string) string { return "" })
}

// lockedWriter serialises the trace lines of concurrent requests.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// endpoint joins a registry URL and a path below it.
func endpoint(reg, path string) string {
	return strings.TrimRight(reg, "/") + "/" + strings.TrimLeft(path, "/")
}

// getJSON GETs url on behalf of registry reg and decodes a 200 answer into v.
func (c *Client) getJSON(ctx context.Context, reg, u string, v any) error {
	if c.Offline {
		return &OfflineError{Registry: reg, URL: regurl.Redact(u)}
	}
	resp, at, err := c.get(ctx, reg, u, "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c.statusError(reg, u, resp, at)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSON)).Decode(v); err != nil {
		return fmt.Errorf("decode answer of %s: %w", regurl.Redact(u), err)
	}
	return nil
}

// maxJSON bounds the JSON documents read from a registry: the packuments of
// the largest npm packages are tens of megabytes.
const maxJSON = 256 << 20

// get sends a GET for u on behalf of reg with the retry policy.
func (c *Client) get(ctx context.Context, reg, u, accept string, header http.Header) (*http.Response, *attempt, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("build request for %s: %w", regurl.Redact(u), err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	return c.do(ctx, reg, req)
}

// statusError turns an unexpected answer into a typed error. at tells which
// credential the request carried.
func (c *Client) statusError(reg, u string, resp *http.Response, at *attempt) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if at != nil && at.url != "" {
		u = at.url // where a redirect led
	}
	u = regurl.Redact(u)
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		e := &AuthError{Registry: reg, URL: u, Status: resp.StatusCode}
		if at != nil {
			e.Carried = at.cred
		}
		return e
	case http.StatusNotFound:
		return &NotFoundError{Registry: reg, URL: u}
	}
	return &StatusError{URL: u, Status: resp.StatusCode, Body: trimBody(body)}
}

func classifyTransportError(reg, u string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && errors.Is(ue.Err, errInsecureRedirect) {
		// A network failure (exit 5): the answer cannot be had safely.
		return &NetworkError{Registry: reg, URL: regurl.Redact(u), Err: ue.Err}
	}
	return &NetworkError{Registry: reg, URL: regurl.Redact(u), Err: err}
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
		cred, err := c.credential(ctx, reg, reg)
		if err != nil {
			return "", err
		}
		e.Carried = cred
		return "", e
	}
	return body.Username, nil
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
