package doctor

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
	"github.com/upkg/upkg/internal/iostreams"
)

// testFactory is a machine with no config files and the given environment.
func testFactory(t *testing.T, env map[string]string) *cmdutil.Factory {
	t.Helper()
	home := t.TempDir()
	full := map[string]string{
		"UPM_USER_CONFIG_FILE":   filepath.Join(home, ".upmconfig.toml"),
		"UPM_GLOBAL_CONFIG_FILE": filepath.Join(home, "upmconfig.toml"),
		"UPM_CACHE_ROOT":         filepath.Join(home, "cache"),
	}
	for k, v := range env {
		full[k] = v
	}
	ios, _, _ := iostreams.Test("")
	f := &cmdutil.Factory{
		IO:      ios,
		Globals: &cmdutil.Globals{Project: filepath.Join(home, "no-project")},
		Getenv:  func(k string) string { return full[k] },
		GOOS:    "linux",
		Home:    func() (string, error) { return home, nil },
	}
	return f
}

func checksOf(rep Report, reg string) map[string]Check {
	m := map[string]Check{}
	for _, c := range rep.Checks {
		if c.Registry != nil && *c.Registry == reg {
			m[c.Check] = c
		}
	}
	return m
}

// TestHangingRegistry: a server that accepts connections and never answers
// is a failed http check that says "timed out", and Diagnose returns.
func TestHangingRegistry(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer func() { close(done); l.Close() }()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	reg := "http://" + l.Addr().String()
	f := testFactory(t, nil)
	rep, err := Diagnose(context.Background(), withFlags(f, func(o *Options) {
		o.Registry = reg
		o.CheckTimeout = 200 * time.Millisecond
		o.Timeout = 10 * time.Second
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := checksOf(rep, reg)
	if got["tcp"].Status != StatusOK {
		t.Errorf("tcp = %+v", got["tcp"])
	}
	h := got["http"]
	if h.Status != StatusFail || !strings.Contains(h.Detail, "timed out") || !strings.Contains(h.Fix, "did not answer") {
		t.Errorf("http = %+v", h)
	}
	if _, ok := got["whoami"]; ok {
		t.Errorf("whoami ran against a registry that does not answer: %+v", got["whoami"])
	}
}

// TestUntrustedCertificate: a TLS registry whose CA is not trusted fails the
// tls check naming host, issuer and the fix; with NODE_EXTRA_CA_CERTS (or
// caFile) the check passes and names the file that verified it.
func TestUntrustedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/-/whoami":
			w.Write([]byte(`{"username":"ann"}`))
		default:
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "https://")

	f := testFactory(t, nil)
	rep, err := Diagnose(context.Background(), withFlags(f, func(o *Options) { o.Registry = srv.URL }))
	if err != nil {
		t.Fatal(err)
	}
	tc := checksOf(rep, srv.URL)["tls"]
	if tc.Status != StatusFail {
		t.Fatalf("tls = %+v", tc)
	}
	for _, w := range []string{host, "Acme Co", "caFile", "NODE_EXTRA_CA_CERTS"} {
		if !strings.Contains(tc.Detail+tc.Fix, w) {
			t.Errorf("tls check lacks %q: %+v", w, tc)
		}
	}

	f = testFactory(t, map[string]string{"NODE_EXTRA_CA_CERTS": ca})
	rep, err = Diagnose(context.Background(), withFlags(f, func(o *Options) { o.Registry = srv.URL }))
	if err != nil {
		t.Fatal(err)
	}
	got := checksOf(rep, srv.URL)
	if tc := got["tls"]; tc.Status != StatusOK || !strings.Contains(tc.Detail, ca+" (env NODE_EXTRA_CA_CERTS)") {
		t.Errorf("tls = %+v", tc)
	}
	if w := got["whoami"]; w.Status != StatusOK || w.Detail != "logged in as ann" {
		t.Errorf("whoami = %+v", w)
	}
}

func TestRunExitAndJSON(t *testing.T) {
	f := testFactory(t, nil)
	f.Globals.JSON = true
	out := f.IO.Out.(interface{ String() string })
	err := Run(context.Background(), withFlags(f, func(o *Options) { o.Registry = "http://127.0.0.1:1"; o.CheckTimeout = time.Second }))
	if e, ok := cmdutil.AsExitError(err); !ok || e.Code != cmdutil.ExitFailure {
		t.Fatalf("Run = %v, want exit %d", err, cmdutil.ExitFailure)
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out.String())
	}
	first := doc["checks"][0]
	for _, k := range []string{"registry", "check", "status", "detail", "fix"} {
		if _, ok := first[k]; !ok {
			t.Errorf("check lacks %q: %v", k, first)
		}
	}
	if first["registry"] != nil {
		t.Errorf("configuration check has registry %v, want null", first["registry"])
	}
}

// TestFlags drives doctor's flags through runF: the options filled (what
// doctor copies from the Factory is checked by RunCases), and usage errors.
func TestFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmd, []cmdtest.Case[Options]{
		{Name: "all registries"},
		{Name: "one registry", Args: []string{"--registry", "https://npm.example.com/"}, Want: Options{Registry: "https://npm.example.com/"}},
		{Name: "not a URL", Args: []string{"--registry", "npm.example.com"}, Code: cmdutil.ExitUsage},
		{Name: "an argument", Args: []string{"extra"}, Code: -1},
	})
}

// withFlags is doctor's options from f, with the flags set by set.
func withFlags(f *cmdutil.Factory, set func(*Options)) *Options {
	o := newOptions(f)
	set(o)
	return o
}
