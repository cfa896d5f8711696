package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Group makes cmd a command group: with no subcommand it prints its help, and
// an unknown subcommand is a usage error (exit 2) rather than cobra's silent
// help-and-succeed, with the subcommands it may stand for as the hint (cobra
// suggests only below the root).
func Group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return &ExitError{Code: ExitUsage,
				Err:  fmt.Errorf("unknown command %q for %q", args[0], c.CommandPath()),
				Hint: didYouMean(c, args[0])}
		}
		return c.Help()
	}
	return cmd
}

// didYouMean is the hint for an unknown subcommand word of group c: cobra's
// suggestions (edit distance, prefixes, aliases), or the list of
// subcommands.
func didYouMean(c *cobra.Command, word string) string {
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	s := c.SuggestionsFor(word)
	if len(s) == 0 {
		var names []string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		return fmt.Sprintf("%s has: %s (upkg %s --help)", c.CommandPath(), strings.Join(names, ", "), c.Name())
	}
	for i := range s {
		s[i] = c.CommandPath() + " " + s[i]
	}
	return "did you mean " + strings.Join(s, " or ") + "?"
}
