package registry

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/upkg/upkg/internal/regurl"
)

// ProxyEnv is the proxy configuration read from the environment
// (UPM-SPEC §4): which proxy serves http and https requests, which hosts
// bypass it, and the variable each value came from.
type ProxyEnv struct {
	// HTTP and HTTPS are the proxy URLs as written ("" for none); HTTPVar and
	// HTTPSVar name the variables they came from.
	HTTP, HTTPVar   string
	HTTPS, HTTPSVar string
	// NoProxy is the bypass list (comma-separated), NoProxyVar the variables
	// it came from ("NO_PROXY+UNITY_NOPROXY" when both were set).
	NoProxy, NoProxyVar string
}

// ProxyFromEnv reads the proxy variables through getenv. For each scheme the
// first set variable wins:
//
//	https: HTTPS_PROXY, https_proxy, ALL_PROXY, all_proxy, UNITY_PROXYSERVER
//	http:  HTTP_PROXY, http_proxy, ALL_PROXY, all_proxy, UNITY_PROXYSERVER
//
// The scheme-specific variables are the documented ones; ALL_PROXY and
// UNITY_PROXYSERVER are what Unity's own diagnostics read, so they serve as
// fallbacks. The bypass list joins NO_PROXY (or no_proxy) and UNITY_NOPROXY.
// Upper case is read first, as Go's net/http does.
func ProxyFromEnv(getenv func(string) string) ProxyEnv {
	first := func(names ...string) (string, string) {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v, n
			}
		}
		return "", ""
	}
	var e ProxyEnv
	e.HTTPS, e.HTTPSVar = first("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "UNITY_PROXYSERVER")
	e.HTTP, e.HTTPVar = first("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "UNITY_PROXYSERVER")
	var lists, vars []string
	if v, n := first("NO_PROXY", "no_proxy"); v != "" {
		lists, vars = append(lists, v), append(vars, n)
	}
	if v, n := first("UNITY_NOPROXY"); v != "" {
		lists, vars = append(lists, v), append(vars, n)
	}
	e.NoProxy, e.NoProxyVar = strings.Join(lists, ","), strings.Join(vars, "+")
	return e
}

// Func returns the Proxy function of an http.Transport for these settings.
// Requests for localhost and loopback addresses never go through a proxy
// (as with net/http's own ProxyFromEnvironment). A proxy URL without a
// scheme means http://.
func (e ProxyEnv) Func() func(*http.Request) (*url.URL, error) {
	cfg := &httpproxy.Config{HTTPProxy: e.HTTP, HTTPSProxy: e.HTTPS, NoProxy: e.NoProxy}
	pf := cfg.ProxyFunc()
	// httpproxy ignores a proxy URL it cannot parse, which would connect
	// directly behind the user's back: refuse instead.
	badHTTP, badHTTPS := !validProxy(e.HTTP), !validProxy(e.HTTPS)
	return func(req *http.Request) (*url.URL, error) {
		u, err := pf(req.URL)
		bad := badHTTP
		if req.URL.Scheme == "https" {
			bad = badHTTPS
		}
		// A bad value is refused whatever httpproxy made of it: it ignores
		// some, and reads others leniently (http://u:pw@[bad becomes the
		// proxy "http://http://u:pw@[bad", whose host may be the password).
		if err != nil || (bad && !e.bypassed(req.URL)) {
			// Never repeat the proxy URL: it may carry a password.
			return nil, fmt.Errorf("invalid proxy URL in %s", e.varFor(req.URL.Scheme))
		}
		return u, nil
	}
}

// For reports the proxy that a request to target goes through (nil for a
// direct connection) and the variable that chose it. The returned URL keeps
// its user info: show it with Redact.
func (e ProxyEnv) For(target string) (proxy *url.URL, variable string, err error) {
	t, err := url.Parse(target)
	if err != nil {
		return nil, "", fmt.Errorf("invalid URL %s: %w", regurl.Redact(target), err)
	}
	u, err := e.Func()(&http.Request{URL: t})
	if err != nil || u == nil {
		return nil, "", err
	}
	return u, e.varFor(t.Scheme), nil
}

// validProxy reports whether a proxy setting can be used ("" can: no proxy).
func validProxy(v string) bool {
	if v == "" {
		return true
	}
	_, err := ParseProxyURL(v)
	return err == nil
}

// ParseProxyURL parses the value of a proxy variable; without a scheme it
// means http://. The error never repeats the value: it may carry a password.
func ParseProxyURL(v string) (*url.URL, error) {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return nil, errors.New("invalid proxy URL")
	}
	return u, nil
}

