package version

import (
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

func TestFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmd, []cmdtest.Case[Options]{
		{Name: "no flags", Want: Options{}},
		{Name: "argument", Args: []string{"extra"}, Code: -1},
		{Name: "unknown flag", Args: []string{"--short"}, Code: cmdutil.ExitUsage},
	})
}

func TestString(t *testing.T) {
	b := cmdutil.BuildInfo{Version: "v1.2.3", Commit: "abc1234", Modified: true, Go: "go1.26.0", OS: "windows", Arch: "arm64"}
	want := "upkg v1.2.3\ncommit: abc1234 (modified)\nbuilt:  unknown\ngo:     go1.26.0 windows/arm64\n"
	if got := b.String(); got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
}
