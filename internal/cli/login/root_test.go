package login

import (
	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
)

// newRoot puts cmd under a root command that turns flag errors into usage
// errors, as the real root does.
func newRoot(cmd *cobra.Command) *cobra.Command {
	root := &cobra.Command{Use: "upkg", SilenceErrors: true, SilenceUsage: true}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	})
	root.AddCommand(cmd)
	return root
}
