package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/secret"
)

// The login protocol (UPM-SPEC §9) as npm 11's own client speaks it
// (npm-profile's loginWeb, loginCouch and adduserCouch, npm-registry-fetch's
// OTP detection, and `npm logout`), so that every registry that works with
// `npm login` works with upkg: the same endpoints, bodies and headers.
//
// No stored credential travels with a login request: the code chooses each
// request's Authorization itself (none, the Basic pair of the 409 flow, or the
// token being revoked), so a stale entry cannot make a login fail.

// LoginRefusedError means the registry refused the user name and password (or
// the person denied the web login). Nothing was obtained.
type LoginRefusedError struct {
	Registry string
	// Status is the registry's answer (401, 403).
	Status int
	// Step names the request that was refused, e.g. "PUT /-/user/org.couchdb.user:alice".
	Step string
	// Reason is the registry's own message, trimmed, secrets removed ("" if none).
	Reason string
	// Basic is set when the refused credential was a user name and password
	// checked with /-/whoami (login --basic).
	Basic bool
}

func (e *LoginRefusedError) Error() string {
	what := "wrong user name or password"
	if e.Basic {
		what = "the registry refused that user name and password (or e-mail and token)"
	}
	s := fmt.Sprintf("%s: registry %s answered %d %s to %s", what, e.Registry, e.Status, http.StatusText(e.Status), e.Step)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// OTPRequiredError means the registry asks for a one-time password (a 401
// with "www-authenticate: otp", or a body that asks for one). Sent tells
// whether one was sent already, and refused.
type OTPRequiredError struct {
	Registry string
	Sent     bool
}

func (e *OTPRequiredError) Error() string {
	if e.Sent {
		return fmt.Sprintf("registry %s refused the one-time password", e.Registry)
	}
	return fmt.Sprintf("registry %s asks for a one-time password", e.Registry)
}

// WebLoginUnsupportedError means POST /-/v1/login did not start a web login:
// a 4xx or 5xx answer, or an answer without loginUrl and doneUrl. The caller
// falls back to couch login.
type WebLoginUnsupportedError struct {
	Registry string
	// Status is the answer's status code.
	Status int
	// Reason says what was wrong with a 2xx answer ("" for an error status).
	Reason string
}

func (e *WebLoginUnsupportedError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("registry %s does not offer web login: %s", e.Registry, e.Reason)
	}
	return fmt.Sprintf("registry %s does not offer web login (POST /-/v1/login answered %d %s)", e.Registry, e.Status, http.StatusText(e.Status))
}

// EmailRequiredError means the registry wants an e-mail address with the
// login (a 400 answer that mentions it): ask for one and log in again.
type EmailRequiredError struct {
	Registry string
	Reason   string
}

func (e *EmailRequiredError) Error() string {
	return fmt.Sprintf("registry %s needs an e-mail address to log in: %s", e.Registry, e.Reason)
}

// WebLoginTimeoutError means the web login was not completed in time.
type WebLoginTimeoutError struct {
	Registry string
	After    time.Duration
}

func (e *WebLoginTimeoutError) Error() string {
	return fmt.Sprintf("the web login on %s was not completed within %s", e.Registry, e.After)
}

// Credentials are what couch login sends.
type Credentials struct {
	Username string
	Password string
	// Email is sent in the body when set (npm's adduser sends it; the
	// registries that need it for a new account answer 400 without it).
	Email string
	// OTP is sent as the npm-otp header when set.
	OTP string
	// Command is the npm-command header: "login" (default) or "adduser".
	Command string
}

// CouchResult is the outcome of a couch login.
type CouchResult struct {
	Token string
	// Existing is true when the user existed (409) and the login went through
	// the GET ?write=true / PUT -rev flow; false when the first PUT created it
	// (or the registry logged in on the first PUT).
	Existing bool
	// Status is the status of the answer that gave the token.
	Status int
}

