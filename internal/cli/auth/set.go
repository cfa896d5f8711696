package auth

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/upmconfig"
)

// SetOptions are the inputs of `auth set`.
type SetOptions struct {
	cmdutil.Printer
	Getenv     func(string) string
	EditConfig editConfigFunc

	Registry   string
	TokenStdin bool
	TokenEnv   string
	BasicStdin bool
	Email      string
	AlwaysAuth bool

	emailSet, alwaysAuthSet bool
}

// NewCmdSet builds `auth set`; runF replaces the behaviour in flag tests.
func NewCmdSet(f *cmdutil.Factory, runF func(context.Context, *SetOptions) error) *cobra.Command {
	opts := &SetOptions{Printer: f.Printer(), Getenv: f.Getenv, EditConfig: f.EditConfig}
	cmd := &cobra.Command{
		Use:   "set --registry URL (--token-stdin | --token-env VAR | --basic-stdin) [--email E] [--always-auth]",
		Short: "Store a credential for a registry in the user .upmconfig.toml",
		Long: `Store a credential for a registry in the user .upmconfig.toml.

The secret is never taken as an argument (it would end up in shell history and
process lists): --token-stdin reads a token from stdin (without echo on a
terminal), --token-env names an environment variable holding it, and
--basic-stdin reads user:password or email:PAT and stores its base64 as _auth.
Without any of them, only --email and --always-auth of an existing entry change.`,
		Example: `  printf %s "$NPM_TOKEN" | upkg auth set --registry https://npm.example.com --token-stdin
  upkg auth set --registry https://npm.example.com --token-env NPM_TOKEN --always-auth
  printf %s "me@example.com:$PAT" | upkg auth set --registry https://pkgs.example.com/npm/registry --basic-stdin`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.emailSet = c.Flags().Changed("email")
			opts.alwaysAuthSet = c.Flags().Changed("always-auth")
			if err := checkRegistry(opts.Registry); err != nil {
				return err
			}
			n := 0
			for _, b := range []bool{opts.TokenStdin, opts.TokenEnv != "", opts.BasicStdin} {
				if b {
					n++
				}
			}
			if n > 1 {
				return cmdutil.UsageErrorf("pass only one of --token-stdin, --token-env and --basic-stdin")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return setRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Registry, "registry", "", "registry URL, as the project's scopedRegistries writes it")
	fl.BoolVar(&opts.TokenStdin, "token-stdin", false, "read a token from stdin (stored as token, sent as Bearer)")
	fl.StringVar(&opts.TokenEnv, "token-env", "", "read the token from this environment variable")
	fl.BoolVar(&opts.BasicStdin, "basic-stdin", false, "read user:password or email:PAT from stdin (stored as _auth, sent as Basic)")
	fl.StringVar(&opts.Email, "email", "", "e-mail to record with the entry (never sent)")
	fl.BoolVar(&opts.AlwaysAuth, "always-auth", false, "also send the credential to tarballs on other servers")
	return cmd
}

func setRun(ctx context.Context, opts *SetOptions) error {
	var u upmconfig.AuthUpdate
	kind := ""
	switch {
	case opts.TokenStdin:
		tok, err := opts.IO.ReadSecret(ctx, "Token: ")
		if err != nil {
			return err
		}
		if err := checkSecret(tok, "the token"); err != nil {
			return err
		}
		u.Token, kind = &tok, "token"
	case opts.TokenEnv != "":
		tok := opts.Getenv(opts.TokenEnv)
		if tok == "" {
			return cmdutil.UsageErrorf("environment variable %s is empty or not set", opts.TokenEnv)
		}
		if err := checkSecret(tok, "$"+opts.TokenEnv); err != nil {
			return err
		}
		u.Token, kind = &tok, "token"
	case opts.BasicStdin:
		pair, err := opts.IO.ReadSecret(ctx, "user:password (or email:PAT): ")
		if err != nil {
			return err
		}
		enc, err := EncodeBasic(pair)
		if err != nil {
			return err
		}
		u.Basic, kind = &enc, "_auth"
	}
	if opts.emailSet {
		u.Email = &opts.Email
	}
	if opts.alwaysAuthSet {
		u.AlwaysAuth = &opts.AlwaysAuth
	}
	path, err := opts.EditConfig(false, func(file *upmconfig.File) ([]byte, error) {
		if kind == "" {
			if _, ok := upmconfig.MatchRegistry(file.NpmAuth, opts.Registry); !ok {
				return nil, cmdutil.UsageErrorf("no entry for %s in %s yet: pass --token-stdin, --token-env or --basic-stdin", opts.Registry, file.Path)
			}
			if !opts.emailSet && !opts.alwaysAuthSet {
				return nil, cmdutil.UsageErrorf("nothing to change: pass a secret flag, --email or --always-auth")
			}
		}
		return upmconfig.SetAuth(file.Data, opts.Registry, u)
	})
	if err != nil {
		return err
	}
	WarnPlainHTTP(opts.Printer, opts.Registry)
	what := "settings"
	if kind != "" {
		what = kind
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"registry": opts.Registry, "stored": what, "file": path})
	}
	opts.Infof("Stored %s for %s in %s", what, opts.Registry, path)
	return nil
}

// EncodeBasic turns "user:password" or "email:PAT" into the base64 that _auth
// holds. The pair must contain a colon: without one it is not a pair, and the
// registry would reject what we stored.
func EncodeBasic(pair string) (string, error) {
	if err := checkSecret(pair, "the input"); err != nil {
		return "", err
	}
	if i := strings.IndexByte(pair, ':'); i <= 0 || i == len(pair)-1 {
		return "", cmdutil.UsageErrorf("expected user:password or email:PAT (a name, a colon, then the secret)")
	}
	return base64.StdEncoding.EncodeToString([]byte(pair)), nil
}

// checkSecret rejects empty secrets and ones that span lines (a pasted file, a
// secret with its label): the registry would refuse them later, less clearly.
func checkSecret(s, what string) error {
	if strings.TrimSpace(s) == "" {
		return cmdutil.UsageErrorf("%s is empty", what)
	}
	if strings.ContainsAny(s, "\r\n") {
		return cmdutil.UsageErrorf("%s spans several lines; give exactly one line", what)
	}
	return nil
}

// WarnPlainHTTP warns when credentials will travel unencrypted to a host that
// is not this machine (UPM-SPEC §2 rule 5).
func WarnPlainHTTP(p cmdutil.Printer, reg string) {
	u, err := url.Parse(reg)
	if err != nil || !strings.EqualFold(u.Scheme, "http") {
		return
	}
	host := u.Hostname()
	if regurl.IsLoopback(host) {
		return
	}
	p.Warnf("%s uses plain http: the credential will cross the network unencrypted", reg)
}
