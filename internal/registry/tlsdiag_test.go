package registry

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTLSErrorExplained(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caPath, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "https://")

	t.Run("without the CA", func(t *testing.T) {
		c := &Client{Retry: RetryPolicy{MaxAttempts: 1}, GlobalConfig: "/etc/upmconfig.toml"}
		_, err := c.Probe(context.Background(), srv.URL, "-/ping")
		var te *TLSError
		if !errors.As(err, &te) {
			t.Fatalf("want a *TLSError, got %v", err)
		}
		var ne *NetworkError
		if !errors.As(err, &ne) {
			t.Errorf("want it inside a *NetworkError (exit 5), got %T", err)
		}
		if te.Host != host || te.Reason != TLSUnknownAuthority || !strings.Contains(te.Issuer, "Acme Co") {
			t.Errorf("got %+v", te)
		}
		for _, w := range []string{host, "Acme Co"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("message lacks %q: %v", w, err)
			}
		}
		for _, w := range []string{"caFile", "/etc/upmconfig.toml", "NODE_EXTRA_CA_CERTS"} {
			if !strings.Contains(te.Fix(), w) {
				t.Errorf("fix lacks %q: %v", w, te.Fix())
			}
		}
	})

	t.Run("with the CA", func(t *testing.T) {
		pool, err := LoadRoots([]string{caPath})
		if err != nil {
			t.Fatal(err)
		}
		c := &Client{Retry: RetryPolicy{MaxAttempts: 1}, RootCAs: pool, CAFiles: []string{caPath}}
		res, err := c.Probe(context.Background(), srv.URL, "-/ping")
		if err != nil {
			t.Fatal(err)
		}
		if res.TLS == nil || len(res.TLS.VerifiedChains) == 0 {
			t.Errorf("no verified chain in %+v", res.TLS)
		}
	})

	t.Run("wrong host name", func(t *testing.T) {
		pool, err := LoadRoots([]string{caPath})
		if err != nil {
			t.Fatal(err)
		}
		// httptest's certificate names 127.0.0.1 and example.com, not localhost.
		u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
		c := &Client{Retry: RetryPolicy{MaxAttempts: 1}, RootCAs: pool}
		_, err = c.Probe(context.Background(), u, "-/ping")
		var te *TLSError
		if !errors.As(err, &te) || te.Reason != TLSHostname {
			t.Fatalf("want a hostname *TLSError, got %v", err)
		}
	})
}

func TestExplainTLSIgnoresOtherErrors(t *testing.T) {
	if e := ExplainTLS("h", errors.New("connection refused"), "", nil); e != nil {
		t.Errorf("got %v", e)
	}
}
