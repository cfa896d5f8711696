package e2e

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/squid"
	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// proxiedRegistry is a Verdaccio reachable only through squid, under a host
// name that only squid resolves (Go never proxies loopback addresses).
type proxiedRegistry struct {
	srv      *verdaccio.Server
	token    string
	url      string // http://registry.example.com:PORT
	manifest string
}

// appRegistry starts a Verdaccio with one user and two packages:
// com.example.app 1.0.0, which depends on com.example.core 1.0.0.
func appRegistry(t *testing.T, user, password string) (*verdaccio.Server, string) {
	t.Helper()
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	token := newUser(t, srv, user, password)
	publish(t, srv, token,
		pkg{"com.example.core", "1.0.0", "2021.3", nil},
		pkg{"com.example.app", "1.0.0", "2021.3", map[string]string{"com.example.core": "1.0.0"}},
	)
	return srv, token
}

func setupProxiedRegistry(t *testing.T) *proxiedRegistry {
	t.Helper()
	srv, token := appRegistry(t, "pia", "pia-password-2468")
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	reg := "http://registry.example.com:" + u.Port()
	return &proxiedRegistry{
		srv: srv, token: token, url: reg,
		manifest: fmt.Sprintf(`{
  "dependencies": {"com.example.app": "1.0.0"},
  "scopedRegistries": [{"name": "Behind the proxy", "url": %q, "scopes": ["com.example"]}]
}
`, reg),
	}
}

// sandbox returns a fresh machine and project (a fresh cache too: a warm one
// would let install succeed without the network).
func (p *proxiedRegistry) sandbox(t *testing.T, env ...string) *sandbox {
	t.Helper()
	s := newSandbox(t)
	s.project(p.manifest, "2022.3.20f1")
	s.login(p.url, p.token)
	s.extraEnv = env
	return s
}

func installed(t *testing.T, s *sandbox) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache", "com.example.core@1.0.0", "package.json")); err != nil {
		t.Errorf("com.example.core not installed: %v", err)
	}
}

func TestInstallThroughSquid(t *testing.T) {
	p := setupProxiedRegistry(t)
	hosts := map[string]string{"registry.example.com": "127.0.0.1"}

	t.Run("open proxy", func(t *testing.T) {
		proxy := squid.ForTest(t, squid.Options{Hosts: hosts})
		s := p.sandbox(t, "HTTP_PROXY="+proxy.URL)
		s.ok("", "install")
		installed(t, s)

		r := s.ok("", "doctor", "--registry", p.url)
		for _, w := range []string{"through " + proxy.URL + " (env HTTP_PROXY)", "logged in as pia", "com.example.app"} {
			if !strings.Contains(r.Stdout, w) {
				t.Errorf("doctor lacks %q:\n%s", w, r.Stdout)
			}
		}
	})

	t.Run("lower-case and ALL_PROXY", func(t *testing.T) {
		proxy := squid.ForTest(t, squid.Options{Hosts: hosts})
		for _, v := range []string{"http_proxy", "ALL_PROXY", "UNITY_PROXYSERVER"} {
			s := p.sandbox(t, v+"="+proxy.URL)
			s.ok("", "install")
			installed(t, s)
		}
	})

	t.Run("NO_PROXY bypasses it", func(t *testing.T) {
		proxy := squid.ForTest(t, squid.Options{Hosts: hosts})
		for _, v := range []string{"NO_PROXY", "no_proxy", "UNITY_NOPROXY"} {
			s := p.sandbox(t, "HTTP_PROXY="+proxy.URL, v+"=registry.example.com")
			// Without the proxy the name does not resolve: a network failure.
			r := s.fails(5, "", "install")
			if !strings.Contains(r.Stderr, "registry.example.com") {
				t.Errorf("%s: message does not name the host:\n%s", v, r.Stderr)
			}
		}
	})

	t.Run("proxy credentials", func(t *testing.T) {
		const user, password = "pxuser", "px-secret-97531"
		secrets.add(password)
		proxy := squid.ForTest(t, squid.Options{Hosts: hosts, User: user, Password: password})
		withCreds := strings.Replace(proxy.URL, "http://", "http://"+user+":"+password+"@", 1)
		wrong := strings.Replace(proxy.URL, "http://", "http://"+user+":wrong-px-86420@", 1)
		secrets.add("wrong-px-86420")

		s := p.sandbox(t, "HTTP_PROXY="+proxy.URL)
		r := s.fails(5, "", "install")
		for _, w := range []string{"407", "requires credentials", "HTTP_PROXY=http://USER:PASSWORD@"} {
			if !strings.Contains(r.Stderr, w) {
				t.Errorf("no credentials: message lacks %q:\n%s", w, r.Stderr)
			}
		}
		r = s.fails(1, "", "doctor", "--registry", p.url)
		if !strings.Contains(r.Stdout, "fail  proxy-auth") {
			t.Errorf("doctor does not report the proxy's 407:\n%s", r.Stdout)
		}

		s = p.sandbox(t, "HTTP_PROXY="+wrong)
		r = s.fails(5, "", "install")
		if !strings.Contains(r.Stderr, "refused the credentials") {
			t.Errorf("wrong credentials: %s", r.Stderr)
		}

		s = p.sandbox(t, "HTTP_PROXY="+withCreds)
		s.ok("", "install")
		installed(t, s)
		r = s.ok("", "doctor", "--registry", p.url)
		if !strings.Contains(r.Stdout, "it carries proxy credentials") {
			t.Errorf("doctor does not say the proxy URL has credentials:\n%s", r.Stdout)
		}
	})
}

