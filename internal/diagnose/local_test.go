package diagnose

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/upmconfig"
)

func TestConfigChecks(t *testing.T) {
	dir := t.TempDir()
	user, global := filepath.Join(dir, ".upmconfig.toml"), filepath.Join(dir, "upmconfig.toml")
	writeFile(t, user, []byte("caFile = \"/etc/ca.pem\"\nunknownKey = 1\n\n[npmAuth.\"http://127.0.0.1:4873\"]\ntoken = \"tok-secret-12345678\"\n"))
	cfg, err := upmconfig.Load(user, global)
	if err != nil {
		t.Fatal(err)
	}
	checks := ConfigChecks(cfg, true, []upmconfig.Effective{
		{Key: upmconfig.KeyCacheRoot, Value: "/cache", Source: upmconfig.SourceEnv, Where: "UPM_CACHE_ROOT"},
		{Key: upmconfig.KeyCAFile, Value: "/etc/ca.pem", Source: upmconfig.SourceUser, Where: user},
	})
	var lines []string
	for _, c := range checks {
		if strings.Contains(c.Detail+c.Fix, "tok-secret") {
			t.Errorf("check %s shows the token", c.Check)
		}
		lines = append(lines, c.Status+" "+c.Check+" "+c.Detail)
	}
	got := strings.Join(lines, "\n")
	for _, w := range []string{
		"ok config user config " + user + ": found, 1 npmAuth entries, caFile = /etc/ca.pem",
		"warn config " + user + ":2",
		"ok config global config " + global + ": not found (nothing set there)",
		"ok cacheRoot /cache (env UPM_CACHE_ROOT)",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("checks lack %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "caFile /etc/ca.pem (") {
		t.Errorf("caFile reported as a setting (NetworkChecks report it):\n%s", got)
	}
	if checks := ConfigChecks(cfg, false, nil); len(checks) != 0 {
		t.Errorf("unparsed config: %+v", checks)
	}
}
