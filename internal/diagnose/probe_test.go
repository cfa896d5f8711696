package diagnose

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/credentials"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// fakeResolver answers from a table; a host not in it fails as a DNS
// lookup does.
type fakeResolver struct {
	addrs  map[string][]string
	err    error // when set, every lookup fails with it
	lookup []string
}

func (r *fakeResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	r.lookup = append(r.lookup, host)
	if r.err != nil {
		return nil, r.err
	}
	if a, ok := r.addrs[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// fakeDialer refuses every connection, or accepts it with a pipe, and
// records the addresses dialled.
type fakeDialer struct {
	refuse bool
	dialed []string
}

func (d *fakeDialer) DialContext(_ context.Context, network, addr string) (net.Conn, error) {
	d.dialed = append(d.dialed, addr)
	if d.refuse {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	c, s := net.Pipe()
	s.Close()
	return c, nil
}

// handlerTransport serves every request with h, whatever its host: a
// registry at a name no resolver knows.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}

// registryHandler is a registry (at / or /npm) with one package,
// com.example.core, whose whoami knows the bearer token good.
func registryHandler(good string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/npm") {
		case "/-/ping":
			w.Write([]byte(`{}`))
		case "/-/whoami":
			if r.Header.Get("Authorization") != "Bearer "+good {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"error":"unauthorized"}`))
				return
			}
			fmt.Fprintf(w, `{"username":"ann"}`)
		case "/-/v1/search":
			w.Write([]byte(`{"objects":[{"package":{"name":"com.example.core"}}]}`))
		case "/com.example.core":
			w.Write([]byte(`{"name":"com.example.core","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"com.example.core","version":"1.0.0"}}}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
}

func newProber(client *registry.Client, auths []upmconfig.Auth, r Resolver, d Dialer) *Prober {
	if client == nil {
		client = &registry.Client{}
	}
	client.Credentials = credentials.FromEntries(auths)
	client.Retry = registry.RetryPolicy{MaxAttempts: 1, AttemptTimeout: 2 * time.Second, IdleTimeout: 2 * time.Second}
	return &Prober{Client: client, Auths: auths, Resolver: r, Dialer: d, Timeout: 2 * time.Second, Fixes: testFixes{}}
}

// testFixes marks the fixes that the CLI words.
type testFixes struct{}

func (testFixes) Auth(e *registry.AuthError) string { return "FIX-AUTH " + e.Carried.Entry }
func (testFixes) TLS(e *registry.TLSError) string   { return "FIX-TLS " + e.Fix() }
func (testFixes) StoreToken(reg string) string      { return "FIX-STORE " + reg }

// byCheck indexes checks by name (the last of each name wins) and fails the
// test when any of them shows secret.
func byCheck(t *testing.T, checks []Check, secrets ...string) map[string]Check {
	t.Helper()
	m := map[string]Check{}
	for _, c := range checks {
		for _, s := range secrets {
			if strings.Contains(c.Detail+c.Fix, s) {
				t.Errorf("check %s shows a secret", c.Check)
			}
		}
		m[c.Check] = c
	}
	return m
}

func TestDNSFailure(t *testing.T) {
	res := &fakeResolver{}
	d := &fakeDialer{}
	got := byCheck(t, newProber(nil, nil, res, d).Probe(context.Background(), Target{URL: "https://registry.example.com/npm"}))
	if c := got["proxy"]; c.Status != StatusOK || c.Detail != "direct: no proxy variable set" {
		t.Errorf("proxy = %+v", c)
	}
	c := got["dns"]
	if c.Status != StatusFail || !strings.HasPrefix(c.Detail, "registry.example.com: ") || !strings.Contains(c.Detail, "no such host") ||
		!strings.Contains(c.Fix, "check the host name of the registry") || !strings.Contains(c.Fix, "HTTPS_PROXY") {
		t.Errorf("dns = %+v", c)
	}
	if _, ok := got["tcp"]; ok || len(d.dialed) > 0 {
		t.Errorf("dialled %v after the lookup failed", d.dialed)
	}
	if c := got["auth"]; c.Status != StatusOK {
		t.Errorf("auth = %+v, want ok (no entry)", c)
	}

	res = &fakeResolver{err: context.DeadlineExceeded}
	got = byCheck(t, newProber(nil, nil, res, d).Probe(context.Background(), Target{URL: "https://registry.example.com"}))
	if c := got["dns"]; c.Status != StatusFail || c.Detail != "registry.example.com: timed out: no answer within 2s" {
		t.Errorf("dns timeout = %+v", c)
	}
}

func TestTCPRefused(t *testing.T) {
	res := &fakeResolver{addrs: map[string][]string{"registry.example.com": {"192.0.2.7", "2001:db8::7"}}}
	d := &fakeDialer{refuse: true}
	got := byCheck(t, newProber(nil, nil, res, d).Probe(context.Background(), Target{URL: "https://registry.example.com/npm"}))
	if c := got["dns"]; c.Status != StatusOK || c.Detail != "registry.example.com → 192.0.2.7, 2001:db8::7" {
		t.Errorf("dns = %+v", c)
	}
	c := got["tcp"]
	if c.Status != StatusFail || !strings.HasPrefix(c.Detail, "connect to registry.example.com:443: ") || !strings.Contains(c.Detail, "refused") ||
		c.Fix != "check that the registry is running and that no firewall blocks registry.example.com:443" {
		t.Errorf("tcp = %+v", c)
	}
	if _, ok := got["http"]; ok {
		t.Errorf("http checked after TCP failed: %+v", got["http"])
	}

	// An IP address is not looked up; a loopback host never goes through a
	// proxy; the port of an http URL without one is 80.
	res, d = &fakeResolver{err: errors.New("must not be asked")}, &fakeDialer{refuse: true}
	p := newProber(nil, nil, res, d)
	p.Network.Proxy = registry.ProxyEnv{HTTP: "http://proxy.example.com:3128", HTTPVar: "HTTP_PROXY"}
	got = byCheck(t, p.Probe(context.Background(), Target{URL: "http://127.0.0.1"}))
	if c := got["dns"]; c.Status != StatusOK || c.Detail != "127.0.0.1 is an IP address: no lookup" {
		t.Errorf("dns = %+v", c)
	}
	if c := got["proxy"]; c.Detail != "direct: loopback hosts never go through a proxy" {
		t.Errorf("proxy = %+v", c)
	}
	if len(d.dialed) != 1 || d.dialed[0] != "127.0.0.1:80" {
		t.Errorf("dialled %v", d.dialed)
	}
}

func TestProbeProxy(t *testing.T) {
	res := &fakeResolver{addrs: map[string][]string{"proxy.example.com": {"192.0.2.3"}}}
	d := &fakeDialer{refuse: true}
	p := newProber(nil, nil, res, d)
	p.Network.Proxy = registry.ProxyEnv{HTTPS: "http://ann:proxy-pass-99@proxy.example.com:3128", HTTPSVar: "HTTPS_PROXY"}
	got := byCheck(t, p.Probe(context.Background(), Target{URL: "https://registry.example.com"}), "proxy-pass-99")
	if c := got["proxy"]; c.Status != StatusOK || c.Detail != "through http://ann:xxxxx@proxy.example.com:3128 (env HTTPS_PROXY); DNS and TCP below are the proxy's" {
		t.Errorf("proxy = %+v", c)
	}
	if len(res.lookup) != 1 || res.lookup[0] != "proxy.example.com" || len(d.dialed) != 1 || d.dialed[0] != "proxy.example.com:3128" {
		t.Errorf("looked up %v, dialled %v: want the proxy's", res.lookup, d.dialed)
	}
	if c := got["tcp"]; !strings.Contains(c.Fix, "the proxy") {
		t.Errorf("tcp = %+v", c)
	}

	// The no-proxy list; a proxy for the other scheme only.
	for _, tt := range []struct {
		env  registry.ProxyEnv
		want string
	}{
		{registry.ProxyEnv{HTTPS: "http://proxy.example.com:3128", HTTPSVar: "HTTPS_PROXY", NoProxy: ".example.com", NoProxyVar: "NO_PROXY"},
			"direct: registry.example.com matches the no-proxy list (env NO_PROXY)"},
		{registry.ProxyEnv{HTTP: "http://proxy.example.com:3128", HTTPVar: "HTTP_PROXY"},
			"direct: no proxy variable is set for https (HTTPS_PROXY, ALL_PROXY, UNITY_PROXYSERVER)"},
	} {
		p.Network.Proxy = tt.env
		if c := byCheck(t, p.Probe(context.Background(), Target{URL: "https://registry.example.com"}))["proxy"]; c.Detail != tt.want {
			t.Errorf("proxy = %q, want %q", c.Detail, tt.want)
		}
	}

	// A proxy URL that does not parse fails the check without repeating it.
	p.Network.Proxy = registry.ProxyEnv{HTTPS: "http://ann:proxy-pass-99@[bad", HTTPSVar: "HTTPS_PROXY"}
	got = byCheck(t, p.Probe(context.Background(), Target{URL: "https://registry.example.com"}), "proxy-pass-99")
	if c := got["proxy"]; c.Status != StatusFail || !strings.Contains(c.Detail, "HTTPS_PROXY") {
		t.Errorf("proxy = %+v", c)
	}
}

func TestNetworkChecks(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	good := filepath.Join(dir, "ca.pem")
	notPEM := filepath.Join(dir, "junk.pem")
	missing := filepath.Join(dir, "missing.pem")
	writeFile(t, good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	writeFile(t, notPEM, []byte("not a certificate\n"))

	checks := NetworkChecks(Network{
		Proxy: registry.ProxyEnv{
			HTTPS: "http://ann:proxy-pass-99@proxy.example.com:3128", HTTPSVar: "HTTPS_PROXY",
			HTTP: "http://[bad", HTTPVar: "http_proxy",
			NoProxy: "localhost,.corp.example.com", NoProxyVar: "NO_PROXY",
		},
		CAFiles: []CAFile{{good, "env NODE_EXTRA_CA_CERTS"}, {notPEM, "global " + filepath.Join(dir, "upmconfig.toml")}, {missing, "env SSL_CERT_FILE"}},
	})
	want := []Check{
		{Check: "proxy", Status: StatusOK, Detail: "https requests go through http://ann:xxxxx@proxy.example.com:3128 (env HTTPS_PROXY); it carries proxy credentials"},
		{Check: "proxy", Status: StatusFail, Detail: "http requests: http_proxy is not a valid proxy URL", Fix: "set http_proxy=http://[USER:PASSWORD@]HOST:PORT"},
		{Check: "proxy", Status: StatusOK, Detail: "no proxy for localhost,.corp.example.com (env NO_PROXY)"},
		{Check: "caFile", Status: StatusOK, Detail: good + ` (env NODE_EXTRA_CA_CERTS): trusts "O=Acme Co"`},
		{Check: "caFile", Status: StatusFail, Detail: notPEM + " (global " + filepath.Join(dir, "upmconfig.toml") + "): no PEM certificate in it",
			Fix: "point the setting at a readable PEM file of CA certificates, or remove it"},
		{Check: "caFile", Status: StatusFail, Detail: fmt.Sprintf("%s (env SSL_CERT_FILE): read %s: open %s: ", missing, missing, missing),
			Fix: "point the setting at a readable PEM file of CA certificates, or remove it"},
	}
	if len(checks) != len(want) {
		t.Fatalf("got %d checks, want %d: %+v", len(checks), len(want), checks)
	}
	for i, w := range want {
		c := checks[i]
		if c.Check != w.Check || c.Status != w.Status || c.Fix != w.Fix || !strings.HasPrefix(c.Detail, w.Detail) || c.Registry != nil {
			t.Errorf("check %d = %+v\nwant %+v", i, c, w)
		}
	}

	checks = NetworkChecks(Network{})
	if len(checks) != 2 || checks[0].Detail != "no proxy variable set: direct connections" || !strings.HasPrefix(checks[1].Detail, "trusted CAs: the system's store only") {
		t.Errorf("no settings: %+v", checks)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTLS: a loopback registry whose CA is not trusted fails the tls check
// naming the fix; trusting its CA file, the check names the file.
func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(registryHandler("good"))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	res := &fakeResolver{err: errors.New("must not be asked")}

	got := byCheck(t, newProber(nil, nil, res, &net.Dialer{}).Probe(context.Background(), Target{URL: srv.URL}))
	if c := got["tcp"]; c.Status != StatusOK {
		t.Errorf("tcp = %+v", c)
	}
	c := got["tls"]
	if c.Status != StatusFail || !strings.Contains(c.Detail, "Acme Co") || !strings.Contains(c.Fix, "caFile") || !strings.Contains(c.Fix, "NODE_EXTRA_CA_CERTS") {
		t.Errorf("tls = %+v", c)
	}
	if _, ok := got["whoami"]; ok {
		t.Errorf("whoami after TLS failed")
	}

	pool, err := registry.LoadRoots([]string{ca})
	if err != nil {
		t.Fatal(err)
	}
	p := newProber(&registry.Client{RootCAs: pool}, nil, res, &net.Dialer{})
	p.Network.CAFiles = []CAFile{{ca, "env NODE_EXTRA_CA_CERTS"}}
	got = byCheck(t, p.Probe(context.Background(), Target{URL: srv.URL, Scopes: []string{"com.example"}}))
	if c := got["tls"]; c.Status != StatusOK || !strings.HasSuffix(c.Detail, `verified by root "O=Acme Co" from `+ca+" (env NODE_EXTRA_CA_CERTS)") {
		t.Errorf("tls = %+v", c)
	}
	if c := got["http"]; c.Detail != "GET /-/ping answered 200 OK" {
		t.Errorf("http = %+v", c)
	}
	if c := got["search"]; c.Status != StatusOK || c.Detail != `/-/v1/search works (1 result for "com.example")` {
		t.Errorf("search = %+v", c)
	}
	if c := got["packument"]; c.Status != StatusOK || c.Detail != "com.example.core (scope com.example): 1 version, latest 1.0.0" {
		t.Errorf("packument = %+v", c)
	}
}

// TestCredentials: the entry that matches and why, a refused one, a near
// miss, and a credential over plain http to a host that is not this
// machine — with the secrets masked throughout.
func TestCredentials(t *testing.T) {
	const reg = "http://registry.example.com/npm"
	const good, bad = "tok-good-secret-1111", "tok-bad-secret-2222"
	res := &fakeResolver{addrs: map[string][]string{"registry.example.com": {"192.0.2.9"}}}
	probe := func(auths ...upmconfig.Auth) map[string]Check {
		client := &registry.Client{Base: handlerTransport{registryHandler(good)}}
		return byCheck(t, newProber(client, auths, res, &fakeDialer{}).Probe(context.Background(), Target{URL: reg}), good, bad)
	}

	got := probe(upmconfig.Auth{Registry: "http://REGISTRY.example.com:80/npm/", Token: good, File: "/home/ann/.upmconfig.toml", Line: 3})
	if c := got["auth"]; c.Status != StatusOK || c.Detail != `npmAuth."http://REGISTRY.example.com:80/npm/" (/home/ann/.upmconfig.toml:3, token ****1111): `+
		"the key equals the registry URL after normalising (letter case, default port, trailing slash)" {
		t.Errorf("auth = %+v", c)
	}
	if c := got["tls"]; c.Status != StatusWarn || !strings.Contains(c.Detail, "unencrypted") {
		t.Errorf("tls = %+v", c)
	}
	if c := got["whoami"]; c.Status != StatusOK || c.Detail != "logged in as ann" {
		t.Errorf("whoami = %+v", c)
	}

	got = probe(upmconfig.Auth{Registry: reg, Token: bad, File: "/home/ann/.upmconfig.toml"})
	if c := got["whoami"]; c.Status != StatusFail || !strings.Contains(c.Detail, "****2222") ||
		c.Fix != "FIX-AUTH "+reg {
		t.Errorf("whoami = %+v", c)
	}

	got = probe(upmconfig.Auth{Registry: "http://registry.example.com/upm", Token: good, File: "/home/ann/.upmconfig.toml", Line: 7})
	if c := got["auth"]; c.Status != StatusFail ||
		!strings.Contains(c.Detail, "an entry exists for http://registry.example.com/upm (/home/ann/.upmconfig.toml:7) — trailing path differs (/upm, not /npm)") ||
		!strings.HasPrefix(c.Fix, fmt.Sprintf("rename the table to [npmAuth.%q] in /home/ann/.upmconfig.toml", reg)) {
		t.Errorf("auth = %+v", c)
	}
	if c := got["whoami"]; c.Status != StatusWarn || !strings.Contains(c.Fix, "does not match this registry") {
		t.Errorf("whoami = %+v", c)
	}
	if c := got["tls"]; c.Status != StatusOK || c.Detail != "plain http: no TLS" {
		t.Errorf("tls = %+v", c)
	}

	got = probe()
	if c := got["whoami"]; c.Status != StatusOK || !strings.HasPrefix(c.Detail, "anonymous") {
		t.Errorf("whoami = %+v", c)
	}
	if c := got["auth"]; c.Status != StatusOK || c.Detail != "no npmAuth entry matches: requests carry no credential" {
		t.Errorf("auth = %+v", c)
	}
}

func TestNotAURL(t *testing.T) {
	checks := newProber(nil, nil, &fakeResolver{}, &fakeDialer{}).Probe(context.Background(), Target{URL: "registry.example.com"})
	if len(checks) != 1 || checks[0].Check != "url" || checks[0].Status != StatusFail || *checks[0].Registry != "registry.example.com" {
		t.Errorf("checks = %+v", checks)
	}
}
