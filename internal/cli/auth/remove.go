package auth

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/upmconfig"
)

func newRemoveCmd(f *cmdutil.Factory) *cobra.Command {
	var reg string
	cmd := &cobra.Command{
		Use:     "remove --registry URL",
		Aliases: []string{"rm"},
		Short:   "Remove the npmAuth entry of a registry from the user .upmconfig.toml",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkRegistry(reg); err != nil {
				return err
			}
			path, err := f.EditConfig(false, func(file *upmconfig.File) ([]byte, error) {
				out, removed, err := upmconfig.RemoveAuth(file.Data, reg)
				if err != nil {
					return nil, err
				}
				if !removed {
					return nil, NotInUserFile(f, reg, file.Path)
				}
				return out, nil
			})
			if err != nil {
				return err
			}
			if f.Globals.JSON {
				return f.PrintJSON(map[string]any{"registry": reg, "removed": true, "file": path})
			}
			f.Infof("Removed the entry for %s from %s", reg, path)
			return nil
		},
	}
	cmd.Flags().StringVar(&reg, "registry", "", "registry URL of the entry")
	return cmd
}

// NotInUserFile explains a missing entry, pointing at the global file when the
// entry lives there (upkg does not edit it behind the user's back).
func NotInUserFile(f *cmdutil.Factory, reg, userPath string) error {
	_, globalPath, err := f.ConfigPaths()
	if err == nil {
		if g, err := upmconfig.LoadFile(globalPath, true); err == nil {
			if a, ok := upmconfig.MatchRegistry(g.NpmAuth, reg); ok {
				return cmdutil.WithCode(cmdutil.ExitFailure,
					fmt.Errorf("the entry for %s is in the global file %s (line %d), not in %s", reg, globalPath, a.Line, userPath),
					"upkg edits only the user file; remove it from the global file by hand")
			}
		}
	}
	return cmdutil.WithCode(cmdutil.ExitFailure, fmt.Errorf("no npmAuth entry for %s in %s", reg, userPath), "see the entries with: upkg auth list")
}
