package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testregistry"
)

const testToken = "test-token-0123456789abcdef"

// fastRetry retries quickly so that the tests do not wait.
func fastRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

// newRegistry starts a registry requiring testToken, with com.example.a@1.0.0
// published, and a client holding the token.
func newRegistry(t *testing.T) (*testregistry.Registry, *Client, *bytes.Buffer) {
	t.Helper()
	reg := testregistry.New(t, testregistry.Options{Token: testToken})
	publish(t, reg, "com.example.a", "1.0.0", nil)
	var trace bytes.Buffer
	c := &Client{
		Credentials: credsOf([]testEntry{{Registry: reg.URL, Token: testToken, File: "test.toml"}}),
		Retry:       fastRetry(),
		Trace:       &trace,
	}
	return reg, c, &trace
}

// publish publishes a fixture package and returns its tarball.
func publish(t *testing.T, reg *testregistry.Registry, name, version string, deps json.RawMessage) []byte {
	t.Helper()
	pj := fixture.UnityManifest(name, version, "2021.3", nil)
	tgz, err := fixture.Tarball(pj, fixture.UnityFiles(name, 3))
	if err != nil {
		t.Fatal(err)
	}
	if deps != nil {
		pj["dependencies"] = deps
	}
	reg.Publish(name, version, pj, tgz)
	return tgz
}

func traceLines(trace *bytes.Buffer) []string {
	return strings.Split(strings.TrimSpace(trace.String()), "\n")
}

func TestPackumentRetriesAnErrorBurst(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
	}{
		{"503 503", []int{503, 503}},
		{"each retried status", []int{408, 429, 500}},
		{"502 504", []int{502, 504}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, c, trace := newRegistry(t)
			path := reg.PackumentPath("com.example.a")
			reg.FailNext(path, tc.statuses...)
			p, err := c.Packument(context.Background(), reg.URL, "com.example.a")
			if err != nil {
				t.Fatalf("Packument: %v", err)
			}
			if p.Versions["1.0.0"] == nil {
				t.Fatalf("versions = %v", p.Versions)
			}
			reqs := reg.RequestsTo(path)
			if len(reqs) != len(tc.statuses)+1 {
				t.Fatalf("%d requests, want %d", len(reqs), len(tc.statuses)+1)
			}
			for i, q := range reqs {
				if q.Authorization != testregistry.Bearer(testToken) {
					t.Errorf("attempt %d carried %q", i+1, q.Masked())
				}
			}
			lines := traceLines(trace)
			if len(lines) != len(tc.statuses)+1 {
				t.Fatalf("trace has %d lines, want one per attempt:\n%s", len(lines), trace)
			}
			for i, l := range lines[1:] {
				if !strings.Contains(l, "retry "+string(rune('1'+i))+"/3") {
					t.Errorf("trace line %d does not mark the retry: %s", i+2, l)
				}
			}
			if strings.Contains(trace.String(), testToken) {
				t.Errorf("trace shows the token:\n%s", trace)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	reg, c, trace := newRegistry(t)
	// MaxBackoff bounds Retry-After at 4×; keep that above the 1s asked for.
	c.Retry = RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Second}
	path := reg.PackumentPath("com.example.a")
	reg.RetryAfter(path, 1)
	if _, err := c.Packument(context.Background(), reg.URL, "com.example.a"); err != nil {
		t.Fatalf("Packument: %v", err)
	}
	reqs := reg.RequestsTo(path)
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < time.Second {
		t.Errorf("retried after %s, before the Retry-After of 1s", gap)
	}
	if !strings.Contains(trace.String(), "Retry-After: 1") {
		t.Errorf("trace does not say why it waited:\n%s", trace)
	}
}

func TestNoRetry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		check  func(error) bool
	}{
		{"404", 404, func(err error) bool {
			var e *NotFoundError
			return errors.As(err, &e) && errors.Is(err, fs.ErrNotExist)
		}},
		{"401", 401, func(err error) bool {
			var e *AuthError
			return errors.As(err, &e) && e.Status == 401 && e.Carried.Header != ""
		}},
		{"403", 403, func(err error) bool { var e *AuthError; return errors.As(err, &e) && e.Status == 403 }},
		{"400", 400, func(err error) bool { var e *StatusError; return errors.As(err, &e) && e.Status == 400 }},
		{"501", 501, func(err error) bool { var e *StatusError; return errors.As(err, &e) && e.Status == 501 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, c, _ := newRegistry(t)
			path := reg.PackumentPath("com.example.a")
			reg.FailNext(path, tc.status, tc.status)
			_, err := c.Packument(context.Background(), reg.URL, "com.example.a")
			if !tc.check(err) {
				t.Fatalf("err = %T %v", err, err)
			}
			if n := len(reg.RequestsTo(path)); n != 1 {
				t.Errorf("%d requests, want 1 (no retry)", n)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestAttemptsAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		retry RetryPolicy
		want  int
	}{
		{"MaxAttempts 3", RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}, 3},
		{"default MaxAttempts", RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}, DefaultMaxAttempts},
		{"MaxAttempts 1", RetryPolicy{MaxAttempts: 1}, 1},
		{"MaxElapsed shorter than a backoff", RetryPolicy{MaxElapsed: time.Nanosecond, MinBackoff: time.Millisecond}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, c, trace := newRegistry(t)
			c.Retry = tc.retry
			path := reg.PackumentPath("com.example.a")
			reg.FailNext(path, 500, 500, 500, 500, 500, 500, 500, 500)
			_, err := c.Packument(context.Background(), reg.URL, "com.example.a")
			var se *StatusError
			if !errors.As(err, &se) || se.Status != 500 {
				t.Fatalf("err = %T %v, want *StatusError 500", err, err)
			}
			if n := len(reg.RequestsTo(path)); n != tc.want {
				t.Errorf("%d requests, want %d", n, tc.want)
			}
			if n := len(traceLines(trace)); n != tc.want {
				t.Errorf("%d trace lines, want %d", n, tc.want)
			}
		})
	}
}

func TestConnectionErrorsAreRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	var trace bytes.Buffer
	c := &Client{Retry: RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}, Trace: &trace}
	_, err = c.Packument(context.Background(), "http://"+addr, "com.example.a")
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Body {
		t.Fatalf("err = %T %v, want *NetworkError", err, err)
	}
	if n := len(traceLines(&trace)); n != 3 {
		t.Errorf("%d attempts, want 3:\n%s", n, &trace)
	}
}

// TestPermanentTransportErrorsAreNotRetried feeds errors from a Base
// transport: a host that does not exist is not retried, a reset is.
func TestPermanentTransportErrorsAreNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"no such host", &net.DNSError{Err: "no such host", Name: "npm.example.com", IsNotFound: true}, 1},
		{"DNS timeout", &net.DNSError{Err: "i/o timeout", Name: "npm.example.com", IsTimeout: true}, 3},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, 3},
		{"unexpected EOF", io.ErrUnexpectedEOF, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			c := &Client{
				Base:  roundTripFunc(func(*http.Request) (*http.Response, error) { calls++; return nil, tc.err }),
				Retry: RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond},
			}
			_, err := c.Packument(context.Background(), "https://npm.example.com", "com.example.a")
			var ne *NetworkError
			if !errors.As(err, &ne) {
				t.Fatalf("err = %T %v, want *NetworkError", err, err)
			}
			if calls != tc.want {
				t.Errorf("%d attempts, want %d", calls, tc.want)
			}
		})
	}
}

