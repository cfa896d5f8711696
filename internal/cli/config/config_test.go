package config

import (
	"context"
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// The flag tests drive each config subcommand's flags and arguments through
// runF: the options filled, and the usage errors (exit 2; -1 for cobra's
// own argument check, which upkg's root also reports as exit 2).

func TestListFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdList, []cmdtest.Case[ListOptions]{
		{Name: "no flags", Want: ListOptions{}},
		{Name: "argument", Args: []string{"cacheRoot"}, Code: -1},
	})
}

func TestGetFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdGet, []cmdtest.Case[GetOptions]{
		{Name: "key", Args: []string{"maxCacheSize"}, Want: GetOptions{Key: "maxCacheSize"}},
		{Name: "unknown key", Args: []string{"registry"}, Code: cmdutil.ExitUsage},
		{Name: "no key", Code: -1},
		{Name: "two keys", Args: []string{"cacheRoot", "caFile"}, Code: -1},
	})
}

func TestSetFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdSet, []cmdtest.Case[SetOptions]{
		{Name: "user file", Args: []string{"cacheRoot", "/var/cache/upm"}, Want: SetOptions{GOOS: "linux", Key: "cacheRoot", Value: "/var/cache/upm"}},
		{Name: "global caFile", Args: []string{"--global", "caFile", "/etc/ssl/corp.pem"},
			Want: SetOptions{GOOS: "linux", Global: true, Key: "caFile", Value: "/etc/ssl/corp.pem"}},
		// The value is checked when the command runs (it may warn).
		{Name: "raw value", Args: []string{"maxCacheSize", "ten"}, Want: SetOptions{GOOS: "linux", Key: "maxCacheSize", Value: "ten"}},
		{Name: "cache key in the global file", Args: []string{"--global", "cacheRoot", "/x"}, Code: cmdutil.ExitUsage},
		{Name: "unknown key", Args: []string{"npmAuth", "x"}, Code: cmdutil.ExitUsage},
		{Name: "no value", Args: []string{"cacheRoot"}, Code: -1},
		{Name: "unknown flag", Args: []string{"--user", "cacheRoot", "/x"}, Code: cmdutil.ExitUsage},
	})
}

func TestUnsetFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdUnset, []cmdtest.Case[UnsetOptions]{
		{Name: "user file", Args: []string{"cacheRoot"}, Want: UnsetOptions{Key: "cacheRoot"}},
		{Name: "global", Args: []string{"caFile", "--global"}, Want: UnsetOptions{Global: true, Key: "caFile"}},
		{Name: "unknown key", Args: []string{"cacheroot"}, Code: cmdutil.ExitUsage},
		{Name: "no key", Code: -1},
	})
}

func TestPathFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdPath, []cmdtest.Case[PathOptions]{
		{Name: "user file", Want: PathOptions{}},
		{Name: "global", Args: []string{"--global"}, Want: PathOptions{Global: true}},
		{Name: "argument", Args: []string{"user"}, Code: -1},
	})
}

// TestGlobalBeforeSubcommand: --global is accepted on the group too, before
// the subcommand, and reaches the subcommand's options.
func TestGlobalBeforeSubcommand(t *testing.T) {
	f, _, _ := cmdtest.Factory("")
	group := NewCmd(f)
	var got *PathOptions
	for _, c := range group.Commands() {
		if c.Name() == "path" {
			group.RemoveCommand(c)
		}
	}
	group.AddCommand(NewCmdPath(f, func(_ context.Context, o *PathOptions) error { got = o; return nil }))
	if code, err := cmdtest.Exec(group, "--global", "path"); code != 0 || got == nil || !got.Global {
		t.Fatalf("exit %d, err = %v, options %+v", code, err, got)
	}
}
