package diagnose

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/upkg/upkg/internal/registry"
)

// CAFile is one file of extra trusted certificate authorities and where the
// setting came from, in words ("env NODE_EXTRA_CA_CERTS", "global PATH").
type CAFile struct {
	Path, From string
}

// Network is the network configuration the checks look at (UPM-SPEC §4).
type Network struct {
	Proxy   registry.ProxyEnv
	CAFiles []CAFile
}

// NetworkChecks report the proxy variables and the CA files.
func NetworkChecks(n Network) []Check {
	var out []Check
	p := n.Proxy
	if p.HTTP == "" && p.HTTPS == "" {
		out = append(out, Check{Check: "proxy", Status: StatusOK, Detail: "no proxy variable set: direct connections"})
	}
	for _, v := range []struct{ scheme, val, from string }{{"https", p.HTTPS, p.HTTPSVar}, {"http", p.HTTP, p.HTTPVar}} {
		if v.val == "" {
			continue
		}
		c := Check{Check: "proxy", Status: StatusOK}
		u, err := registry.ParseProxyURL(v.val)
		if err != nil {
			c.Status, c.Detail = StatusFail, fmt.Sprintf("%s requests: %s is not a valid proxy URL", v.scheme, v.from)
			c.Fix = fmt.Sprintf("set %s=http://[USER:PASSWORD@]HOST:PORT", v.from)
		} else {
			c.Detail = fmt.Sprintf("%s requests go through %s (env %s)", v.scheme, u.Redacted(), v.from)
			if u.User != nil {
				c.Detail += "; it carries proxy credentials"
			}
		}
		out = append(out, c)
	}
	if p.NoProxy != "" {
		out = append(out, Check{Check: "proxy", Status: StatusOK, Detail: fmt.Sprintf("no proxy for %s (env %s)", p.NoProxy, p.NoProxyVar)})
	}
	if len(n.CAFiles) == 0 {
		out = append(out, Check{Check: "caFile", Status: StatusOK, Detail: "trusted CAs: the system's store only (no caFile, NODE_EXTRA_CA_CERTS or SSL_CERT_FILE)"})
	}
	for _, ca := range n.CAFiles {
		c := Check{Check: "caFile", Status: StatusOK}
		certs, err := registry.ReadCAFile(ca.Path)
		switch {
		case err != nil:
			c.Status, c.Detail = StatusFail, fmt.Sprintf("%s (%s): %v", ca.Path, ca.From, caProblem(ca.Path, err))
			c.Fix = "point the setting at a readable PEM file of CA certificates, or remove it"
		default:
			names := make([]string, 0, 3)
			for _, cert := range certs[:min(3, len(certs))] {
				names = append(names, fmt.Sprintf("%q", cert.Subject.String()))
			}
			list := strings.Join(names, ", ")
			if len(certs) > len(names) {
				list = fmt.Sprintf("%d certificates (%s, …)", len(certs), list)
			}
			c.Detail = fmt.Sprintf("%s (%s): trusts %s", ca.Path, ca.From, list)
		}
		out = append(out, c)
	}
	return out
}

// caProblem says what is wrong with a CA file, for a detail that names the
// file already.
func caProblem(path string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, registry.ErrNoCertificate):
		return registry.ErrNoCertificate
	case errors.As(err, &pe):
		return fmt.Errorf("read %s: %w", path, pe)
	}
	return err
}
