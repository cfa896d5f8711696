package doctor

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/upmconfig"
)

// networkChecks report the proxy variables and the CA files.
func networkChecks(n cmdutil.Network) []Check {
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
		u, err := parseProxy(v.val)
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
		certs, err := readCerts(ca.Path)
		switch {
		case err != nil:
			c.Status, c.Detail = StatusFail, fmt.Sprintf("%s (%s): %v", ca.Path, source(ca.Source, ca.Where), err)
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
			c.Detail = fmt.Sprintf("%s (%s): trusts %s", ca.Path, source(ca.Source, ca.Where), list)
		}
		out = append(out, c)
	}
	return out
}

func parseProxy(v string) (*url.URL, error) {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return nil, errors.New("invalid proxy URL")
	}
	return u, nil
}

// readCerts reads the certificates of a PEM file.
func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
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
		return nil, errors.New("no PEM certificate in it")
	}
	return certs, nil
}

// probe checks one registry.
type probe struct {
	target  target
	client  *registry.Client
	auths   []upmconfig.Auth
	netw    cmdutil.Network
	timeout time.Duration
	goos    string

	out []Check
}

func (p *probe) add(check, status, detail, fix string) {
	reg := p.target.URL
	p.out = append(p.out, Check{Registry: &reg, Check: check, Status: status, Detail: detail, Fix: fix})
}

// run runs the checks in order; a failure to connect ends them.
func (p *probe) run(ctx context.Context) []Check {
	reg := p.target.URL
	u, err := url.Parse(reg)
	if err != nil || u.Host == "" {
		p.add("url", StatusFail, fmt.Sprintf("%s is not an absolute http(s) URL", regurl.Redact(reg)), "fix the url in manifest.json")
		return p.out
	}
	answered := p.checkConnect(ctx, u) && p.checkHTTP(ctx, u)
	p.checkAuth(u)
	if !answered {
		return p.out
	}
	p.checkWhoami(ctx)
	names := p.checkSearch(ctx)
	p.checkPackuments(ctx, names)
	return p.out
}

// checkConnect reports the proxy, DNS and TCP; false when connecting failed.
func (p *probe) checkConnect(ctx context.Context, u *url.URL) bool {
	proxy, variable, err := p.netw.Proxy.For(u.String())
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[u.Scheme]
		if port == "" {
			port = "80"
		}
	}
	what := "the registry"
	switch {
	case err != nil:
		p.add("proxy", StatusFail, err.Error(), "fix the proxy variable")
		return false
	case proxy != nil:
		p.add("proxy", StatusOK, fmt.Sprintf("through %s (env %s); DNS and TCP below are the proxy's", proxy.Redacted(), variable), "")
		host, port, what = proxy.Hostname(), proxy.Port(), "the proxy"
		if port == "" {
			port = "80"
			if proxy.Scheme == "https" {
				port = "443"
			}
		}
	case isLoopback(host):
		p.add("proxy", StatusOK, "direct: loopback hosts never go through a proxy", "")
	case (u.Scheme == "https" && p.netw.Proxy.HTTPS != "") || (u.Scheme == "http" && p.netw.Proxy.HTTP != ""):
		p.add("proxy", StatusOK, fmt.Sprintf("direct: %s matches the no-proxy list (env %s)", host, p.netw.Proxy.NoProxyVar), "")
	case p.netw.Proxy.HTTP != "" || p.netw.Proxy.HTTPS != "":
		p.add("proxy", StatusOK, fmt.Sprintf("direct: no proxy variable is set for %s (%s_PROXY, ALL_PROXY, UNITY_PROXYSERVER)", u.Scheme, strings.ToUpper(u.Scheme)), "")
	default:
		p.add("proxy", StatusOK, "direct: no proxy variable set", "")
	}

	if net.ParseIP(host) != nil {
		p.add("dns", StatusOK, fmt.Sprintf("%s is an IP address: no lookup", host), "")
	} else {
		cctx, cancel := context.WithTimeout(ctx, p.timeout)
		addrs, err := net.DefaultResolver.LookupHost(cctx, host)
		cancel()
		if err != nil {
			fix := fmt.Sprintf("check the host name of %s and this machine's DNS", what)
			if proxy == nil {
				fix += "; if only a proxy can reach it, set HTTPS_PROXY (and HTTP_PROXY)"
			}
			text, _ := timeoutText(err, p.timeout)
			p.add("dns", StatusFail, fmt.Sprintf("%s: %s", host, text), fix)
			return false
		}
		p.add("dns", StatusOK, fmt.Sprintf("%s → %s", host, strings.Join(addrs, ", ")), "")
	}

	addr := net.JoinHostPort(host, port)
	d := net.Dialer{Timeout: p.timeout}
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	conn, err := d.DialContext(cctx, "tcp", addr)
	cancel()
	if err != nil {
		text, _ := timeoutText(err, p.timeout)
		p.add("tcp", StatusFail, fmt.Sprintf("connect to %s: %s", addr, text),
			fmt.Sprintf("check that %s is running and that no firewall blocks %s", what, addr))
		return false
	}
	conn.Close()
	p.add("tcp", StatusOK, "connected to "+addr, "")
	return true
}

