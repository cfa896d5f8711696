package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/secret"
	"github.com/upkg/upkg/internal/testregistry"
)

const (
	alicePW   = "alice-password-123"
	staleTok  = "stale-token-must-not-travel-9999"
	bobPW     = "bob-password-456"
	wrongPW   = "wrong-password-000"
	goodOTP   = "123456"
	loginUser = "alice"
)

// loginClient is a client whose config holds a stale token for the
// registry: login requests must not carry it.
func loginClient(reg *testregistry.Registry) (*Client, *bytes.Buffer) {
	var trace bytes.Buffer
	return &Client{
		Credentials: credsOf([]testEntry{{Registry: reg.URL, Token: staleTok, File: "test.toml"}}),
		Retry:       fastRetry(),
		Trace:       &trace,
	}, &trace
}

func TestCouchLogin(t *testing.T) {
	basicAlice := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+alicePW))
	for _, tc := range []struct {
		name     string
		login    testregistry.LoginOptions
		cred     Credentials
		existing bool
		// steps are the requests expected, "METHOD path?query auth".
		steps   []string
		wantErr any
	}{
		{
			name:  "new user",
			login: testregistry.LoginOptions{},
			cred:  Credentials{Username: "alice", Password: alicePW},
			steps: []string{"PUT /-/user/org.couchdb.user:alice "},
		},
		{
			name:     "existing user: npm's 409 flow",
			login:    testregistry.LoginOptions{Users: map[string]string{"alice": alicePW}},
			cred:     Credentials{Username: "alice", Password: alicePW},
			existing: true,
			steps: []string{
				"PUT /-/user/org.couchdb.user:alice ",
				"GET /-/user/org.couchdb.user:alice?write=true " + basicAlice,
				"PUT /-/user/org.couchdb.user:alice/-rev/1-5ee7 " + basicAlice,
			},
		},
		{
			name:    "wrong password",
			login:   testregistry.LoginOptions{Users: map[string]string{"alice": alicePW}},
			cred:    Credentials{Username: "alice", Password: wrongPW},
			steps:   []string{"PUT /-/user/org.couchdb.user:alice "},
			wantErr: new(*LoginRefusedError),
		},
		{
			name:    "OTP asked",
			login:   testregistry.LoginOptions{OTP: goodOTP},
			cred:    Credentials{Username: "alice", Password: alicePW},
			steps:   []string{"PUT /-/user/org.couchdb.user:alice "},
			wantErr: new(*OTPRequiredError),
		},
		{
			name:     "OTP given, existing user",
			login:    testregistry.LoginOptions{OTP: goodOTP, Users: map[string]string{"alice": alicePW}},
			cred:     Credentials{Username: "alice", Password: alicePW, OTP: goodOTP},
			existing: true,
			steps: []string{
				"PUT /-/user/org.couchdb.user:alice ",
				"GET /-/user/org.couchdb.user:alice?write=true " + basicAlice,
				"PUT /-/user/org.couchdb.user:alice/-rev/1-5ee7 " + basicAlice,
			},
		},
		{
			name:    "wrong OTP",
			login:   testregistry.LoginOptions{OTP: goodOTP},
			cred:    Credentials{Username: "alice", Password: alicePW, OTP: "654321"},
			steps:   []string{"PUT /-/user/org.couchdb.user:alice "},
			wantErr: new(*OTPRequiredError),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{Token: testToken, Login: tc.login})
			c, trace := loginClient(reg)
			res, err := c.CouchLogin(context.Background(), reg.URL, tc.cred)
			var got []string
			for _, q := range reg.Requests() {
				s := q.Method + " " + q.Path
				if q.Query != "" {
					s += "?" + q.Query
				}
				got = append(got, s+" "+q.Authorization)
				if q.Header.Get("npm-auth-type") != "legacy" || q.Header.Get("npm-command") != "login" {
					t.Errorf("%s: npm headers %q %q", s, q.Header.Get("npm-auth-type"), q.Header.Get("npm-command"))
				}
				if tc.cred.OTP != "" && q.Header.Get("npm-otp") != tc.cred.OTP {
					t.Errorf("%s: npm-otp = %q", s, q.Header.Get("npm-otp"))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.steps, "\n") {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.steps, "\n"))
			}
			for _, secret := range []string{alicePW, wrongPW, staleTok, strings.TrimPrefix(basicAlice, "Basic ")} {
				if strings.Contains(trace.String(), secret) || (err != nil && strings.Contains(err.Error(), secret)) {
					t.Errorf("a secret leaked into the trace or the error")
				}
			}
			if tc.wantErr != nil {
				if err == nil || !errors.As(err, tc.wantErr) {
					t.Fatalf("err = %v, want %T", err, tc.wantErr)
				}
				if oe, ok := err.(*OTPRequiredError); ok && oe.Sent != (tc.cred.OTP != "") {
					t.Errorf("OTPRequiredError.Sent = %v", oe.Sent)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Existing != tc.existing {
				t.Errorf("Existing = %v", res.Existing)
			}
			if user, ok := reg.Issued()[res.Token]; !ok || user != "alice" {
				t.Errorf("token %q is not one the registry issued for alice", secret.Mask(res.Token))
			}
		})
	}
}

