// Package whoami implements `upkg whoami`: the user name a registry sees for
// the credential upkg would send it.
package whoami

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// Options are the inputs of whoami.
type Options struct {
	cmdutil.Printer
	Config func() (*upmconfig.Config, error)
	// Client is the registry client
	// (cmdutil.Factory.Registry).
	Client func() (*registry.Client, error)

	Registry string
}

// NewCmd builds the command; runF replaces the behaviour in flag tests.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Printer: f.Printer(), Config: f.Config, Client: f.Registry}
	cmd := &cobra.Command{
		Use:   "whoami --registry URL",
		Short: "Print the user name a registry sees for your stored credential",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Registry == "" {
				return cmdutil.UsageErrorf("pass --registry URL: the registry to ask")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return Run(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Registry, "registry", "", "registry URL")
	return cmd
}

// Run asks the registry (GET <registry>/-/whoami) with the matched credential.
func Run(ctx context.Context, opts *Options) error {
	if err := cmdutil.CheckRegistryURL(opts.Registry); err != nil {
		return err
	}
	if opts.Globals.Offline {
		return cmdutil.UsageErrorf("whoami asks the registry and cannot run with --offline")
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	auths := cfg.Auths()
	entry, matched := upmconfig.MatchRegistry(auths, opts.Registry)
	client, err := opts.Client()
	if err != nil {
		return err
	}
	user, err := client.Whoami(ctx, opts.Registry)
	if err != nil {
		return cmdutil.ExplainAuth(err, auths)
	}
	if opts.JSON() {
		out := map[string]any{"registry": opts.Registry, "username": user, "entry": nil}
		if matched {
			out["entry"] = map[string]any{"registry": entry.Registry, "kind": entry.Kind(), "file": entry.File}
		}
		return opts.PrintJSON(out)
	}
	fmt.Fprintln(opts.IO.Out, user)
	if matched {
		opts.Infof("(%s of npmAuth.%q from %s)", entry.Kind(), entry.Registry, entry.File)
	}
	return nil
}