// CouchLogin logs in with user name and password over the CouchDB user API
// (npm's loginCouch): PUT <registry>/-/user/org.couchdb.user:<name> with
// {_id, name, password, [email,] type:"user", roles:[], date}. 201 (or 200)
// {token} is a new account or a registry that logs in right there; 409 means
// the user exists: GET …?write=true, merge that document into the body, then
// PUT …/-rev/<rev> with Basic auth. A one-time password challenge is an
// *OTPRequiredError (resend with Credentials.OTP); a refusal a
// *LoginRefusedError. The password and the token never appear in errors.
func (c *Client) CouchLogin(ctx context.Context, reg string, cr Credentials) (*CouchResult, error) {
	if c.Offline {
		return nil, &OfflineError{Registry: reg, URL: reg}
	}
	if cr.Username == "" || cr.Password == "" {
		return nil, errors.New("couch login needs a user name and a password")
	}
	if cr.Command == "" {
		cr.Command = "login"
	}
	secrets := []string{cr.Password, cr.OTP}
	docPath := "-/user/org.couchdb.user:" + encodeURIComponent(cr.Username)
	docURL := endpoint(reg, docPath)
	body := map[string]any{
		"_id":      "org.couchdb.user:" + cr.Username,
		"name":     cr.Username,
		"password": cr.Password,
		"type":     "user",
		"roles":    []any{},
		"date":     time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	if cr.Email != "" {
		body["email"] = cr.Email
	}
	hdr := loginHeader("legacy", cr.Command, cr.OTP)
	step := "PUT /" + docPath
	a, err := c.sendJSON(withExplicitAuth(ctx, ""), reg, http.MethodPut, docURL, body, hdr)
	if err != nil {
		return nil, scrubError(err, secrets...)
	}
	switch {
	case a.status == http.StatusCreated || a.status == http.StatusOK:
		tok, err := tokenOf(reg, step, a.data, secrets)
		if err != nil {
			return nil, err
		}
		return &CouchResult{Token: tok, Status: a.status}, nil
	case a.status != http.StatusConflict:
		return nil, couchError(reg, step, a, cr, secrets)
	}

	// 409: the user exists. As npm does: read the user document with the
	// user's own credential, keep our fields, take the registry's others
	// (_rev above all), and write it back with Basic auth.
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(cr.Username+":"+cr.Password))
	bctx := withExplicitAuth(ctx, basic)
	secrets = append(secrets, strings.TrimPrefix(basic, "Basic "))
	getStep := "GET /" + docPath + "?write=true"
	a, err = c.sendJSON(bctx, reg, http.MethodGet, docURL+"?write=true", nil, hdr)
	if err != nil {
		return nil, scrubError(err, secrets...)
	}
	if a.status != http.StatusOK {
		if a.status == http.StatusNotFound {
			return nil, &StatusError{URL: regurl.Redact(docURL + "?write=true"), Status: a.status,
				Body: "the registry said the user exists (409) but has no user document to update; it does not support npm's login flow for existing users"}
		}
		return nil, couchError(reg, getStep, a, cr, secrets)
	}
	var doc map[string]any
	if err := json.Unmarshal(a.data, &doc); err != nil {
		return nil, fmt.Errorf("decode answer of %s from %s: %w", getStep, reg, err)
	}
	for k, v := range doc {
		if cur, ok := body[k]; !ok || isFalsy(cur) || k == "roles" {
			body[k] = v
		}
	}
	// npm writes the revision as JavaScript prints it, "undefined" when the
	// registry sent none (Verdaccio sends none and accepts any): the same
	// path keeps every registry that works with npm working with upkg.
	rev := "undefined"
	if v, ok := body["_rev"]; ok && v != nil {
		rev = fmt.Sprint(v)
	}
	revPath := docPath + "/-rev/" + url.PathEscape(rev)
	revStep := "PUT /" + revPath
	a, err = c.sendJSON(bctx, reg, http.MethodPut, endpoint(reg, revPath), body, hdr)
	if err != nil {
		return nil, scrubError(err, secrets...)
	}
	if a.status != http.StatusCreated && a.status != http.StatusOK {
		return nil, couchError(reg, revStep, a, cr, secrets)
	}
	tok, err := tokenOf(reg, revStep, a.data, secrets)
	if err != nil {
		return nil, err
	}
	return &CouchResult{Token: tok, Existing: true, Status: a.status}, nil
}

