package e2e

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// pkg is a fixture package to publish.
type pkg struct {
	name, version, unity string
	deps                 map[string]string
}

// publish publishes fixture packages with realistic files.
func publish(t *testing.T, srv *verdaccio.Server, token string, pkgs ...pkg) {
	t.Helper()
	for _, p := range pkgs {
		pj := fixture.UnityManifest(p.name, p.version, p.unity, p.deps)
		tgz, err := fixture.Tarball(pj, fixture.UnityFiles(p.name, 3))
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Publish(context.Background(), token, pj, tgz); err != nil {
			t.Fatalf("publish %s@%s: %v", p.name, p.version, err)
		}
	}
}

// spy is a reverse proxy in front of a registry that records the
// Authorization header of every request it forwards, so a test can prove which
// credential each server saw. It keeps the Host header, so Verdaccio's
// dist.tarball URLs point back at the spy.
type spy struct {
	URL string
	mu  sync.Mutex
	got []seen
	rp  *httputil.ReverseProxy
	// tarballDelay holds every tarball response back this long, so a test
	// can watch an install in progress; packumentDelay every other request
	// but the /-/ endpoints (resolution in progress).
	tarballDelay, packumentDelay time.Duration
}

func (s *spy) forward(t *testing.T, target string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.rp = httputil.NewSingleHostReverseProxy(u)
	s.mu.Unlock()
}

type seen struct{ path, auth string }

func newSpy(t *testing.T, addr, target string) *spy {
	t.Helper()
	s := listenSpy(t, addr)
	s.forward(t, target)
	return s
}

// listenSpy starts a spy whose target is set later with forward (a server
// whose URL must be known before its target starts).
func listenSpy(t *testing.T, addr string) *spy {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	s := &spy{URL: "http://" + l.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.got = append(s.got, seen{r.URL.Path, r.Header.Get("Authorization")})
		rp, delay, pdelay := s.rp, s.tarballDelay, s.packumentDelay
		s.mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, ".tgz"):
			time.Sleep(delay)
		case !strings.HasPrefix(r.URL.Path, "/-/"):
			time.Sleep(pdelay)
		}
		if rp == nil {
			http.Error(w, "spy has no target", http.StatusBadGateway)
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// auths returns the distinct Authorization values the spy saw ("" = none).
func (s *spy) auths() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for _, g := range s.got {
		m[g.auth]++
	}
	return m
}

// delayTarballs sets tarballDelay.
func (s *spy) delayTarballs(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tarballDelay = d
}

// delayPackuments sets packumentDelay.
func (s *spy) delayPackuments(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.packumentDelay = d
}

func (s *spy) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func (s *spy) sawTarball() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.got {
		if strings.HasSuffix(g.path, ".tgz") {
			return true
		}
	}
	return false
}
