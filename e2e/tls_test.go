package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA is a private certificate authority, like the one a TLS-inspecting
// corporate proxy re-signs traffic with.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"upkg tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// leaf issues a server certificate for 127.0.0.1 and the host names given.
func (ca *testCA) leaf(t *testing.T, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// httpsFront serves target over HTTPS with a certificate from ca, the way a
// registry behind a TLS-inspecting proxy (or with a private CA) looks to the
// client. Verdaccio writes https tarball URLs from X-Forwarded-Proto. The
// certificate also names hosts, for a front reached by name.
func httpsFront(t *testing.T, ca *testCA, target string, hosts ...string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("X-Forwarded-Proto", "https")
		rp.ServeHTTP(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.leaf(t, hosts...)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestInstallWithPrivateCA(t *testing.T) {
	srv, token := appRegistry(t, "tia", "tia-password-1357")
	ca := newTestCA(t, "upkg Inspecting Proxy CA")
	reg := httpsFront(t, ca, srv.URL)
	manifest := fmt.Sprintf(`{
  "dependencies": {"com.example.app": "1.0.0"},
  "scopedRegistries": [{"name": "TLS", "url": %q, "scopes": ["com.example"]}]
}
`, reg)
	setup := func(t *testing.T, env ...string) *sandbox {
		s := newSandbox(t)
		s.project(manifest, "2022.3.20f1")
		s.login(reg, token)
		s.extraEnv = env
		return s
	}
	caPath := filepath.Join(t.TempDir(), "proxy-ca.pem")
	if err := os.WriteFile(caPath, ca.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(reg, "https://")

	t.Run("untrusted", func(t *testing.T) {
		s := setup(t)
		r := s.fails(5, "", "install")
		for _, w := range []string{host, "upkg Inspecting Proxy CA", "caFile", s.GlobalCfg, "NODE_EXTRA_CA_CERTS"} {
			if !strings.Contains(r.Stderr, w) {
				t.Errorf("install message lacks %q:\n%s", w, r.Stderr)
			}
		}
		r = s.fails(1, "", "doctor", "--registry", reg, "--json")
		var tlsCheck *doctorCheck
		for _, c := range parseDoctor(t, r) {
			if c.Registry != nil && c.Check == "tls" {
				tlsCheck = &c
			}
		}
		if tlsCheck == nil || tlsCheck.Status != "fail" || !strings.Contains(tlsCheck.Detail, "upkg Inspecting Proxy CA") ||
			!strings.Contains(tlsCheck.Fix, "caFile") || !strings.Contains(tlsCheck.Fix, "NODE_EXTRA_CA_CERTS") {
			t.Errorf("doctor tls check: %+v\n%s", tlsCheck, r.Stdout)
		}
	})

	t.Run("caFile in the global file", func(t *testing.T) {
		s := setup(t)
		s.write(s.GlobalCfg, fmt.Sprintf("caFile = %q\n", caPath))
		s.ok("", "install")
		installed(t, s)
		r := s.ok("", "doctor", "--registry", reg)
		want := fmt.Sprintf(`verified by root "CN=upkg Inspecting Proxy CA,O=upkg tests" from %s (global %s)`, caPath, s.GlobalCfg)
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("doctor lacks %q:\n%s", want, r.Stdout)
		}
	})

	t.Run("NODE_EXTRA_CA_CERTS", func(t *testing.T) {
		s := setup(t, "NODE_EXTRA_CA_CERTS="+caPath)
		s.ok("", "install")
		installed(t, s)
		r := s.ok("", "doctor", "--registry", reg)
		if !strings.Contains(r.Stdout, caPath+" (env NODE_EXTRA_CA_CERTS)") {
			t.Errorf("doctor does not name the CA's source:\n%s", r.Stdout)
		}
	})

	t.Run("SSL_CERT_FILE", func(t *testing.T) {
		s := setup(t, "SSL_CERT_FILE="+caPath)
		s.ok("", "install")
		installed(t, s)
	})
}