// WebLoginOptions tune WebLogin.
type WebLoginOptions struct {
	// Create asks the registry to create an account ({"create": true}, npm's
	// adduser); otherwise the body is {}.
	Create bool
	// OnURL is called once with the URL the person must open.
	OnURL func(loginURL string)
	// Sleep waits between two polls of doneUrl (nil: a timer that ctx
	// cancels). Tests record the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Timeout bounds the whole login (0: no bound other than ctx).
	Timeout time.Duration
}

// Bounds of the wait between two polls of doneUrl: npm waits exactly what
// Retry-After says, which lets a registry that says 0 spin the client; upkg
// waits at least minPoll and at most maxPoll, and defaultPoll without one.
const (
	minPoll     = 250 * time.Millisecond
	defaultPoll = time.Second
	maxPoll     = 30 * time.Second
)

// WebLogin runs the web login: POST <registry>/-/v1/login gives loginUrl and
// doneUrl; the person opens loginUrl while doneUrl is polled (202 with
// Retry-After: wait; 200 {token}: done). A 4xx or 5xx answer to the POST, or
// an answer without two http(s) URLs, is a *WebLoginUnsupportedError: fall
// back to couch login. Running out of opts.Timeout is a
// *WebLoginTimeoutError; a cancelled ctx (Ctrl-C) returns its cause.
func (c *Client) WebLogin(ctx context.Context, reg string, opts WebLoginOptions) (string, error) {
	if c.Offline {
		return "", &OfflineError{Registry: reg, URL: reg}
	}
	sleepFn := opts.Sleep
	if sleepFn == nil {
		sleepFn = sleep
	}
	parent := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, &WebLoginTimeoutError{Registry: reg, After: opts.Timeout})
		defer cancel()
	}
	body := map[string]any{}
	command := "login"
	if opts.Create {
		body["create"] = true
		command = "adduser"
	}
	hdr := loginHeader("web", command, "")
	lctx := withExplicitAuth(ctx, "")
	a, err := c.sendJSON(context.WithValue(lctx, noStatusRetryKey{}, true), reg, http.MethodPost, endpoint(reg, "-/v1/login"), body, hdr)
	if err != nil {
		return "", webErr(parent, ctx, err)
	}
	if a.status >= 400 {
		return "", &WebLoginUnsupportedError{Registry: reg, Status: a.status}
	}
	loginURL, doneURL, err := ParseWebLoginStart(a.data)
	if err != nil {
		return "", &WebLoginUnsupportedError{Registry: reg, Status: a.status, Reason: err.Error()}
	}
	if opts.OnURL != nil {
		opts.OnURL(loginURL)
	}
	for {
		resp, _, err := c.do(lctx, reg, mustRequest(lctx, http.MethodGet, doneURL, nil, hdr))
		if err != nil {
			return "", webErr(parent, ctx, err)
		}
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if rerr != nil {
			return "", webErr(parent, ctx, rerr)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			return tokenOf(reg, "GET doneUrl", data, nil)
		case http.StatusAccepted:
			wait := pollWait(resp.Header.Get("Retry-After"), time.Now())
			if err := sleepFn(ctx, wait); err != nil {
				return "", webErr(parent, ctx, err)
			}
		case http.StatusUnauthorized, http.StatusForbidden:
			return "", &LoginRefusedError{Registry: reg, Status: resp.StatusCode, Step: "GET doneUrl", Reason: reason(data, nil)}
		default:
			return "", &StatusError{URL: "doneUrl of " + reg, Status: resp.StatusCode, Body: reason(data, nil)}
		}
	}
}

// webErr turns a failure during the web login into the error to report: the
// timeout's own error when the login ran out of time, the cause when the
// caller cancelled.
func webErr(parent, ctx context.Context, err error) error {
	if parent.Err() != nil {
		return fmt.Errorf("web login: %w", context.Cause(parent))
	}
	var te *WebLoginTimeoutError
	if cause := context.Cause(ctx); errors.As(cause, &te) {
		return te
	}
	return err
}

// pollWait is the wait before the next poll of doneUrl.
func pollWait(retryAfter string, now time.Time) time.Duration {
	d, ok := parseRetryAfter(retryAfter, now)
	if !ok {
		return defaultPoll
	}
	return min(max(d, minPoll), maxPoll)
}

