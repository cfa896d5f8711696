package upmconfig

import (
	"github.com/upkg/upkg/internal/regurl"
)

// MatchRegistry returns the entry whose credentials go with registryURL
// (UPM-SPEC §2 rule 1, regurl.Match). Config.Auths lists user entries before
// global ones, so among equal keys a user entry wins.
func MatchRegistry(auths []Auth, registryURL string) (Auth, bool) {
	if i, ok := regurl.Match(keysOf(auths), registryURL); ok {
		return auths[i], true
	}
	return Auth{}, false
}

// CredentialFor returns the entry whose credential goes with requestURL, a
// request made for the registry at registryURL (UPM-SPEC §2 rules 2–3,
// regurl.Select).
func CredentialFor(auths []Auth, registryURL, requestURL string) (Auth, bool) {
	always := func(i int) bool { return auths[i].AlwaysAuth }
	if i, ok := regurl.Select(keysOf(auths), always, registryURL, requestURL); ok {
		return auths[i], true
	}
	return Auth{}, false
}

func keysOf(auths []Auth) []string {
	keys := make([]string, len(auths))
	for i, a := range auths {
		keys[i] = a.Registry
	}
	return keys
}
