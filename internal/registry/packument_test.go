package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestDecodePackumentGolden decodes each testdata/packuments/*.json and
// compares the result with its .golden file (go test -update rewrites them).
func TestDecodePackumentGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "packuments", "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			p, err := DecodePackument(data)
			if err != nil {
				t.Fatalf("DecodePackument: %v", err)
			}
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decoded %s differs from %s:\n%s", in, golden, got)
			}
		})
	}
}

func TestDecodePackumentRejects(t *testing.T) {
	for _, in := range []string{
		``, `null x`, `[]`, `"x"`, `{"name": 3}`, `{"versions": []}`, `{"dist-tags": "latest"}`, `{`,
	} {
		if p, err := DecodePackument([]byte(in)); err == nil {
			t.Errorf("DecodePackument(%q) = %+v, want an error", in, p)
		}
	}
}

func TestDecodeForChecksTheName(t *testing.T) {
	if _, err := decodeFor([]byte(`{"name":"com.example.b","versions":{}}`), "com.example.a", "test"); err == nil ||
		!strings.Contains(err.Error(), `"com.example.b"`) {
		t.Errorf("err = %v", err)
	}
	p, err := decodeFor([]byte(`{"versions":{"1.0.0":{}}}`), "com.example.a", "test")
	if err != nil || p.Name != "com.example.a" || p.Versions["1.0.0"].Name != "com.example.a" {
		// A nameless document takes the requested name, and so do its
		// nameless versions.
		t.Errorf("p = %+v, err = %v", p, err)
	}
}

func TestValidateName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"com.unity.textmeshpro", true},
		{"com.example.my-package_2", true},
		{"Com.Example.Upper", true},
		{"a", true},
		{strings.Repeat("a", 214), true},
		{strings.Repeat("a", 215), false},
		{"", false},
		{".", false},
		{"..", false},
		{"a..b", false},
		{"com/example", false},
		{`com\example`, false},
		{"@scope/name", false},
		{"-flag", false},
		{"_private", false},
		{".hidden", false},
		{"com example", false},
		{"com.example?x=1", false},
		{"com.example#x", false},
		{"caf\u00e9", false},
		{"x\x00", false},
	} {
		err := ValidateName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateName(%q) error does not wrap ErrInvalidName: %v", tc.name, err)
		}
	}
}

// TestPackumentTooLargeByContentLength: a packument whose Content-Length is
// over the bound is refused before its body is read.
func TestPackumentTooLargeByContentLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(maxJSON+1))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("{")) // and nothing more: the client must not wait for it
	}))
	defer srv.Close()
	c := &Client{Retry: RetryPolicy{MaxAttempts: 1}}
	_, err := c.Packument(context.Background(), srv.URL, "com.example.big")
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v; want a refusal by size", err)
	}
}

// TestDecodeDepsParsesOnce: a packument's dependency values are parsed as
// they come in, so that the resolver can say what is wrong with one without
// parsing it again.
func TestDecodeDepsParsesOnce(t *testing.T) {
	deps, err := decodeDeps(json.RawMessage(`{"com.example.b": "^1.0.0", "com.example.c": "1.0.0"}`))
	if err != nil || len(deps) != 2 {
		t.Fatalf("decodeDeps = %v, %v", deps, err)
	}
	_, want := manifest.ParseSpec("^1.0.0")
	if deps[0].SpecErr == nil || deps[0].SpecErr.Error() != want.Error() {
		t.Errorf("com.example.b: SpecErr %v; want %v", deps[0].SpecErr, want)
	}
	if deps[1].SpecErr != nil || deps[1].Spec != (manifest.Spec{Kind: manifest.SpecVersion, Version: "1.0.0"}) {
		t.Errorf("com.example.c: Spec %+v, SpecErr %v", deps[1].Spec, deps[1].SpecErr)
	}
}
