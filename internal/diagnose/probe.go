package diagnose

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/humanize"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/secret"
	"github.com/upkg/upkg/internal/upmconfig"
)

// Dialer opens the TCP connection of the tcp check (*net.Dialer is one).
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Resolver looks up the host of the dns check (*net.Resolver is one).
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Prober checks registries.
type Prober struct {
	// Client makes the HTTP requests (ping, whoami, search, packuments); its
	// retries should be off, so that a check takes at most Timeout.
	Client *registry.Client
	// Auths are the npmAuth entries, in the order MatchRegistry takes them.
	Auths []upmconfig.Auth
	// Network is the proxy configuration and the CA files Client trusts.
	Network Network
	// Dialer and Resolver serve the tcp and dns checks.
	Dialer   Dialer
	Resolver Resolver
	// Timeout bounds each check.
	Timeout time.Duration
	// Fixes words the fixes that name upkg's commands.
	Fixes Fixes
}

// Fixes words the fixes that name upkg's own commands. The CLI supplies them
// (cmdutil.Fixes), so that every such hint lives in one place; diagnose
// reports facts and the fixes that need no command.
type Fixes interface {
	// Auth is the fix of a refused or missing credential.
	Auth(e *registry.AuthError) string
	// TLS is the fix of an untrusted certificate.
	TLS(e *registry.TLSError) string
	// StoreToken is the command that stores a token for reg.
	StoreToken(reg string) string
}

// Probe runs the checks of one registry in order; a failure to connect ends
// them.
func (p *Prober) Probe(ctx context.Context, t Target) []Check {
	r := &run{Prober: p, target: t}
	reg := t.URL
	u, err := url.Parse(reg)
	if err != nil || u.Host == "" {
		r.add("url", StatusFail, fmt.Sprintf("%s is not an absolute http(s) URL", regurl.Redact(reg)), "fix the url in manifest.json")
		return r.out
	}
	answered := r.checkConnect(ctx, u) && r.checkHTTP(ctx, u)
	r.checkAuth()
	if !answered {
		return r.out
	}
	r.checkWhoami(ctx)
	names := r.checkSearch(ctx)
	r.checkPackuments(ctx, names)
	return r.out
}

// run is the checking of one registry.
type run struct {
	*Prober
	target Target
	out    []Check
}

func (p *run) add(check, status, detail, fix string) {
	reg := p.target.URL
	p.out = append(p.out, Check{Registry: &reg, Check: check, Status: status, Detail: detail, Fix: fix})
}

// checkConnect reports the proxy, DNS and TCP; false when connecting failed.
func (p *run) checkConnect(ctx context.Context, u *url.URL) bool {
	env := p.Network.Proxy
	proxy, variable, err := env.For(u.String())
	raw := env.HTTP
	if u.Scheme == "https" {
		raw = env.HTTPS
	}
	if _, perr := registry.ParseProxyURL(raw); err == nil && proxy != nil && perr != nil {
		// A value only net/http's lenient parsing accepts: its "host" may be
		// the password.
		proxy, err = nil, fmt.Errorf("invalid proxy URL in %s", variable)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
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
			port = defaultPort(proxy.Scheme)
		}
	case regurl.IsLoopback(host):
		p.add("proxy", StatusOK, "direct: loopback hosts never go through a proxy", "")
	case (u.Scheme == "https" && env.HTTPS != "") || (u.Scheme == "http" && env.HTTP != ""):
		p.add("proxy", StatusOK, fmt.Sprintf("direct: %s matches the no-proxy list (env %s)", host, env.NoProxyVar), "")
	case env.HTTP != "" || env.HTTPS != "":
		p.add("proxy", StatusOK, fmt.Sprintf("direct: no proxy variable is set for %s (%s_PROXY, ALL_PROXY, UNITY_PROXYSERVER)", u.Scheme, strings.ToUpper(u.Scheme)), "")
	default:
		p.add("proxy", StatusOK, "direct: no proxy variable set", "")
	}

	if net.ParseIP(host) != nil {
		p.add("dns", StatusOK, fmt.Sprintf("%s is an IP address: no lookup", host), "")
	} else {
		cctx, cancel := context.WithTimeout(ctx, p.Timeout)
		addrs, err := p.Resolver.LookupHost(cctx, host)
		cancel()
		if err != nil {
			fix := fmt.Sprintf("check the host name of %s and this machine's DNS", what)
			if proxy == nil {
				fix += "; if only a proxy can reach it, set HTTPS_PROXY (and HTTP_PROXY)"
			}
			text, _ := timeoutText(err, p.Timeout)
			p.add("dns", StatusFail, fmt.Sprintf("%s: %s", host, text), fix)
			return false
		}
		p.add("dns", StatusOK, fmt.Sprintf("%s → %s", host, strings.Join(addrs, ", ")), "")
	}

	addr := net.JoinHostPort(host, port)
	cctx, cancel := context.WithTimeout(ctx, p.Timeout)
	conn, err := p.Dialer.DialContext(cctx, "tcp", addr)
	cancel()
	if err != nil {
		text, _ := timeoutText(err, p.Timeout)
		p.add("tcp", StatusFail, fmt.Sprintf("connect to %s: %s", addr, text),
			fmt.Sprintf("check that %s is running and that no firewall blocks %s", what, addr))
		return false
	}
	conn.Close()
	p.add("tcp", StatusOK, "connected to "+addr, "")
	return true
}

