package deps

import (
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// TestAddFlags drives add's flags and arguments through runF.
func TestAddFlags(t *testing.T) {
	reg := "https://npm.example.com"
	cmdtest.RunCases(t, NewCmdAdd, []cmdtest.Case[AddOptions]{
		{Name: "names", Args: []string{"com.example.a", "com.example.b@1.2.3"}, Want: AddOptions{Specs: []string{"com.example.a", "com.example.b@1.2.3"}}},
		{Name: "registry and scopes", Args: []string{"com.example.a", "--registry", reg, "--scope", "com.example", "--scope", "com.other", "--registry-name", "Team", "--test", "--dry-run"},
			Want: AddOptions{EditOptions: EditOptions{DryRun: true}, Specs: []string{"com.example.a"}, RegistryURL: reg, RegistryName: "Team", Scopes: []string{"com.example", "com.other"}, Test: true}},
		{Name: "git", Args: []string{"com.example.a@git@git.example.com:team/a.git#v1"}, Want: AddOptions{Specs: []string{"com.example.a@git@git.example.com:team/a.git#v1"}}},
		{Name: "nothing", Code: -1},
		{Name: "bad name", Args: []string{"Com.Example"}, Code: cmdutil.ExitUsage},
		{Name: "registry not a URL", Args: []string{"com.example.a", "--registry", "npm.example.com"}, Code: cmdutil.ExitUsage},
		{Name: "scope without registry", Args: []string{"com.example.a", "--scope", "com.example"}, Code: cmdutil.ExitUsage},
	})
}

// TestRemoveFlags drives remove's arguments through runF.
func TestRemoveFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdRemove, []cmdtest.Case[RemoveOptions]{
		{Name: "names", Args: []string{"com.example.a", "com.example.b", "--dry-run"}, Want: RemoveOptions{EditOptions: EditOptions{DryRun: true}, Names: []string{"com.example.a", "com.example.b"}}},
		{Name: "nothing", Code: -1},
		{Name: "a version", Args: []string{"com.example.a@1.0.0"}, Code: cmdutil.ExitUsage},
	})
}

// TestUpgradeFlags drives upgrade's windows through runF.
func TestUpgradeFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdUpgrade, []cmdtest.Case[UpgradeOptions]{
		{Name: "default", Want: UpgradeOptions{Window: WindowMinor}},
		{Name: "patch", Args: []string{"--patch", "com.example.a"}, Want: UpgradeOptions{Window: WindowPatch, Names: []string{"com.example.a"}}},
		{Name: "minor", Args: []string{"--minor"}, Want: UpgradeOptions{Window: WindowMinor}},
		{Name: "latest", Args: []string{"--latest", "--dry-run"}, Want: UpgradeOptions{EditOptions: EditOptions{DryRun: true}, Window: WindowLatest}},
		{Name: "two windows", Args: []string{"--patch", "--latest"}, Code: cmdutil.ExitUsage},
	})
}