// ParseWebLoginStart reads the answer to POST /-/v1/login: loginUrl and
// doneUrl, both absolute http(s) URLs.
func ParseWebLoginStart(data []byte) (loginURL, doneURL string, err error) {
	var v struct {
		LoginURL string `json:"loginUrl"`
		DoneURL  string `json:"doneUrl"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return "", "", errors.New("the answer is not a JSON object with loginUrl and doneUrl")
	}
	for _, u := range []struct{ name, val string }{{"loginUrl", v.LoginURL}, {"doneUrl", v.DoneURL}} {
		p, err := url.Parse(u.val)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return "", "", fmt.Errorf("%s is not an http(s) URL", u.name)
		}
	}
	return v.LoginURL, v.DoneURL, nil
}

// RevokeResult says what the registry did with a token at logout.
type RevokeResult int

const (
	// Revoked: the registry accepted DELETE /-/user/token/<token>.
	Revoked RevokeResult = iota
	// RevokeUnsupported: the registry has no such endpoint (404, 405, 501).
	RevokeUnsupported
	// RevokeRefused: the registry answered 401 or 403, usually because the
	// token is already invalid.
	RevokeRefused
)

func (r RevokeResult) String() string {
	switch r {
	case Revoked:
		return "revoked"
	case RevokeUnsupported:
		return "unsupported"
	}
	return "refused"
}

// RevokeToken asks the registry to invalidate token, as `npm logout` does:
// DELETE <registry>/-/user/token/<token> with the token as Bearer. An error is
// returned only when the registry could not be asked (network, 5xx); the token
// never appears in it or in traces.
func (c *Client) RevokeToken(ctx context.Context, reg, token string) (RevokeResult, error) {
	if c.Offline {
		return 0, &OfflineError{Registry: reg, URL: reg}
	}
	enc := encodeURIComponent(token)
	u := endpoint(reg, "-/user/token/"+enc)
	rctx := withExplicitAuth(ctx, "Bearer "+token, enc, token)
	hdr := loginHeader("", "logout", "")
	a, err := c.sendJSON(rctx, reg, http.MethodDelete, u, nil, hdr)
	secrets := []string{token, enc}
	if err != nil {
		return 0, scrubError(err, secrets...)
	}
	switch {
	case a.status >= 200 && a.status < 300:
		return Revoked, nil
	case a.status == http.StatusNotFound, a.status == http.StatusMethodNotAllowed, a.status == http.StatusNotImplemented:
		return RevokeUnsupported, nil
	case a.status == http.StatusUnauthorized, a.status == http.StatusForbidden:
		return RevokeRefused, nil
	}
	return 0, &StatusError{URL: scrub(regurl.Redact(u), secrets...), Status: a.status, Body: reason(a.data, secrets)}
}

// CheckBasic asks /-/whoami with the Basic credential auth (the base64 of
// user:password or email:PAT) and returns the user name the registry sees.
// A refusal or an anonymous answer is a *LoginRefusedError with Basic set.
func (c *Client) CheckBasic(ctx context.Context, reg, auth string) (string, error) {
	user, err := c.Whoami(withExplicitAuth(ctx, "Basic "+auth), reg)
	var ae *AuthError
	if errors.As(err, &ae) {
		e := &LoginRefusedError{Registry: reg, Status: ae.Status, Step: "GET /-/whoami", Basic: true}
		if ae.Anonymous {
			e.Reason = "it answered as if no one had logged in"
		}
		return "", e
	}
	if err != nil {
		return "", scrubError(err, auth)
	}
	return user, nil
}

// loginHeader is the set of npm headers a login request carries.
func loginHeader(authType, command, otp string) http.Header {
	h := http.Header{}
	h.Set("Accept", "application/json")
	if authType != "" {
		h.Set("npm-auth-type", authType)
	}
	if command != "" {
		h.Set("npm-command", command)
	}
	if otp != "" {
		h.Set("npm-otp", otp)
	}
	return h
}

// answer is a registry's answer to one login request.
type answer struct {
	status int
	header http.Header
	data   []byte
}

// sendJSON sends one request (a JSON body when body is not nil) under the
// retry policy and returns the answer with up to 1 MiB of its body.
func (c *Client) sendJSON(ctx context.Context, reg, method, u string, body any, hdr http.Header) (*answer, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode %s body: %w", method, err)
		}
	}
	req := mustRequest(ctx, method, u, payload, hdr)
	if req == nil {
		return nil, fmt.Errorf("build %s request for %s", method, regurl.Redact(u))
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	resp, _, err := c.do(ctx, reg, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return &answer{status: resp.StatusCode, header: resp.Header, data: data}, nil
}

// mustRequest builds a request; nil only for a URL that cannot be parsed
// (the callers build URLs from a registry URL that was checked already, and
// doneUrl, which ParseWebLoginStart checked).
func mustRequest(ctx context.Context, method, u string, payload []byte, hdr http.Header) *http.Request {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// couchError turns a failed couch step into its error.
func couchError(reg, step string, a *answer, cr Credentials, secrets []string) error {
	msg := reason(a.data, secrets)
	status := a.status
	if status == http.StatusUnauthorized && IsOTPChallenge(a.header, a.data) {
		return &OTPRequiredError{Registry: reg, Sent: cr.OTP != ""}
	}
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &LoginRefusedError{Registry: reg, Status: status, Step: step, Reason: msg}
	case http.StatusBadRequest:
		if cr.Email == "" && strings.Contains(strings.ToLower(msg), "email") {
			return &EmailRequiredError{Registry: reg, Reason: msg}
		}
	case http.StatusNotFound:
		return &NotFoundError{Registry: reg, URL: reg + " " + step + " (the registry has no couch login)"}
	}
	return &StatusError{URL: reg + " " + step, Status: status, Body: msg}
}

// otpBody is npm-registry-fetch's heuristic for OTP answers without the header.
var otpBody = regexp.MustCompile(`one-time pass`)

// IsOTPChallenge reports whether a 401 answer asks for a one-time password:
// "otp" among the comma-separated values of www-authenticate (any case), or
// a body that mentions a one-time password (npm-registry-fetch's rules).
func IsOTPChallenge(h http.Header, body []byte) bool {
	for _, v := range h.Values("Www-Authenticate") {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), "otp") {
				return true
			}
		}
	}
	return otpBody.Match(body)
}

// tokenOf reads {token} from a login answer.
func tokenOf(reg, step string, data []byte, secrets []string) (string, error) {
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(data, &v); err != nil || strings.TrimSpace(v.Token) == "" {
		return "", &StatusError{URL: reg + " " + step, Status: http.StatusOK,
			Body: "the registry answered without a token: " + reason(data, append(secrets, v.Token))}
	}
	if strings.ContainsAny(v.Token, "\r\n") {
		return "", &StatusError{URL: reg + " " + step, Status: http.StatusOK, Body: "the registry answered with a token that spans lines"}
	}
	return v.Token, nil
}

// reason extracts the registry's message from an error body ({"error": …},
// {"reason": …}, {"message": …} or plain text), trimmed and with secrets
// masked.
func reason(data []byte, secrets []string) string {
	var v map[string]any
	msg := ""
	if json.Unmarshal(data, &v) == nil {
		for _, k := range []string{"error", "reason", "message"} {
			if s, ok := v[k].(string); ok && s != "" {
				msg = s
				break
			}
		}
		if _, hasToken := v["token"]; msg == "" && hasToken {
			msg = "(an answer with a token field)"
		}
	} else {
		msg = string(data)
	}
	return scrub(trimBody([]byte(msg)), secrets...)
}

// scrub masks every secret found in s.
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, secret.Mask(sec))
		}
	}
	return s
}

// scrubError returns err unchanged when its text holds no secret, else an
// error of the same kind with the secrets masked.
func scrubError(err error, secrets ...string) error {
	msg := err.Error()
	if scrub(msg, secrets...) == msg {
		return err
	}
	var ne *NetworkError
	if errors.As(err, &ne) {
		return &NetworkError{Registry: ne.Registry, URL: scrub(ne.URL, secrets...), Err: errors.New(scrub(ne.Err.Error(), secrets...)), Body: ne.Body}
	}
	return errors.New(scrub(msg, secrets...))
}

// isFalsy is JavaScript's !v for JSON values, which npm's merge of the user
// document uses.
func isFalsy(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case float64:
		return x == 0
	}
	return false
}

// encodeURIComponent escapes s like JavaScript's encodeURIComponent, which
// npm uses for user names and tokens in paths.
func encodeURIComponent(s string) string {
	const keep = "-_.!~*'()"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
