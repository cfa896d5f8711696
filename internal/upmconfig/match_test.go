package upmconfig

import (
	"testing"
)

func TestMatchRegistry(t *testing.T) {
	auths := []Auth{
		{Registry: "https://npm.example.com/", Token: "t-root"},
		{Registry: "https://npm.example.com/npm", Token: "t-npm"},
		{Registry: "https://npm.example.com/npm/team/", Token: "t-team"},
		{Registry: "HTTPS://Other.Example.com:443", Token: "t-other-1"},
		{Registry: "https://other.example.com", Token: "t-other-2"},
		{Registry: "http://plain.example.com:80/", Basic: "b-plain"},
		{Registry: "not a url", Token: "never"},
		{Registry: "https://both.example.com", Token: "tok", Basic: "basic"},
		{Registry: "https://Case.example.com/Path", Token: "t-case"},
	}
	tests := []struct {
		name, registry, want string // want: token or _auth of the match, "" for none
	}{
		{"exact after trailing slash", "https://npm.example.com", "t-root"},
		{"exact path", "https://npm.example.com/npm/", "t-npm"},
		{"default port and case", "HTTPS://NPM.EXAMPLE.COM:443/npm", "t-npm"},
		{"longest segment prefix", "https://npm.example.com/npm/team/sub", "t-team"},
		{"segment prefix", "https://npm.example.com/npm/other", "t-npm"},
		{"not a segment prefix", "https://npm.example.com/npmx", "t-root"},
		{"not a segment prefix of team", "https://npm.example.com/npm/teamx", "t-npm"},
		{"tie: exact text wins", "https://other.example.com", "t-other-2"},
		{"tie: exact text wins, other way", "HTTPS://Other.Example.com:443", "t-other-1"},
		{"tie: first in order", "https://other.example.com/", "t-other-1"},
		{"http default port", "http://plain.example.com", "b-plain"},
		{"http is not https", "https://plain.example.com", ""},
		{"other port", "https://npm.example.com:8443/npm", ""},
		{"path case is kept", "https://case.example.com/path", ""},
		{"path case matches", "https://CASE.example.com/Path/x", "t-case"},
		{"no match", "https://none.example.com", ""},
		{"invalid registry", "none", ""},
		{"token beside _auth", "https://both.example.com", "tok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := MatchRegistry(auths, tc.registry)
			if ok != (tc.want != "") || a.Secret() != tc.want {
				t.Errorf("MatchRegistry(%q) = %q, %v; want %q", tc.registry, a.Secret(), ok, tc.want)
			}
		})
	}
	a, _ := MatchRegistry(auths, "https://both.example.com")
	if a.Kind() != "token" || a.Header() != "Bearer tok" {
		t.Errorf("token beside _auth: Kind %q Header %q", a.Kind(), a.Header())
	}
	a, _ = MatchRegistry(auths, "http://plain.example.com")
	if a.Kind() != "basic" || a.Header() != "Basic b-plain" {
		t.Errorf("_auth: Kind %q Header %q", a.Kind(), a.Header())
	}
}

func TestCredentialFor(t *testing.T) {
	auths := []Auth{
		{Registry: "https://npm.example.com/npm", Token: "t-npm"},
		{Registry: "https://always.example.com", Token: "t-always", AlwaysAuth: true},
		{Registry: "https://cdn.example.net/files", Token: "t-cdn"},
	}
	tests := []struct {
		name, registry, request, want string
	}{
		{"under the registry", "https://npm.example.com/npm", "https://npm.example.com/npm/pkg/-/pkg-1.0.0.tgz", "t-npm"},
		{"same origin, other path", "https://npm.example.com/npm", "https://npm.example.com/tarballs/pkg.tgz", "t-npm"},
		{"same origin after normalising", "https://npm.example.com/npm", "HTTPS://NPM.example.com:443/x.tgz", "t-npm"},
		{"other origin without alwaysAuth", "https://npm.example.com/npm", "https://elsewhere.example.org/pkg.tgz", ""},
		{"other scheme is another origin", "https://npm.example.com/npm", "http://npm.example.com/npm/pkg.tgz", ""},
		{"other port is another origin", "https://npm.example.com/npm", "https://npm.example.com:8443/npm/pkg.tgz", ""},
		{"other origin with alwaysAuth", "https://always.example.com", "https://elsewhere.example.org/pkg.tgz", "t-always"},
		{"other origin with its own entry", "https://npm.example.com/npm", "https://cdn.example.net/files/pkg.tgz", "t-cdn"},
		{"other origin, own entry does not cover path", "https://npm.example.com/npm", "https://cdn.example.net/other/pkg.tgz", ""},
		{"alwaysAuth beats the tarball's own entry", "https://always.example.com", "https://cdn.example.net/files/pkg.tgz", "t-always"},
		{"registry without entry, tarball with one", "https://none.example.com", "https://cdn.example.net/files/x.tgz", "t-cdn"},
		{"registry without entry", "https://none.example.com", "https://none.example.com/x.tgz", ""},
		{"invalid request URL", "https://npm.example.com/npm", "::", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := CredentialFor(auths, tc.registry, tc.request)
			if ok != (tc.want != "") || a.Secret() != tc.want {
				t.Errorf("CredentialFor(%q, %q) = %q, %v; want %q", tc.registry, tc.request, a.Secret(), ok, tc.want)
			}
		})
	}
}

func TestCredentialForDotSegments(t *testing.T) {
	auths := []Auth{{Registry: "https://host.example.com/a", Token: "t-123456"}}
	if _, ok := CredentialFor(auths, "https://host.example.com/a/../ab", "https://host.example.com/a/../ab/com.x"); ok {
		t.Error("the /a entry matched a registry at /a/../ab")
	}
	if _, ok := CredentialFor(auths, "https://host.example.com/a/./", "https://host.example.com/a/com.x"); !ok {
		t.Error("the /a entry did not match /a/./")
	}
}
