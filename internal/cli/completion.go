package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/config"
)

// addCompletions wires shell completion (cobra's __complete) into the tree:
// registries for every --registry flag, setting names for config get, set
// and unset, and the project's package names for remove, upgrade, why and
// view. A command that sets its own completion keeps it.
func addCompletions(f *cmdutil.Factory, root *cobra.Command) {
	walkCommands(root, func(c *cobra.Command) {
		if c.Flags().Lookup("registry") != nil {
			if _, ok := c.GetFlagCompletionFunc("registry"); !ok {
				_ = c.RegisterFlagCompletionFunc("registry", f.CompleteRegistries) // only fails for a flag that is not there
			}
		}
		if c.ValidArgsFunction != nil {
			return
		}
		switch strings.TrimPrefix(c.CommandPath(), root.Name()+" ") {
		case "config get", "config set", "config unset":
			c.ValidArgsFunction = config.CompleteKeys
		case "remove", "upgrade":
			c.ValidArgsFunction = f.CompletePackages(false)
		case "why", "view":
			c.ValidArgsFunction = firstArgOnly(f.CompletePackages(true))
		}
	})
}

// firstArgOnly completes the first argument with fn, and nothing after it.
func firstArgOnly(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return fn(c, args, toComplete)
	}
}
