// Package manpages writes upkg's man pages from the command tree (`make
// man`, through internal/tools/genman). It lives outside the upkg binary:
// the man page generator pulls in a Markdown and a YAML library whose
// start-up work every run of upkg would otherwise pay for.
package manpages

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// Write writes a man page per command of root (upkg.1, upkg-install.1,
// upkg-auth-set.1, …) and per help topic into dir, from the commands' own
// help.
func Write(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
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