// checkHTTP sends one request (GET /-/ping) and reports TLS and whether the
// registry answers at all; false when it did not.
func (p *probe) checkHTTP(ctx context.Context, u *url.URL) bool {
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	res, err := p.client.Probe(cctx, p.target.URL, "-/ping")
	if err != nil {
		var te *registry.TLSError
		var pe *registry.ProxyAuthError
		switch {
		case errors.As(err, &te):
			p.add("tls", StatusFail, te.Error(), cmdutil.TLSHint(te))
		case errors.As(err, &pe):
			p.add("proxy-auth", StatusFail, pe.Error(), pe.Fix())
		default:
			text, timedOut := timeoutText(err, p.timeout)
			fix := "check that the registry is running at that URL"
			if timedOut {
				fix = "the server accepted the connection but did not answer: check that it is running and not overloaded, and that no proxy or firewall holds the connection"
			}
			p.add("http", StatusFail, text, fix)
		}
		return false
	}
	if u.Scheme == "https" {
		p.add("tls", StatusOK, tlsDetail(res.TLS, p.netw), "")
	} else {
		c := Check{Status: StatusOK, Detail: "plain http: no TLS"}
		if _, ok := upmconfig.MatchRegistry(p.auths, p.target.URL); ok && !isLoopback(u.Hostname()) {
			c.Status, c.Detail = StatusWarn, "plain http to a non-loopback host: the credential travels unencrypted"
			c.Fix = "use the registry's https:// URL if it has one"
		}
		p.add("tls", c.Status, c.Detail, c.Fix)
	}
	p.add("http", StatusOK, fmt.Sprintf("GET /-/ping answered %d %s", res.Status, http.StatusText(res.Status)), "")
	return true
}

// tlsDetail describes the connection and the root that verified it.
func tlsDetail(st *tls.ConnectionState, n cmdutil.Network) string {
	if st == nil || len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) == 0 {
		return "TLS connection"
	}
	chain := st.VerifiedChains[0]
	leaf, root := chain[0], chain[len(chain)-1]
	from := "the system's trust store"
	for _, ca := range n.CAFiles {
		certs, err := readCerts(ca.Path)
		if err != nil {
			continue
		}
		for _, c := range certs {
			if bytes.Equal(c.Raw, root.Raw) {
				from = fmt.Sprintf("%s (%s)", ca.Path, source(ca.Source, ca.Where))
			}
		}
	}
	return fmt.Sprintf("%s, certificate %q issued by %q; verified by root %q from %s",
		tls.VersionName(st.Version), leaf.Subject.String(), leaf.Issuer.String(), root.Subject.String(), from)
}

