package cmdutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/iostreams"
)

func TestNetwork(t *testing.T) {
	dir := t.TempDir()
	user, global := filepath.Join(dir, "user.toml"), filepath.Join(dir, "global.toml")
	tests := []struct {
		name             string
		userCfg, global  string
		env              map[string]string
		want             []string // "path source where"
		wantHTTPS, wantV string
	}{
		{name: "nothing"},
		{
			name:    "both files and both variables",
			userCfg: `caFile = "/u.pem"`, global: `caFile = "/g.pem"`,
			env:  map[string]string{"NODE_EXTRA_CA_CERTS": "/n.pem", "SSL_CERT_FILE": "/s.pem"},
			want: []string{"/u.pem user " + user, "/g.pem global " + global, "/n.pem env NODE_EXTRA_CA_CERTS", "/s.pem env SSL_CERT_FILE"},
		},
		{
			name: "proxy", env: map[string]string{"https_proxy": "http://proxy.example.com:3128"},
			wantHTTPS: "http://proxy.example.com:3128", wantV: "https_proxy",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(user)
			os.Remove(global)
			if tt.userCfg != "" {
				os.WriteFile(user, []byte(tt.userCfg+"\n"), 0o600)
			}
			if tt.global != "" {
				os.WriteFile(global, []byte(tt.global+"\n"), 0o600)
			}
			env := map[string]string{"UPM_USER_CONFIG_FILE": user, "UPM_GLOBAL_CONFIG_FILE": global}
			for k, v := range tt.env {
				env[k] = v
			}
			f := &Factory{Globals: &Globals{}, Getenv: func(k string) string { return env[k] }, GOOS: "linux", Home: func() (string, error) { return dir, nil }}
			n, err := f.Network(nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range n.CAFiles {
				got = append(got, c.Path+" "+c.Source+" "+c.Where)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("CA files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if n.Proxy.HTTPS != tt.wantHTTPS || n.Proxy.HTTPSVar != tt.wantV || n.GlobalConfig != global {
				t.Errorf("got %+v", n)
			}
		})
	}
}

// TestRegistryWithMissingCAFile: a CA file that cannot be read fails every
// request with an error naming it, never a narrower trust.
func TestRegistryWithMissingCAFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	env := map[string]string{
		"UPM_USER_CONFIG_FILE":   filepath.Join(dir, "u.toml"),
		"UPM_GLOBAL_CONFIG_FILE": filepath.Join(dir, "g.toml"),
		"NODE_EXTRA_CA_CERTS":    missing,
	}
	ios, _, _ := iostreams.Test("")
	f := &Factory{IO: ios, Globals: &Globals{}, Getenv: func(k string) string { return env[k] }, GOOS: "linux", Home: func() (string, error) { return dir, nil }}
	// The one constructor returns the error, before any request.
	if _, err := f.Registry(); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Registry = %v, want an error naming %s", err, missing)
	}
}

// TestValuesBuiltOnce: Config, Registry and Store are built on first use and
// then kept, so that every part of a command sees the same ones (and config
// warnings print once).
func TestValuesBuiltOnce(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "u.toml")
	if err := os.WriteFile(user, []byte("bogus = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"UPM_USER_CONFIG_FILE":   user,
		"UPM_GLOBAL_CONFIG_FILE": filepath.Join(dir, "g.toml"),
		"UPM_CACHE_ROOT":         filepath.Join(dir, "cache"),
	}
	ios, _, stderr := iostreams.Test("")
	f := &Factory{IO: ios, Globals: &Globals{Offline: true}, Getenv: func(k string) string { return env[k] }, GOOS: "linux", Home: func() (string, error) { return dir, nil }}
	c1, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := f.Config()
	r1, err := f.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := f.Registry()
	s1, err := f.Store()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := f.Store()
	if c1 != c2 || r1 != r2 || s1 != s2 {
		t.Error("a value was built twice")
	}
	if n := strings.Count(stderr.String(), "bogus"); n != 1 {
		t.Errorf("the config warning printed %d times:\n%s", n, stderr)
	}
	if !r1.Offline || r1.CacheDir != filepath.Join(dir, "cache", "upkg", "v1", "packuments") {
		t.Errorf("registry: offline %v, packument cache %s", r1.Offline, r1.CacheDir)
	}
}
