package auth

import (
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/iostreams"
)

func TestSetFlags(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int // 0 = parsed, runF reached
		want     SetOptions
	}{
		{"token stdin", []string{"--registry", "https://npm.example.com", "--token-stdin"}, 0, SetOptions{Registry: "https://npm.example.com", TokenStdin: true}},
		{"token env + email", []string{"--registry", "https://npm.example.com", "--token-env", "T", "--email", "a@example.com", "--always-auth"}, 0,
			SetOptions{Registry: "https://npm.example.com", TokenEnv: "T", Email: "a@example.com", AlwaysAuth: true, emailSet: true, alwaysAuthSet: true}},
		{"two secrets", []string{"--registry", "https://npm.example.com", "--token-stdin", "--basic-stdin"}, cmdutil.ExitUsage, SetOptions{}},
		{"no registry", []string{"--token-stdin"}, cmdutil.ExitUsage, SetOptions{}},
		{"relative registry", []string{"--registry", "npm.example.com", "--token-stdin"}, cmdutil.ExitUsage, SetOptions{}},
		{"secret as argument", []string{"--registry", "https://npm.example.com", "tok"}, -1, SetOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _ := iostreams.Test("")
			f := &cmdutil.Factory{IO: ios, Globals: &cmdutil.Globals{}}
			var got *SetOptions
			cmd := newSetCmd(f, func(o *SetOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			switch {
			case tc.wantCode == 0:
				if err != nil || got == nil {
					t.Fatalf("err = %v, runF reached = %v", err, got != nil)
				}
				if *got != tc.want {
					t.Errorf("options = %+v, want %+v", *got, tc.want)
				}
			case tc.wantCode > 0:
				e, ok := cmdutil.AsExitError(err)
				if !ok || e.Code != tc.wantCode {
					t.Errorf("err = %v, want exit %d", err, tc.wantCode)
				}
			default:
				if err == nil || got != nil {
					t.Errorf("accepted %v", tc.args)
				}
			}
		})
	}
}

func TestEncodeBasic(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"me@example.com:pat", "bWVAZXhhbXBsZS5jb206cGF0", true},
		{"user:pa:ss", "dXNlcjpwYTpzcw==", true},
		{"nocolon", "", false},
		{":secret", "", false},
		{"user:", "", false},
		{"a:b\nc", "", false},
		{"   ", "", false},
	} {
		got, err := EncodeBasic(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("EncodeBasic(%q) = %q, %v", tc.in, got, err)
		}
	}
}
