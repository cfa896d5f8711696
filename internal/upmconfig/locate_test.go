package upmconfig

import "testing"

func fakeEnv(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLocator(t *testing.T) {
	tests := []struct {
		name       string
		loc        Locator
		user       string
		userErr    bool
		globalPath string
	}{
		{"linux", Locator{GOOS: "linux", Getenv: fakeEnv(), Home: "/home/ann"},
			"/home/ann/.upmconfig.toml", false, "/etc/upmconfig.toml"},
		{"linux home with trailing slash", Locator{GOOS: "linux", Getenv: fakeEnv(), Home: "/home/ann/"},
			"/home/ann/.upmconfig.toml", false, "/etc/upmconfig.toml"},
		{"linux system user is the normal user file", Locator{GOOS: "linux", Getenv: fakeEnv("ALLUSERSPROFILE", `C:\ProgramData`), Home: "/root", SystemUser: true},
			"/root/.upmconfig.toml", false, "/etc/upmconfig.toml"},
		{"linux overrides", Locator{GOOS: "linux", Getenv: fakeEnv("UPM_USER_CONFIG_FILE", "/cfg/u.toml", "UPM_GLOBAL_CONFIG_FILE", "/cfg/g.toml"), Home: "/home/ann"},
			"/cfg/u.toml", false, "/cfg/g.toml"},
		{"linux without home", Locator{GOOS: "linux", Getenv: fakeEnv()},
			"", true, "/etc/upmconfig.toml"},
		{"linux without home but override", Locator{GOOS: "linux", Getenv: fakeEnv("UPM_USER_CONFIG_FILE", "/u.toml")},
			"/u.toml", false, "/etc/upmconfig.toml"},
		{"darwin", Locator{GOOS: "darwin", Getenv: fakeEnv(), Home: "/Users/ann"},
			"/Users/ann/.upmconfig.toml", false, "/etc/upmconfig.toml"},
		{"darwin system user", Locator{GOOS: "darwin", Getenv: fakeEnv(), Home: "/var/root", SystemUser: true},
			"/var/root/.upmconfig.toml", false, "/etc/upmconfig.toml"},
		{"darwin overrides", Locator{GOOS: "darwin", Getenv: fakeEnv("UPM_USER_CONFIG_FILE", "/x/u", "UPM_GLOBAL_CONFIG_FILE", "/x/g"), Home: "/Users/ann"},
			"/x/u", false, "/x/g"},
		{"windows USERPROFILE wins over Home", Locator{GOOS: "windows", Getenv: fakeEnv("USERPROFILE", `C:\Users\ann`, "ALLUSERSPROFILE", `C:\ProgramData`), Home: `D:\elsewhere`},
			`C:\Users\ann\.upmconfig.toml`, false, `C:\ProgramData\Unity\config\upmconfig.toml`},
		{"windows falls back to Home", Locator{GOOS: "windows", Getenv: fakeEnv("ALLUSERSPROFILE", `E:\AllUsers\`), Home: `C:\Users\bob`},
			`C:\Users\bob\.upmconfig.toml`, false, `E:\AllUsers\Unity\config\upmconfig.toml`},
		{"windows without any home", Locator{GOOS: "windows", Getenv: fakeEnv()},
			"", true, `C:\ProgramData\Unity\config\upmconfig.toml`},
		{"windows system user", Locator{GOOS: "windows", Getenv: fakeEnv("USERPROFILE", `C:\Windows\system32\config\systemprofile`, "ALLUSERSPROFILE", `C:\ProgramData`), SystemUser: true},
			`C:\ProgramData\Unity\config\ServiceAccounts\.upmconfig.toml`, false, `C:\ProgramData\Unity\config\upmconfig.toml`},
		{"windows system user, default ALLUSERSPROFILE", Locator{GOOS: "windows", Getenv: fakeEnv(), SystemUser: true},
			`C:\ProgramData\Unity\config\ServiceAccounts\.upmconfig.toml`, false, `C:\ProgramData\Unity\config\upmconfig.toml`},
		{"windows overrides beat the system user", Locator{GOOS: "windows", Getenv: fakeEnv("UPM_USER_CONFIG_FILE", `D:\cfg\u.toml`, "UPM_GLOBAL_CONFIG_FILE", `D:\cfg\g.toml`), SystemUser: true},
			`D:\cfg\u.toml`, false, `D:\cfg\g.toml`},
		{"windows home with forward slashes", Locator{GOOS: "windows", Getenv: fakeEnv("USERPROFILE", `C:/Users/ann/`)},
			`C:/Users/ann/.upmconfig.toml`, false, `C:\ProgramData\Unity\config\upmconfig.toml`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.loc.UserPath()
			if (err != nil) != tc.userErr || got != tc.user {
				t.Errorf("UserPath() = %q, %v; want %q (error %v)", got, err, tc.user, tc.userErr)
			}
			if g := tc.loc.GlobalPath(); g != tc.globalPath {
				t.Errorf("GlobalPath() = %q, want %q", g, tc.globalPath)
			}
		})
	}
}

func TestLocatorDefaults(t *testing.T) {
	// A zero GOOS falls back to the host's; a nil Getenv is an empty
	// environment, never the process's (the CLI passes its own).
	t.Setenv("UPM_USER_CONFIG_FILE", "/tmp/x.toml")
	if got, err := (Locator{}).UserPath(); err == nil {
		t.Errorf("UserPath() = %q read the process's environment", got)
	}
	got, err := Locator{Getenv: func(k string) string {
		if k == "UPM_USER_CONFIG_FILE" {
			return "/tmp/x.toml"
		}
		return ""
	}}.UserPath()
	if err != nil || got != "/tmp/x.toml" {
		t.Errorf("UserPath() = %q, %v", got, err)
	}
}
