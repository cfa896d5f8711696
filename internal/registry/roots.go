package registry

import (
	"crypto/x509"
	"fmt"
	"os"
)

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
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read CA certificates from %s: %w", f, err)
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("read CA certificates from %s: no PEM certificate in it", f)
		}
	}
	return pool, nil
}
