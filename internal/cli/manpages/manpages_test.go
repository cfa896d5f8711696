package manpages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

func walkCommands(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, fn)
	}
}

// TestGenMan writes the man pages: one per command a user can see, and per
// help topic.
func TestGenMan(t *testing.T) {
	dir := t.TempDir()
	f, _, stderr := cmdtest.Factory("")
	root := cli.NewRoot(f)
	if err := Write(root, dir); err != nil {
		t.Fatalf("Write: %v\n%s", err, stderr)
	}
	n := 0
	walkCommands(root, func(c *cobra.Command) {
		if c.Hidden || (!c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() && c != root) {
			return
		}
		n++
		page := filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		data, err := os.ReadFile(page)
		if err != nil {
			t.Errorf("no man page for %q: %v", c.CommandPath(), err)
			return
		}
		if !strings.Contains(string(data), ".SH NAME") || (c.Short != "" && !strings.Contains(string(data), strings.SplitN(c.Short, " ", 2)[0])) {
			t.Errorf("%s does not look like %q's man page", page, c.CommandPath())
		}
	})
	if entries, _ := os.ReadDir(dir); len(entries) != n {
		t.Errorf("%d pages for %d commands", len(entries), n)
	}
}
