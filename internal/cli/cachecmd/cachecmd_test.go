package cachecmd

import (
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// The flag tests drive each cache subcommand's flags and arguments through
// runF: the options filled, and the usage errors (exit 2; -1 for cobra's
// own argument check, which upkg's root also reports as exit 2).

func TestDirFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdDir, []cmdtest.Case[DirOptions]{
		{Name: "no flags", Want: DirOptions{}},
		{Name: "argument", Args: []string{"/tmp"}, Code: -1},
	})
}

func TestListFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdList, []cmdtest.Case[ListOptions]{
		{Name: "no flags", Want: ListOptions{}},
		{Name: "package as argument", Args: []string{"com.example.a"}, Code: -1},
	})
}

func TestVerifyFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdVerify, []cmdtest.Case[VerifyOptions]{
		{Name: "check only", Want: VerifyOptions{}},
		{Name: "fix", Args: []string{"--fix"}, Want: VerifyOptions{Fix: true}},
		{Name: "unknown flag", Args: []string{"--repair"}, Code: cmdutil.ExitUsage},
		{Name: "argument", Args: []string{"com.example.a"}, Code: -1},
	})
}

func TestCleanFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdClean, []cmdtest.Case[CleanOptions]{
		{Name: "no flags", Want: CleanOptions{}},
		{Name: "unknown flag", Args: []string{"--force"}, Code: cmdutil.ExitUsage},
		{Name: "argument", Args: []string{"all"}, Code: -1},
	})
}

func TestPruneFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdPrune, []cmdtest.Case[PruneOptions]{
		{Name: "no flags", Want: PruneOptions{}},
		{Name: "size as argument", Args: []string{"1000"}, Code: -1},
	})
}