// bypassed reports whether target would go direct even with a valid proxy
// (the no-proxy list, loopback).
func (e ProxyEnv) bypassed(target *url.URL) bool {
	probe := &httpproxy.Config{HTTPProxy: "http://proxy.invalid", HTTPSProxy: "http://proxy.invalid", NoProxy: e.NoProxy}
	u, _ := probe.ProxyFunc()(target)
	return u == nil
}

func (e ProxyEnv) varFor(scheme string) string {
	if scheme == "https" {
		return e.HTTPSVar
	}
	return e.HTTPVar
}

// ProxyAuthError is a 407 answer from a proxy: it wants credentials that the
// proxy URL did not carry, or refused the ones it did.
type ProxyAuthError struct {
	// Proxy is the proxy's URL with any password redacted; Variable the
	// environment variable it came from.
	Proxy, Variable string
	// HadCredentials is set when the proxy URL carried user:password.
	HadCredentials bool
	// URL is the request that was refused.
	URL string
}

func (e *ProxyAuthError) Error() string {
	from := ""
	if e.Variable != "" {
		from = " (from " + e.Variable + ")"
	}
	if e.HadCredentials {
		return fmt.Sprintf("the proxy %s%s refused the credentials in its URL (407 Proxy Authentication Required) for %s: "+
			"check the user name and password in %s", e.Proxy, from, e.URL, firstNonEmpty(e.Variable, "the proxy URL"))
	}
	return fmt.Sprintf("the proxy %s%s requires credentials (407 Proxy Authentication Required) for %s: "+
		"put them in the proxy URL, e.g. %s=http://USER:PASSWORD@%s (percent-encode special characters)",
		e.Proxy, from, e.URL, firstNonEmpty(e.Variable, "HTTPS_PROXY"), hostOf(e.Proxy))
}

// Fix is what to do about the 407.
func (e *ProxyAuthError) Fix() string {
	v := firstNonEmpty(e.Variable, "HTTPS_PROXY")
	if e.HadCredentials {
		return fmt.Sprintf("check the user name and password in %s (percent-encode special characters)", v)
	}
	return fmt.Sprintf("put the proxy credentials in the proxy URL: %s=http://USER:PASSWORD@%s", v, hostOf(e.Proxy))
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return "proxy.example.com:3128"
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// ExplainProxyAuth returns a *ProxyAuthError when err (a failed CONNECT
// through a proxy, for https) or status (a 407 answer, for http) says the
// proxy wants authentication; env tells which proxy served target. It
// returns nil otherwise.
func ExplainProxyAuth(env ProxyEnv, target string, status int, err error) *ProxyAuthError {
	// net/http reports a refused CONNECT with the status text alone.
	is407 := status == http.StatusProxyAuthRequired ||
		(err != nil && strings.Contains(strings.ToLower(err.Error()), "proxy authentication required"))
	if !is407 {
		return nil
	}
	e := &ProxyAuthError{URL: regurl.Redact(target)}
	if p, v, perr := env.For(target); perr == nil && p != nil {
		e.Proxy, e.Variable, e.HadCredentials = p.Redacted(), v, p.User != nil
	}
	return e
}
