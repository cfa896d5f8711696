// Package version implements `upkg version`: the binary's version, commit,
// build date, Go version and platform.
package version

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
)

// Options are the inputs of `upkg version`.
type Options struct {
	cmdutil.Printer
	Build cmdutil.BuildInfo
}

// NewCmd builds `upkg version`; runF replaces the behaviour in flag tests.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Printer: f.Printer(), Build: f.BuildInfo()}
	return &cobra.Command{
		Use:   "version",
		Short: "Print upkg's version, commit, build date, Go version and platform",
		Long: `Print upkg's version, the commit and date it was built from, the Go version
and the OS/architecture. upkg --version prints the same text; --json gives
the fields (docs/json/version.md).`,
		Example: `  upkg version
  upkg version --json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return run(c.Context(), opts)
		},
	}
}

func run(_ context.Context, opts *Options) error {
	if opts.JSON() {
		return opts.PrintJSON(opts.Build)
	}
	if _, err := fmt.Fprint(opts.IO.Out, opts.Build.String()); err != nil {
		return fmt.Errorf("write version: %w", err)
	}
	return nil
}
