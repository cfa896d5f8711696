package cli

import (
	"os"
	"path/filepath"
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

// TestGenMan writes the man pages: one per command a user can see, and per
// help topic.
func TestGenMan(t *testing.T) {
	dir := t.TempDir()
	f, _, stderr := cmdtest.Factory("")
	root := NewRoot(f)
	root.SetArgs([]string{"gen-man", dir})
	if err := root.Execute(); err != nil {
		t.Fatalf("gen-man: %v\n%s", err, stderr)
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
