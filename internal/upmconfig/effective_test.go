package upmconfig

import (
	"strings"
	"testing"
)

func TestDefaultCacheRoot(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name string
		loc  Locator
		want string
	}{
		{"linux", Locator{GOOS: "linux", Home: "/home/me", Getenv: env(nil)}, "/home/me/.cache/Unity/upm"},
		{"darwin", Locator{GOOS: "darwin", Home: "/Users/me/", Getenv: env(nil)}, "/Users/me/Library/Caches/Unity/upm"},
		{"windows", Locator{GOOS: "windows", Home: `C:\Users\me`, Getenv: env(map[string]string{"LOCALAPPDATA": `C:\Users\me\AppData\Local`})}, `C:\Users\me\AppData\Local\Unity\cache\upm`},
		{"windows no LOCALAPPDATA", Locator{GOOS: "windows", Home: `C:\Users\me`, Getenv: env(nil)}, `C:\Users\me\AppData\Local\Unity\cache\upm`},
		{"windows system", Locator{GOOS: "windows", SystemUser: true, Getenv: env(map[string]string{"ALLUSERSPROFILE": `D:\ProgramData`})}, `D:\ProgramData\Unity\cache\upm`},
	} {
		if got := DefaultCacheRoot(tc.loc); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEffectivePrecedence(t *testing.T) {
	user, err := Parse("/u.toml", []byte("cacheRoot = \"/from/user\"\nmaxCacheSize = 5\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	global, err := Parse("/g.toml", []byte("caFile = \"/ca.pem\"\ncacheRoot = \"/ignored\"\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{User: user, Global: global}
	vars := map[string]string{"UPM_MAX_CACHE_SIZE": "7"}
	loc := Locator{GOOS: "linux", Home: "/h", Getenv: func(k string) string { return vars[k] }}
	got := map[string]Effective{}
	for _, e := range cfg.Effective(loc) {
		got[e.Key] = e
	}
	if e := got[KeyCacheRoot]; e.Value != "/from/user" || e.Source != SourceUser {
		t.Errorf("cacheRoot = %+v", e)
	}
	if e := got[KeyMaxCacheSize]; e.Value != int64(7) || e.Source != SourceEnv {
		t.Errorf("maxCacheSize = %+v", e)
	}
	if e := got[KeyCAFile]; e.Value != "/ca.pem" || e.Source != SourceGlobal {
		t.Errorf("caFile = %+v", e)
	}
	vars["UPM_CACHE_ROOT"] = "/env"
	for _, e := range cfg.Effective(loc) {
		if e.Key == KeyCacheRoot && (e.Value != "/env" || e.Source != SourceEnv) {
			t.Errorf("env cacheRoot = %+v", e)
		}
	}
}

func TestIsAbs(t *testing.T) {
	for _, tc := range []struct {
		goos, p string
		want    bool
	}{
		{"linux", "/a", true}, {"linux", "a/b", false}, {"windows", `C:\x`, true}, {"windows", "c:/x", true},
		{"windows", `\\server\share`, true}, {"windows", `x\y`, false}, {"windows", "C:x", false},
	} {
		if got := IsAbs(tc.goos, tc.p); got != tc.want {
			t.Errorf("IsAbs(%s, %q) = %v", tc.goos, tc.p, got)
		}
	}
}

func TestLinkMode(t *testing.T) {
	tests := []struct {
		name, user, global string
		want               string
		warning            string
	}{
		{"unset", "", "", LinkModeCopy, ""},
		{"hardlink", "linkMode = \"hardlink\"\n", "", LinkModeHardlink, ""},
		{"copy", "linkMode = \"copy\"\n", "", LinkModeCopy, ""},
		{"unknown value warns and copies", "linkMode = \"symlink\"\n", "", LinkModeCopy, `linkMode = "symlink" is not one of copy, hardlink`},
		{"global file ignored", "", "linkMode = \"hardlink\"\n", LinkModeCopy, "linkMode is ignored in the global config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, err := Parse("/u.toml", []byte(tt.user), false)
			if err != nil {
				t.Fatal(err)
			}
			global, err := Parse("/g.toml", []byte(tt.global), true)
			if err != nil {
				t.Fatal(err)
			}
			cfg := &Config{User: user, Global: global}
			if got := cfg.LinkMode(); got != tt.want {
				t.Errorf("LinkMode() = %q, want %q", got, tt.want)
			}
			loc := Locator{GOOS: "linux", Home: "/h", Getenv: func(string) string { return "" }}
			for _, e := range cfg.Effective(loc) {
				if e.Key == KeyLinkMode && e.Value != tt.want {
					t.Errorf("Effective linkMode = %+v, want %q", e, tt.want)
				}
			}
			var warnings []string
			for _, w := range cfg.Warnings() {
				warnings = append(warnings, w.Msg)
			}
			if got := strings.Join(warnings, "\n"); tt.warning == "" && got != "" || !strings.Contains(got, tt.warning) {
				t.Errorf("warnings %q, want %q", got, tt.warning)
			}
		})
	}
	if _, err := Parse("/u.toml", []byte("linkMode = 1\n"), false); err == nil {
		t.Error("linkMode = 1 parsed")
	}
}
