package registry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// TLSError is a certificate the client does not accept, explained: which
// host, who issued the certificate, and the setting that would trust it.
type TLSError struct {
	// Host is the server whose certificate was refused.
	Host string
	// Issuer is the certificate's issuer (for a TLS-inspecting proxy, the
	// proxy's CA), Subject the certificate's own subject.
	Issuer, Subject string
	// Reason is "unknown-authority", "hostname" or "invalid".
	Reason string
	// GlobalConfig is the path of the global upmconfig.toml, for the fix.
	GlobalConfig string
	// CAFiles are the extra CA files that were trusted besides the system's.
	CAFiles []string
	// Err is the error of the TLS handshake.
	Err error
}

// Reasons of a TLSError.
const (
	TLSUnknownAuthority = "unknown-authority"
	TLSHostname         = "hostname"
	TLSInvalid          = "invalid"
)

func (e *TLSError) Error() string {
	trusted := "the system's trust store"
	if len(e.CAFiles) > 0 {
		trusted += " and " + strings.Join(e.CAFiles, ", ")
	}
	switch e.Reason {
	case TLSHostname:
		return fmt.Sprintf("the TLS certificate of %s (subject %q, issued by %q) is not valid for that host name: %v", e.Host, e.Subject, e.Issuer, e.Err)
	case TLSInvalid:
		return fmt.Sprintf("the TLS certificate of %s (issued by %q) is not valid: %v", e.Host, e.Issuer, e.Err)
	}
	return fmt.Sprintf("the TLS certificate of %s is issued by %q, which is not trusted (trusted: %s)",
		e.Host, e.Issuer, trusted)
}

// Fix is what the user can do about the certificate.
func (e *TLSError) Fix() string {
	switch e.Reason {
	case TLSHostname:
		return "use the host name the certificate was issued for, or ask the server's administrator for a certificate that names " + e.Host
	case TLSInvalid:
		return "check the clock of this machine and ask the server's administrator to renew the certificate"
	}
	global := "the global upmconfig.toml"
	if e.GlobalConfig != "" {
		global += " (" + e.GlobalConfig + ")"
	}
	return fmt.Sprintf("if a proxy re-signs TLS traffic or the registry uses a private CA, get the PEM certificate of %q and "+
		"set caFile = \"/path/to/ca.pem\" in %s, or NODE_EXTRA_CA_CERTS=/path/to/ca.pem",
		e.Issuer, global)
}

func (e *TLSError) Unwrap() error { return e.Err }

// ExplainTLS returns a *TLSError for a certificate error of a connection to
// host, nil when err is no certificate error.
func ExplainTLS(host string, err error, globalConfig string, caFiles []string) *TLSError {
	var (
		verr    *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	e := &TLSError{Host: host, Err: err, GlobalConfig: globalConfig, CAFiles: caFiles}
	var cert *x509.Certificate
	switch {
	case errors.As(err, &hostErr):
		e.Reason, cert = TLSHostname, hostErr.Certificate
	case errors.As(err, &invalid):
		e.Reason, cert = TLSInvalid, invalid.Cert
	case errors.As(err, &unknown):
		e.Reason, cert = TLSUnknownAuthority, unknown.Cert
	case errors.As(err, &verr):
		e.Reason = TLSUnknownAuthority
	default:
		return nil
	}
	if errors.As(err, &verr) && len(verr.UnverifiedCertificates) > 0 && cert == nil {
		cert = verr.UnverifiedCertificates[0]
	}
	if cert != nil {
		e.Issuer, e.Subject = cert.Issuer.String(), cert.Subject.String()
	}
	if e.Issuer == "" {
		e.Issuer = "(unknown issuer)"
	}
	return e
}

// explainTransport turns the failures of the transport below it into errors
// that say what to do: untrusted certificates (*TLSError) and proxies that
// want credentials (*ProxyAuthError, for a refused CONNECT and for a 407
// answer to a plain-http request alike).
type explainTransport struct {
	base         http.RoundTripper
	env          ProxyEnv
	globalConfig string
	caFiles      []string
}

func (t *explainTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	target := req.URL.String()
	if err != nil {
		if pe := ExplainProxyAuth(t.env, target, 0, err); pe != nil {
			return nil, pe
		}
		if te := ExplainTLS(req.URL.Host, err, t.globalConfig, t.caFiles); te != nil {
			return nil, te
		}
		return nil, err
	}
	if resp.StatusCode == http.StatusProxyAuthRequired {
		if p, _, perr := t.env.For(target); perr == nil && p != nil {
			resp.Body.Close()
			return nil, ExplainProxyAuth(t.env, target, resp.StatusCode, nil)
		}
	}
	return resp, nil
}