func TestHangingServerTimesOut(t *testing.T) {
	reg, c, trace := newRegistry(t)
	path := reg.PackumentPath("com.example.a")
	reg.Hang(path)
	c.Retry = RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, AttemptTimeout: 200 * time.Millisecond}
	_, err := c.Packument(context.Background(), reg.URL, "com.example.a")
	var ne *NetworkError
	if !errors.As(err, &ne) || !isTimeout(ne.Err) {
		t.Fatalf("err = %T %v, want a timeout *NetworkError", err, err)
	}
	if !strings.Contains(err.Error(), "timed out") {
		t.Errorf("message: %v", err)
	}
	if n := len(traceLines(trace)); n != 2 {
		t.Errorf("%d attempts, want 2:\n%s", n, trace)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	reg, c, _ := newRegistry(t)
	path := reg.PackumentPath("com.example.a")
	reg.FailNext(path, 503, 503, 503)
	c.Retry = RetryPolicy{MinBackoff: time.Hour, MaxBackoff: time.Hour, MaxElapsed: 10 * time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the first attempt has been answered.
		for len(reg.RequestsTo(path)) == 0 || reg.RequestsTo(path)[0].Status == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Packument(ctx, reg.URL, "com.example.a")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(reg.RequestsTo(path)); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestOnlyReplayableBodiesAreRetried(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name string
		body func() io.Reader
		want []string
	}{
		{"replayable", func() io.Reader { return strings.NewReader("payload") }, []string{"payload", "payload", "payload"}},
		{"one-shot", func() io.Reader { return io.MultiReader(strings.NewReader("payload")) }, []string{"payload"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bodies = nil
			c := &Client{Retry: RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}}
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/-/v1/login", tc.body())
			if err != nil {
				t.Fatal(err)
			}
			resp, _, err := c.do(context.Background(), srv.URL, req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 503 {
				t.Errorf("status %d", resp.StatusCode)
			}
			mu.Lock()
			defer mu.Unlock()
			if !reflect.DeepEqual(bodies, tc.want) {
				t.Errorf("server received %q, want %q", bodies, tc.want)
			}
		})
	}
}

func TestTarballResetMidBody(t *testing.T) {
	reg, c, _ := newRegistry(t)
	tgz := publish(t, reg, "com.example.b", "2.0.0", nil)
	p, err := c.Packument(context.Background(), reg.URL, "com.example.b")
	if err != nil {
		t.Fatal(err)
	}
	dist := p.Versions["2.0.0"].Dist
	reg.ResetMidBody(reg.TarballPath("com.example.b", "2.0.0"), 100)

	body, err := c.Tarball(context.Background(), reg.URL, dist.Tarball)
	if err != nil {
		t.Fatalf("Tarball: %v", err)
	}
	got, err := io.ReadAll(body)
	body.Close()
	var ne *NetworkError
	if !errors.As(err, &ne) || !ne.Body {
		t.Fatalf("read err = %T %v, want a *NetworkError with Body", err, err)
	}
	if len(got) >= len(tgz) {
		t.Fatalf("read %d bytes of %d despite the reset", len(got), len(tgz))
	}
	// The caller's retry gets the whole tarball.
	body, err = c.Tarball(context.Background(), reg.URL, dist.Tarball)
	if err != nil {
		t.Fatalf("Tarball again: %v", err)
	}
	defer body.Close()
	if got, err := io.ReadAll(body); err != nil || !bytes.Equal(got, tgz) {
		t.Fatalf("second read: %d bytes, err %v", len(got), err)
	}
}

func TestTarballRetriesHeaders(t *testing.T) {
	reg, c, _ := newRegistry(t)
	tgz := publish(t, reg, "com.example.b", "2.0.0", nil)
	path := reg.TarballPath("com.example.b", "2.0.0")
	reg.FailNext(path, 502, 503)
	body, err := c.Tarball(context.Background(), reg.URL, reg.URL+path)
	if err != nil {
		t.Fatalf("Tarball: %v", err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil || !bytes.Equal(got, tgz) {
		t.Fatalf("read %d bytes, err %v", len(got), err)
	}
	if n := len(reg.RequestsTo(path)); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// TestTarballAsStored pins that a tarball is asked for as it is stored: it
// is gzip already, and a registry that compresses answers would otherwise
// gzip it again on every download.
func TestTarballAsStored(t *testing.T) {
	reg, c, _ := newRegistry(t)
	publish(t, reg, "com.example.b", "2.0.0", nil)
	path := reg.TarballPath("com.example.b", "2.0.0")
	body, err := c.Tarball(context.Background(), reg.URL, reg.URL+path)
	if err != nil {
		t.Fatalf("Tarball: %v", err)
	}
	body.Close()
	reqs := reg.RequestsTo(path)
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if got := reqs[0].Header.Values("Accept-Encoding"); len(got) != 1 || got[0] != "identity" {
		t.Errorf("Accept-Encoding %q, want identity", got)
	}
}

// TestTarballGzippedAnyway: a server that gzips the answer although asked
// for it as it is still gives the tarball's own bytes.
func TestTarballGzippedAnyway(t *testing.T) {
	tgz := []byte("\x1f\x8b pretend tarball bytes")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(tgz)
		zw.Close()
	}))
	defer srv.Close()
	c := &Client{}
	body, err := c.Tarball(context.Background(), srv.URL, srv.URL+"/b/-/b-1.0.0.tgz")
	if err != nil {
		t.Fatalf("Tarball: %v", err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil || !bytes.Equal(got, tgz) {
		t.Fatalf("read %q, %v; want %q", got, err, tgz)
	}
}

func TestTarballErrors(t *testing.T) {
	reg, c, _ := newRegistry(t)
	for _, tc := range []struct {
		name, url string
		offline   bool
		check     func(error) bool
	}{
		{"not http", "file:///etc/passwd", false, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "not an absolute http(s) URL")
		}},
		{"relative", "/com.example.a/-/x.tgz", false, func(err error) bool { return err != nil && strings.Contains(err.Error(), "not an absolute") }},
		{"missing", reg.URL + "/com.example.a/-/com.example.a-9.9.9.tgz", false, func(err error) bool { var e *NotFoundError; return errors.As(err, &e) }},
		{"offline", reg.URL + "/com.example.a/-/com.example.a-1.0.0.tgz", true, func(err error) bool { var e *OfflineError; return errors.As(err, &e) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.Offline = tc.offline
			body, err := c.Tarball(context.Background(), reg.URL, tc.url)
			if body != nil {
				body.Close()
			}
			if !tc.check(err) {
				t.Fatalf("err = %T %v", err, err)
			}
		})
	}
}

// A cached packument whose body was cut short (written without an fsync,
// then a crash) is fetched again whole when the registry answers 304.
func TestPackumentCacheTornBody(t *testing.T) {
	reg, c, _ := newRegistry(t)
	c.CacheDir = t.TempDir()
	ctx := context.Background()
	want, err := c.Packument(ctx, reg.URL, "com.example.a")
	if err != nil {
		t.Fatal(err)
	}
	file := cachePath(c.CacheDir, reg.URL, "com.example.a")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	if err := os.WriteFile(file, append(line, []byte("\n{\"name\": \"com.exa")...), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := c.Packument(ctx, reg.URL, "com.example.a")
	if err != nil {
		t.Fatalf("with a torn cached body: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	reqs := reg.RequestsTo(reg.PackumentPath("com.example.a"))
	if n := len(reqs); n != 3 || reqs[1].Status != http.StatusNotModified || reqs[2].Header.Get("If-None-Match") != "" || reqs[2].Status != 200 {
		t.Errorf("%d requests (%+v), want the first, a 304 and an unconditional 200", n, reqs)
	}
	if c.CachedPackument(reg.URL, "com.example.a") == nil {
		t.Error("the cache was not repaired")
	}
}

func TestPackumentCacheRevalidation(t *testing.T) {
	reg, c, _ := newRegistry(t)
	c.CacheDir = t.TempDir()
	ctx := context.Background()
	path := reg.PackumentPath("com.example.a")

	first, err := c.Packument(ctx, reg.URL, "com.example.a")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Packument(ctx, reg.URL, "com.example.a")
	if err != nil {
		t.Fatal(err)
	}
	reqs := reg.RequestsTo(path)
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if reqs[0].Header.Get("If-None-Match") != "" || reqs[0].Status != 200 {
		t.Errorf("first request: If-None-Match %q, status %d", reqs[0].Header.Get("If-None-Match"), reqs[0].Status)
	}
	if reqs[1].Header.Get("If-None-Match") == "" || reqs[1].Status != http.StatusNotModified {
		t.Errorf("second request: If-None-Match %q, status %d, want a 304 revalidation", reqs[1].Header.Get("If-None-Match"), reqs[1].Status)
	}
	if accept := reqs[0].Header.Get("Accept"); accept != "application/json" {
		t.Errorf("Accept = %q", accept)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("the 304 answer gave\n%+v\nnot\n%+v", second, first)
	}

	// A new version changes the ETag: the next request gets it in full.
	publish(t, reg, "com.example.a", "1.1.0", nil)
	third, err := c.Packument(ctx, reg.URL, "com.example.a")
	if err != nil {
		t.Fatal(err)
	}
	if third.Versions["1.1.0"] == nil || reg.RequestsTo(path)[2].Status != 200 {
		t.Fatalf("after a publish: versions %v", third.Versions)
	}

	// Offline, with the server gone, the cache answers.
	reg.Close()
	off := &Client{CacheDir: c.CacheDir, Offline: true}
	got, err := off.Packument(ctx, reg.URL+"/", "com.example.a")
	if err != nil {
		t.Fatalf("offline: %v", err)
	}
	if !reflect.DeepEqual(got, third) {
		t.Errorf("offline gave\n%+v\nnot\n%+v", got, third)
	}
	var oe *OfflineError
	if _, err := off.Packument(ctx, reg.URL, "com.example.missing"); !errors.As(err, &oe) || oe.Name != "com.example.missing" {
		t.Fatalf("offline missing: %T %v", err, err)
	} else if !strings.Contains(err.Error(), "run once online") {
		t.Errorf("message: %v", err)
	}
	if _, err := (&Client{Offline: true}).Packument(ctx, reg.URL, "com.example.a"); !errors.As(err, &oe) {
		t.Errorf("offline without a cache: %T %v", err, err)
	}
	if _, err := off.Whoami(ctx, reg.URL); !errors.As(err, &oe) {
		t.Errorf("offline whoami: %T %v", err, err)
	}
}

func TestPackumentCacheDamaged(t *testing.T) {
	reg, c, _ := newRegistry(t)
	c.CacheDir = t.TempDir()
	ctx := context.Background()
	if _, err := c.Packument(ctx, reg.URL, "com.example.a"); err != nil {
		t.Fatal(err)
	}
	file := cachePath(c.CacheDir, reg.URL, "com.example.a")
	if err := os.WriteFile(file, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	off := &Client{CacheDir: c.CacheDir, Offline: true}
	if _, err := off.Packument(ctx, reg.URL, "com.example.a"); err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("offline with a damaged entry: %v", err)
	}
	// Online, the damaged entry is replaced.
	if _, err := c.Packument(ctx, reg.URL, "com.example.a"); err != nil {
		t.Fatal(err)
	}
	if q := reg.Requests(); q[len(q)-1].Header.Get("If-None-Match") != "" {
		t.Error("revalidated a damaged entry")
	}
	if _, err := off.Packument(ctx, reg.URL, "com.example.a"); err != nil {
		t.Fatalf("offline after the refetch: %v", err)
	}
}

func TestCachePathIsNormalised(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ a, b string }{
		{"http://127.0.0.1:4873", "HTTP://127.0.0.1:4873/"},
		{"https://npm.example.com:443/npm", "https://NPM.example.com/npm//"},
	} {
		if cachePath(dir, tc.a, "x") != cachePath(dir, tc.b, "x") {
			t.Errorf("%s and %s use different cache files", tc.a, tc.b)
		}
	}
	if cachePath(dir, "http://127.0.0.1:4873", "x") == cachePath(dir, "http://127.0.0.1:4874", "x") {
		t.Error("two registries share a cache file")
	}
	if rel, err := filepath.Rel(dir, cachePath(dir, "http://h", "../../x")); err != nil || strings.HasPrefix(rel, "..") {
		t.Errorf("cache path escapes the folder: %s", rel)
	}
}

func TestDependenciesKeepRegistryOrder(t *testing.T) {
	reg, c, _ := newRegistry(t)
	publish(t, reg, "com.example.c", "1.0.0",
		json.RawMessage(`{"com.example.z":"1.0.0","com.example.a":"2.0.0","com.unity.modules.ui":"1.0.0","com.example.m":"0.1.0"}`))
	p, err := c.Packument(context.Background(), reg.URL, "com.example.c")
	if err != nil {
		t.Fatal(err)
	}
	want := []manifest.Dependency{
		manifest.NewDependency("com.example.z", "1.0.0"),
		manifest.NewDependency("com.example.a", "2.0.0"),
		manifest.NewDependency("com.unity.modules.ui", "1.0.0"),
		manifest.NewDependency("com.example.m", "0.1.0"),
	}
	if got := p.Versions["1.0.0"].Dependencies; !reflect.DeepEqual(got, want) {
		t.Errorf("dependencies = %v, want %v", got, want)
	}
	v := p.Versions["1.0.0"]
	if v.Unity != "2021.3" || v.DisplayName == "" || v.Dist.Integrity == "" || v.Dist.Shasum == "" || p.DistTags["latest"] != "1.0.0" {
		t.Errorf("version = %+v, dist-tags %v", v, p.DistTags)
	}
}

func TestPackumentRefusesBadNames(t *testing.T) {
	reg, c, _ := newRegistry(t)
	for _, name := range []string{"", "../etc/passwd", "com.example/../x", "a..b", "@scope/name", "com example", ".hidden", "x%2f", strings.Repeat("a", 215)} {
		_, err := c.Packument(context.Background(), reg.URL, name)
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("%q: err = %v, want ErrInvalidName", name, err)
		}
	}
	if n := len(reg.Requests()); n != 0 {
		t.Errorf("%d requests went out", n)
	}
}

func TestCrossOriginTarball(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		alwaysAuth bool
	}{
		{"without alwaysAuth", false},
		{"with alwaysAuth", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cdn := testregistry.New(t, testregistry.Options{Addr: "127.0.0.2", Token: testToken})
			reg := testregistry.New(t, testregistry.Options{Token: testToken, Tarballs: cdn})
			tgz := publish(t, reg, "com.example.a", "1.0.0", nil)
			c := &Client{
				Credentials: credsOf([]testEntry{{Registry: reg.URL, Token: testToken, AlwaysAuth: tc.alwaysAuth, File: "/home/u/.upmconfig.toml"}}),
				Retry:       fastRetry(),
			}
			p, err := c.Packument(ctx, reg.URL, "com.example.a")
			if err != nil {
				t.Fatal(err)
			}
			tarURL := p.Versions["1.0.0"].Dist.Tarball
			if !strings.HasPrefix(tarURL, cdn.URL+"/") {
				t.Fatalf("tarball %s is not on the second origin %s", tarURL, cdn.URL)
			}
			body, err := c.Tarball(ctx, reg.URL, tarURL)
			seen := cdn.RequestsTo(cdn.TarballPath("com.example.a", "1.0.0"))
			if len(seen) != 1 {
				t.Fatalf("the tarball server got %d requests", len(seen))
			}
			if !tc.alwaysAuth {
				if seen[0].Authorization != "" {
					t.Errorf("the other origin received %s", seen[0].Masked())
				}
				var ae *AuthError
				if !errors.As(err, &ae) || !ae.CrossOrigin || ae.Carried.Header != "" || ae.Withheld.Header == "" || ae.Status != 401 {
					t.Fatalf("err = %T %v, want a CrossOrigin *AuthError", err, err)
				}
				msg := err.Error()
				for _, want := range []string{
					"tarball " + tarURL, "another server than the registry " + reg.URL, "answered 401",
					`npmAuth."` + reg.URL + `"`, "alwaysAuth = false",
				} {
					if !strings.Contains(msg, want) {
						t.Errorf("message lacks %q: %s", want, msg)
					}
				}
				if strings.Contains(msg, testToken) {
					t.Errorf("message shows the token: %s", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Tarball: %v", err)
			}
			defer body.Close()
			if got, err := io.ReadAll(body); err != nil || !bytes.Equal(got, tgz) {
				t.Fatalf("read %d bytes, %v", len(got), err)
			}
			if seen[0].Authorization != testregistry.Bearer(testToken) {
				t.Errorf("the other origin received %q", seen[0].Masked())
			}
		})
	}
}

// TestCrossOriginOwnEntry: a tarball host with its own npmAuth entry gets
// that entry's credential, and a refusal names it (not the CrossOrigin case).
func TestCrossOriginOwnEntry(t *testing.T) {
	ctx := context.Background()
	cdn := testregistry.New(t, testregistry.Options{Addr: "127.0.0.2", Token: "cdn-token-abcdefgh"})
	reg := testregistry.New(t, testregistry.Options{Token: testToken, Tarballs: cdn})
	publish(t, reg, "com.example.a", "1.0.0", nil)
	c := &Client{Credentials: credsOf([]testEntry{
		{Registry: reg.URL, Token: testToken},
		{Registry: cdn.URL, Token: "wrong-cdn-token-1234", File: "u.toml"},
	}), Retry: fastRetry()}
	_, err := c.Tarball(ctx, reg.URL, cdn.URL+cdn.TarballPath("com.example.a", "1.0.0"))
	var ae *AuthError
	if !errors.As(err, &ae) || ae.CrossOrigin || ae.Carried.Entry != cdn.URL {
		t.Fatalf("err = %T %v", err, err)
	}
	if got := cdn.Requests()[0].Authorization; got != testregistry.Bearer("wrong-cdn-token-1234") {
		t.Errorf("the tarball host received %q", got)
	}
}

func TestCorruptTarballIsServedAsIs(t *testing.T) {
	// The client streams; verifying is the caller's job. This pins that the
	// registry's corruption reaches the caller unchanged in length.
	reg, c, _ := newRegistry(t)
	tgz := publish(t, reg, "com.example.b", "1.0.0", nil)
	reg.CorruptTarball("com.example.b", "1.0.0")
	body, err := c.Tarball(context.Background(), reg.URL, reg.URL+reg.TarballPath("com.example.b", "1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil || len(got) != len(tgz) || bytes.Equal(got, tgz) {
		t.Fatalf("read %d bytes (of %d), equal %v, err %v", len(got), len(tgz), bytes.Equal(got, tgz), err)
	}
}

func TestWhoamiWithBasicAuth(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Basic: "dXNlcjpwYXNz", User: "bob", Prefix: "/npm"})
	c := &Client{Credentials: credsOf([]testEntry{{Registry: reg.URL + "/", Basic: "dXNlcjpwYXNz"}})}
	if u, err := c.Whoami(context.Background(), reg.URL); err != nil || u != "bob" {
		t.Fatalf("Whoami = %q, %v", u, err)
	}
}

func TestProxy(t *testing.T) {
	var mu sync.Mutex
	var seen []*http.Request
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(context.Background()))
		mu.Unlock()
		w.Write([]byte(`{"username":"via-proxy"}`))
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	pu.User = url.UserPassword("puser", "proxy-secret")
	var trace bytes.Buffer
	c := &Client{
		Credentials: credsOf([]testEntry{{Registry: "http://npm.example.com", Token: testToken}}),
		Proxy:       http.ProxyURL(pu),
		Trace:       &trace,
	}
	u, err := c.Whoami(context.Background(), "http://npm.example.com")
	if err != nil || u != "via-proxy" {
		t.Fatalf("Whoami = %q, %v", u, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 {
		t.Fatalf("the proxy got %d requests", len(seen))
	}
	r := seen[0]
	if r.URL.String() != "http://npm.example.com/-/whoami" || r.Header.Get("Authorization") != "Bearer "+testToken || r.Header.Get("Proxy-Authorization") == "" {
		t.Errorf("proxy saw %s, Authorization set %v, Proxy-Authorization set %v", r.URL, r.Header.Get("Authorization") != "", r.Header.Get("Proxy-Authorization") != "")
	}
	if strings.Contains(trace.String(), "proxy-secret") || strings.Contains(trace.String(), testToken) {
		t.Errorf("trace shows a secret:\n%s", &trace)
	}
}

func TestDefaultTransport(t *testing.T) {
	for _, tc := range []struct {
		max, want int
	}{{0, DefaultMaxConns}, {3, 3}} {
		tr := (&Client{MaxConns: tc.max}).transport()
		if tr.MaxConnsPerHost != tc.want || tr.MaxIdleConnsPerHost != tc.want {
			t.Errorf("MaxConns %d: per host %d, idle %d", tc.max, tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost)
		}
		if tr.Proxy == nil {
			t.Error("no proxy function: HTTP_PROXY would be ignored")
		}
		if tr.TLSClientConfig != nil && tr.TLSClientConfig.RootCAs != nil {
			t.Error("RootCAs set although the system's were asked for")
		}
	}
}

func TestLoadRootsTrustsATestCA(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{TLS: true, Token: testToken})
	publish(t, reg, "com.example.a", "1.0.0", nil)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, reg.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	auths := []testEntry{{Registry: reg.URL, Token: testToken}}

	// Without the CA the certificate is refused, once: no retry.
	var trace bytes.Buffer
	c := &Client{Credentials: credsOf(auths), Retry: fastRetry(), Trace: &trace}
	_, err := c.Packument(context.Background(), reg.URL, "com.example.a")
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("without the CA: %T %v", err, err)
	}
	if n := len(traceLines(&trace)); n != 1 {
		t.Errorf("a certificate error was tried %d times", n)
	}

	pool, err := LoadRoots([]string{"", caFile})
	if err != nil {
		t.Fatal(err)
	}
	c = &Client{Credentials: credsOf(auths), Retry: fastRetry(), RootCAs: pool}
	if _, err := c.Packument(context.Background(), reg.URL, "com.example.a"); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	// As the CLI sets it: the extra certificates, the system's store
	// loaded at the first TLS request.
	roots, err := ReadRoots([]string{caFile})
	if err != nil {
		t.Fatal(err)
	}
	if roots.Len() != 1 || roots.certs != nil {
		t.Fatalf("ReadRoots read %d files and parsed %d certificates of all before a TLS request; want 1 file, none yet", roots.Len(), len(roots.certs))
	}
	c = &Client{Credentials: credsOf(auths), Retry: fastRetry(), ExtraRoots: roots}
	if _, err := c.Packument(context.Background(), reg.URL, "com.example.a"); err != nil {
		t.Fatalf("with the CA as ExtraRoots: %v", err)
	}
	if len(roots.certs) != 1 {
		t.Errorf("after a TLS request, %d certificates parsed; want 1", len(roots.certs))
	}

	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("not a certificate\n"), 0o644)
	for _, f := range []string{filepath.Join(dir, "missing.pem"), empty} {
		if _, err := LoadRoots([]string{caFile, f}); err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("LoadRoots(%s) = %v, want an error naming the file", f, err)
		}
	}
}

