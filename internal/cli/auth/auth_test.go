package auth

import (
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// The flag tests drive each auth subcommand's flags and arguments through
// runF: the options filled, and the usage errors (exit 2; -1 for cobra's
// own argument check, which upkg's root also reports as exit 2).

const reg = "https://npm.example.com"

func TestSetFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdSet, []cmdtest.Case[SetOptions]{
		{Name: "token stdin", Args: []string{"--registry", reg, "--token-stdin"}, Want: SetOptions{Registry: reg, TokenStdin: true}},
		{Name: "token env + email", Args: []string{"--registry", reg, "--token-env", "T", "--email", "a@example.com", "--always-auth"},
			Want: SetOptions{Registry: reg, TokenEnv: "T", Email: "a@example.com", AlwaysAuth: true, emailSet: true, alwaysAuthSet: true}},
		{Name: "basic stdin", Args: []string{"--registry", reg, "--basic-stdin"}, Want: SetOptions{Registry: reg, BasicStdin: true}},
		{Name: "settings only", Args: []string{"--registry", reg, "--always-auth=false"}, Want: SetOptions{Registry: reg, alwaysAuthSet: true}},
		{Name: "two secrets", Args: []string{"--registry", reg, "--token-stdin", "--basic-stdin"}, Code: cmdutil.ExitUsage},
		{Name: "no registry", Args: []string{"--token-stdin"}, Code: cmdutil.ExitUsage},
		{Name: "relative registry", Args: []string{"--registry", "npm.example.com", "--token-stdin"}, Code: cmdutil.ExitUsage},
		{Name: "token as flag value", Args: []string{"--registry", reg, "--token", "tok"}, Code: cmdutil.ExitUsage},
		{Name: "secret as argument", Args: []string{"--registry", reg, "tok"}, Code: -1},
	})
}

func TestListFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdList, []cmdtest.Case[ListOptions]{
		{Name: "no flags", Want: ListOptions{}},
		{Name: "argument", Args: []string{"extra"}, Code: -1},
		{Name: "unknown flag", Args: []string{"--registry", reg}, Code: cmdutil.ExitUsage},
	})
}

func TestRemoveFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdRemove, []cmdtest.Case[RemoveOptions]{
		{Name: "registry", Args: []string{"--registry", reg}, Want: RemoveOptions{Registry: reg}},
		{Name: "no registry", Code: cmdutil.ExitUsage},
		{Name: "relative registry", Args: []string{"--registry", "npm.example.com"}, Code: cmdutil.ExitUsage},
		{Name: "registry as argument", Args: []string{reg}, Code: -1},
	})
}

func TestEncodeFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdEncode, []cmdtest.Case[EncodeOptions]{
		{Name: "no flags", Want: EncodeOptions{}},
		{Name: "secret as argument", Args: []string{"me@example.com:pat"}, Code: -1},
	})
}

func TestImportFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdImport, []cmdtest.Case[ImportOptions]{
		{Name: "defaults", Want: ImportOptions{}},
		{Name: "file and registry", Args: []string{"--npmrc", "/tmp/x.npmrc", "--registry", reg}, Want: ImportOptions{Npmrc: "/tmp/x.npmrc", Registry: reg}},
		{Name: "relative registry", Args: []string{"--registry", "npm.example.com"}, Code: cmdutil.ExitUsage},
		{Name: "file as argument", Args: []string{"/tmp/x.npmrc"}, Code: -1},
	})
}

func TestStatusFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdStatus, []cmdtest.Case[StatusOptions]{
		{Name: "no flags", Want: StatusOptions{}},
		{Name: "one registry", Args: []string{"--registry", reg}, Want: StatusOptions{Registry: reg}},
		{Name: "relative registry", Args: []string{"--registry", "npm.example.com"}, Code: cmdutil.ExitUsage},
		{Name: "argument", Args: []string{reg}, Code: -1},
	})
}
