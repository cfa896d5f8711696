package cmdutil

import "github.com/spf13/cobra"

// Group makes cmd a command group: with no subcommand it prints its help, and
// an unknown subcommand is a usage error (exit 2) rather than cobra's silent
// help-and-succeed.
func Group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return UsageErrorf("unknown command %q for %q", args[0], c.CommandPath())
		}
		return c.Help()
	}
	return cmd
}
