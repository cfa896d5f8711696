package registry

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
)

// ErrNoCertificate is the error of a CA file that holds no PEM certificate.
var ErrNoCertificate = errors.New("no PEM certificate in it")

// LoadRoots returns the system's trusted certificate authorities plus those
// in each PEM file of files (caFile from the global config,
// NODE_EXTRA_CA_CERTS); empty names are skipped. A file that cannot be read
// or holds no certificate is an error naming it: trust is never quietly
// narrower than asked.
func LoadRoots(files []string) (*x509.CertPool, error) {
	extra, err := ReadRoots(files)
	if err != nil {
		return nil, err
	}
	return systemPlus(extra.Certificates()), nil
}

// Roots are the certificate authorities of PEM files besides the system's
// store, read but not yet all parsed (see ReadRoots).
type Roots struct {
	files []caFile
	once  sync.Once
	certs []*x509.Certificate
}

// caFile is a CA file read up to its first certificate.
type caFile struct {
	first []*x509.Certificate
	rest  []byte // the PEM text after it
}

// ReadRoots reads each PEM file of files (empty names skipped), as
// LoadRoots does, without the system's store. Each file is read now, and
// decoded up to its first certificate, so that a file that is missing or
// holds no certificate fails every command alike; the rest waits for
// Certificates, at the first TLS connection (a system bundle of 140
// certificates is 6 ms of decoding and parsing, which a run that talks to
// http:// registries only, or to none, should not pay).
func ReadRoots(files []string) (*Roots, error) {
	r := &Roots{}
	for _, f := range files {
		if f == "" {
			continue
		}
		first, rest, err := readCAFile(f, 1)
		if err != nil {
			return nil, err
		}
		r.files = append(r.files, caFile{first: first, rest: rest})
	}
	return r, nil
}

// Certificates parses the certificates, once, skipping blocks that are not
// certificates or do not parse (ReadRoots made sure each file has one).
func (r *Roots) Certificates() []*x509.Certificate {
	if r == nil {
		return nil
	}
	r.once.Do(func() {
		for _, f := range r.files {
			more, _ := parsePEM(f.rest, -1)
			r.certs = append(append(r.certs, f.first...), more...)
		}
	})
	return r.certs
}

// Len is the number of files read.
func (r *Roots) Len() int {
	if r == nil {
		return 0
	}
	return len(r.files)
}

// systemPlus is the system's store with extra added.
func systemPlus(extra []*x509.Certificate) *x509.CertPool {
	pool, err := x509.SystemCertPool()
	if err != nil {
		// Some systems have no store Go can read; the extra files may be all
		// that is needed.
		pool = x509.NewCertPool()
	}
	for _, c := range extra {
		pool.AddCert(c)
	}
	return pool
}

// lazyRoots sends plain-HTTP requests through plain, and the others through
// a clone of it that trusts the system's store plus extra, built at the
// first such request: loading the system's store costs tens of
// milliseconds (17 ms for 140 certificates here, on every run), which a
// run that talks to http:// registries only, or to none, should not pay.
type lazyRoots struct {
	plain *http.Transport
	extra *Roots

	once sync.Once
	tls  atomic.Pointer[http.Transport]
}

func (l *lazyRoots) RoundTrip(req *http.Request) (*http.Response, error) {
	if !l.needsTLS(req) {
		return l.plain.RoundTrip(req)
	}
	l.once.Do(func() {
		t := l.plain.Clone()
		t.TLSClientConfig = &tls.Config{RootCAs: systemPlus(l.extra.Certificates()), MinVersion: tls.VersionTLS12}
		l.tls.Store(t)
	})
	return l.tls.Load().RoundTrip(req)
}

// needsTLS reports whether req will speak TLS: to an https URL, or to an
// https proxy.
func (l *lazyRoots) needsTLS(req *http.Request) bool {
	if req.URL.Scheme != "http" {
		return true
	}
	if l.plain.Proxy == nil {
		return false
	}
	u, err := l.plain.Proxy(req)
	return err != nil || u != nil && u.Scheme != "http"
}

// CloseIdleConnections closes both transports' idle connections.
func (l *lazyRoots) CloseIdleConnections() {
	l.plain.CloseIdleConnections()
	if t := l.tls.Load(); t != nil {
		t.CloseIdleConnections()
	}
}

// ReadCAFile reads the certificates of a PEM file of certificate
// authorities, skipping blocks that are not certificates or do not parse. An
// error names the file and wraps the cause: the *fs.PathError of reading it,
// or ErrNoCertificate.
func ReadCAFile(path string) ([]*x509.Certificate, error) {
	certs, _, err := readCAFile(path, -1)
	return certs, err
}

// readCAFile reads path and parses its certificates as parsePEM does,
// returning them and the text left; a file with none is ErrNoCertificate.
func readCAFile(path string, want int) ([]*x509.Certificate, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read CA certificates from %s: %w", path, err)
	}
	certs, rest := parsePEM(data, want)
	if len(certs) == 0 {
		return nil, nil, fmt.Errorf("read CA certificates from %s: %w", path, ErrNoCertificate)
	}
	return certs, rest, nil
}

// parsePEM decodes the PEM blocks of data in order and parses those that
// are certificates, skipping the others and those that do not parse, until
// want certificates are parsed (all when want < 0); it returns them and
// the text after the last block it decoded.
func parsePEM(data []byte, want int) ([]*x509.Certificate, []byte) {
	var certs []*x509.Certificate
	for want < 0 || len(certs) < want {
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
	return certs, data
}
