package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/fixture"
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

// faultRegistry serves com.example.a 1.0.0 (packument and tarball); before
// answering it asks fault whether to misbehave on this request instead.
type faultRegistry struct {
	tgz   []byte
	url   string
	fault func(w http.ResponseWriter, r *http.Request, n int) bool
	mu    sync.Mutex
	hits  map[string]int
}

func newFaultRegistry(t *testing.T, fault func(w http.ResponseWriter, r *http.Request, n int) bool) *faultRegistry {
	t.Helper()
	tgz, err := fixture.Tarball(fixture.UnityManifest("com.example.a", "1.0.0", "", nil), fixture.UnityFiles("com.example.a", 2))
	if err != nil {
		t.Fatal(err)
	}
	return newFaultRegistryWith(t, tgz, fault)
}

// newFaultRegistryWith serves tgz as com.example.a 1.0.0's tarball, with its
// true checksum.
func newFaultRegistryWith(t *testing.T, tgz []byte, fault func(w http.ResponseWriter, r *http.Request, n int) bool) *faultRegistry {
	t.Helper()
	fr := &faultRegistry{tgz: tgz, fault: fault, hits: map[string]int{}}
	srv := httptest.NewServer(fr)
	t.Cleanup(srv.Close)
	fr.url = srv.URL
	return fr
}

func (fr *faultRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fr.mu.Lock()
	fr.hits[r.URL.Path]++
	n := fr.hits[r.URL.Path]
	fr.mu.Unlock()
	if fr.fault != nil && fr.fault(w, r, n) {
		return
	}
	switch r.URL.Path {
	case "/com.example.a":
		sum := sha512.Sum512(fr.tgz)
		body := fmt.Sprintf(`{"name": "com.example.a", "versions": {"1.0.0": {"name": "com.example.a", "version": "1.0.0", "dist": {"tarball": %q, "integrity": "sha512-%s"}}}}`,
			fr.url+"/com.example.a/-/com.example.a-1.0.0.tgz", base64.StdEncoding.EncodeToString(sum[:]))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		fmt.Fprint(w, body)
	case "/com.example.a/-/com.example.a-1.0.0.tgz":
		w.Header().Set("Content-Length", fmt.Sprint(len(fr.tgz)))
		w.Write(fr.tgz)
	default:
		http.NotFound(w, r)
	}
}

// breakOff answers with the headers of a whole document and half of it,
// then drops the connection.
func breakOff(w http.ResponseWriter, full []byte) {
	w.Header().Set("Content-Length", fmt.Sprint(len(full)))
	w.WriteHeader(http.StatusOK)
	w.Write(full[:len(full)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

// TestBodyBreaksOffOnce (item 3): a packument, like a tarball, that breaks
// off mid-body once is fetched again, and the install succeeds.
func TestBodyBreaksOffOnce(t *testing.T) {
	for _, what := range []string{"/com.example.a", "/com.example.a/-/com.example.a-1.0.0.tgz"} {
		t.Run(what, func(t *testing.T) {
			var fr *faultRegistry
			fr = newFaultRegistry(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path != what || n > 1 {
					return false
				}
				breakOff(w, []byte(strings.Repeat("x", 4096)))
				return true
			})
			s := newSandbox(t)
			faultProject(s, fr.url)
			start := time.Now()
			s.ok("", "install", "--no-progress")
			if d := time.Since(start); d > 60*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestTrickleHitsTheRequestDeadline (item 4): a registry that sends a byte
// now and then cannot hold an install forever: UPKG_REQUEST_TIMEOUT bounds
// each request, and the error says which limit it was.
func TestTrickleHitsTheRequestDeadline(t *testing.T) {
	fr := newFaultRegistry(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte("x")); err != nil {
				return true
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return true
			case <-time.After(500 * time.Millisecond):
			}
		}
		return true
	})
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, "UPKG_REQUEST_TIMEOUT=3s")
	faultProject(s, fr.url)
	start := time.Now()
	r := s.fails(5, "", "install", "--no-progress")
	// Generous, but below what retrying the deadline would take (4 × 3s).
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v with a 3s request deadline: was it retried?", d)
	}
	if !strings.Contains(r.Stderr, "UPKG_REQUEST_TIMEOUT") {
		t.Errorf("the error does not name the limit:\n%s", r.Stderr)
	}
}

// TestUninstallableArchivesAreNotCached (item 7): an archive whose checksum
// matches but that cannot be installed — a path 3 000 folders deep, a gzip
// stream cut short — exits 7 and leaves nothing in the cache.
func TestUninstallableArchivesAreNotCached(t *testing.T) {
	var deep bytes.Buffer
	gz := gzip.NewWriter(&deep)
	tw := tar.NewWriter(gz)
	pj := []byte(`{"name": "com.example.a", "version": "1.0.0"}`)
	tw.WriteHeader(&tar.Header{Name: "package/package.json", Mode: 0o644, Size: int64(len(pj)), Typeflag: tar.TypeReg})
	tw.Write(pj)
	name := "package/" + strings.Repeat("d/", 3000) + "f.txt"
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg, Format: tar.FormatPAX})
	tw.Write([]byte("x"))
	tw.Close()
	gz.Close()

	good, err := fixture.Tarball(fixture.UnityManifest("com.example.a", "1.0.0", "", nil), fixture.UnityFiles("com.example.a", 2))
	if err != nil {
		t.Fatal(err)
	}
	cut := good[:len(good)*2/3]

	for _, tt := range []struct {
		name string
		tgz  []byte
		says string
	}{{"3000 folders deep", deep.Bytes(), "longer than"}, {"gzip stream cut short", cut, "no valid archive"}} {
		t.Run(tt.name, func(t *testing.T) {
			fr := newFaultRegistryWith(t, tt.tgz, nil)
			s := newSandbox(t)
			faultProject(s, fr.url)
			r := s.fails(7, "", "install", "--no-progress")
			if !strings.Contains(r.Stderr, tt.says) || !strings.Contains(r.Stderr, "com.example.a") {
				t.Errorf("the error does not say what: %s", r.Stderr)
			}
			entries, _ := filepath.Glob(filepath.Join(s.Home, "cache", "upkg", "v1", "entries", "*"))
			if len(entries) != 0 {
				t.Errorf("the archive was cached: %v", entries)
			}
		})
	}
}
