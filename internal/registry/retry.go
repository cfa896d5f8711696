package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/upkg/upkg/internal/regurl"
)

// RetryPolicy says which failures are retried and how long to wait between
// attempts (UPM-SPEC §4). It is plain data: the zero value means the defaults
// below, field by field.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one request, the first included
	// (default 4; 1 disables retries).
	MaxAttempts int
	// MinBackoff is the wait before the first retry; it doubles with every
	// further retry up to MaxBackoff (defaults 200ms and 5s). Each wait is
	// jittered to between half and all of its value.
	MinBackoff, MaxBackoff time.Duration
	// MaxElapsed bounds the time from the first attempt to the start of the
	// last one (default 60s): no retry is started that would begin later.
	MaxElapsed time.Duration
	// Statuses are the HTTP answers that are retried (default 408, 429, 500,
	// 502, 503, 504).
	Statuses []int
	// AttemptTimeout bounds the wait for the response headers of one attempt
	// (default 30s); an attempt that runs out is a retryable timeout.
	AttemptTimeout time.Duration
	// IdleTimeout bounds how long reading a response body may wait for bytes
	// (default 30s); it is not retried here, the reader sees a *NetworkError.
	IdleTimeout time.Duration
	// RequestTimeout bounds one attempt from its start to the last byte of
	// its body (default 5m, npm's fetch-timeout): a server that trickles a
	// byte now and then resets the idle timer forever, not this one; and an
	// attempt that ran out of it is not retried.
	RequestTimeout time.Duration
	// RequestTimeoutSetting names where RequestTimeout was set, for the
	// error ("UPKG_REQUEST_TIMEOUT"); "" for the default.
	RequestTimeoutSetting string
}

// Defaults of RetryPolicy.
const (
	DefaultMaxAttempts    = 4
	DefaultMinBackoff     = 200 * time.Millisecond
	DefaultMaxBackoff     = 5 * time.Second
	DefaultMaxElapsed     = 60 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
	DefaultIdleTimeout    = 30 * time.Second
	DefaultRequestTimeout = 5 * time.Minute // npm's fetch-timeout
)

// withDefaults returns p with every zero (or negative) field set to its default.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = DefaultMinBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	if p.Statuses == nil {
		p.Statuses = []int{
			http.StatusRequestTimeout, http.StatusTooManyRequests,
			http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout,
		}
	}
	if p.AttemptTimeout <= 0 {
		p.AttemptTimeout = DefaultAttemptTimeout
	}
	if p.IdleTimeout <= 0 {
		p.IdleTimeout = DefaultIdleTimeout
	}
	if p.RequestTimeout <= 0 {
		p.RequestTimeout = DefaultRequestTimeout
	}
	return p
}

// retryStatus reports whether an answer with this status is retried.
func (p RetryPolicy) retryStatus(status int) bool {
	return slices.Contains(p.Statuses, status)
}

// backoff is the jittered wait after the failed attempt number n (1-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.MinBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	// Jitter spreads the retries of parallel downloads that failed together.
	half := d / 2
	return half + rand.N(d-half+1)
}