// TestInstallHTTPSThroughSquid reaches an HTTPS registry (certificate from a
// test CA, trusted with caFile) through squid with HTTPS_PROXY: the client
// tunnels with CONNECT, so squid sees only the host and port, and TLS is
// verified end to end against the registry's own name.
func TestInstallHTTPSThroughSquid(t *testing.T) {
	srv, token := appRegistry(t, "tom", "tom-password-8642")
	ca := newTestCA(t, "upkg Tunnel Test CA")
	front, err := url.Parse(httpsFront(t, ca, srv.URL, "secure.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	reg := "https://secure.example.com:" + front.Port()
	proxy := squid.ForTest(t, squid.Options{Hosts: map[string]string{"secure.example.com": "127.0.0.1"}})
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caPath, ca.pem, 0o644); err != nil {
		t.Fatal(err)
	}

	s := newSandbox(t)
	s.project(fmt.Sprintf(`{
  "dependencies": {"com.example.app": "1.0.0"},
  "scopedRegistries": [{"name": "TLS behind a proxy", "url": %q, "scopes": ["com.example"]}]
}
`, reg), "2022.3.20f1")
	s.login(reg, token)
	s.write(s.GlobalCfg, fmt.Sprintf("caFile = %q\n", caPath))
	s.extraEnv = []string{"HTTPS_PROXY=" + proxy.URL}

	s.ok("", "install")
	installed(t, s)
	// squid logs a tunnel when it closes, which may be a moment after
	// upkg exits.
	connect := "CONNECT secure.example.com:" + front.Port()
	log := proxy.AccessLog()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log, connect) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		log = proxy.AccessLog()
	}
	if !strings.Contains(log, connect) {
		t.Errorf("squid saw no CONNECT to the registry:\n%s", log)
	}
	if strings.Contains(log, "/com.example.app") {
		t.Errorf("squid saw request paths, so the traffic was not tunnelled:\n%s", log)
	}
	r := s.ok("", "doctor", "--registry", reg)
	for _, w := range []string{"through " + proxy.URL + " (env HTTPS_PROXY)", "upkg Tunnel Test CA", "logged in as tom"} {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("doctor lacks %q:\n%s", w, r.Stdout)
		}
	}

	// HTTP_PROXY alone does not apply to an https registry: without a route
	// to the name, it is a network failure that names the host.
	s.extraEnv = []string{"HTTP_PROXY=" + proxy.URL}
	os.RemoveAll(filepath.Join(s.Home, "cache"))
	os.RemoveAll(filepath.Join(s.Project, "Library"))
	r = s.fails(5, "", "install")
	if !strings.Contains(r.Stderr, "secure.example.com") {
		t.Errorf("HTTP_PROXY only: message does not name the host:\n%s", r.Stderr)
	}
}
