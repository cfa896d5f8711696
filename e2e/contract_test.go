package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// TestAuthStatusAgainstVerdaccio: auth status lists the manifest's
// registry, the default one and the config's entries; it asks each registry
// that has a credential whom it logs in as, exits 3 when one refuses its
// credential (the report printed in full first, one JSON document with
// --json), and asks nothing with --offline.
func TestAuthStatusAgainstVerdaccio(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	token := newUser(t, srv, "stella", "stella-password-123")
	// A second origin for the same Verdaccio, with a token it never issued.
	other := newSpy(t, "127.0.0.1:0", srv.URL)
	stale := "stale-status-token-0123456789"
	secrets.add(stale)

	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	s.project(`{"dependencies":{},"scopedRegistries":[{"name":"v","url":"`+srv.URL+`","scopes":["com.example"]}]}`, "")
	s.login(srv.URL, token)
	s.login(other.URL, stale)

	r := s.fails(3, "", "auth", "status")
	for _, want := range []string{
		srv.URL + " (manifest, config)\n  ✓ Logged in as stella\n  - Credential: token ****" + token[len(token)-4:],
		"http://127.0.0.1:9 (default)\n  - No credential",
		other.URL + " (config)\n  X whoami failed: ",
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("auth status lacks %q:\n%s", want, r)
		}
	}
	if !strings.Contains(r.Stderr, "error: whoami failed on 1 of 2 registries") || !strings.Contains(r.Stderr, "hint: ") {
		t.Errorf("auth status: no error and hint on stderr:\n%s", r)
	}

	r = s.fails(3, "", "--json", "auth", "status")
	var doc struct {
		Registries []struct {
			Registry string
			Whoami   struct{ Status, Username string }
		}
		Error any
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || doc.Error != nil || len(doc.Registries) != 3 {
		t.Fatalf("auth status --json: one document with 3 registries and no error object: %v\n%s", err, r)
	}
	got := map[string]string{}
	for _, e := range doc.Registries {
		got[e.Registry] = e.Whoami.Status + " " + e.Whoami.Username
	}
	if got[srv.URL] != "ok stella" || got[other.URL] != "failed " || got["http://127.0.0.1:9"] != "none " {
		t.Errorf("auth status --json: %v", got)
	}

	before := other.requests()
	r = s.ok("", "--offline", "auth", "status")
	if !strings.Contains(r.Stdout, "Not asked (--offline)") || other.requests() != before {
		t.Errorf("auth status --offline asked a registry or said nothing:\n%s", r)
	}
}

// TestJSONErrorObject: with --json a failure prints the error object on
// stdout (nothing else there) and the human error on stderr.
func TestJSONErrorObject(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	s := newSandbox(t)
	r := s.fails(3, "", "--json", "whoami", "--registry", srv.URL)
	var doc struct {
		Error struct {
			Code          int
			Kind, Message string
			Hint          string
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r)
	}
	if doc.Error.Code != 3 || doc.Error.Kind != "auth" || doc.Error.Message == "" || !strings.Contains(doc.Error.Hint, "upkg login --registry") {
		t.Errorf("error object %+v", doc.Error)
	}
	if !strings.Contains(r.Stderr, "error: ") || !strings.Contains(r.Stderr, "hint: ") {
		t.Errorf("no human error on stderr:\n%s", r)
	}
}