// checkAuth reports the npmAuth entry that matches and why, or the near
// misses.
func (p *probe) checkAuth(u *url.URL) {
	reg := p.target.URL
	entry, ok := upmconfig.MatchRegistry(p.auths, reg)
	if !ok {
		misses := NearMisses(p.auths, reg)
		if len(misses) == 0 {
			// Fine for a public registry (Unity's own); the checks below say
			// when the registry wants a login.
			p.add("auth", StatusOK, "no npmAuth entry matches: requests carry no credential", "")
			return
		}
		var parts []string
		for _, m := range misses {
			parts = append(parts, fmt.Sprintf("an entry exists for %s (%s) — %s", m.Entry.Registry, where(m.Entry), m.Reason))
		}
		m := misses[0]
		p.add("auth", StatusFail, "no npmAuth entry matches, so requests carry no credential; "+strings.Join(parts, "; "),
			fmt.Sprintf("rename the table to [npmAuth.%q] in %s, or store the credential for this URL: upkg auth set --registry %s --token-stdin", reg, m.Entry.File, reg))
		return
	}
	detail := fmt.Sprintf("npmAuth.%q (%s, %s %s): %s", entry.Registry, where(entry), entry.Kind(), upmconfig.Mask(entry.Secret()), MatchReason(entry, reg))
	if entry.AlwaysAuth {
		detail += "; alwaysAuth = true"
	}
	switch {
	case entry.Kind() == "none":
		p.add("auth", StatusFail, detail+"; the entry has neither token nor _auth", fmt.Sprintf("upkg auth set --registry %s --token-stdin", entry.Registry))
	case entry.Token != "" && entry.Basic != "":
		p.add("auth", StatusWarn, detail+"; the entry has both token and _auth: the token is sent", "remove the one you do not use from "+entry.File)
	default:
		p.add("auth", StatusOK, detail, "")
	}
}

func where(a upmconfig.Auth) string {
	if a.Line > 0 {
		return fmt.Sprintf("%s:%d", a.File, a.Line)
	}
	return a.File
}

// authFix is the fix of a refused or missing credential.
func (p *probe) authFix(e *registry.AuthError) string {
	reg := p.target.URL
	if e.Carried.Header == "" {
		if misses := NearMisses(p.auths, reg); len(misses) > 0 {
			return fmt.Sprintf("no credential was sent because npmAuth.%q does not match this registry: rename the table to [npmAuth.%q] in %s",
				misses[0].Entry.Registry, reg, misses[0].Entry.File)
		}
		return fmt.Sprintf("log in: upkg login --registry %s (or upkg auth set --registry %s --token-stdin)", reg, reg)
	}
	return fmt.Sprintf("the registry refused the %s of npmAuth.%q in %s: log in again (upkg login --registry %s) or store a valid one (upkg auth set --registry %s --token-stdin)",
		e.Carried.Kind(), e.Carried.Entry, e.Carried.File, e.Carried.Entry, e.Carried.Entry)
}

func (p *probe) checkWhoami(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	user, err := p.client.Whoami(cctx, p.target.URL)
	var ae *registry.AuthError
	var nf *registry.NotFoundError
	switch {
	case err == nil:
		p.add("whoami", StatusOK, "logged in as "+user, "")
	case errors.As(err, &ae) && ae.Carried.Header == "" && len(NearMisses(p.auths, p.target.URL)) == 0:
		p.add("whoami", StatusOK, "anonymous: no credential is configured for this registry", "")
	case errors.As(err, &ae) && ae.Carried.Header == "":
		p.add("whoami", StatusWarn, ae.Error(), p.authFix(ae))
	case errors.As(err, &ae):
		p.add("whoami", StatusFail, ae.Error(), p.authFix(ae))
	case errors.As(err, &nf):
		status := StatusWarn
		if _, ok := upmconfig.MatchRegistry(p.auths, p.target.URL); !ok {
			status = StatusOK
		}
		p.add("whoami", status, "the registry has no /-/whoami endpoint (404): cannot tell who the credential belongs to", "")
	default:
		text, _ := timeoutText(err, p.timeout)
		p.add("whoami", StatusFail, text, "")
	}
}

