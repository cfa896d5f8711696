package e2e

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultProject writes a project whose com.example scope goes to reg.
func faultProject(s *sandbox, reg string) {
	s.project(fmt.Sprintf(`{"dependencies": {"com.example.a": "1.0.0"}, "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]}`, reg), "2022.3.20f1")
}

// TestRegistryUnavailableExits5 (issue 10, item 8): a registry that keeps
// answering 5xx, or 429 past its retries, is unavailable: exit 5, within a
// generous bound.
func TestRegistryUnavailableExits5(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
	}{{"500", 500}, {"503", 503}, {"429", 429}} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 429 {
					w.Header().Set("Retry-After", "0")
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			s := newSandbox(t)
			faultProject(s, srv.URL)
			start := time.Now()
			r := s.fails(5, "", "install")
			if d := time.Since(start); d > 90*time.Second {
				t.Errorf("took %v", d)
			}
			if !strings.Contains(r.Stderr, srv.URL) {
				t.Errorf("the error does not name the registry:\n%s", r.Stderr)
			}
		})
	}
}

// TestHTTPSDowngradeRefused (item 6): a redirect from https to http is not
// followed, with no credential either: exit 5, naming both URLs.
func TestHTTPSDowngradeRefused(t *testing.T) {
	var plainHits int
	var mu sync.Mutex
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		plainHits++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name": "com.example.a", "versions": {}}`)
	}))
	defer plain.Close()
	ca := newTestCA(t, "upkg downgrade CA")
	secure := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	secure.TLS = &tls.Config{Certificates: []tls.Certificate{ca.leaf(t)}}
	secure.StartTLS()
	defer secure.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, "NODE_EXTRA_CA_CERTS="+caFile)
	faultProject(s, secure.URL)
	r := s.fails(5, "", "install")
	for _, w := range []string{secure.URL + "/com.example.a", plain.URL + "/com.example.a", "https to http"} {
		if !strings.Contains(r.Stderr, w) {
			t.Errorf("the error lacks %q:\n%s", w, r.Stderr)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if plainHits != 0 {
		t.Errorf("the plain HTTP server was asked %d times", plainHits)
	}
}

// TestDotSegmentsDoNotWidenACredential (item 5): an npmAuth entry for /a
// does not reach a registry at /a/../ab, and no request goes out with a dot
// segment in its path.
func TestDotSegmentsDoNotWidenACredential(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.EscapedPath()+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer srv.Close()
	s := newSandbox(t)
	const token = "dot-segment-token-31337"
	secrets.add(token)
	s.login(srv.URL+"/a", token)
	faultProject(s, srv.URL+"/a/../ab")
	s.run("", "install")
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no request reached the registry")
	}
	for _, r := range seen {
		if strings.Contains(r, token) {
			t.Errorf("the /a credential went to %s", r)
		}
		if strings.Contains(r, "/../") || strings.Contains(r, "/./") {
			t.Errorf("a request kept its dot segments: %s", r)
		}
		if !strings.HasPrefix(r, "/ab/") {
			t.Errorf("request %s is not under /ab", r)
		}
	}
}
