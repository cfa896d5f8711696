package login

import (
	"os/exec"
)

// openBrowser opens url in a browser when one can be shown: not with
// --no-browser, only when stdin is a terminal (a person is there) and the OS
// has a desktop session. It never fails the login: the URL is printed anyway.
func openBrowser(opts *Options, url string) bool {
	if opts.NoBrowser || !opts.IO.InTTY || !hasDesktop(opts.GOOS, opts.Getenv) {
		return false
	}
	open := opts.Open
	if open == nil {
		open = func(u string) error { return startBrowser(opts.GOOS, u) }
	}
	return open(url) == nil
}

// hasDesktop reports whether a browser window can appear: on macOS and
// Windows a logged-in user has one; elsewhere only with an X11 or Wayland
// display (not over plain SSH, not in a container or CI).
func hasDesktop(goos string, getenv func(string) string) bool {
	switch goos {
	case "darwin", "windows":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

// browserCommand is the command that opens url on goos.
func browserCommand(goos, url string) (string, []string) {
	switch goos {
	case "darwin":
		return "open", []string{url}
	case "windows":
		// rundll32 takes the URL as one argument and, unlike
		// "cmd /c start", does not interpret & and ^ in it.
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	return "xdg-open", []string{url}
}

// startBrowser starts the opener without waiting for it; the process is
// reaped in the background.
func startBrowser(goos, url string) error {
	name, args := browserCommand(goos, url)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
