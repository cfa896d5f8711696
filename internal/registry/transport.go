package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/secret"
)

// authTransport attaches to each request the credential UPM-SPEC §2 gives it,
// and traces the exchange. It is the only place an Authorization header is set.
type authTransport struct {
	base  http.RoundTripper
	creds func(ctx context.Context, reg, url string) (Credential, error)
	trace io.Writer
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if clean := regurl.CleanPath(req.URL.Path); clean != req.URL.Path {
		// Dot segments are resolved before the credential is chosen and
		// before the request is sent, so both see the path the server will.
		req = req.Clone(req.Context())
		req.URL.Path, req.URL.RawPath = clean, ""
	}
	at := attemptOf(req.Context())
	explicit, isExplicit := req.Context().Value(explicitAuthKey{}).(explicitAuth)
	var (
		cred   Credential
		header string
	)
	switch {
	case isExplicit && !hostChanged(req):
		// A login request carries exactly what the login code chose (or
		// nothing), never a stored entry; rule 4 still drops it when a
		// redirect changes host.
		header = explicit.header
	case !isExplicit && at != nil && !hostChanged(req):
		// A redirect hop that changes host never carries a credential
		// (rule 4: npm's semantics, stricter than Go's default, which keeps
		// it for subdomains).
		c, err := t.creds(req.Context(), at.reg, req.URL.String())
		if err != nil {
			return nil, err
		}
		cred, header = c, c.Header
	}
	if isDowngrade(req) {
		return nil, &DowngradeError{From: regurl.Redact(req.Response.Request.URL.String()), To: regurl.Redact(req.URL.String())}
	}
	out := req.Clone(req.Context())
	out.Header.Del("Authorization")
	if header != "" {
		out.Header.Set("Authorization", header)
	}
	// The last hop of a redirect chain decides what the answer was given to.
	if at != nil {
		at.cred, at.url = cred, req.URL.String()
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	if t.trace != nil {
		auth := cred.String()
		if isExplicit {
			auth = explicit.traceAuth(header != "")
		}
		t.traceLine(out, resp, err, auth, time.Since(start), at, explicit.hide)
	}
	return resp, err
}

// explicitAuthKey marks a request whose Authorization the caller chose.
type explicitAuthKey struct{}

// explicitAuth is the Authorization of a login request: the Basic pair of the
// couch 409 flow, the token being revoked, or nothing at all (a login must
// not be refused because of a stale stored credential).
type explicitAuth struct {
	// header is the whole Authorization value; "" sends none.
	header string
	// hide lists secrets that appear in the request URL (the token of a
	// revocation), masked in traces.
	hide []string
}

// withExplicitAuth makes the requests of ctx carry header as their only
// Authorization ("" for none), bypassing the npmAuth lookup.
func withExplicitAuth(ctx context.Context, header string, hide ...string) context.Context {
	return context.WithValue(ctx, explicitAuthKey{}, explicitAuth{header: header, hide: hide})
}

func (e explicitAuth) traceAuth(sent bool) string {
	if !sent {
		return "no credential (login)"
	}
	kind, value, _ := strings.Cut(e.header, " ")
	return fmt.Sprintf("%s %s (login)", kind, secret.Mask(value))
}

// hostChanged reports whether req is a redirect hop to another host.
func hostChanged(req *http.Request) bool {
	first := firstRequest(req)
	return first != req && !strings.EqualFold(first.URL.Host, req.URL.Host)
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

func (t *authTransport) traceLine(req *http.Request, resp *http.Response, err error, auth string, d time.Duration, at *attempt, hide []string) {
	status := "error: " + fmt.Sprint(err)
	if err == nil {
		status = resp.Status
	}
	retry := ""
	if at != nil && at.n > 1 {
		retry = fmt.Sprintf(" retry %d/%d (%s)", at.n-1, at.max-1, at.retry)
	}
	line := fmt.Sprintf("http: %s %s → %s (%s) [%s]%s\n", req.Method, regurl.Redact(req.URL.String()), status, d.Round(time.Millisecond), auth, retry)
	fmt.Fprint(t.trace, scrub(line, hide...))
}
