package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/secret"
	"github.com/upkg/upkg/internal/upmconfig"
)

// StatusOptions are the inputs of `auth status`.
type StatusOptions struct {
	cmdutil.Printer
	Config func() (*upmconfig.Config, error)
	// Client is the registry client (cmdutil.Factory.Registry).
	Client func() (*registry.Client, error)
	// ProjectRegistries is cmdutil.Factory.ProjectRegistries.
	ProjectRegistries func() (scoped []string, unscoped string, err error)
	// Now is the clock expiry dates are compared with.
	Now func() time.Time

	// Registry, when set, limits the report to that registry.
	Registry string
}

// NewCmdStatus builds `auth status`; runF replaces the behaviour in flag tests.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{Printer: f.Printer(), Config: f.Config, Client: f.Registry, ProjectRegistries: f.ProjectRegistries, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "status [--registry URL]",
		Short: "Show, per registry, the credential upkg sends and whom the registry sees",
		Long: `Show every registry upkg knows — the npmAuth entries of both config files, the
manifest's scoped registries and the default registry — with the entry that
matches it (secret masked), the file it comes from, a token's expiry when the
token states one (a JWT's exp claim), and the user name the registry's
/-/whoami answers for it (not asked with --offline).

Exits 0 when every registry that has a credential accepts it (or with
--offline); otherwise with the exit code of the first failure: 3 when a
registry refuses its credential, 5 when it cannot be reached. A registry
without a credential is reported, not a failure: many need none.`,
		Example: `  upkg auth status
  upkg auth status --registry http://127.0.0.1:4873
  upkg auth status --offline --json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Registry != "" {
				if err := cmdutil.CheckRegistryURL(opts.Registry); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return statusRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Registry, "registry", "", "only this registry")
	return cmd
}

// statusEntry is one registry of `auth status --json` (docs/json/auth.md).
type statusEntry struct {
	Registry string `json:"registry"`
	// From says where upkg knows the registry from: "manifest" (a scoped
	// registry), "default" (the registry of unscoped names), "config" (an
	// npmAuth key), "flag" (--registry).
	From    []string     `json:"from"`
	Entry   *statusCred  `json:"entry"`
	Expires *time.Time   `json:"expires"`
	Expired bool         `json:"expired"`
	Whoami  statusWhoami `json:"whoami"`
}

// statusCred is the matched npmAuth entry, secret masked.
type statusCred struct {
	Registry   string `json:"registry"`
	Kind       string `json:"kind"`
	Secret     string `json:"secret"`
	Email      string `json:"email"`
	AlwaysAuth bool   `json:"alwaysAuth"`
	File       string `json:"file"`
}

// statusWhoami is the registry's answer to GET /-/whoami.
type statusWhoami struct {
	// Status is "ok", "failed", "skipped" (--offline) or "none" (no
	// credential, so not asked).
	Status   string `json:"status"`
	Username string `json:"username"`
	Error    string `json:"error"`
}

// knownRegistries lists the registries to report, each once (regurl.Same),
// in the order: --registry, else the manifest's scoped registries, the
// default registry, then the npmAuth keys.
func knownRegistries(opts *StatusOptions, auths []upmconfig.Auth) ([]statusEntry, error) {
	var out []statusEntry
	add := func(u, from string) {
		for i := range out {
			if regurl.Same(out[i].Registry, u) {
				if !strings.Contains(strings.Join(out[i].From, ","), from) {
					out[i].From = append(out[i].From, from)
				}
				return
			}
		}
		out = append(out, statusEntry{Registry: strings.TrimRight(u, "/"), From: []string{from}})
	}
	if opts.Registry != "" {
		add(opts.Registry, "flag")
		return out, nil
	}
	scoped, unscoped, err := opts.ProjectRegistries()
	if err != nil {
		return nil, err
	}
	for _, u := range scoped {
		add(u, "manifest")
	}
	add(unscoped, "default")
	for _, a := range auths {
		add(a.Registry, "config")
	}
	return out, nil
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	auths := cfg.Auths()
	entries, err := knownRegistries(opts, auths)
	if err != nil {
		return err
	}
	var client *registry.Client
	var firstErr error
	failed, asked := 0, 0
	for i := range entries {
		e := &entries[i]
		a, ok := upmconfig.MatchRegistry(auths, e.Registry)
		if !ok {
			e.Whoami.Status = "none"
			continue
		}
		e.Entry = &statusCred{Registry: a.Registry, Kind: a.Kind(), Secret: secret.Mask(a.Secret()), Email: a.Email, AlwaysAuth: a.AlwaysAuth, File: a.File}
		if exp, ok := secret.Expiry(a.Token); ok {
			e.Expires, e.Expired = &exp, !opts.Now().Before(exp)
		}
		if opts.Globals.Offline {
			e.Whoami.Status = "skipped"
			continue
		}
		if client == nil {
			if client, err = opts.Client(); err != nil {
				return err
			}
		}
		asked++
		user, err := client.Whoami(ctx, e.Registry)
		if err != nil {
			e.Whoami.Status, e.Whoami.Error = "failed", err.Error()
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		e.Whoami.Status, e.Whoami.Username = "ok", user
	}
	if opts.JSON() {
		if err := opts.PrintJSON(map[string]any{"offline": opts.Globals.Offline, "registries": entries}); err != nil {
			return err
		}
	} else {
		printStatus(opts, entries)
	}
	if firstErr != nil {
		return fmt.Errorf("whoami failed on %d of %d registries with a credential; the first: %w", failed, asked, firstErr)
	}
	return nil
}

// printStatus writes the report for people, like gh auth status.
func printStatus(opts *StatusOptions, entries []statusEntry) {
	w := opts.IO.Out
	for i, e := range entries {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s)\n", e.Registry, strings.Join(e.From, ", "))
		switch e.Whoami.Status {
		case "ok":
			fmt.Fprintf(w, "  ✓ Logged in as %s\n", e.Whoami.Username)
		case "failed":
			fmt.Fprintf(w, "  X whoami failed: %s\n", e.Whoami.Error)
		case "skipped":
			fmt.Fprintln(w, "  - Not asked (--offline): whoami needs the network")
		case "none":
			fmt.Fprintln(w, "  - No credential: requests go anonymously")
			continue
		}
		c := e.Entry
		fmt.Fprintf(w, "  - Credential: %s %s of npmAuth.%q in %s\n", c.Kind, c.Secret, c.Registry, c.File)
		if e.Expires != nil {
			state := "expires"
			if e.Expired {
				state = "expired"
			}
			fmt.Fprintf(w, "  - Token %s %s\n", state, e.Expires.Format(time.RFC3339))
		}
	}
}
