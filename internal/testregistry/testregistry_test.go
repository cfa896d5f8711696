package testregistry

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, c *http.Client, url string, header ...string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c == nil {
		c = &http.Client{Transport: &http.Transport{}}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestAuthorization(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   Options
		header string
		status int
		user   string
	}{
		{"no credential", Options{Token: "tok-1"}, "", 401, ""},
		{"right token", Options{Token: "tok-1"}, Bearer("tok-1"), 200, "alice"},
		{"wrong token", Options{Token: "tok-1"}, Bearer("tok-2"), 401, ""},
		{"right _auth", Options{Basic: "dTpw", User: "bob"}, Basic("dTpw"), 200, "bob"},
		{"token as _auth", Options{Token: "tok-1"}, Basic("tok-1"), 401, ""},
		{"anonymous allowed", Options{Anonymous: true}, "", 200, ""},
		{"anonymous, wrong token", Options{Anonymous: true, Token: "tok-1"}, Bearer("x"), 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(t, tc.opts)
			resp, body, err := get(t, nil, r.URL+"/-/whoami", "Authorization", tc.header)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 200 {
				var who struct{ Username string }
				if err := json.Unmarshal(body, &who); err != nil || who.Username != tc.user {
					t.Errorf("whoami = %s, want user %q", body, tc.user)
				}
			}
			reqs := r.Requests()
			if len(reqs) != 1 || reqs[0].Authorization != tc.header || reqs[0].Status != tc.status || reqs[0].Path != "/-/whoami" {
				t.Errorf("recorded %+v", reqs)
			}
		})
	}
}

func TestPublishAndServe(t *testing.T) {
	r := New(t, Options{Token: "tok-1", Prefix: "/npm/"})
	tgz := []byte("not really a tarball, but bytes")
	d := r.Publish("com.example.a", "1.0.0", map[string]any{
		"unity":        "2021.3",
		"dependencies": json.RawMessage(`{"com.example.z":"1.0.0","com.example.b":"1.0.0"}`),
	}, tgz)
	s512, s1 := sha512.Sum512(tgz), sha1.Sum(tgz)
	if d.Integrity != "sha512-"+base64.StdEncoding.EncodeToString(s512[:]) || d.Shasum != hex.EncodeToString(s1[:]) {
		t.Errorf("dist = %+v", d)
	}
	if !strings.HasPrefix(d.Tarball, r.URL+"/com.example.a/-/") || !strings.HasSuffix(r.URL, "/npm") {
		t.Errorf("tarball URL %s, registry URL %s", d.Tarball, r.URL)
	}
	auth := []string{"Authorization", Bearer("tok-1")}

	resp, body, err := get(t, nil, r.URL+"/com.example.a", auth...)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("packument: %v %v", resp, err)
	}
	if !bytes.Contains(body, []byte(`"dependencies":{"com.example.z":"1.0.0","com.example.b":"1.0.0"}`)) {
		t.Errorf("raw dependencies were not kept: %s", body)
	}
	var doc struct {
		Name     string
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]struct {
			Version string
			Unity   string
			Dist    Dist
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Name != "com.example.a" || doc.DistTags["latest"] != "1.0.0" || doc.Versions["1.0.0"].Unity != "2021.3" || doc.Versions["1.0.0"].Dist != d {
		t.Errorf("packument = %+v", doc)
	}
	etag := resp.Header.Get("ETag")
	if resp, _, err := get(t, nil, r.URL+"/com.example.a", append(auth, "If-None-Match", etag)...); err != nil || resp.StatusCode != 304 {
		t.Errorf("revalidation: %v %v", resp, err)
	}
	r.Publish("com.example.a", "1.1.0", nil, tgz)
	if resp, _, err := get(t, nil, r.URL+"/com.example.a", append(auth, "If-None-Match", etag)...); err != nil || resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Errorf("after a publish: %v %v", resp, err)
	}

	if resp, got, err := get(t, nil, d.Tarball, auth...); err != nil || resp.StatusCode != 200 || !bytes.Equal(got, tgz) {
		t.Errorf("tarball: %v %q %v", resp, got, err)
	}
	for _, u := range []string{r.URL + "/com.example.missing", r.URL + "/com.example.a/-/com.example.a-9.tgz", strings.TrimSuffix(r.URL, "/npm") + "/com.example.a"} {
		if resp, _, err := get(t, nil, u, auth...); err != nil || resp.StatusCode != 404 {
			t.Errorf("%s: %v %v", u, resp, err)
		}
	}
}

