package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/extract"
	"github.com/upkg/upkg/internal/gitdep"
	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/iostreams"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// TestClassify pins the exit-code table (CLI.md) for each kind of error,
// wrapped as callers wrap them.
func TestClassify(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("install com.example.a: %w", err) }
	tests := []struct {
		err  error
		code int
	}{
		{&install.FrozenError{LockPath: "p"}, cmdutil.ExitFrozen},
		{&cache.BrokenArchiveError{Name: "a", Err: errors.New("x")}, cmdutil.ExitIntegrity},
		{&cache.DamagedError{Path: "p", Reason: "r"}, cmdutil.ExitIntegrity},
		{&cache.IntegrityError{Name: "a"}, cmdutil.ExitIntegrity},
		{&extract.UnsafeError{Entry: "e", Reason: "r"}, cmdutil.ExitIntegrity},
		{&upmconfig.ParseError{}, cmdutil.ExitInput},
		{&manifest.ParseError{}, cmdutil.ExitInput},
		{&registry.AuthError{Registry: "https://r.example.com"}, cmdutil.ExitAuth},
		{&registry.NotFoundError{}, cmdutil.ExitNotFound},
		{&install.LocalMissingError{Name: "a", Err: errors.New("gone")}, cmdutil.ExitNotFound},
		{&gitdep.Error{Kind: gitdep.KindNetwork}, cmdutil.ExitNetwork},
		{&gitdep.Error{Kind: gitdep.KindNotFound}, cmdutil.ExitNotFound},
		{&gitdep.Error{Kind: gitdep.KindAuth}, cmdutil.ExitAuth},
		{&gitdep.Error{Kind: gitdep.KindOther}, cmdutil.ExitFailure},
		{&registry.OfflineError{}, cmdutil.ExitNetwork},
		{&registry.NetworkError{Err: errors.New("reset")}, cmdutil.ExitNetwork},
		{&registry.TLSError{Host: "r.example.com", Reason: registry.TLSUnknownAuthority}, cmdutil.ExitNetwork},
		{&registry.StatusError{Status: 503}, cmdutil.ExitNetwork},
		{&registry.StatusError{Status: 429}, cmdutil.ExitNetwork},
		{&registry.StatusError{Status: 418}, cmdutil.ExitFailure},
		{iostreams.ErrNoTTY, cmdutil.ExitUsage},
		{errors.New("something else"), cmdutil.ExitFailure},
		{cmdutil.WithCode(cmdutil.ExitUsage, errors.New("bad flag"), "hint"), cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		if code, _ := classify(wrap(tt.err)); code != tt.code {
			t.Errorf("%T %v: exit %d; want %d", tt.err, tt.err, code, tt.code)
		}
	}
}

// TestHints: the facts below cli become the fixes that name upkg's commands.
func TestHints(t *testing.T) {
	reg := "https://r.example.com"
	cred := registry.Credential{Header: "Bearer tok-123456789", Entry: reg + "/", File: "/home/u/.upmconfig.toml"}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&registry.AuthError{Registry: reg}, "upkg login --registry " + reg + " "},
		{&registry.AuthError{Registry: reg, Carried: cred}, "log in again: upkg login --registry " + reg + "/ "},
		{&registry.AuthError{Registry: reg, CrossOrigin: true, Withheld: cred}, "upkg auth set --registry " + reg + "/ --always-auth"},
		{&registry.TLSError{Host: "r.example.com", Reason: registry.TLSUnknownAuthority, GlobalConfig: "/etc/upmconfig.toml"},
			"(/etc/upmconfig.toml), or NODE_EXTRA_CA_CERTS=/path/to/ca.pem (upkg config set --global caFile /path/to/ca.pem)"},
	} {
		_, hint := classify(fmt.Errorf("wrapped: %w", tt.err))
		if !strings.Contains(hint, tt.want) {
			t.Errorf("%v: hint %q lacks %q", tt.err, hint, tt.want)
		}
		if strings.Contains(hint, "tok-123456789") || strings.Contains(tt.err.Error(), "tok-123456789") {
			t.Errorf("%v: the secret shows: %q", tt.err, hint)
		}
	}
}
