package auth

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/secret"
	"github.com/upkg/upkg/internal/upmconfig"
)

// listEntry is one row of `auth list --json` (CLI.md).
type listEntry struct {
	Registry   string `json:"registry"`
	Kind       string `json:"kind"`
	Email      string `json:"email"`
	AlwaysAuth bool   `json:"alwaysAuth"`
	File       string `json:"file"`
	Secret     string `json:"secret"`
	// Active is false for a global entry that a user entry for the same
	// registry overrides.
	Active bool `json:"active"`
}

// ListOptions are the inputs of `auth list`.
type ListOptions struct {
	cmdutil.Printer
	Config func() (*upmconfig.Config, error)
}

// NewCmdList builds `auth list` [`ls`]; runF replaces the behaviour in flag tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Printer: f.Printer(), Config: f.Config}
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the npmAuth entries of the user and global config files (secrets masked)",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return listRun(c.Context(), opts)
		},
	}
}

func listRun(ctx context.Context, opts *ListOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	entries := listEntries(cfg)
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"entries": entries})
	}
	if len(entries) == 0 {
		opts.Infof("No npmAuth entries in %s or %s.", cfg.User.Path, cfg.Global.Path)
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGISTRY\tKIND\tSECRET\tEMAIL\tALWAYSAUTH\tFILE")
	for _, e := range entries {
		file := e.File
		if !e.Active {
			file += " (overridden by the user file)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%s\n", e.Registry, e.Kind, e.Secret, dash(e.Email), e.AlwaysAuth, file)
	}
	return tw.Flush()
}

// listEntries lists every entry of both files, user first, marking global
// entries that the user file overrides.
func listEntries(cfg *upmconfig.Config) []listEntry {
	active := map[string]bool{}
	for _, a := range cfg.Auths() {
		active[a.File+"\x00"+a.Registry] = true
	}
	out := []listEntry{}
	for _, file := range []*upmconfig.File{cfg.User, cfg.Global} {
		for _, a := range file.NpmAuth {
			out = append(out, listEntry{
				Registry:   a.Registry,
				Kind:       a.Kind(),
				Email:      a.Email,
				AlwaysAuth: a.AlwaysAuth,
				File:       a.File,
				Secret:     secret.Mask(a.Secret()),
				Active:     active[a.File+"\x00"+a.Registry],
			})
		}
	}
	return out
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