// TestLazyRoots: the system's store is loaded for TLS requests only.
func TestLazyRoots(t *testing.T) {
	reg, _, _ := newRegistry(t) // plain HTTP
	tlsReg := testregistry.New(t, testregistry.Options{TLS: true, Token: testToken})
	lr := &lazyRoots{plain: (&Client{}).transport(), extra: nil}
	for _, u := range []string{reg.URL + "/com.example.a", reg.URL + "/-/ping"} {
		req, _ := http.NewRequest("GET", u, nil)
		resp, err := lr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if lr.tls.Load() != nil {
		t.Fatal("plain HTTP requests built the TLS transport")
	}
	// An https URL, or an http one through an https proxy, takes TLS.
	req, _ := http.NewRequest("GET", tlsReg.URL+"/-/ping", nil)
	if resp, err := lr.RoundTrip(req); err == nil {
		resp.Body.Close()
	}
	if tr := lr.tls.Load(); tr == nil || tr.TLSClientConfig == nil || tr.TLSClientConfig.RootCAs == nil {
		t.Fatal("an https request did not get the TLS transport with its roots")
	}
	viaProxy := &lazyRoots{plain: (&Client{Proxy: func(*http.Request) (*url.URL, error) {
		return url.Parse("https://proxy.example.com:3128")
	}}).transport()}
	req, _ = http.NewRequest("GET", "http://registry.example.com/x", nil)
	if !viaProxy.needsTLS(req) {
		t.Error("an https proxy does not count as TLS")
	}
	lr.CloseIdleConnections()
	viaProxy.CloseIdleConnections()

	// Closing idle connections first does not stop a later TLS request.
	fresh := &lazyRoots{plain: (&Client{}).transport()}
	fresh.CloseIdleConnections()
	req, _ = http.NewRequest("GET", tlsReg.URL+"/-/ping", nil)
	if resp, err := fresh.RoundTrip(req); err == nil {
		resp.Body.Close()
	}
	if fresh.tls.Load() == nil {
		t.Error("no TLS transport after CloseIdleConnections")
	}
}

func TestConcurrentPackuments(t *testing.T) {
	reg, c, _ := newRegistry(t)
	c.CacheDir = t.TempDir()
	c.MaxConns = 2
	names := []string{"com.example.a"}
	for _, n := range []string{"com.example.b", "com.example.c", "com.example.d"} {
		publish(t, reg, n, "1.0.0", nil)
		names = append(names, n)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			name := names[i%len(names)]
			p, err := c.Packument(context.Background(), reg.URL, name)
			if err == nil && p.Name != name {
				err = errors.New("wrong packument " + p.Name)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestBodyIdleTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "20")
		w.Write([]byte("0123456789"))
		w.(http.Flusher).Flush()
		if r.URL.Path == "/stall" {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.Write([]byte("0123456789"))
	}))
	defer srv.Close()
	defer close(release)
	const idle = 100 * time.Millisecond
	c := &Client{Retry: RetryPolicy{IdleTimeout: idle}}

	body, err := c.Tarball(context.Background(), srv.URL, srv.URL+"/stall")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(body)
	body.Close()
	var ne *NetworkError
	if !errors.As(err, &ne) || !ne.Body || !isTimeout(ne.Err) || !strings.Contains(err.Error(), "stalled") {
		t.Fatalf("stalled body: %T %v", err, err)
	}

	// A caller slower than the idle timeout between reads is not idle.
	body, err = c.Tarball(context.Background(), srv.URL, srv.URL+"/full")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	buf := make([]byte, 5)
	var got []byte
	for {
		n, err := body.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read after %d bytes: %v", len(got), err)
		}
		time.Sleep(2 * idle)
	}
	if string(got) != "01234567890123456789" {
		t.Errorf("read %q", got)
	}
}

