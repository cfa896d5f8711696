package whoami

import (
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// TestFlags drives whoami's flags through runF: the options filled, and the
// usage errors.
func TestFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmd, []cmdtest.Case[Options]{
		{Name: "registry", Args: []string{"--registry", "https://npm.example.com"}, Want: Options{Registry: "https://npm.example.com"}},
		{Name: "no registry", Code: cmdutil.ExitUsage},
		{Name: "registry as argument", Args: []string{"https://npm.example.com"}, Code: -1},
	})
}
