// Package regurl compares registry URLs the way UPM-SPEC §2 does: normalised
// forms, path-segment prefixes, origins, and request paths with their dot
// segments resolved.
package regurl

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
		return "", fmt.Errorf("invalid URL %s: %w", Redact(raw), err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("%s is not an absolute http(s) URL", Redact(raw))
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%s is not an absolute http(s) URL: no host", Redact(raw))
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

// Redact shows a URL without its password, for error messages.
func Redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if strings.Contains(raw, "@") {
		return "(a URL with user info)"
	}
	return raw
}

// SplitNormalized splits a normalised URL into origin (scheme://host[:port])
// and path ("" or "/…").
func SplitNormalized(n string) (origin, path string) {
	rest := n[strings.Index(n, "://")+3:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return n[:len(n)-len(rest)+i], rest[i:]
	}
	return n, ""
}

// UnderPath reports whether the normalised URL key is target itself or a
// path-segment prefix of it: https://h/npm covers https://h/npm/team but not
// https://h/npmx.
func UnderPath(key, target string) bool {
	ko, kp := SplitNormalized(key)
	to, tp := SplitNormalized(target)
	return ko == to && (kp == tp || kp == "" || strings.HasPrefix(tp, kp+"/"))
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
	oa, _ := SplitNormalized(na)
	ob, _ := SplitNormalized(nb)
	return oa == ob
}

// Match returns the index of the key (a registry URL as written, e.g. an
// npmAuth table key) whose credentials go with target (UPM-SPEC §2 rule 1): a
// key that normalises equal to it, else the longest key that is a
// path-segment prefix of it. Among keys that normalise equal, the one written
// exactly like target wins, else the first. Keys that are no URL never match.
func Match(keys []string, target string) (int, bool) {
	t, err := NormalizeURL(target)
	if err != nil {
		return -1, false
	}
	norm := make([]string, len(keys))
	exact := -1
	for i, key := range keys {
		k, err := NormalizeURL(key)
		if err != nil {
			continue
		}
		norm[i] = k
		if k == t {
			if key == target {
				return i, true
			}
			if exact < 0 {
				exact = i
			}
		}
	}
	if exact >= 0 {
		return exact, true
	}
	best := -1
	for i, k := range norm {
		if k != "" && UnderPath(k, t) && (best < 0 || len(k) > len(norm[best])) {
			best = i
		}
	}
	return best, best >= 0
}

// Select returns the index of the key whose credential goes with requestURL,
// a request made for the registry at registryURL (UPM-SPEC §2 rules 2–3). A
// request under the registry's URL or on its origin carries the registry's
// credential. A request to another origin (a tarball elsewhere) carries it only
// when alwaysAuth(i) holds for the registry's key; otherwise it carries the
// credential of a key that matches the request URL itself, if any.
func Select(keys []string, alwaysAuth func(i int) bool, registryURL, requestURL string) (int, bool) {
	i, ok := Match(keys, registryURL)
	if ok && (SameOrigin(registryURL, requestURL) || alwaysAuth(i)) {
		// Under the registry's URL implies the same origin.
		return i, true
	}
	// No key for the registry, or another origin without alwaysAuth: only a
	// key written for the request URL itself may go with it.
	return Match(keys, requestURL)
}

// IsLoopback reports whether host (a URL's host name, without port or
// brackets) is this machine: localhost, a name under .localhost, or a
// loopback IP address. Credentials to it over plain http never cross the
// network (UPM-SPEC §2 rule 5).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Same reports whether two registry URLs name the same registry: equal after
// NormalizeURL (or, for what is no URL, equal without trailing slashes).
func Same(a, b string) bool {
	na, err1 := NormalizeURL(a)
	nb, err2 := NormalizeURL(b)
	if err1 != nil || err2 != nil {
		return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
	}
	return na == nb
}
