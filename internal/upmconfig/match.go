package upmconfig

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"
)

// NormalizeURL returns the form in which npmAuth keys and registry URLs are
// compared (UPM-SPEC §2 rule 1): scheme and host in lower case, the default
// port (80 for http, 443 for https) dropped, trailing slashes of the path
// dropped, the rest of the path kept as written (paths are case-sensitive),
// user info, query and fragment dropped. Anything but an absolute http(s) URL
// is an error. Error messages never show user info.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, which may carry a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("invalid URL %s: %w", redactURL(raw), err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("%s is not an absolute http(s) URL", redactURL(raw))
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%s is not an absolute http(s) URL: no host", redactURL(raw))
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	return scheme + "://" + host + strings.TrimRight(CleanPath(u.EscapedPath()), "/"), nil
}

// CleanPath resolves the "." and ".." segments of a URL path, as a server
// does before it routes the request: a credential scoped to /a must not
// reach /a/../ab. A trailing slash is kept; a path without dot segments is
// returned as it is.
func CleanPath(p string) string {
	if !hasDotSegment(p) {
		return p
	}
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// redactURL shows a URL without its password, for error messages.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if strings.Contains(raw, "@") {
		return "(a URL with user info)"
	}
	return raw
}

// splitNormalized splits a normalised URL into origin (scheme://host[:port])
// and path ("" or "/…").
func splitNormalized(n string) (origin, path string) {
	rest := n[strings.Index(n, "://")+3:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return n[:len(n)-len(rest)+i], rest[i:]
	}
	return n, ""
}

// underPath reports whether the normalised URL key is target itself or a
// path-segment prefix of it: https://h/npm covers https://h/npm/team but not
// https://h/npmx.
func underPath(key, target string) bool {
	ko, kp := splitNormalized(key)
	to, tp := splitNormalized(target)
	return ko == to && (kp == tp || kp == "" || strings.HasPrefix(tp, kp+"/"))
}

// MatchRegistry returns the entry whose credentials go with registryURL
// (UPM-SPEC §2 rule 1): an entry whose key normalises equal to it, else the
// entry with the longest key that is a path-segment prefix of it. When several
// keys normalise equal, the one written exactly like registryURL wins, else
// the first in order (Config.Auths lists user entries before global ones).
func MatchRegistry(auths []Auth, registryURL string) (Auth, bool) {
	reg, err := NormalizeURL(registryURL)
	if err != nil {
		return Auth{}, false
	}
	keys := make([]string, len(auths))
	exact := -1
	for i, a := range auths {
		k, err := NormalizeURL(a.Registry)
		if err != nil {
			continue // a key that is no URL never matches
		}
		keys[i] = k
		if k == reg {
			if a.Registry == registryURL {
				return a, true
			}
			if exact < 0 {
				exact = i
			}
		}
	}
	if exact >= 0 {
		return auths[exact], true
	}
	best := -1
	for i, k := range keys {
		if k != "" && underPath(k, reg) && (best < 0 || len(k) > len(keys[best])) {
			best = i
		}
	}
	if best < 0 {
		return Auth{}, false
	}
	return auths[best], true
}

// CredentialFor returns the entry whose credential goes with requestURL, a
// request made for the registry at registryURL (UPM-SPEC §2 rules 2–3). A
// request under the registry's URL or on its origin carries the registry's
// credential. A request to another origin (a tarball elsewhere) carries it only
// when the entry has alwaysAuth; otherwise it carries the credential of an
// entry that matches the request URL itself, if any.
func CredentialFor(auths []Auth, registryURL, requestURL string) (Auth, bool) {
	a, ok := MatchRegistry(auths, registryURL)
	if ok && (SameOrigin(registryURL, requestURL) || a.AlwaysAuth) {
		// Under the registry's URL implies the same origin.
		return a, true
	}
	// No credential for the registry, or another origin without alwaysAuth:
	// only an entry written for the request URL itself may go with it.
	return MatchRegistry(auths, requestURL)
}

// SameOrigin reports whether two absolute http(s) URLs have the same scheme,
// host and port after normalising (so https://H:443/x and https://h/y do).
func SameOrigin(a, b string) bool {
	na, err := NormalizeURL(a)
	if err != nil {
		return false
	}
	nb, err := NormalizeURL(b)
	if err != nil {
		return false
	}
	oa, _ := splitNormalized(na)
	ob, _ := splitNormalized(nb)
	return oa == ob
}