func TestTraceSample(t *testing.T) {
	reg, c, trace := newRegistry(t)
	reg.FailNext(reg.PackumentPath("com.example.a"), 503)
	if _, err := c.Packument(context.Background(), reg.URL, "com.example.a"); err != nil {
		t.Fatal(err)
	}
	lines := traceLines(trace)
	if len(lines) != 2 {
		t.Fatalf("trace:\n%s", trace)
	}
	for i, want := range []string{
		"http: GET " + reg.URL + "/com.example.a → 503 Service Unavailable (",
		"http: GET " + reg.URL + "/com.example.a → 200 OK (",
	} {
		if !strings.HasPrefix(lines[i], want) || !strings.Contains(lines[i], `[Bearer ****cdef (npmAuth."`+reg.URL+`", test.toml)]`) {
			t.Errorf("line %d = %s", i+1, lines[i])
		}
	}
	if !strings.Contains(lines[1], "retry 1/3 (after 503 Service Unavailable, waited ") || strings.Contains(lines[0], "retry") {
		t.Errorf("retry marks:\n%s", trace)
	}
	t.Logf("trace:\n%s", trace)
}

// testEntry is an npmAuth entry of the tests; the CLI wires upmconfig's
// entries the same way (regurl.Select decides).
type testEntry struct {
	Registry, Token, Basic, File string
	AlwaysAuth                   bool
}

