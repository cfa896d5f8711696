package upmconfig

import (
	"errors"
	"runtime"
	"strings"
)

// Locator finds the two configuration files (UPM-SPEC §1). The operating
// system is a field rather than runtime.GOOS so that tests on one host cover
// the rules of every OS; paths are built with the separator of GOOS, not of the
// host.
type Locator struct {
	// GOOS is "linux", "darwin", "windows", ...; empty means runtime.GOOS.
	GOOS string
	// Getenv reads an environment variable; nil means an empty environment
	// (the CLI passes its own: nothing below it reads the process's).
	Getenv func(string) string
	// Home is the user's home folder. On Windows %USERPROFILE% wins when set.
	Home string
	// SystemUser selects the Windows service/system-account file
	// (--system-user). Unity documents no such file for macOS or Linux, so
	// there it changes nothing: the normal user file is used.
	SystemUser bool
}

func (l Locator) goos() string {
	if l.GOOS == "" {
		return runtime.GOOS
	}
	return l.GOOS
}

func (l Locator) getenv(key string) string {
	if l.Getenv == nil {
		return ""
	}
	return l.Getenv(key)
}

// allUsersProfile is %ALLUSERSPROFILE%, which Windows always sets; the default
// only matters for odd environments (a service started with a bare
// environment block).
func (l Locator) allUsersProfile() string {
	if v := l.getenv("ALLUSERSPROFILE"); v != "" {
		return v
	}
	return `C:\ProgramData`
}

// UserPath returns the user .upmconfig.toml: UPM_USER_CONFIG_FILE if set;
// else on Windows %ALLUSERSPROFILE%\Unity\config\ServiceAccounts\.upmconfig.toml
// for the system user and %USERPROFILE%\.upmconfig.toml (falling back to Home)
// otherwise; else Home/.upmconfig.toml. It fails only when no home folder is
// known.
func (l Locator) UserPath() (string, error) {
	if v := l.getenv("UPM_USER_CONFIG_FILE"); v != "" {
		return v, nil
	}
	goos := l.goos()
	if goos == "windows" {
		if l.SystemUser {
			return joinPath(goos, l.allUsersProfile(), "Unity", "config", "ServiceAccounts", ".upmconfig.toml"), nil
		}
		home := l.getenv("USERPROFILE")
		if home == "" {
			home = l.Home
		}
		if home == "" {
			return "", errors.New("cannot locate the user .upmconfig.toml: neither %USERPROFILE% nor a home folder is known; set UPM_USER_CONFIG_FILE")
		}
		return joinPath(goos, home, ".upmconfig.toml"), nil
	}
	if l.Home == "" {
		return "", errors.New("cannot locate the user .upmconfig.toml: no home folder is known; set UPM_USER_CONFIG_FILE")
	}
	return joinPath(goos, l.Home, ".upmconfig.toml"), nil
}

// GlobalPath returns the global upmconfig.toml: UPM_GLOBAL_CONFIG_FILE if set;
// else %ALLUSERSPROFILE%\Unity\config\upmconfig.toml on Windows and
// /etc/upmconfig.toml elsewhere.
func (l Locator) GlobalPath() string {
	if v := l.getenv("UPM_GLOBAL_CONFIG_FILE"); v != "" {
		return v
	}
	goos := l.goos()
	if goos == "windows" {
		return joinPath(goos, l.allUsersProfile(), "Unity", "config", "upmconfig.toml")
	}
	return "/etc/upmconfig.toml"
}

// joinPath joins path elements with the separator of goos. It neither cleans
// nor resolves anything (filepath.Join would use the host's rules): it only
// avoids doubling a separator that base already ends with.
func joinPath(goos, base string, elems ...string) string {
	sep, trim := "/", "/"
	if goos == "windows" {
		// Windows accepts both slashes; a base like C:/Users/me/ must not gain a second one.
		sep, trim = `\`, `\/`
	}
	var b strings.Builder
	b.WriteString(base)
	for _, e := range elems {
		if b.Len() > 0 && !strings.ContainsAny(b.String()[b.Len()-1:], trim) {
			b.WriteString(sep)
		}
		b.WriteString(e)
	}
	return b.String()
}
