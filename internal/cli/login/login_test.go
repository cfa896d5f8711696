package login

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
	"github.com/upkg/upkg/internal/iostreams"
)

func TestLoginFlags(t *testing.T) {
	const reg = "https://npm.example.com"
	base := Options{Registry: reg, Timeout: 5 * time.Minute}
	with := func(f func(*Options)) Options { o := base; f(&o); return o }
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int // 0 = parsed and runF reached
		want     Options
	}{
		{"defaults", []string{"login", "--registry", reg}, 0, base},
		{"adduser alias", []string{"adduser", "--registry", reg}, 0, with(func(o *Options) { o.Create = true })},
		{"legacy with flags", []string{"login", "--registry", reg, "--auth-type", "legacy", "--username", "u", "--password-stdin", "--email", "e@example.com", "--otp", "123456", "--always-auth"}, 0,
			with(func(o *Options) {
				o.AuthType, o.Username, o.PasswordStdin, o.Email, o.OTP, o.AlwaysAuth = "legacy", "u", true, "e@example.com", "123456", true
				o.emailSet, o.alwaysAuthSet = true, true
			})},
		{"bare --npmrc", []string{"login", "--registry", reg, "--npmrc"}, 0, with(func(o *Options) { o.Npmrc = defaultNpmrc })},
		{"--npmrc=FILE", []string{"login", "--registry", reg, "--npmrc=/tmp/x.npmrc"}, 0, with(func(o *Options) { o.Npmrc = "/tmp/x.npmrc" })},
		{"--npmrc FILE (space)", []string{"login", "--registry", reg, "--npmrc", "/tmp/x.npmrc"}, cmdutil.ExitUsage, Options{}},
		{"basic, timeout, no browser", []string{"login", "--registry", reg, "--basic", "--timeout", "10s", "--no-browser"}, 0,
			with(func(o *Options) { o.Basic, o.Timeout, o.NoBrowser = true, 10*time.Second, true })},
		{"no registry", []string{"login"}, cmdutil.ExitUsage, Options{}},
		{"relative registry", []string{"login", "--registry", "npm.example.com"}, cmdutil.ExitUsage, Options{}},
		{"bad auth type", []string{"login", "--registry", reg, "--auth-type", "sso"}, cmdutil.ExitUsage, Options{}},
		{"basic and web", []string{"login", "--registry", reg, "--basic", "--auth-type", "web"}, cmdutil.ExitUsage, Options{}},
		{"zero timeout", []string{"login", "--registry", reg, "--timeout", "0s"}, cmdutil.ExitUsage, Options{}},
		{"password as argument", []string{"login", "--registry", reg, "hunter2"}, cmdutil.ExitUsage, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, _ := cmdtest.Factory("")
			var got *Options
			cmd := NewCmd(f, func(_ context.Context, o *Options) error { got = o; return nil })
			// A parent, so that the alias is resolved as on the command line.
			root := newRoot(cmd)
			root.SetArgs(tc.args)
			err := root.Execute()
			if tc.wantCode != 0 {
				e, ok := cmdutil.AsExitError(err)
				if !ok || e.Code != tc.wantCode || got != nil {
					t.Fatalf("err = %v (runF reached: %v), want exit %d", err, got != nil, tc.wantCode)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err = %v, runF reached = %v", err, got != nil)
			}
			g := *got
			// What the constructor copied from the Factory.
			if g.Printer != f.Printer() || g.Config == nil || g.Client == nil || g.EditConfig == nil ||
				g.Getenv == nil || g.Home == nil || g.GOOS != f.GOOS {
				t.Errorf("the Factory's streams and functions were not copied: %+v", g)
			}
			g.Printer, g.Config, g.Client, g.EditConfig, g.Getenv, g.Home, g.GOOS = cmdutil.Printer{}, nil, nil, nil, nil, nil, ""
			if !reflect.DeepEqual(g, tc.want) {
				t.Errorf("options = %+v\nwant      %+v", g, tc.want)
			}
		})
	}
}

func TestLogoutFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"logout", "--registry", "https://npm.example.com/"}, true},
		{[]string{"logout"}, false},
		{[]string{"logout", "--registry", "nope"}, false},
		{[]string{"logout", "--registry", "https://npm.example.com", "extra"}, false},
	} {
		ios, _, _ := iostreams.Test("")
		f := &cmdutil.Factory{IO: ios, Globals: &cmdutil.Globals{}}
		reached := false
		root := newRoot(NewCmdLogout(f, func(context.Context, *LogoutOptions) error { reached = true; return nil }))
		root.SetArgs(tc.args)
		err := root.Execute()
		if (err == nil && reached) != tc.ok {
			t.Errorf("%v: err = %v, reached = %v", tc.args, err, reached)
		}
	}
}

func TestHasDesktop(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want bool
	}{
		{"darwin", nil, true},
		{"windows", nil, true},
		{"linux", nil, false},
		{"linux", map[string]string{"DISPLAY": ":0"}, true},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, true},
		{"freebsd", map[string]string{"DISPLAY": ":1"}, true},
		{"freebsd", nil, false},
	} {
		if got := hasDesktop(tc.goos, env(tc.env)); got != tc.want {
			t.Errorf("hasDesktop(%s, %v) = %v", tc.goos, tc.env, got)
		}
	}
}

func TestBrowserCommand(t *testing.T) {
	const u = "https://r.example.com/login?a=1&b=2"
	for _, tc := range []struct {
		goos string
		name string
		args []string
	}{
		{"darwin", "open", []string{u}},
		{"windows", "rundll32", []string{"url.dll,FileProtocolHandler", u}},
		{"linux", "xdg-open", []string{u}},
		{"openbsd", "xdg-open", []string{u}},
	} {
		name, args := browserCommand(tc.goos, u)
		if name != tc.name || !reflect.DeepEqual(args, tc.args) {
			t.Errorf("browserCommand(%s) = %s %v", tc.goos, name, args)
		}
	}
}

func TestOpenBrowser(t *testing.T) {
	for _, tc := range []struct {
		name      string
		inTTY     bool
		noBrowser bool
		display   string
		openErr   error
		want      bool
		called    bool
	}{
		{"terminal and desktop", true, false, ":0", nil, true, true},
		{"--no-browser", true, true, ":0", nil, false, false},
		{"no terminal", false, false, ":0", nil, false, false},
		{"no desktop", true, false, "", nil, false, false},
		{"opener fails", true, false, ":0", errors.New("no xdg-open"), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _ := iostreams.Test("")
			ios.InTTY = tc.inTTY
			f := &cmdutil.Factory{IO: ios, Globals: &cmdutil.Globals{}, GOOS: "linux",
				Getenv: func(k string) string {
					if k == "DISPLAY" {
						return tc.display
					}
					return ""
				}}
			called := ""
			opts := &Options{Printer: f.Printer(), GOOS: f.GOOS, Getenv: f.Getenv, NoBrowser: tc.noBrowser, Open: func(u string) error { called = u; return tc.openErr }}
			got := openBrowser(opts, "https://r.example.com/login/1")
			if got != tc.want || (called != "") != tc.called {
				t.Errorf("openBrowser = %v, opener called with %q", got, called)
			}
			if tc.called && !strings.HasPrefix(called, "https://r.example.com/") {
				t.Errorf("opened %q", called)
			}
		})
	}
}