// TestCouchLoginBody pins the body npm's loginCouch sends.
func TestCouchLoginBody(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: testToken})
	c, _ := loginClient(reg)
	if _, err := c.CouchLogin(context.Background(), reg.URL, Credentials{Username: "bob", Password: bobPW, Email: "bob@example.com", Command: "adduser"}); err != nil {
		t.Fatal(err)
	}
	reqs := reg.Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Content-Type") != "application/json" || reqs[0].Header.Get("npm-command") != "adduser" {
		t.Fatalf("requests %+v", reqs)
	}
	if reg.Users()["bob"] != bobPW {
		t.Errorf("account not created with the password")
	}
}

func TestCouchLoginErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		cred   Credentials
		want   any
	}{
		{"email needed", 400, `{"error":"email is required"}`, Credentials{Username: "a", Password: "p"}, new(*EmailRequiredError)},
		{"bad request", 400, `{"error":"password too short"}`, Credentials{Username: "a", Password: "p"}, new(*StatusError)},
		{"no couch api", 404, `{}`, Credentials{Username: "a", Password: "p"}, new(*NotFoundError)},
		{"forbidden", 403, `{"reason":"account locked"}`, Credentials{Username: "a", Password: "p"}, new(*LoginRefusedError)},
		{"otp in the body", 401, `{"error":"You must provide a one-time pass."}`, Credentials{Username: "a", Password: "p"}, new(*OTPRequiredError)},
		{"no token", 201, `{"ok":true}`, Credentials{Username: "a", Password: "p"}, new(*StatusError)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newBodyServer(t, tc.status, tc.body)
			c := &Client{Retry: fastRetry()}
			_, err := c.CouchLogin(context.Background(), srv, tc.cred)
			if err == nil || !errors.As(err, tc.want) {
				t.Fatalf("err = %v, want %T", err, tc.want)
			}
		})
	}
}

func TestWebLogin(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: testToken, Login: testregistry.LoginOptions{Web: true, WebPending: 2, WebRetryAfter: "3"}})
	c, _ := loginClient(reg)
	var waits []time.Duration
	var opened string
	tok, err := c.WebLogin(context.Background(), reg.URL, WebLoginOptions{
		OnURL: func(u string) { opened = u },
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.Issued()[tok]; !ok {
		t.Errorf("token not issued by the registry")
	}
	if !strings.HasPrefix(opened, reg.URL+"/-/web/login/") {
		t.Errorf("loginUrl = %q", opened)
	}
	if len(waits) != 2 || waits[0] != 3*time.Second || waits[1] != 3*time.Second {
		t.Errorf("waits = %v, want two of 3s (Retry-After)", waits)
	}
	for _, q := range reg.Requests() {
		if q.Authorization != "" {
			t.Errorf("%s %s carried a credential", q.Method, q.Path)
		}
		if q.Header.Get("npm-auth-type") != "web" {
			t.Errorf("%s %s: npm-auth-type %q", q.Method, q.Path, q.Header.Get("npm-auth-type"))
		}
	}
}

func TestWebLoginTimeout(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: testToken, Login: testregistry.LoginOptions{Web: true, WebPending: -1, WebRetryAfter: "0"}})
	c, _ := loginClient(reg)
	_, err := c.WebLogin(context.Background(), reg.URL, WebLoginOptions{Timeout: 600 * time.Millisecond})
	var te *WebLoginTimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if n := len(reg.RequestsTo("/-/v1/done")); n < 1 {
		t.Errorf("doneUrl polled %d times", n)
	}
}

func TestWebLoginCancel(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: testToken, Login: testregistry.LoginOptions{Web: true, WebPending: -1, WebRetryAfter: "5"}})
	c, _ := loginClient(reg)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := c.WebLogin(ctx, reg.URL, WebLoginOptions{OnURL: func(string) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestWebLoginUnsupported(t *testing.T) {
	for _, tc := range []struct {
		name  string
		login testregistry.LoginOptions
	}{
		{"404 (Verdaccio)", testregistry.LoginOptions{}},
		{"500", testregistry.LoginOptions{Web: true, WebLoginStatus: 500}},
		{"401", testregistry.LoginOptions{Web: true, WebLoginStatus: 401}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{Token: testToken, Login: tc.login})
			c, _ := loginClient(reg)
			_, err := c.WebLogin(context.Background(), reg.URL, WebLoginOptions{})
			var ue *WebLoginUnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v", err)
			}
			// A 5xx is not retried: it means "use couch login".
			if n := len(reg.RequestsTo("/-/v1/login")); n != 1 {
				t.Errorf("POST /-/v1/login sent %d times", n)
			}
		})
	}
}

