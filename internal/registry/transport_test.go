package registry

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is a test server that remembers the Authorization header of every
// request, by path.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]string
}

func newRecorder(t *testing.T, addr string, h func(w http.ResponseWriter, r *http.Request)) *recorder {
	t.Helper()
	rec := &recorder{seen: map[string]string{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen[r.URL.Path] = r.Header.Get("Authorization")
		rec.mu.Unlock()
		h(w, r)
	}))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		// Not a skip: the routing test needs the second origin.
		t.Fatalf("cannot listen on %s: %v", addr, err)
	}
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	rec.Server = srv
	return rec
}

func (r *recorder) auth(path string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.seen[path]
	return v, ok
}

func whoamiHandler(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Write([]byte(`{"username":"alice"}`))
}

func TestCredentialRouting(t *testing.T) {
	other := newRecorder(t, "127.0.0.2:0", whoamiHandler)
	var home *recorder
	home = newRecorder(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/npm/-/whoami":
			whoamiHandler(w, r)
		case "/npm/-/redirect-same":
			http.Redirect(w, r, home.URL+"/npm/-/whoami", http.StatusFound)
		case "/npm/-/redirect-other":
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
		default:
			w.Write([]byte(`{}`))
		}
	})
	reg := home.URL + "/npm"
	const tok = "secret-token-0123456789"
	ctx := context.Background()

	for _, tc := range []struct {
		name       string
		alwaysAuth bool
		get        string
		server     *recorder
		path       string
		want       string
	}{
		{"under the registry", false, reg + "/-/whoami", home, "/npm/-/whoami", "Bearer " + tok},
		{"same origin, other path", false, home.URL + "/files/x.tgz", home, "/files/x.tgz", "Bearer " + tok},
		{"other origin without alwaysAuth", false, other.URL + "/x.tgz", other, "/x.tgz", ""},
		{"other origin with alwaysAuth", true, other.URL + "/y.tgz", other, "/y.tgz", "Bearer " + tok},
		{"redirect to the same host", false, reg + "/-/redirect-same", home, "/npm/-/whoami", "Bearer " + tok},
		{"redirect to another host", true, reg + "/-/redirect-other", other, "/elsewhere", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var trace bytes.Buffer
			c := &Client{Credentials: credsOf([]testEntry{{Registry: reg + "/", Token: tok, AlwaysAuth: tc.alwaysAuth, File: "test.toml"}}), Trace: &trace}
			var v any
			_ = c.getJSON(ctx, reg, tc.get, &v)
			got, ok := tc.server.auth(tc.path)
			if !ok {
				t.Fatalf("%s was not requested", tc.path)
			}
			if got != tc.want {
				t.Errorf("Authorization = %q, want %q", got, tc.want)
			}
			if strings.Contains(trace.String(), tok) {
				t.Errorf("trace shows the token: %s", trace.String())
			}
		})
	}
}

func TestWhoamiErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "":
			w.Write([]byte(`{}`)) // Verdaccio: anonymous
		case "Bearer good-token-123456":
			w.Write([]byte(`{"username":"alice"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	c := &Client{Credentials: credsOf([]testEntry{{Registry: srv.URL, Token: "good-token-123456"}})}
	if u, err := c.Whoami(ctx, srv.URL+"/"); err != nil || u != "alice" {
		t.Fatalf("Whoami = %q, %v", u, err)
	}

	var ae *AuthError
	_, err := (&Client{}).Whoami(ctx, srv.URL)
	if !errors.As(err, &ae) || !ae.Anonymous || ae.Carried.Header != "" {
		t.Fatalf("anonymous: %v", err)
	}
	c = &Client{Credentials: credsOf([]testEntry{{Registry: srv.URL, Token: "bad-token-987654321", File: "u.toml"}})}
	_, err = c.Whoami(ctx, srv.URL)
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Carried.Header == "" {
		t.Fatalf("refused: %v", err)
	}
	if strings.Contains(err.Error(), "bad-token-987654321") || !strings.Contains(err.Error(), "****4321") {
		t.Errorf("error text: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNoDowngradeWithCredential: a redirect hop from https to http on the same
// host is refused, with a credential (rule 4) or without.
func TestNoDowngradeWithCredential(t *testing.T) {
	called := false
	tr := &authTransport{
		base:  roundTripFunc(func(*http.Request) (*http.Response, error) { called = true; return nil, errors.New("unreachable") }),
		creds: credsOf([]testEntry{{Registry: "https://npm.example.com", Token: "tok-123456789", AlwaysAuth: true}}),
	}
	ctx := context.WithValue(context.Background(), attemptKey{}, &attempt{reg: "https://npm.example.com"})
	first, _ := http.NewRequestWithContext(ctx, "GET", "https://npm.example.com/pkg", nil)
	hop, _ := http.NewRequestWithContext(ctx, "GET", "http://npm.example.com/pkg", nil)
	hop.Response = &http.Response{Request: first}
	if _, err := tr.RoundTrip(hop); !errors.Is(err, errInsecureRedirect) {
		t.Fatalf("err = %v, want errInsecureRedirect", err)
	}
	if called {
		t.Fatal("the request went out")
	}
	// Without a credential for it, the same hop is refused too: what it
	// fetched over plain HTTP could have been changed on the way (issue 10).
	tr.creds = credsOf(nil)
	_, err := tr.RoundTrip(hop)
	var de *DowngradeError
	if !errors.As(err, &de) || called || de.From != "https://npm.example.com/pkg" || de.To != "http://npm.example.com/pkg" {
		t.Fatalf("hop without credential: err = %v, called = %v", err, called)
	}
}
