package upmconfig

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// FuzzNearMisses feeds npmAuth keys (read from config files the user may
// have written by hand) and registry URLs (from manifest.json) to the
// near-miss detection: it must never panic, never report an entry that
// matches, and only report entries that name the registry's host.
func FuzzNearMisses(f *testing.F) {
	f.Add("https://npm.example.com/npm/", "https://npm.example.com")
	f.Add("//npm.example.com/npm/", "https://npm.example.com/npm")
	f.Add("http://NPM.example.com:80/", "https://npm.example.com:8443/x")
	f.Add("npm.example.com", "http://[::1]:4873")
	f.Add("https://u:p@npm.example.com/%zz", "https://npm.example.com/a/b/")
	f.Add("//0", "http://0#0\x00")
	f.Add("npm.example.com", "https://u:secret@npm.example.com/?q=1#frag")
	f.Fuzz(func(t *testing.T, key, registry string) {
		auths := []Auth{{Registry: key, Token: "t"}}
		misses := NearMisses(auths, registry)
		if _, ok := MatchRegistry(auths, registry); ok && len(misses) > 0 {
			t.Fatalf("%q matches %q and is also a near miss: %+v", key, registry, misses)
		}
		userinfo := "\x00" // matches nothing in a reason without control characters
		if u, err := url.Parse(registry); err == nil && u.User != nil {
			userinfo = "://" + u.User.String() + "@"
		}
		for _, m := range misses {
			if m.Reason == "" || strings.ContainsFunc(m.Reason, unicode.IsControl) || strings.Contains(m.Reason, userinfo) {
				t.Fatalf("empty or odd reason: %+v", m)
			}
		}
		if len(misses) > 1 {
			t.Fatalf("one key gave %d near misses", len(misses))
		}
	})
}
