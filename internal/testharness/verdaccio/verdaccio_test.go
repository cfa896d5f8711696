package verdaccio

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/fixture"
)

func get(t *testing.T, s *Server, target, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", target, err)
	}
	return resp.StatusCode, body
}

func denied(code int) bool { return code == http.StatusUnauthorized || code == http.StatusForbidden }

func TestVerdaccioRequiresAuth(t *testing.T) {
	begin := time.Now()
	s := ForTest(t, Options{})
	t.Logf("verdaccio ready at %s in %v", s.URL, time.Since(begin).Round(time.Millisecond))
	ctx := t.Context()

	token, err := s.AddUser(ctx, "alice", "alice-password")
	if err != nil {
		t.Fatal(err)
	}

	pkg := fixture.UnityManifest("com.example.core", "1.0.0", "2021.3", nil)
	tgz, err := fixture.Tarball(pkg, fixture.UnityFiles("com.example.core", 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, token, pkg, tgz); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, "", pkg, tgz); err == nil {
		t.Error("anonymous publish succeeded")
	}

	if code, body := get(t, s, s.URL+"/com.example.core", ""); !denied(code) {
		t.Errorf("anonymous packument: HTTP %d, want 401 or 403: %s", code, body)
	}
	code, body := get(t, s, s.URL+"/com.example.core", token)
	if code != http.StatusOK {
		t.Fatalf("packument with token: HTTP %d: %s", code, body)
	}
	var doc struct {
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]struct {
			Unity string `json:"unity"`
			Dist  struct {
				Tarball   string `json:"tarball"`
				Integrity string `json:"integrity"`
			} `json:"dist"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode packument: %v", err)
	}
	v, ok := doc.Versions["1.0.0"]
	if !ok || doc.DistTags["latest"] != "1.0.0" || v.Unity != "2021.3" {
		t.Fatalf("packument = %s", body)
	}
	wantTarball := s.URL + "/com.example.core/-/com.example.core-1.0.0.tgz"
	if v.Dist.Tarball != wantTarball {
		t.Errorf("dist.tarball = %q, want %q", v.Dist.Tarball, wantTarball)
	}
	sum := sha512.Sum512(tgz)
	if want := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); v.Dist.Integrity != want {
		t.Errorf("dist.integrity = %q, want %q", v.Dist.Integrity, want)
	}

	if code, _ := get(t, s, v.Dist.Tarball, ""); !denied(code) {
		t.Errorf("anonymous tarball: HTTP %d, want 401 or 403", code)
	}
	code, got := get(t, s, v.Dist.Tarball, token)
	if code != http.StatusOK || !bytes.Equal(got, tgz) {
		t.Errorf("tarball with token: HTTP %d, %d bytes (published %d)", code, len(got), len(tgz))
	}

	code, body = get(t, s, s.URL+"/-/whoami", token)
	if code != http.StatusOK || !strings.Contains(string(body), `"alice"`) {
		t.Errorf("whoami: HTTP %d: %s", code, body)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/-/v1/login", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /-/v1/login: HTTP %d, want 404 (web login unsupported, clients fall back to couch)", resp.StatusCode)
	}

	// Verdaccio checks the password of an existing user before it answers 409
	// ("username is already registered", what npm's couch login expects); a
	// wrong password gets 401 instead.
	for _, tc := range []struct {
		password string
		want     int
	}{{"alice-password", http.StatusConflict}, {"wrong-password", http.StatusUnauthorized}} {
		_, err = s.AddUser(ctx, "alice", tc.password)
		var herr *HTTPError
		if !errors.As(err, &herr) || herr.StatusCode != tc.want {
			t.Errorf("adding existing user alice with password %q: %v, want HTTP %d", tc.password, err, tc.want)
		}
	}
}

func TestVerdaccioPublicURL(t *testing.T) {
	const public = "http://127.0.0.2:4999"
	s := ForTest(t, Options{PublicURL: public})
	ctx := t.Context()
	token, err := s.AddUser(ctx, "bob", "bob-password")
	if err != nil {
		t.Fatal(err)
	}
	pkg := fixture.UnityManifest("com.example.elsewhere", "2.0.0-pre.1", "", map[string]string{"com.example.core": "1.0.0"})
	tgz, err := fixture.Tarball(pkg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, token, pkg, tgz); err != nil {
		t.Fatal(err)
	}
	code, body := get(t, s, s.URL+"/com.example.elsewhere", token)
	if code != http.StatusOK {
		t.Fatalf("packument: HTTP %d: %s", code, body)
	}
	if want := `"` + public + "/com.example.elsewhere/-/com.example.elsewhere-2.0.0-pre.1.tgz" + `"`; !strings.Contains(string(body), want) {
		t.Errorf("packument has no dist.tarball %s: %s", want, body)
	}
}

func TestStartWithoutInstall(t *testing.T) {
	_, err := Start(context.Background(), Options{Dir: t.TempDir()})
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "make test-deps") {
		t.Errorf("Start in an empty dir: %v, want ErrNotInstalled mentioning make test-deps", err)
	}
}

func TestStopRemovesWorkDir(t *testing.T) {
	s := ForTest(t, Options{})
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("work dir %s still there after Stop: %v", s.Dir, err)
	}
	if resp, err := s.Client().Get(s.URL + "/-/ping"); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after Stop", s.URL)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
