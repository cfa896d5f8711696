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
		NewCmdSet(f, nil),
		NewCmdList(f, nil),
		NewCmdStatus(f, nil),
		NewCmdRemove(f, nil),
		NewCmdEncode(f, nil),
		NewCmdImport(f, nil),
	)
	return cmd
}

// editConfigFunc is cmdutil.Factory.EditConfig: edit the user (or global)
// config file and return its path.
type editConfigFunc = func(global bool, edit func(*upmconfig.File) ([]byte, error)) (string, error)

// checkRegistry validates a --registry value that must be given.
func checkRegistry(reg string) error {
	if reg == "" {
		return cmdutil.UsageErrorf("pass --registry URL")
	}
	return cmdutil.CheckRegistryURL(reg)
}