// defaultPort is the port of a URL that names none.
func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// checkHTTP sends one request (GET /-/ping) and reports TLS and whether the
// registry answers at all; false when it did not.
func (p *run) checkHTTP(ctx context.Context, u *url.URL) bool {
	cctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	res, err := p.Client.Probe(cctx, p.target.URL, "-/ping")
	if err != nil {
		var te *registry.TLSError
		var pe *registry.ProxyAuthError
		switch {
		case errors.As(err, &te):
			p.add("tls", StatusFail, te.Error(), p.Fixes.TLS(te))
		case errors.As(err, &pe):
			p.add("proxy-auth", StatusFail, pe.Error(), pe.Fix())
		default:
			text, timedOut := timeoutText(err, p.Timeout)
			fix := "check that the registry is running at that URL"
			if timedOut {
				fix = "the server accepted the connection but did not answer: check that it is running and not overloaded, and that no proxy or firewall holds the connection"
			}
			p.add("http", StatusFail, text, fix)
		}
		return false
	}
	if u.Scheme == "https" {
		p.add("tls", StatusOK, tlsDetail(res.TLS, p.Network), "")
	} else {
		c := Check{Status: StatusOK, Detail: "plain http: no TLS"}
		if _, ok := upmconfig.MatchRegistry(p.Auths, p.target.URL); ok && !regurl.IsLoopback(u.Hostname()) {
			c.Status, c.Detail = StatusWarn, "plain http to a non-loopback host: the credential travels unencrypted"
			c.Fix = "use the registry's https:// URL if it has one"
		}
		p.add("tls", c.Status, c.Detail, c.Fix)
	}
	p.add("http", StatusOK, fmt.Sprintf("GET /-/ping answered %d %s", res.Status, http.StatusText(res.Status)), "")
	return true
}

// tlsDetail describes the connection and the root that verified it.
func tlsDetail(st *tls.ConnectionState, n Network) string {
	if st == nil || len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) == 0 {
		return "TLS connection"
	}
	chain := st.VerifiedChains[0]
	leaf, root := chain[0], chain[len(chain)-1]
	from := "the system's trust store"
	for _, ca := range n.CAFiles {
		certs, err := registry.ReadCAFile(ca.Path)
		if err != nil {
			continue
		}
		for _, c := range certs {
			if bytes.Equal(c.Raw, root.Raw) {
				from = fmt.Sprintf("%s (%s)", ca.Path, ca.From)
			}
		}
	}
	return fmt.Sprintf("%s, certificate %q issued by %q; verified by root %q from %s",
		tls.VersionName(st.Version), leaf.Subject.String(), leaf.Issuer.String(), root.Subject.String(), from)
}