// delay is the wait before retrying an answer: its Retry-After when it has a
// usable one, capped at four times MaxBackoff so that a server cannot park
// the client, else the backoff.
func (p RetryPolicy) delay(n int, resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return min(d, 4*p.MaxBackoff), true
		}
	}
	return p.backoff(n), false
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// retryableError reports whether a failed exchange is worth another attempt:
// connection resets and refusals, early EOFs and timeouts are; a host that
// does not exist, a certificate that is not trusted, a refused redirect and
// anything else that would fail the same way again are not.
func retryableError(err error) bool {
	if errors.Is(err, errInsecureRedirect) {
		return false
	}
	if te := (*timeoutError)(nil); errors.As(err, &te) && te.final {
		return false // the overall deadline: retrying would multiply it
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	var (
		verifyErr    *tls.CertificateVerificationError
		unknownCA    x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		invalidCert  x509.CertificateInvalidError
		recordHeader tls.RecordHeaderError
		alert        tls.AlertError
	)
	if errors.As(err, &verifyErr) || errors.As(err, &unknownCA) || errors.As(err, &hostnameErr) ||
		errors.As(err, &invalidCert) || errors.As(err, &recordHeader) || errors.As(err, &alert) {
		return false
	}
	var te *timeoutError
	if errors.As(err, &te) || isTimeout(err) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	// Anything else at the socket level (Windows spells resets and refusals
	// with its own errno values) is a connection failure too.
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

// timeoutError is the cause with which an attempt is cancelled when it waits
// too long; it is a net.Error whose Timeout() is true.
type timeoutError struct {
	what string
	d    time.Duration
	// final marks the overall request deadline: a server that slow is not
	// asked again (retrying would multiply the deadline).
	final bool
}

// Final reports whether another attempt cannot help (the overall deadline).
func (e *timeoutError) Final() bool { return e.final }

func (e *timeoutError) Error() string   { return fmt.Sprintf("%s within %s", e.what, e.d) }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// attemptKey marks a request's context with its *attempt.
type attemptKey struct{}

// attempt is what one try of a request learns on its way: the transport
// records the credential the last hop carried, and the trace reads which
// retry it is.
type attempt struct {
	n, max int
	// retry explains why this attempt is a retry ("" for the first).
	retry string
	// reg is the registry the request is made for: it decides the
	// credential of every hop.
	reg string
	// cred is the stored credential the last hop carried (zero: none).
	cred Credential
	// url is the URL of the last hop.
	url string
}

func attemptOf(ctx context.Context) *attempt {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	return a
}

// do sends req on behalf of registry reg under the retry policy and returns
// the answer of the last attempt: a success, an answer that is not retried,
// or the last retryable one once attempts or time ran out. A failure to get
// an answer is a *NetworkError. The response body is bound to the attempt:
// reading it is guarded by the idle timeout, and closing it releases the
// attempt. The caller must close it.
func (c *Client) do(ctx context.Context, reg string, req *http.Request) (*http.Response, *attempt, error) {
	p := c.Retry.withDefaults()
	if ctx.Value(noStatusRetryKey{}) != nil {
		p.Statuses = []int{}
	}
	hc := c.http()
	u := req.URL.String()
	start := time.Now()
	why := ""
	for n := 1; ; n++ {
		out := req.Clone(ctx)
		if n > 1 && req.Body != nil && req.Body != http.NoBody {
			body, err := req.GetBody()
			if err != nil {
				return nil, nil, fmt.Errorf("replay the body of %s: %w", regurl.Redact(u), err)
			}
			out.Body = body
		}
		at := &attempt{reg: reg, n: n, max: p.MaxAttempts, retry: why}
		actx, cancel := context.WithCancelCause(context.WithValue(ctx, attemptKey{}, at))
		timer := time.AfterFunc(p.AttemptTimeout, func() {
			cancel(&timeoutError{what: "no answer", d: p.AttemptTimeout})
		})
		// The whole attempt, body included, has a deadline of its own.
		what := "the whole request (the default limit; UPKG_REQUEST_TIMEOUT sets another)"
		if p.RequestTimeoutSetting != "" {
			what = "the whole request (" + p.RequestTimeoutSetting + ")"
		}
		total := time.AfterFunc(p.RequestTimeout, func() {
			cancel(&timeoutError{what: what, d: p.RequestTimeout, final: true})
		})
		resp, err := hc.Do(out.WithContext(actx))
		timer.Stop()

		if err != nil {
			total.Stop()
			cause := context.Cause(actx)
			cancel(nil)
			if ctx.Err() != nil {
				return nil, at, fmt.Errorf("%s %s: %w", req.Method, regurl.Redact(u), context.Cause(ctx))
			}
			var te *timeoutError
			if errors.As(cause, &te) {
				err = te
			}
			wait := p.backoff(n)
			if !retryableError(err) || !canRetry(p, req, n, start, wait) {
				return nil, at, classifyTransportError(reg, u, err)
			}
			why = fmt.Sprintf("after %s, waited %s", shortError(err), wait.Round(time.Millisecond))
			if err := sleep(ctx, wait); err != nil {
				return nil, at, fmt.Errorf("%s %s: %w", req.Method, regurl.Redact(u), err)
			}
			continue
		}

		wait, fromServer := p.delay(n, resp, time.Now())
		if !p.retryStatus(resp.StatusCode) || !canRetry(p, req, n, start, wait) {
			resp.Body = newAttemptBody(resp.Body, actx, cancel, p.IdleTimeout, reg, regurl.Redact(u), total)
			return resp, at, nil
		}
		total.Stop()
		why = "after " + resp.Status
		if fromServer {
			why += ", Retry-After: " + resp.Header.Get("Retry-After")
		}
		why += ", waited " + wait.Round(time.Millisecond).String()
		// Drain a little so that the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		cancel(nil)
		if err := sleep(ctx, wait); err != nil {
			return nil, at, fmt.Errorf("%s %s: %w", req.Method, regurl.Redact(u), err)
		}
	}
}

// noStatusRetryKey marks a request whose error answers are final: the web
// login POST, where a 5xx means "not here, use couch login" and retrying it
// would only delay the fallback. Connection failures are still retried.
type noStatusRetryKey struct{}

// canRetry reports whether attempt n, started at start, may be followed by
// another one after waiting wait.
func canRetry(p RetryPolicy, req *http.Request, n int, start time.Time, wait time.Duration) bool {
	if n >= p.MaxAttempts || time.Since(start)+wait > p.MaxElapsed {
		return false
	}
	// A body that cannot be produced again cannot be sent again.
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// shortError is err's message without the "Get "URL": " prefix url.Error adds.
func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// attemptBody is a response body bound to its attempt: a Read that waits
// longer than idle for bytes cancels the attempt, and read failures are
// *NetworkErrors naming the URL.
type attemptBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	idle   time.Duration
	timer  *time.Timer
	reg    string
	url    string
	total  *time.Timer // the attempt's overall deadline, stopped by Close
}

func newAttemptBody(rc io.ReadCloser, ctx context.Context, cancel context.CancelCauseFunc, idle time.Duration, reg, u string, total *time.Timer) *attemptBody {
	b := &attemptBody{rc: rc, ctx: ctx, cancel: cancel, idle: idle, reg: reg, url: u, total: total}
	b.timer = time.AfterFunc(idle, func() {
		cancel(&timeoutError{what: "no data", d: idle})
	})
	b.timer.Stop() // armed by each Read
	return b
}

func (b *attemptBody) Read(p []byte) (int, error) {
	// The clock runs only while the caller waits in Read: time the caller
	// spends on the bytes (hashing, writing files) is not idleness.
	b.timer.Reset(b.idle)
	n, err := b.rc.Read(p)
	b.timer.Stop()
	if err != nil && err != io.EOF {
		var te *timeoutError
		switch cause := context.Cause(b.ctx); {
		case errors.As(cause, &te):
			err = &NetworkError{Registry: b.reg, URL: b.url, Err: te, Body: true}
		case cause != nil:
			// Cancelled by the caller (or read after Close): not a network fault.
			err = fmt.Errorf("read %s: %w", b.url, cause)
		default:
			err = &NetworkError{Registry: b.reg, URL: b.url, Err: err, Body: true}
		}
	}
	return n, err
}

func (b *attemptBody) Close() error {
	b.timer.Stop()
	if b.total != nil {
		b.total.Stop()
	}
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
