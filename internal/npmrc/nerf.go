package npmrc

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// NerfDart turns a registry URL into npm's nerf dart, the key prefix of its
// credentials: scheme, query, fragment and user info are dropped; host[:port]
// and path are kept, with a trailing slash added; the scheme's default port
// (http 80, https 443) is dropped; the host is lower-cased and "." and ".."
// path segments are resolved. "https://User@Registry.Example.com:443/npm?x"
// gives "//registry.example.com/npm/". A scheme-less "//host/path" is accepted
// too.
//
// Unlike npm's nerf-dart package, a last path segment without a trailing slash
// is kept ("https://host/npm" gives "//host/npm/", where npm would resolve
// "." against it and give "//host/"), because registry URLs in Unity's
// manifest are usually written without the slash. International host names are
// not converted to punycode. The error never contains the URL.
func NerfDart(registryURL string) (string, error) {
	s := strings.TrimSpace(registryURL)
	if s == "" {
		return "", errors.New("npmrc: empty registry URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, which may hold a password
		}
		return "", fmt.Errorf("npmrc: invalid registry URL: %w", err)
	}
	if u.Opaque != "" || u.Host == "" {
		return "", errors.New("npmrc: registry URL must be absolute, like https://host/path/")
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", errors.New("npmrc: registry URL has no host")
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && port != defaultPort(strings.ToLower(u.Scheme)) {
		host += ":" + port
	}
	return "//" + host + cleanPath(u.EscapedPath()), nil
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// cleanPath adds the trailing slash and resolves "." and ".." segments.
func cleanPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	if !strings.Contains(p, "/.") {
		return p
	}
	segs := strings.Split(p[1:], "/") // the last one is "" (trailing slash)
	out := make([]string, 0, len(segs))
	for _, s := range segs[:len(segs)-1] {
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "/"
	}
	return "/" + strings.Join(out, "/") + "/"
}

// normNerf normalises the nerf dart of a .npmrc key ("//host[:port]/path",
// with or without the trailing slash): host lower-cased, trailing slash
// added, dot segments resolved. The port is kept as written (a key has no
// scheme to know the default port from). ok is false without a usable host.
func normNerf(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "//")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	host, path := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if host == "" || strings.ContainsFunc(host, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`"<>\^{|}`+"`", r)
	}) {
		return "", false
	}
	return "//" + strings.ToLower(host) + cleanPath(path), true
}

// RegistryURL turns a nerf dart into a URL for the .upmconfig.toml key, without
// trailing slashes ("//host/path/" gives "https://host/path", "//host/" gives
// "https://host"). The scheme comes from, in order:
//
//  1. the file's registry= URL, then its @scope:registry= URLs (by scope
//     name), if its nerf dart equals nerfDart and its scheme is http or https;
//     how is "scheme from registry= in the file" or "scheme from
//     @scope:registry= in the file";
//  2. hint (the user's --registry), likewise; how is "scheme from --registry";
//  3. "http" for loopback hosts (localhost, 127.x.x.x, [::1]); how is "http
//     for a loopback host";
//  4. "https"; how is "https by default".
//
// nerfDart is normalised as in Parse; if it is not a nerf dart (no leading
// "//" or no host), url is "" and how says so. f may be nil.
func (f *File) RegistryURL(nerfDart, hint string) (url string, how string) {
	nd, ok := normNerf(strings.TrimSpace(nerfDart))
	if !ok {
		return "", "not a nerf dart (//host/path/)"
	}
	rest := strings.TrimRight(nd, "/") // "//host//" has an empty last segment
	if f != nil {
		if s := schemeIfSame(f.Registry, nd); s != "" {
			return s + ":" + rest, "scheme from registry= in the file"
		}
		scopes := make([]string, 0, len(f.Scoped))
		for scope := range f.Scoped {
			scopes = append(scopes, scope)
		}
		slices.Sort(scopes)
		for _, scope := range scopes {
			if s := schemeIfSame(f.Scoped[scope], nd); s != "" {
				return s + ":" + rest, "scheme from " + scope + ":registry= in the file"
			}
		}
	}
	if s := schemeIfSame(hint, nd); s != "" {
		return s + ":" + rest, "scheme from --registry"
	}
	if isLoopback(nd) {
		return "http:" + rest, "http for a loopback host"
	}
	return "https:" + rest, "https by default"
}

// schemeIfSame returns the lower-cased http(s) scheme of rawURL if its nerf
// dart is nd, else "".
func schemeIfSame(rawURL, nd string) string {
	if rawURL == "" {
		return ""
	}
	n, err := NerfDart(rawURL)
	if err != nil || n != nd {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return ""
	}
	if s := strings.ToLower(u.Scheme); s == "http" || s == "https" {
		return s
	}
	return ""
}

// isLoopback reports whether the host of the nerf dart nd is localhost or a
// loopback IP address.
func isLoopback(nd string) bool {
	hostport := strings.TrimPrefix(nd, "//")
	if i := strings.IndexByte(hostport, '/'); i >= 0 {
		hostport = hostport[:i]
	}
	host := hostport
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i >= 0 {
			host = host[1:i]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
