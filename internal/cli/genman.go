package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newGenManCmd is the hidden `upkg gen-man DIR`: a man page per command
// (upkg.1, upkg-install.1, upkg-auth-set.1, …) written into DIR, from the
// commands' own help (`make man`; packagers ship the pages).
func newGenManCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "gen-man DIR",
		Short:   "Write a man page per command into DIR",
		Example: "  upkg gen-man man/man1",
		Hidden:  true,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", dir, err)
			}
			root := c.Root()
			root.DisableAutoGenTag = true // the pages stay the same from one build to the next
			header := &doc.GenManHeader{Title: "UPKG", Section: "1", Source: "upkg " + root.Version, Manual: "upkg manual"}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("write the man pages into %s: %w", dir, err)
			}
			// GenManTree skips help topics; they get pages too.
			for _, t := range root.Commands() {
				if !t.IsAdditionalHelpTopicCommand() {
					continue
				}
				path := filepath.Join(dir, "upkg-"+t.Name()+".1")
				if err := writeManPage(t, header, path); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// writeManPage writes cmd's man page to path.
func writeManPage(cmd *cobra.Command, header *doc.GenManHeader, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the man page: %w", err)
	}
	h := *header // GenMan fills in the date and title of its header
	if err := doc.GenMan(cmd, &h, f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
