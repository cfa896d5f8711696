// Package auth implements `upkg auth`: the npmAuth entries of .upmconfig.toml.
package auth

import (
	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/upmconfig"
)

// NewCmd builds the `auth` command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.Group(&cobra.Command{
		Use:   "auth",
		Short: "Manage registry credentials in .upmconfig.toml",
	})
	cmd.AddCommand(
		newSetCmd(f, nil),
		newListCmd(f),
		newRemoveCmd(f),
		newEncodeCmd(f),
		newImportCmd(f, nil),
	)
	return cmd
}

// checkRegistry validates a --registry value.
func checkRegistry(reg string) error {
	if reg == "" {
		return cmdutil.UsageErrorf("pass --registry URL")
	}
	if _, err := upmconfig.NormalizeURL(reg); err != nil {
		return cmdutil.UsageErrorf("--registry %q: %v", reg, err)
	}
	return nil
}