func TestTarballsOnAnotherOrigin(t *testing.T) {
	cdn := New(t, Options{Addr: "127.0.0.2", Anonymous: true})
	r := New(t, Options{Token: "tok-1", Tarballs: cdn})
	d := r.Publish("com.example.a", "1.0.0", nil, []byte("tgz"))
	if !strings.HasPrefix(d.Tarball, "http://127.0.0.2:") || !strings.HasPrefix(cdn.URL, "http://127.0.0.2:") {
		t.Fatalf("tarball %s, cdn %s", d.Tarball, cdn.URL)
	}
	if resp, got, err := get(t, nil, d.Tarball); err != nil || resp.StatusCode != 200 || string(got) != "tgz" {
		t.Fatalf("tarball: %v %q %v", resp, got, err)
	}
	if q := cdn.RequestsTo(r.TarballPath("com.example.a", "1.0.0")); len(q) != 1 || !strings.HasPrefix(q[0].Host, "127.0.0.2:") {
		t.Errorf("cdn recorded %+v", q)
	}
}

func TestFaults(t *testing.T) {
	r := New(t, Options{Anonymous: true})
	tgz := bytes.Repeat([]byte("0123456789"), 1000)
	d := r.Publish("com.example.a", "1.0.0", nil, tgz)
	tarPath := r.TarballPath("com.example.a", "1.0.0")
	pkPath := r.PackumentPath("com.example.a")

	r.FailNext(pkPath, 503, 500)
	r.RetryAfter(pkPath, 7)
	for _, want := range []int{503, 500, 429, 200} {
		resp, _, err := get(t, nil, r.URL+pkPath)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("got %v %v, want %d", resp, err, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
		}
	}

	r.ResetMidBody(tarPath, 100)
	resp, got, err := get(t, nil, d.Tarball)
	if err == nil || resp.StatusCode != 200 || len(got) != 100 {
		t.Errorf("reset: status %v, %d bytes, err %v", resp, len(got), err)
	}
	if _, got, err := get(t, nil, d.Tarball); err != nil || !bytes.Equal(got, tgz) {
		t.Errorf("after the reset: %d bytes, err %v", len(got), err)
	}

	r.CorruptTarball("com.example.a", "1.0.0")
	if _, got, err := get(t, nil, d.Tarball); err != nil || len(got) != len(tgz) || bytes.Equal(got, tgz) {
		t.Errorf("corrupt: %d bytes, equal %v, err %v", len(got), bytes.Equal(got, tgz), err)
	}

	r.Hang(pkPath)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.URL+pkPath, nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: err = %v", err)
	}

	r.ClearFaults()
	if resp, got, err := get(t, nil, d.Tarball); err != nil || resp.StatusCode != 200 || !bytes.Equal(got, tgz) {
		t.Errorf("after ClearFaults: %v, err %v", resp, err)
	}
	if resp, _, err := get(t, nil, r.URL+pkPath); err != nil || resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %v, err %v", resp, err)
	}
}

func TestTLS(t *testing.T) {
	r := New(t, Options{TLS: true, Anonymous: true})
	if !strings.HasPrefix(r.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s", r.URL)
	}
	if resp, _, err := get(t, r.Client(), r.URL+"/-/ping"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ping: %v %v", resp, err)
	}
	if !bytes.HasPrefix(r.CertPEM(), []byte("-----BEGIN CERTIFICATE-----")) {
		t.Errorf("CertPEM = %q", r.CertPEM())
	}
}

func TestMasked(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{Bearer("abcdefghijkl"), "Bearer ****ijkl"},
		{Basic("short"), "Basic ****"},
		{"weird", "****"},
	} {
		if got := (Recorded{Authorization: tc.in}).Masked(); got != tc.want {
			t.Errorf("Masked(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
