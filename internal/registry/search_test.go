package registry

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testregistry"
)

func TestSearch(t *testing.T) {
	reg, c, _ := newRegistry(t)
	publish(t, reg, "com.example.b", "2.0.0", nil)
	publish(t, reg, "org.other.c", "1.0.0", nil)

	got, err := c.Search(context.Background(), reg.URL, "example", 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		names = append(names, r.Name+"@"+r.Version)
	}
	if strings.Join(names, " ") != "com.example.a@1.0.0 com.example.b@2.0.0" {
		t.Errorf("results %v", names)
	}
	reqs := reg.RequestsTo("/-/v1/search")
	if len(reqs) != 1 || reqs[0].Query != "size=10&text=example" || reqs[0].Authorization != testregistry.Bearer(testToken) {
		t.Errorf("requests %+v", reqs)
	}
	if got, err := c.Search(context.Background(), reg.URL, "example", 1); err != nil || len(got) != 1 {
		t.Errorf("size 1: %v, %v", got, err)
	}
}

func TestSearchUnsupported(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: testToken, NoSearch: true})
	c := &Client{Credentials: credsOf([]testEntry{{Registry: reg.URL, Token: testToken, File: "test.toml"}}), Retry: fastRetry()}
	_, err := c.Search(context.Background(), reg.URL, "x", 5)
	var su *SearchUnsupportedError
	if !errors.As(err, &su) || su.Status != http.StatusNotFound || su.Registry != reg.URL {
		t.Fatalf("404: %v", err)
	}

	for name, h := range map[string]http.HandlerFunc{
		"405":      func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusMethodNotAllowed) },
		"501":      func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotImplemented) },
		"html":     func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<html>hello</html>")) },
		"no field": func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"name":"-"}`)) },
	} {
		srv := httptest.NewServer(h)
		_, err := (&Client{Retry: fastRetry()}).Search(context.Background(), srv.URL, "x", 5)
		srv.Close()
		if !errors.As(err, &su) {
			t.Errorf("%s: %v; want a *SearchUnsupportedError", name, err)
		}
	}
}

func TestSearchErrors(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{Token: testToken})
	_, err := (&Client{Retry: fastRetry()}).Search(context.Background(), reg.URL, "x", 5)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %v; want an *AuthError", err)
	}
	_, err = (&Client{Offline: true}).Search(context.Background(), reg.URL, "x", 5)
	var oe *OfflineError
	if !errors.As(err, &oe) {
		t.Errorf("offline: %v", err)
	}
	if len(reg.RequestsTo("/-/v1/search")) != 1 {
		t.Errorf("offline search reached the registry")
	}
}

func TestCredentialFor(t *testing.T) {
	reg, c, _ := newRegistry(t)
	cred, err := c.CredentialFor(context.Background(), reg.URL, PackumentURL(reg.URL, "com.example.a"))
	if err != nil || cred.Kind() != "token" || strings.Contains(cred.String(), testToken) || cred.Entry != reg.URL {
		t.Errorf("credential %v, %v", cred, err)
	}
	if cred, err := (&Client{}).CredentialFor(context.Background(), reg.URL, reg.URL); err != nil || cred.Header != "" {
		t.Errorf("no CredentialFunc: %v, %v", cred, err)
	}
}

func TestSearchAll(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/-/all" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Write([]byte(`{"_updated": 12345,
			"com.example.b": {"name": "com.example.b", "description": "Core B", "dist-tags": {"latest": "2.0.0"}, "time": {"modified": "2026-01-02T00:00:00Z"}},
			"com.example.a": {"name": "com.example.a", "description": "The first", "keywords": ["core"], "dist-tags": {"latest": "1.0.0"}},
			"org.other.c": {"name": "org.other.c", "description": "Core C"},
			"broken": 7}`))
	}))
	defer srv.Close()
	c := &Client{Retry: fastRetry()}
	got, err := c.SearchAll(context.Background(), srv.URL, "EXAMPLE core", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "com.example.a" || got[0].Version != "1.0.0" || got[1].Name != "com.example.b" || got[1].Date != "2026-01-02T00:00:00Z" {
		t.Errorf("results %+v", got)
	}
	if got, err := c.SearchAll(context.Background(), srv.URL, "core", 1); err != nil || len(got) != 1 || got[0].Name != "com.example.a" {
		t.Errorf("size 1: %+v, %v", got, err)
	}

	reg := testregistry.New(t, testregistry.Options{Anonymous: true, NoSearch: true})
	_, err = c.SearchAll(context.Background(), reg.URL, "x", 0)
	var su *SearchUnsupportedError
	if !errors.As(err, &su) || !su.All || su.Answer() != "/-/all answered 404 Not Found" {
		t.Errorf("no /-/all: %v", err)
	}
}
