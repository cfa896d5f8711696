package login

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/auth"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// LogoutOptions are the inputs of logout.
type LogoutOptions struct {
	cmdutil.Printer
	Config func() (*upmconfig.Config, error)
	// Client is the registry client
	// (cmdutil.Factory.Registry).
	Client      func() (*registry.Client, error)
	EditConfig  func(global bool, edit func(*upmconfig.File) ([]byte, error)) (string, error)
	ConfigPaths func() (user, global string, err error)

	Registry string
}

// NewCmdLogout builds the logout command; runF replaces the behaviour in flag
// tests.
func NewCmdLogout(f *cmdutil.Factory, runF func(context.Context, *LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{Printer: f.Printer(), Config: f.Config, Client: f.Registry, EditConfig: f.EditConfig, ConfigPaths: f.ConfigPaths}
	cmd := &cobra.Command{
		Use:   "logout --registry URL",
		Short: "Revoke a registry token where the registry supports it, then remove its entry",
		Long: `Revoke the stored token on the registry (DELETE /-/user/token/<token>, as
npm logout does) where the registry supports it, then remove the registry's
npmAuth entry from the user .upmconfig.toml. upkg says which of the two
happened. A Basic entry (_auth) is only removed: a password or personal access
token is revoked on the registry's own site. With --offline, the entry is
removed without asking the registry.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Registry == "" {
				return cmdutil.UsageErrorf("pass --registry URL: the registry to log out of")
			}
			if err := cmdutil.CheckRegistryURL(opts.Registry); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return RunLogout(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Registry, "registry", "", "registry URL of the entry")
	return cmd
}

// RunLogout revokes and removes the entry of opts.Registry.
func RunLogout(ctx context.Context, opts *LogoutOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	entry, ok := upmconfig.MatchRegistry(cfg.User.NpmAuth, opts.Registry)
	if !ok {
		return auth.NotInUserFile(opts.ConfigPaths, opts.Registry, cfg.User.Path)
	}
	revocation := "not-applicable"
	var note string
	switch {
	case entry.Token == "":
		note = "a user name and password (or access token) in _auth cannot be revoked by upkg; it stays valid until you change it on the registry"
	case opts.Globals.Offline:
		revocation = "skipped"
		note = "the token was not revoked (--offline); it stays valid until it expires or you revoke it on the registry"
	default:
		client, err := opts.Client()
		if err != nil {
			return err
		}
		res, err := client.RevokeToken(ctx, entry.Registry, entry.Token)
		if err != nil {
			return cmdutil.WithCode(0, fmt.Errorf("revoke the token on %s: %w", entry.Registry, err),
				fmt.Sprintf("nothing was removed; run it again when the registry answers, or remove only the local entry: upkg logout --registry %s --offline", opts.Registry))
		}
		revocation = res.String()
		switch res {
		case registry.RevokeUnsupported:
			note = "the registry does not support revoking tokens; the token stays valid until it expires or you revoke it on the registry"
		case registry.RevokeRefused:
			note = "the registry refused to revoke the token, most likely because it was no longer valid"
		}
	}
	path, err := opts.EditConfig(false, func(file *upmconfig.File) ([]byte, error) {
		out, removed, err := upmconfig.RemoveAuth(file.Data, entry.Registry)
		if err != nil {
			return nil, err
		}
		if !removed {
			return nil, auth.NotInUserFile(opts.ConfigPaths, opts.Registry, file.Path)
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"registry": entry.Registry, "revocation": revocation, "removed": true, "file": path})
	}
	if revocation == "revoked" {
		opts.Infof("Revoked the token on %s.", entry.Registry)
	} else if note != "" {
		opts.Infof("Not revoked: %s.", note)
	}
	opts.Infof("Removed the entry for %s from %s", entry.Registry, path)
	return nil
}