// checkSearch reports whether /-/v1/search or /-/all works and returns the
// package names it found per scope.
func (p *probe) checkSearch(ctx context.Context) map[string]string {
	found := map[string]string{}
	text := "com"
	if len(p.target.Scopes) > 0 {
		text = p.target.Scopes[0]
	}
	var failures []string
	for i, scope := range append([]string{text}, p.target.Scopes...) {
		if i > 0 && scope == text {
			continue // the first search already covered it
		}
		cctx, cancel := context.WithTimeout(ctx, p.timeout)
		res, err := p.client.Probe(cctx, p.target.URL, "-/v1/search?text="+url.QueryEscape(scope)+"&size=50")
		cancel()
		if err != nil || res.Status != http.StatusOK {
			if i == 0 {
				failures = append(failures, describe("/-/v1/search", res, err, p.timeout))
			}
			continue
		}
		var doc struct {
			Objects []struct {
				Package struct {
					Name string `json:"name"`
				} `json:"package"`
			} `json:"objects"`
		}
		if json.Unmarshal(res.Body, &doc) != nil {
			continue
		}
		for _, o := range doc.Objects {
			for _, s := range p.target.Scopes {
				if _, ok := found[s]; !ok && scopeMatches(s, o.Package.Name) {
					found[s] = o.Package.Name
				}
			}
		}
		if i == 0 {
			p.add("search", StatusOK, fmt.Sprintf("/-/v1/search works (%d results for %q)", len(doc.Objects), scope), "")
		}
	}
	if len(failures) == 0 {
		return found
	}
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	res, err := p.client.Probe(cctx, p.target.URL, "-/all")
	cancel()
	if err == nil && res.Status == http.StatusOK {
		p.add("search", StatusOK, failures[0]+"; the fallback /-/all works", "")
		return found
	}
	p.add("search", StatusWarn, failures[0]+"; "+describe("/-/all", res, err, p.timeout),
		"upkg search cannot list this registry's packages; installing by name still works")
	return found
}

func describe(path string, res *registry.ProbeResult, err error, d time.Duration) string {
	if err != nil {
		text, _ := timeoutText(err, d)
		return path + ": " + text
	}
	return fmt.Sprintf("%s answered %d %s", path, res.Status, http.StatusText(res.Status))
}

func scopeMatches(scope, name string) bool {
	return name == scope || strings.HasPrefix(name, scope+".")
}

// checkPackuments fetches one packument per scope (a package search found in
// it, else the scope's own name) and, for the default registry, of a
// dependency routed to it.
func (p *probe) checkPackuments(ctx context.Context, found map[string]string) {
	type item struct{ scope, name string }
	var items []item
	for _, s := range p.target.Scopes {
		name := found[s]
		if name == "" {
			name = s
		}
		items = append(items, item{s, name})
	}
	if len(items) == 0 && len(p.target.Names) > 0 {
		items = append(items, item{"", p.target.Names[0]})
	}
	for _, it := range items {
		cctx, cancel := context.WithTimeout(ctx, p.timeout)
		pk, err := p.client.Packument(cctx, p.target.URL, it.name)
		cancel()
		label := it.name
		if it.scope != "" && it.scope != it.name {
			label = fmt.Sprintf("%s (scope %s)", it.name, it.scope)
		}
		var ae *registry.AuthError
		var nf *registry.NotFoundError
		switch {
		case err == nil:
			p.add("packument", StatusOK, fmt.Sprintf("%s: %d versions, latest %s", label, len(pk.Versions), pk.DistTags["latest"]), "")
		case errors.As(err, &ae):
			p.add("packument", StatusFail, ae.Error(), p.authFix(ae))
		case errors.As(err, &nf) && it.scope != "" && it.name == it.scope:
			p.add("packument", StatusWarn, fmt.Sprintf("scope %s: no package of that name, and search found none in the scope", it.scope),
				"check the scope in Packages/manifest.json (a scope is a name prefix: com.example matches com.example.core)")
		case errors.As(err, &nf):
			p.add("packument", StatusFail, fmt.Sprintf("%s: not found on this registry", label), "check the package name and the scopes in Packages/manifest.json")
		default:
			text, _ := timeoutText(err, p.timeout)
			p.add("packument", StatusFail, label+": "+text, "")
		}
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
