package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// TestEveryCommandHasAnExample walks the command tree: every command a user
// can see (and every help topic) shows an example in its help.
func TestEveryCommandHasAnExample(t *testing.T) {
	f, _, _ := cmdtest.Factory("")
	root := NewRoot(f)
	if unused := addExamples(root); len(unused) > 0 {
		t.Errorf("examples name no command: %q", unused)
	}
	walkCommands(root, func(c *cobra.Command) {
		if c.Hidden || strings.TrimSpace(c.Example) != "" {
			return
		}
		t.Errorf("%q has no Example: add one to its cobra.Command", c.CommandPath())
	})
}
