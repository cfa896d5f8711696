package auth

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/upmconfig"
)

// RemoveOptions are the inputs of `auth remove`.
type RemoveOptions struct {
	cmdutil.Printer
	EditConfig  editConfigFunc
	ConfigPaths func() (user, global string, err error)

	Registry string
}

// NewCmdRemove builds `auth remove` [`rm`]; runF replaces the behaviour in flag tests.
func NewCmdRemove(f *cmdutil.Factory, runF func(context.Context, *RemoveOptions) error) *cobra.Command {
	opts := &RemoveOptions{Printer: f.Printer(), EditConfig: f.EditConfig, ConfigPaths: f.ConfigPaths}
	cmd := &cobra.Command{
		Use:     "remove --registry URL",
		Aliases: []string{"rm"},
		Short:   "Remove the npmAuth entry of a registry from the user .upmconfig.toml",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkRegistry(opts.Registry); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return removeRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Registry, "registry", "", "registry URL of the entry")
	return cmd
}

func removeRun(ctx context.Context, opts *RemoveOptions) error {
	reg := opts.Registry
	path, err := opts.EditConfig(false, func(file *upmconfig.File) ([]byte, error) {
		out, removed, err := upmconfig.RemoveAuth(file.Data, reg)
		if err != nil {
			return nil, err
		}
		if !removed {
			return nil, NotInUserFile(opts.ConfigPaths, reg, file.Path)
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"registry": reg, "removed": true, "file": path})
	}
	opts.Infof("Removed the entry for %s from %s", reg, path)
	return nil
}

// NotInUserFile explains a missing entry, pointing at the global file when the
// entry lives there (upkg does not edit it behind the user's back).
// configPaths is cmdutil.Factory.ConfigPaths.
func NotInUserFile(configPaths func() (user, global string, err error), reg, userPath string) error {
	_, globalPath, err := configPaths()
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