// credsOf is the CredentialFunc of entries.
func credsOf(entries []testEntry) CredentialFunc {
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Registry
	}
	always := func(i int) bool { return entries[i].AlwaysAuth }
	return func(_ context.Context, reg, u string) (Credential, error) {
		i, ok := regurl.Select(keys, always, reg, u)
		if !ok {
			return Credential{}, nil
		}
		e := entries[i]
		c := Credential{Entry: e.Registry, File: e.File, AlwaysAuth: e.AlwaysAuth}
		switch {
		case e.Token != "":
			c.Header = "Bearer " + e.Token
		case e.Basic != "":
			c.Header = "Basic " + e.Basic
		}
		return c, nil
	}
}

// TestHTTP2WhereOffered: a registry that offers HTTP/2 over TLS gets every
// request over it (one connection, many streams), with the certificate
// authorities set either way (RootCAs, or ExtraRoots added to the system's
// store at the first TLS request); one that offers only HTTP/1.1 keeps
// getting HTTP/1.1.
func TestHTTP2WhereOffered(t *testing.T) {
	for _, tc := range []struct {
		name  string
		http2 bool
		extra bool
		want  string
	}{
		{"h2, RootCAs", true, false, "HTTP/2.0"},
		{"h2, ExtraRoots", true, true, "HTTP/2.0"},
		{"http/1.1 only", false, false, "HTTP/1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{TLS: true, HTTP2: tc.http2, Token: testToken})
			tgz := publish(t, reg, "com.example.a", "1.0.0", nil)
			caFile := filepath.Join(t.TempDir(), "ca.pem")
			if err := os.WriteFile(caFile, reg.CertPEM(), 0o644); err != nil {
				t.Fatal(err)
			}
			c := &Client{Credentials: credsOf([]testEntry{{Registry: reg.URL, Token: testToken}}), Retry: fastRetry()}
			if tc.extra {
				roots, err := ReadRoots([]string{caFile})
				if err != nil {
					t.Fatal(err)
				}
				c.ExtraRoots = roots
			} else {
				pool, err := LoadRoots([]string{caFile})
				if err != nil {
					t.Fatal(err)
				}
				c.RootCAs = pool
			}
			p, err := c.Packument(context.Background(), reg.URL, "com.example.a")
			if err != nil {
				t.Fatal(err)
			}
			body, err := c.Tarball(context.Background(), reg.URL, p.Versions["1.0.0"].Dist.Tarball)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(body)
			body.Close()
			if err != nil || !bytes.Equal(got, tgz) {
				t.Fatalf("tarball: %d bytes, %v; want the %d published", len(got), err, len(tgz))
			}
			reqs := reg.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2 (packument, tarball)", len(reqs))
			}
			for _, q := range reqs {
				if q.Proto != tc.want {
					t.Errorf("%s %s came over %s, want %s", q.Method, q.Path, q.Proto, tc.want)
				}
			}
		})
	}
}