// checkAuth reports the npmAuth entry that matches and why, or the near
// misses.
func (p *run) checkAuth() {
	reg := p.target.URL
	entry, ok := upmconfig.MatchRegistry(p.Auths, reg)
	if !ok {
		misses := upmconfig.NearMisses(p.Auths, reg)
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
			fmt.Sprintf("rename the table to [npmAuth.%q] in %s, or store the credential for this URL: %s", reg, m.Entry.File, p.Fixes.StoreToken(reg)))
		return
	}
	detail := fmt.Sprintf("npmAuth.%q (%s, %s %s): %s", entry.Registry, where(entry), entry.Kind(), secret.Mask(entry.Secret()), upmconfig.MatchReason(entry, reg))
	if entry.AlwaysAuth {
		detail += "; alwaysAuth = true"
	}
	switch {
	case entry.Kind() == "none":
		p.add("auth", StatusFail, detail+"; the entry has neither token nor _auth", p.Fixes.StoreToken(entry.Registry))
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

// authFix is the fix of a refused or missing credential: an entry that
// nearly matches is renamed, else the CLI's fix.
func (p *run) authFix(e *registry.AuthError) string {
	reg := p.target.URL
	if e.Carried.Header == "" {
		if misses := upmconfig.NearMisses(p.Auths, reg); len(misses) > 0 {
			return fmt.Sprintf("no credential was sent because npmAuth.%q does not match this registry: rename the table to [npmAuth.%q] in %s",
				misses[0].Entry.Registry, reg, misses[0].Entry.File)
		}
	}
	return p.Fixes.Auth(e)
}

func (p *run) checkWhoami(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	user, err := p.Client.Whoami(cctx, p.target.URL)
	var ae *registry.AuthError
	var nf *registry.NotFoundError
	anonymous := func() bool { return ae.Carried.Header == "" }
	switch {
	case err == nil:
		p.add("whoami", StatusOK, "logged in as "+user, "")
	case errors.As(err, &ae) && anonymous() && len(upmconfig.NearMisses(p.Auths, p.target.URL)) == 0:
		p.add("whoami", StatusOK, "anonymous: no credential is configured for this registry", "")
	case errors.As(err, &ae) && anonymous():
		p.add("whoami", StatusWarn, ae.Error(), p.authFix(ae))
	case errors.As(err, &ae):
		p.add("whoami", StatusFail, ae.Error(), p.authFix(ae))
	case errors.As(err, &nf):
		status := StatusWarn
		if _, ok := upmconfig.MatchRegistry(p.Auths, p.target.URL); !ok {
			status = StatusOK
		}
		p.add("whoami", status, "the registry has no /-/whoami endpoint (404): cannot tell who the credential belongs to", "")
	default:
		text, _ := timeoutText(err, p.Timeout)
		p.add("whoami", StatusFail, text, "")
	}
}

// checkSearch reports whether /-/v1/search or /-/all works and returns the
// package names it found per scope.
func (p *run) checkSearch(ctx context.Context) map[string]string {
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
		cctx, cancel := context.WithTimeout(ctx, p.Timeout)
		res, err := p.Client.Probe(cctx, p.target.URL, "-/v1/search?text="+url.QueryEscape(scope)+"&size=50")
		cancel()
		if err != nil || res.Status != http.StatusOK {
			if i == 0 {
				failures = append(failures, describe("/-/v1/search", res, err, p.Timeout))
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
				if _, ok := found[s]; !ok && manifest.ScopeMatches(s, o.Package.Name) {
					found[s] = o.Package.Name
				}
			}
		}
		if i == 0 {
			p.add("search", StatusOK, fmt.Sprintf("/-/v1/search works (%s for %q)", humanize.Count(len(doc.Objects), "result", "results"), scope), "")
		}
	}
	if len(failures) == 0 {
		return found
	}
	cctx, cancel := context.WithTimeout(ctx, p.Timeout)
	res, err := p.Client.Probe(cctx, p.target.URL, "-/all")
	cancel()
	if err == nil && res.Status == http.StatusOK {
		p.add("search", StatusOK, failures[0]+"; the fallback /-/all works", "")
		return found
	}
	p.add("search", StatusWarn, failures[0]+"; "+describe("/-/all", res, err, p.Timeout),
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

// checkPackuments fetches one packument per scope (a package search found in
// it, else the scope's own name) and, for the default registry, of a
// dependency routed to it.
func (p *run) checkPackuments(ctx context.Context, found map[string]string) {
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
		cctx, cancel := context.WithTimeout(ctx, p.Timeout)
		pk, err := p.Client.Packument(cctx, p.target.URL, it.name)
		cancel()
		label := it.name
		if it.scope != "" && it.scope != it.name {
			label = fmt.Sprintf("%s (scope %s)", it.name, it.scope)
		}
		var ae *registry.AuthError
		var nf *registry.NotFoundError
		switch {
		case err == nil:
			p.add("packument", StatusOK, fmt.Sprintf("%s: %s, latest %s", label, humanize.Count(len(pk.Versions), "version", "versions"), pk.DistTags["latest"]), "")
		case errors.As(err, &ae):
			p.add("packument", StatusFail, ae.Error(), p.authFix(ae))
		case errors.As(err, &nf) && it.scope != "" && it.name == it.scope:
			p.add("packument", StatusWarn, fmt.Sprintf("scope %s: no package of that name, and search found none in the scope", it.scope),
				"check the scope in Packages/manifest.json (a scope is a name prefix: com.example matches com.example.core)")
		case errors.As(err, &nf):
			p.add("packument", StatusFail, fmt.Sprintf("%s: not found on this registry", label), "check the package name and the scopes in Packages/manifest.json")
		default:
			text, _ := timeoutText(err, p.Timeout)
			p.add("packument", StatusFail, label+": "+text, "")
		}
	}
}
