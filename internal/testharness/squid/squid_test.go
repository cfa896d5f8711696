package squid

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestProxy: squid resolves a name only it knows and forwards to a loopback
// server; with credentials required it answers 407 without them.
func TestProxy(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.Host)
	}))
	defer backend.Close()
	port := backend.URL[strings.LastIndex(backend.URL, ":")+1:]
	target := "http://registry.example.com:" + port + "/x"
	hosts := map[string]string{"registry.example.com": "127.0.0.1"}

	get := func(proxy string) (int, string) {
		t.Helper()
		pu, err := url.Parse(proxy)
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
		resp, err := c.Get(target)
		if err != nil {
			t.Fatalf("GET through %s: %v", pu.Redacted(), err)
		}
		defer resp.Body.Close()
		buf := make([]byte, 100)
		n, _ := resp.Body.Read(buf)
		return resp.StatusCode, string(buf[:n])
	}

	t.Run("open", func(t *testing.T) {
		s := ForTest(t, Options{Hosts: hosts})
		code, body := get(s.URL)
		if code != 200 || body != "hello registry.example.com:"+port {
			t.Errorf("got %d %q", code, body)
		}
	})
	t.Run("credentials", func(t *testing.T) {
		s := ForTest(t, Options{Hosts: hosts, User: "pxuser", Password: "px-pass-123"})
		if code, _ := get(s.URL); code != http.StatusProxyAuthRequired {
			t.Errorf("without credentials: %d, want 407", code)
		}
		u := strings.Replace(s.URL, "http://", "http://pxuser:px-pass-123@", 1)
		if code, body := get(u); code != 200 || !strings.HasPrefix(body, "hello") {
			t.Errorf("with credentials: %d %q", code, body)
		}
	})
}
