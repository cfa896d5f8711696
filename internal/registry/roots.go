package registry

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// ErrNoCertificate is the error of a CA file that holds no PEM certificate.
var ErrNoCertificate = errors.New("no PEM certificate in it")

// LoadRoots returns the system's trusted certificate authorities plus those
// in each PEM file of files (caFile from the global config,
// NODE_EXTRA_CA_CERTS); empty names are skipped. A file that cannot be read
// or holds no certificate is an error naming it: trust is never quietly
// narrower than asked.
func LoadRoots(files []string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		// Some systems have no store Go can read; the extra files may be all
		// that is needed.
		pool = x509.NewCertPool()
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		certs, err := ReadCAFile(f)
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return pool, nil
}

// ReadCAFile reads the certificates of a PEM file of certificate
// authorities, skipping blocks that are not certificates or do not parse. An
// error names the file and wraps the cause: the *fs.PathError of reading it,
// or ErrNoCertificate.
func ReadCAFile(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA certificates from %s: %w", path, err)
	}
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("read CA certificates from %s: %w", path, ErrNoCertificate)
	}
	return certs, nil
}
