package registry

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadCAFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadCAFile(junk)
	if !errors.Is(err, ErrNoCertificate) || !strings.Contains(err.Error(), junk) {
		t.Errorf("ReadCAFile(junk) = %v, want ErrNoCertificate naming the file", err)
	}
	missing := filepath.Join(dir, "missing.pem")
	var pe *fs.PathError
	if _, err := ReadCAFile(missing); !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadCAFile(missing) = %v, want the *fs.PathError", err)
	}
}

// A file whose first certificate block does not parse still counts when a
// later one does; one with no block that parses is refused when read, not at
// the first TLS connection.
func TestReadRootsParsesLater(t *testing.T) {
	dir := t.TempDir()
	good := testCertPEM(t)
	bad := []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	mixed := filepath.Join(dir, "mixed.pem")
	os.WriteFile(mixed, append(append(bad, good...), good...), 0o600)
	r, err := ReadRoots([]string{mixed, ""})
	if err != nil {
		t.Fatalf("ReadRoots(mixed): %v", err)
	}
	if r.Len() != 1 || len(r.files[0].first) != 1 {
		t.Errorf("Len = %d, want the one file, read up to its first certificate", r.Len())
	}
	if n := len(r.Certificates()); n != 2 {
		t.Errorf("Certificates = %d, want the 2 that parse", n)
	}
	onlyBad := filepath.Join(dir, "bad.pem")
	os.WriteFile(onlyBad, bad, 0o600)
	if _, err := ReadRoots([]string{mixed, onlyBad}); !errors.Is(err, ErrNoCertificate) || !strings.Contains(err.Error(), onlyBad) {
		t.Errorf("ReadRoots(bad) = %v, want ErrNoCertificate naming the file", err)
	}
	if _, err := ReadRoots([]string{filepath.Join(dir, "missing.pem")}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadRoots(missing) = %v, want fs.ErrNotExist", err)
	}
	var none *Roots
	if none.Len() != 0 || none.Certificates() != nil {
		t.Error("a nil *Roots is not empty")
	}
}

// testCertPEM is a self-signed certificate, PEM-encoded.
func testCertPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestParseProxyURL(t *testing.T) {
	for v, want := range map[string]string{
		"proxy.example.com:3128":              "http://proxy.example.com:3128",
		"https://proxy.example.com":           "https://proxy.example.com",
		"http://u:secret@proxy.example.com:1": "http://u:xxxxx@proxy.example.com:1",
	} {
		if u, err := ParseProxyURL(v); err != nil || u.Redacted() != want {
			t.Errorf("ParseProxyURL(%q) = %v, %v; want %s", v, u, err, want)
		}
	}
	for _, v := range []string{"://", "http://u:secret@[bad", "http://"} {
		if _, err := ParseProxyURL(v); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseProxyURL(%q) = %v, want an error without the value", v, err)
		}
	}
}