func TestParseWebLoginStart(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"loginUrl":"https://r.example.com/login/1","doneUrl":"https://r.example.com/done/1"}`, true},
		{`{"loginUrl":"https://r.example.com/login/1"}`, false},
		{`{"loginUrl":"javascript:alert(1)","doneUrl":"https://r.example.com/done"}`, false},
		{`{"loginUrl":"/relative","doneUrl":"https://r.example.com/done"}`, false},
		{`<html>`, false},
		{`[]`, false},
	} {
		_, _, err := ParseWebLoginStart([]byte(tc.in))
		if (err == nil) != tc.ok {
			t.Errorf("ParseWebLoginStart(%s) err = %v", tc.in, err)
		}
	}
}

func TestPollWait(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", defaultPoll},
		{"2", 2 * time.Second},
		{"0", minPoll},
		{"3600", maxPoll},
		{"soon", defaultPoll},
		{now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
	} {
		if got := pollWait(tc.in, now); got != tc.want {
			t.Errorf("pollWait(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRevokeToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		login testregistry.LoginOptions
		token func(reg *testregistry.Registry) string
		want  RevokeResult
	}{
		{"revoked", testregistry.LoginOptions{}, issue, Revoked},
		{"unknown token", testregistry.LoginOptions{}, func(*testregistry.Registry) string { return "not/a+known token" }, RevokeRefused},
		{"unsupported", testregistry.LoginOptions{NoRevoke: true}, issue, RevokeUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{Token: testToken, Login: tc.login})
			tok := tc.token(reg)
			c, trace := loginClient(reg)
			got, err := c.RevokeToken(context.Background(), reg.URL, tok)
			if err != nil || got != tc.want {
				t.Fatalf("RevokeToken = %v, %v; want %v", got, err, tc.want)
			}
			if tc.want == Revoked && (len(reg.Revoked()) != 1 || reg.Revoked()[0] != tok) {
				t.Errorf("registry revoked %d tokens", len(reg.Revoked()))
			}
			if strings.Contains(trace.String(), tok) || strings.Contains(trace.String(), encodeURIComponent(tok)) {
				t.Errorf("the token appears in the trace:\n%s", trace)
			}
			if !strings.Contains(trace.String(), "DELETE") {
				t.Errorf("no trace line")
			}
		})
	}
}

// issue logs alice in on reg and returns her token.
func issue(reg *testregistry.Registry) string {
	c := &Client{Retry: fastRetry()}
	res, err := c.CouchLogin(context.Background(), reg.URL, Credentials{Username: "alice", Password: alicePW})
	if err != nil {
		panic(err)
	}
	return res.Token
}

func TestRevokeTokenNetworkErrorHidesToken(t *testing.T) {
	c := &Client{Retry: RetryPolicy{MaxAttempts: 1}}
	tok := "secret-token-abcdef"
	_, err := c.RevokeToken(context.Background(), "http://127.0.0.1:1", tok)
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("err = %v, want a *NetworkError", err)
	}
	if strings.Contains(err.Error(), tok) {
		t.Errorf("the token appears in the error: %v", err)
	}
}

func TestCheckBasic(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: testToken, Anonymous: true, Login: testregistry.LoginOptions{Users: map[string]string{"alice": alicePW}}})
	c, trace := loginClient(reg)
	good := base64.StdEncoding.EncodeToString([]byte("alice:" + alicePW))
	user, err := c.CheckBasic(context.Background(), reg.URL, good)
	if err != nil || user != "alice" {
		t.Fatalf("CheckBasic = %q, %v", user, err)
	}
	bad := base64.StdEncoding.EncodeToString([]byte("alice:" + wrongPW))
	_, err = c.CheckBasic(context.Background(), reg.URL, bad)
	var le *LoginRefusedError
	if !errors.As(err, &le) || !le.Basic || le.Status != 401 {
		t.Fatalf("err = %v, want a Basic LoginRefusedError", err)
	}
	if strings.Contains(trace.String(), good) || strings.Contains(trace.String(), bad) || strings.Contains(trace.String(), staleTok) {
		t.Errorf("a secret leaked into the trace:\n%s", trace)
	}
}

func TestIsOTPChallenge(t *testing.T) {
	for _, tc := range []struct {
		header, body string
		want         bool
	}{
		{"OTP", "", true},
		{"Bearer realm=x, otp", "", true},
		{"Basic realm=\"otp\"", "", false},
		{"", `{"error":"requires a one-time password"}`, true},
		{"", `{"error":"unauthorized"}`, false},
		{"ipaddress", "", false},
	} {
		h := http.Header{}
		if tc.header != "" {
			h.Set("WWW-Authenticate", tc.header)
		}
		if got := IsOTPChallenge(h, []byte(tc.body)); got != tc.want {
			t.Errorf("IsOTPChallenge(%q, %q) = %v", tc.header, tc.body, got)
		}
	}
}

func TestEncodeURIComponent(t *testing.T) {
	for in, want := range map[string]string{
		"alice":          "alice",
		"me@example.com": "me%40example.com",
		"a b/c:d":        "a%20b%2Fc%3Ad",
		"x-_.!~*'()":     "x-_.!~*'()",
		"é":              "%C3%A9",
	} {
		if got := encodeURIComponent(in); got != want {
			t.Errorf("encodeURIComponent(%q) = %q, want %q", in, got, want)
		}
	}
}

// newBodyServer answers every request with status and body.
func newBodyServer(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
