// Package auth implements `upkg auth`: the npmAuth entries of .upmconfig.toml.
package auth

import (
	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
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

// checkRegistry validates a --registry value that must be given.
func checkRegistry(reg string) error {
	if reg == "" {
		return cmdutil.UsageErrorf("pass --registry URL")
	}
	return cmdutil.CheckRegistryURL(reg)
}
