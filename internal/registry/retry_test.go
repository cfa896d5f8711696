package registry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Sat, 01 Mar 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Saturday, 01-Mar-25 12:00:30 GMT", 30 * time.Second, true}, // RFC 850
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDelay(t *testing.T) {
	p := RetryPolicy{MinBackoff: 10 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	now := time.Now()
	for _, tc := range []struct {
		retryAfter string
		want       time.Duration
		fromServer bool
	}{
		{"2", 2 * time.Second, true},
		{"3600", 4 * time.Second, true}, // capped at 4 × MaxBackoff
		{"0", 0, true},
	} {
		resp := &http.Response{Header: http.Header{"Retry-After": {tc.retryAfter}}}
		got, fromServer := p.delay(1, resp, now)
		if got != tc.want || fromServer != tc.fromServer {
			t.Errorf("Retry-After %q: delay %s, %v; want %s, %v", tc.retryAfter, got, fromServer, tc.want, tc.fromServer)
		}
	}
	if d, fromServer := p.delay(1, &http.Response{Header: http.Header{}}, now); fromServer || d < 5*time.Millisecond || d > 10*time.Millisecond {
		t.Errorf("no Retry-After: delay %s, %v; want the backoff", d, fromServer)
	}
}

func TestBackoffStaysInItsWindow(t *testing.T) {
	p := RetryPolicy{MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second}.withDefaults()
	for _, tc := range []struct {
		n    int
		full time.Duration
	}{
		{1, 200 * time.Millisecond},
		{2, 400 * time.Millisecond},
		{3, 800 * time.Millisecond},
		{5, 3200 * time.Millisecond},
		{6, 5 * time.Second},
		{60, 5 * time.Second}, // no overflow
	} {
		for range 50 {
			if d := p.backoff(tc.n); d < tc.full/2 || d > tc.full {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", tc.n, d, tc.full/2, tc.full)
			}
		}
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	p := RetryPolicy{}.withDefaults()
	if p.MaxAttempts != 4 || p.MinBackoff != 200*time.Millisecond || p.MaxBackoff != 5*time.Second || p.MaxElapsed != time.Minute {
		t.Errorf("defaults = %+v", p)
	}
	for _, s := range []int{408, 429, 500, 502, 503, 504} {
		if !p.retryStatus(s) {
			t.Errorf("%d is not retried", s)
		}
	}
	for _, s := range []int{200, 304, 400, 401, 403, 404, 501} {
		if p.retryStatus(s) {
			t.Errorf("%d is retried", s)
		}
	}
	if q := (RetryPolicy{Statuses: []int{}}).withDefaults(); q.retryStatus(503) {
		t.Error("an explicit empty Statuses still retries 503")
	}
}

func TestRetryableError(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://npm.example.com/x", Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no such host", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}), false},
		{"DNS timeout", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "timeout", IsTimeout: true}}), true},
		{"DNS server failure", wrap(&net.DNSError{Err: "server misbehaving", IsTemporary: true}), true},
		{"refused", wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true},
		{"reset", wrap(&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true},
		{"EOF", wrap(io.EOF), true},
		{"unexpected EOF", wrap(io.ErrUnexpectedEOF), true},
		{"attempt timeout", &timeoutError{what: "no answer", d: time.Second}, true},
		{"unknown authority (value)", wrap(x509.UnknownAuthorityError{}), false},
		{"hostname mismatch", wrap(x509.HostnameError{Host: "x"}), false},
		{"expired", wrap(x509.CertificateInvalidError{Reason: x509.Expired}), false},
		{"insecure redirect", wrap(errInsecureRedirect), false},
		{"too many redirects", wrap(errors.New("stopped after 10 redirects")), false},
		{"other", fmt.Errorf("something: %w", errors.New("odd")), false},
	} {
		if got := retryableError(tc.err); got != tc.want {
			t.Errorf("%s: retryable = %v, want %v", tc.name, got, tc.want)
		}
	}
}
