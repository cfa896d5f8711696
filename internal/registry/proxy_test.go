package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProxyFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		target  string
		want    string // proxy URL, "" for direct
		wantVar string
	}{
		{"nothing set", nil, "https://registry.example.com", "", ""},
		{"HTTPS_PROXY for https", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128"}, "https://registry.example.com", "http://proxy.example.com:3128", "HTTPS_PROXY"},
		{"HTTPS_PROXY not for http", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128"}, "http://registry.example.com", "", ""},
		{"HTTP_PROXY for http", map[string]string{"HTTP_PROXY": "http://proxy.example.com:3128"}, "http://registry.example.com", "http://proxy.example.com:3128", "HTTP_PROXY"},
		{"lower case", map[string]string{"https_proxy": "http://low.example.com:1"}, "https://registry.example.com", "http://low.example.com:1", "https_proxy"},
		{"upper case first", map[string]string{"HTTPS_PROXY": "http://up.example.com:1", "https_proxy": "http://low.example.com:1"}, "https://registry.example.com", "http://up.example.com:1", "HTTPS_PROXY"},
		{"ALL_PROXY fallback https", map[string]string{"ALL_PROXY": "http://all.example.com:1"}, "https://registry.example.com", "http://all.example.com:1", "ALL_PROXY"},
		{"all_proxy fallback http", map[string]string{"all_proxy": "http://all.example.com:1"}, "http://registry.example.com", "http://all.example.com:1", "all_proxy"},
		{"scheme variable beats ALL_PROXY", map[string]string{"ALL_PROXY": "http://all.example.com:1", "HTTP_PROXY": "http://h.example.com:1"}, "http://registry.example.com", "http://h.example.com:1", "HTTP_PROXY"},
		{"UNITY_PROXYSERVER fallback", map[string]string{"UNITY_PROXYSERVER": "http://unity.example.com:8080"}, "https://registry.example.com", "http://unity.example.com:8080", "UNITY_PROXYSERVER"},
		{"ALL_PROXY beats UNITY_PROXYSERVER", map[string]string{"UNITY_PROXYSERVER": "http://unity.example.com:8080", "ALL_PROXY": "http://all.example.com:1"}, "https://registry.example.com", "http://all.example.com:1", "ALL_PROXY"},
		{"no scheme means http", map[string]string{"HTTPS_PROXY": "proxy.example.com:3128"}, "https://registry.example.com", "http://proxy.example.com:3128", "HTTPS_PROXY"},
		{"credentials kept", map[string]string{"HTTPS_PROXY": "http://u:p@proxy.example.com:3128"}, "https://registry.example.com", "http://u:p@proxy.example.com:3128", "HTTPS_PROXY"},
		{"NO_PROXY domain", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128", "NO_PROXY": ".example.com"}, "https://registry.example.com", "", ""},
		{"NO_PROXY other domain", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128", "NO_PROXY": "example.org"}, "https://registry.example.com", "http://proxy.example.com:3128", "HTTPS_PROXY"},
		{"no_proxy lower case", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128", "no_proxy": "registry.example.com"}, "https://registry.example.com", "", ""},
		{"NO_PROXY star", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128", "NO_PROXY": "*"}, "https://registry.example.com", "", ""},
		{"UNITY_NOPROXY", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128", "UNITY_NOPROXY": "registry.example.com"}, "https://registry.example.com", "", ""},
		{"NO_PROXY and UNITY_NOPROXY both apply", map[string]string{"HTTPS_PROXY": "http://proxy.example.com:3128", "NO_PROXY": "a.example.org", "UNITY_NOPROXY": "registry.example.com"}, "https://registry.example.com", "", ""},
		{"loopback never proxied", map[string]string{"HTTP_PROXY": "http://proxy.example.com:3128"}, "http://127.0.0.1:4873", "", ""},
		{"localhost never proxied", map[string]string{"HTTP_PROXY": "http://proxy.example.com:3128"}, "http://localhost:4873", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := ProxyFromEnv(func(k string) string { return tt.env[k] })
			got, v, err := env.For(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			gotS := ""
			if got != nil {
				gotS = got.String()
			}
			if gotS != tt.want || v != tt.wantVar {
				t.Errorf("For(%s) = %q (%s), want %q (%s)", tt.target, gotS, v, tt.want, tt.wantVar)
			}
		})
	}
}

func TestProxyFromEnvNoProxyVar(t *testing.T) {
	env := ProxyFromEnv(func(k string) string {
		return map[string]string{"no_proxy": "a", "UNITY_NOPROXY": "b"}[k]
	})
	if env.NoProxy != "a,b" || env.NoProxyVar != "no_proxy+UNITY_NOPROXY" {
		t.Errorf("NoProxy = %q from %q", env.NoProxy, env.NoProxyVar)
	}
}

func TestProxyInvalidURLHidesPassword(t *testing.T) {
	for _, v := range []string{
		"http://user:s3cret-pw%zz@proxy.example.com:3128",
		// httpproxy reads this one leniently, as the proxy
		// "http://http://user:s3cret-pw@[bad": refused all the same.
		"http://user:s3cret-pw@[bad",
	} {
		env := ProxyEnv{HTTPS: v, HTTPSVar: "HTTPS_PROXY"}
		u, _, err := env.For("https://registry.example.com")
		if err == nil {
			t.Fatalf("%s: want an error for an invalid proxy URL, got the proxy %v", v, u)
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "HTTPS_PROXY") {
			t.Errorf("error = %v", err)
		}
	}
}

// fakeProxy is a forward proxy for plain-http requests and CONNECT that wants
// Basic user:pw and answers every proxied GET itself.
func fakeProxy(t *testing.T) *httptest.Server {
	t.Helper()
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:pw-0123456789"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != want {
			w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		if r.Method == http.MethodConnect {
			http.Error(w, "no tunnels here", http.StatusBadGateway)
			return
		}
		w.Write([]byte(`{"via":"proxy"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestProxyAuthExplained(t *testing.T) {
	proxy := fakeProxy(t)
	host := strings.TrimPrefix(proxy.URL, "http://")
	tests := []struct {
		name, proxyURL, target string
		wantErr, hadCreds      bool
	}{
		{"http without credentials", "http://" + host, "http://registry.example.com", true, false},
		{"http with wrong credentials", "http://user:wrong-pw-000@" + host, "http://registry.example.com", true, true},
		{"http with credentials", "http://user:pw-0123456789@" + host, "http://registry.example.com", false, false},
		{"https CONNECT without credentials", "http://" + host, "https://registry.example.com", true, false},
		{"https CONNECT with wrong credentials", "http://user:wrong-pw-000@" + host, "https://registry.example.com", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := ProxyEnv{HTTP: tt.proxyURL, HTTPVar: "HTTP_PROXY", HTTPS: tt.proxyURL, HTTPSVar: "HTTPS_PROXY"}
			c := &Client{ProxyEnv: &env, Retry: RetryPolicy{MaxAttempts: 1}}
			res, err := c.Probe(context.Background(), tt.target, "-/ping")
			if !tt.wantErr {
				if err != nil || res.Status != http.StatusOK {
					t.Fatalf("Probe = %v, %v", res, err)
				}
				return
			}
			var pe *ProxyAuthError
			if !errors.As(err, &pe) {
				t.Fatalf("want a *ProxyAuthError, got %v", err)
			}
			if pe.HadCredentials != tt.hadCreds || !strings.Contains(pe.Proxy, host) {
				t.Errorf("got %+v", pe)
			}
			msg := err.Error()
			if strings.Contains(msg, "wrong-pw") || strings.Contains(msg, "pw-0123") {
				t.Errorf("message shows the proxy password: %s", msg)
			}
			wantText := "put them in the proxy URL"
			if tt.hadCreds {
				wantText = "refused the credentials"
			}
			if !strings.Contains(msg, wantText) || !strings.Contains(msg, "407") {
				t.Errorf("message lacks %q: %s", wantText, msg)
			}
		})
	}
}
