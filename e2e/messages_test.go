package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// closedURL is a loopback URL where nothing listens: connection refused.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

// wantIn fails the test unless every want is in text and no notWant is.
func wantIn(t *testing.T, text string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
	for _, w := range notWant {
		if strings.Contains(text, w) {
			t.Errorf("still says %q:\n%s", w, text)
		}
	}
}

// TestUnscopedPackageNetworkError (issue 13): a package no scope routes goes
// to the default registry; when that cannot be reached the error says so, in
// one line naming the URL once with the cause, and the hint names the scope
// fix, doctor, and --offline once the cache holds a copy.
func TestUnscopedPackageNetworkError(t *testing.T) {
	def := closedURL(t)
	s := newSandbox(t)
	s.project(`{"dependencies": {"com.example.x": "1.0.0"}, "scopedRegistries": [{"name": "other", "url": "http://127.0.0.1:9", "scopes": ["com.other"]}]}`, "2022.3.20f1")
	r := s.fails(5, "", "install", "--default-registry", def)
	wantIn(t, r.Stderr, []string{
		"cannot reach " + def + "/com.example.x: connect: connection refused",
		"no scope in the manifest matches com.example.x; it went to the default registry " + def,
		"hint: if com.example.x lives on another registry, route it there with a scope (upkg add com.example.x --registry URL adds one); else check the connection to the registry: upkg doctor",
	}, []string{`Get "`, "dial tcp", "--offline"})
	if n := strings.Count(r.Stderr, def+"/com.example.x"); n != 1 {
		t.Errorf("the URL is named %d times:\n%s", n, r.Stderr)
	}

	// With the packument in the cache, --offline is worth a try. (The
	// registry says no-cache: else install would take the cached copy as
	// fresh for five minutes and not ask.)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"1"`)
		w.Header().Set("Cache-Control", "no-cache")
		fmt.Fprint(w, `{"name": "com.example.x", "dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": {"name": "com.example.x", "version": "1.0.0", "dist": {"tarball": "http://127.0.0.1:9/x.tgz"}}}}`)
	}))
	s.ok("", "view", "com.example.x", "--default-registry", srv.URL)
	srv.Close()
	r = s.fails(5, "", "install", "--default-registry", srv.URL)
	wantIn(t, r.Stderr, []string{"connection refused", "upkg doctor; or run it again with --offline: the cache holds a copy"}, nil)

	// A scoped package's registry: no word about scopes.
	s.project(fmt.Sprintf(`{"dependencies": {"com.example.x": "1.0.0"}, "scopedRegistries": [{"name": "x", "url": %q, "scopes": ["com.example"]}]}`, def), "2022.3.20f1")
	r = s.fails(5, "", "install")
	wantIn(t, r.Stderr, []string{"cannot reach " + def + "/com.example.x: connect: connection refused", "hint: check the connection to the registry: upkg doctor"},
		[]string{"no scope", `Get "`})
}

// TestAuthFailureShowsNearMisses (issue 13): an entry whose key nearly
// matches the registry is named in the auth failure of every command
// (whoami, install, view, outdated), not only by doctor.
func TestAuthFailureShowsNearMisses(t *testing.T) {
	r := setupTwoRegistries(t)
	s := newSandbox(t)
	s.project(r.manifestText, "2022.3.20f1")
	s.login(r.spyA.URL+"/npm/", r.tokA) // the wrong path
	s.login(r.spyB.URL, r.tokB)
	for _, args := range [][]string{{"whoami", "--registry", r.spyA.URL}, {"install"}, {"view", "com.example.core"}, {"outdated"}} {
		res := s.fails(3, "", args...)
		wantIn(t, res.Stderr, []string{
			"no npmAuth entry matches this registry",
			fmt.Sprintf("hint: npmAuth.%q in %s nearly matches: trailing path differs (/npm, not /)", r.spyA.URL+"/npm/", s.UserCfg),
			fmt.Sprintf("rename that table to [npmAuth.%q]", strings.TrimRight(r.spyA.URL, "/")),
		}, nil)
	}
}

// TestFrozenListsTheDifferences (issue 13): ci's exit 6 lists what would be
// added, removed and changed, as npm ci does, not only that the manifest and
// the lock disagree.
func TestFrozenListsTheDifferences(t *testing.T) {
	r := setupTwoRegistries(t)
	s := r.sandbox(t)
	s.ok("", "install")
	m := strings.Replace(r.manifestText, `"com.example.core": "1.0.0"`, `"com.example.core": "1.2.0"`, 1)
	m = strings.Replace(m, `"com.example.tools": "2.0.0",`, `"com.unity.modules.physics": "1.0.0",`, 1)
	s.project(m, "")
	res := s.fails(6, "", "ci")
	wantIn(t, res.Stderr, []string{
		"packages-lock.json would change (the manifest and the lock disagree): 1 to add, 1 to remove, 1 to change:",
		"  add     com.unity.modules.physics@1.0.0\n",
		"  remove  com.example.tools@2.0.0\n",
		"  change  com.example.core 1.1.0 → 1.2.0\n",
		"hint: run upkg install and commit the lock",
	}, nil)
}
