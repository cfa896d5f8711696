package registry

import (
	"strings"
	"testing"
)

// FuzzProxyEnv feeds proxy and no-proxy settings (environment variables, as
// users and CI systems write them) and request URLs to the proxy choice: it
// must never panic, and its errors must never repeat a proxy password.
func FuzzProxyEnv(f *testing.F) {
	f.Add("http://u:pw-secret@proxy.example.com:3128", ".example.com,10.0.0.0/8", "https://registry.example.com/npm")
	f.Add("proxy.example.com:3128", "*", "http://127.0.0.1:4873")
	f.Add("http://u:pw-secret%zz@proxy.example.com", "", "https://npm.example.com")
	f.Add("socks5://proxy.example.com:1080", "npm.example.com:443", "https://npm.example.com:443/x")
	f.Fuzz(func(t *testing.T, proxy, noProxy, target string) {
		env := ProxyEnv{HTTP: proxy, HTTPVar: "HTTP_PROXY", HTTPS: proxy, HTTPSVar: "HTTPS_PROXY", NoProxy: noProxy, NoProxyVar: "NO_PROXY"}
		_, _, err := env.For(target)
		if err != nil && strings.Contains(proxy, "pw-secret") && strings.Contains(err.Error(), "pw-secret") {
			t.Fatalf("error repeats the proxy password: %v", err)
		}
	})
}
