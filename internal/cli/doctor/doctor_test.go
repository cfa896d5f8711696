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
	rep, err := Diagnose(context.Background(), &Options{F: f, Registry: reg, CheckTimeout: 200 * time.Millisecond, Timeout: 10 * time.Second})
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
	rep, err := Diagnose(context.Background(), &Options{F: f, Registry: srv.URL})
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
	rep, err = Diagnose(context.Background(), &Options{F: f, Registry: srv.URL})
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
	err := Run(context.Background(), &Options{F: f, Registry: "http://127.0.0.1:1", CheckTimeout: time.Second})
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

func TestFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantReg  string
		wantCode int
	}{
		{nil, "", 0},
		{[]string{"--registry", "https://npm.example.com/"}, "https://npm.example.com/", 0},
		{[]string{"--registry", "npm.example.com"}, "", cmdutil.ExitUsage},
		{[]string{"extra"}, "", -1},
	}
	for _, tt := range tests {
		f := testFactory(t, nil)
		var got *Options
		cmd := NewCmd(f, func(_ context.Context, o *Options) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		switch {
		case tt.wantCode == 0 && (err != nil || got == nil || got.Registry != tt.wantReg):
			t.Errorf("%v: err=%v opts=%+v", tt.args, err, got)
		case tt.wantCode > 0:
			if e, ok := cmdutil.AsExitError(err); !ok || e.Code != tt.wantCode {
				t.Errorf("%v: err=%v, want exit %d", tt.args, err, tt.wantCode)
			}
		case tt.wantCode < 0 && err == nil:
			t.Errorf("%v: want an error", tt.args)
		}
	}
}
