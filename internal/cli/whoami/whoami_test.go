package whoami

import (
	"context"
	"testing"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// TestFlags drives whoami's flags through runF: the options filled, and the
// usage errors.
func TestFlags(t *testing.T) {
	newCmd := func(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
		return NewCmd(f, func(_ context.Context, o *Options) error { return runF(o) })
	}
	cmdtest.RunCases(t, newCmd, []cmdtest.Case[Options]{
		{Name: "registry", Args: []string{"--registry", "https://npm.example.com"}, Want: Options{Registry: "https://npm.example.com"}},
		{Name: "no registry", Code: cmdutil.ExitUsage},
		{Name: "registry as argument", Args: []string{"https://npm.example.com"}, Code: -1},
	})
}
