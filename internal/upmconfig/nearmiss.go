package upmconfig

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/upkg/upkg/internal/regurl"
)

// NearMiss is an npmAuth entry that was probably meant for a registry but
// does not match it, and why.
type NearMiss struct {
	Entry  Auth
	Reason string
}

// NearMisses returns the entries that do not match registry (UPM-SPEC §2
// rule 1) but name the same host: a path, scheme or port that differs, or a
// key that is not an absolute URL (an .npmrc-style "//host/path/"). An entry
// for a sibling registry on the same server is none (siblings). Entries
// on the registry's own origin come alone when there are any. It is meant for
// when MatchRegistry found nothing.
func NearMisses(auths []Auth, registry string) []NearMiss {
	reg, err := url.Parse(registry)
	if err != nil || reg.Host == "" {
		return nil
	}
	regNorm, err := regurl.NormalizeURL(registry)
	if err != nil {
		return nil
	}
	// regNorm, not registry, goes into reasons: it carries no user info,
	// query or fragment (a manifest may hold any bytes there).
	_, regPath := regurl.SplitNormalized(regNorm)
	var out, sameOrigin []NearMiss
	for _, a := range auths {
		norm, err := regurl.NormalizeURL(a.Registry)
		if err != nil {
			if host := looseHost(a.Registry); host != "" && strings.EqualFold(host, reg.Hostname()) {
				out = append(out, NearMiss{a, fmt.Sprintf("the key is not an absolute URL (write it as %s)", regNorm)})
			}
			continue
		}
		k, _ := url.Parse(norm)
		r, _ := url.Parse(regNorm)
		if !strings.EqualFold(k.Hostname(), r.Hostname()) {
			continue
		}
		var diffs []string
		if k.Scheme != r.Scheme {
			diffs = append(diffs, fmt.Sprintf("scheme differs (%s, not %s)", k.Scheme, r.Scheme))
		}
		if k.Port() != r.Port() {
			diffs = append(diffs, fmt.Sprintf("port differs (%s, not %s)", portOr(k), portOr(r)))
		}
		if _, kp := regurl.SplitNormalized(norm); kp != regPath && !strings.HasPrefix(regPath, kp+"/") {
			if siblings(kp, regPath) {
				continue // the entry serves another registry on that server
			}
			diffs = append(diffs, fmt.Sprintf("trailing path differs (%s, not %s)", orSlash(kp), orSlash(regPath)))
		}
		if len(diffs) == 0 {
			continue
		}
		m := NearMiss{a, strings.Join(diffs, "; ")}
		if k.Scheme == r.Scheme && k.Port() == r.Port() {
			sameOrigin = append(sameOrigin, m)
		} else {
			out = append(out, m)
		}
	}
	// An entry on the registry's own origin is by far the likelier intent;
	// entries for other ports of the same host are only worth showing when
	// there is none.
	if len(sameOrigin) > 0 {
		return sameOrigin
	}
	return out
}

// siblings reports whether two URL paths name two registries on one server
// rather than one registry spelt two ways: paths of two segments or more that
// differ in exactly one segment, and in more than letter case (paths are
// case-sensitive, so "Feed" for "feed" is a near miss). Azure DevOps feeds
// (/org/_packaging/feedA/npm/registry and …/feedB/…) and Artifactory
// repositories (/artifactory/api/npm/repoA and …/repoB) are such siblings:
// renaming an entry of one for the other would break the one.
func siblings(a, b string) bool {
	as, bs := strings.Split(strings.Trim(a, "/"), "/"), strings.Split(strings.Trim(b, "/"), "/")
	if len(as) != len(bs) || len(as) < 2 {
		return false
	}
	diff := 0
	for i := range as {
		if as[i] != bs[i] {
			if strings.EqualFold(as[i], bs[i]) {
				return false
			}
			diff++
		}
	}
	return diff == 1
}

// MatchReason says why MatchRegistry chose entry for registry.
func MatchReason(entry Auth, registry string) string {
	k, _ := regurl.NormalizeURL(entry.Registry)
	r, _ := regurl.NormalizeURL(registry)
	switch {
	case entry.Registry == registry:
		return "the key is the registry URL exactly"
	case k == r:
		return "the key equals the registry URL after normalising (letter case, default port, trailing slash)"
	}
	return "the key is a path prefix of the registry URL (the longest one)"
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func portOr(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// looseHost finds a host name in a key that is not an absolute URL:
// "//host:port/path/", "host/path" or "host".
func looseHost(key string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(key, "//"), "/")
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	u, err := url.Parse("x://" + s)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
