package registry

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/upmconfig"
)

// authTransport attaches to each request the credential UPM-SPEC §2 gives it,
// and traces the exchange. It is the only place an Authorization header is set.
type authTransport struct {
	base  http.RoundTripper
	auths []upmconfig.Auth
	trace io.Writer
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	reg, _ := req.Context().Value(registryKey{}).(string)
	cred, ok := t.credential(reg, req)
	if ok && isDowngrade(req) {
		return nil, errInsecureRedirect
	}
	out := req.Clone(req.Context())
	out.Header.Del("Authorization")
	if ok {
		out.Header.Set("Authorization", cred.Header())
	}
	// The last hop of a redirect chain decides what the answer was given to.
	at := attemptOf(req.Context())
	if at != nil {
		at.cred, at.carried, at.url = cred, ok, req.URL.String()
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	if t.trace != nil {
		t.traceLine(out, resp, err, cred, ok, time.Since(start), at)
	}
	return resp, err
}

// credential decides the credential of one request. A redirect hop that
// changes host never carries one (rule 4: npm's semantics, stricter than Go's
// default, which keeps it for subdomains).
func (t *authTransport) credential(reg string, req *http.Request) (upmconfig.Auth, bool) {
	if reg == "" {
		return upmconfig.Auth{}, false
	}
	if first := firstRequest(req); first != req && !strings.EqualFold(first.URL.Host, req.URL.Host) {
		return upmconfig.Auth{}, false
	}
	a, ok := upmconfig.CredentialFor(t.auths, reg, req.URL.String())
	if !ok || a.Header() == "" {
		return upmconfig.Auth{}, false
	}
	return a, true
}

// firstRequest walks a redirect chain back to the request the caller made.
func firstRequest(req *http.Request) *http.Request {
	for req.Response != nil && req.Response.Request != nil {
		req = req.Response.Request
	}
	return req
}

// isDowngrade reports whether req is a redirect hop from https to http.
func isDowngrade(req *http.Request) bool {
	return req.Response != nil && req.Response.Request != nil &&
		req.Response.Request.URL.Scheme == "https" && req.URL.Scheme == "http"
}

func (t *authTransport) traceLine(req *http.Request, resp *http.Response, err error, cred upmconfig.Auth, ok bool, d time.Duration, at *attempt) {
	auth := "no credential"
	if ok {
		kind := "Bearer"
		if cred.Kind() == "basic" {
			kind = "Basic"
		}
		auth = fmt.Sprintf("%s %s (npmAuth.%q, %s)", kind, upmconfig.Mask(cred.Secret()), cred.Registry, cred.File)
	}
	status := "error: " + fmt.Sprint(err)
	if err == nil {
		status = resp.Status
	}
	retry := ""
	if at != nil && at.n > 1 {
		retry = fmt.Sprintf(" retry %d/%d (%s)", at.n-1, at.max-1, at.retry)
	}
	fmt.Fprintf(t.trace, "http: %s %s → %s (%s) [%s]%s\n", req.Method, Redact(req.URL.String()), status, d.Round(time.Millisecond), auth, retry)
}
