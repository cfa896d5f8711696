// Package login implements `upkg login` [`adduser`] and `upkg logout`: getting
// a credential from a registry (web login, else couch login with npm's 409
// flow and one-time passwords, or a checked Basic pair) into .upmconfig.toml,
// and giving it back.
package login

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/auth"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/iostreams"
	"github.com/upkg/upkg/internal/npmrc"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// defaultNpmrc is the value of a bare --npmrc: the user's .npmrc.
const defaultNpmrc = "\x00user"

// npmrcNoOpt is what pflag passes for a bare --npmrc. It is also what help
// shows ("--npmrc[=FILE]"): a file that is really named FILE is ./FILE.
const npmrcNoOpt = "FILE"

// npmrcFlag is --npmrc: a string whose bare form means the user's .npmrc.
// Its type is unnamed so that help reads --npmrc[=FILE], not
// --npmrc string[="…"].
type npmrcFlag struct{ p *string }

func (v npmrcFlag) String() string {
	if v.p == nil || *v.p == defaultNpmrc {
		return ""
	}
	return *v.p
}

func (v npmrcFlag) Set(s string) error {
	if s == npmrcNoOpt {
		s = defaultNpmrc
	}
	*v.p = s
	return nil
}

func (npmrcFlag) Type() string { return "" }

// Options are the inputs of login.
type Options struct {
	cmdutil.Printer
	Config func() (*upmconfig.Config, error)
	// Client is the registry client
	// (cmdutil.Factory.Registry).
	Client     func() (*registry.Client, error)
	EditConfig func(global bool, edit func(*upmconfig.File) ([]byte, error)) (string, error)
	Getenv     func(string) string
	Home       func() (string, error)
	// GOOS decides how a browser is opened.
	GOOS string

	Registry      string
	Username      string
	Email         string
	PasswordStdin bool
	Basic         bool
	AlwaysAuth    bool
	AuthType      string
	OTP           string
	// Npmrc is the .npmrc to also write the credential to ("" none).
	Npmrc     string
	NoBrowser bool
	Timeout   time.Duration
	// Create is set when called as adduser: the web login asks for an account.
	Create bool
	// Open shows a URL in a browser; nil means the system's opener.
	Open func(url string) error

	emailSet, alwaysAuthSet bool
}

// NewCmd builds the login command; runF replaces the behaviour in flag tests.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Printer: f.Printer(), Config: f.Config, Client: f.Registry, EditConfig: f.EditConfig,
		Getenv: f.Getenv, Home: f.Home, GOOS: f.GOOS}
	cmd := &cobra.Command{
		Use:     "login --registry URL",
		Aliases: []string{"adduser"},
		Short:   "Log in to a registry and store the credential in .upmconfig.toml",
		Long: `Log in to a registry and store what it hands out in the user .upmconfig.toml.

By default upkg tries the registry's web login (it prints a URL to open, and
opens a browser when it can), and falls back to a user name and password
(npm's couch login) when the registry has none, as Verdaccio, Artifactory and
Nexus do. --auth-type forces one of them; --username or --password-stdin imply
legacy. A one-time password is asked for when the registry wants one (or give
it with --otp).

--basic is for registries that only take Basic auth (Azure DevOps with a
personal access token, Artifactory): the user name (or e-mail) and password
(or token) are checked against /-/whoami and stored as _auth.

The token or password is never printed. Without a terminal, pass every input
as a flag: --username, --password-stdin (and --otp, --email when needed).`,
		Example: `  upkg login --registry https://npm.example.com
  printf %s "$PASSWORD" | upkg login --registry https://npm.example.com --username ci --password-stdin
  printf %s "$PAT" | upkg login --basic --registry https://pkgs.example.com/npm/registry --username me@example.com --password-stdin
  upkg login --registry https://npm.example.com --npmrc     # also write ~/.npmrc for npm`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 && opts.Basic && opts.Npmrc == "" {
				// --basic VALUE: the value is no flag's.
				return cmdutil.UsageErrorf("unexpected argument: --basic takes no value; the password (or token) comes from --password-stdin or the prompt, never from an argument, which other processes can see and shell history keeps")
			}
			if len(args) > 0 {
				return cmdutil.UsageErrorf("unexpected argument %q (a file for --npmrc goes after '=': --npmrc=FILE)", args[0])
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error {
			opts.emailSet = c.Flags().Changed("email")
			opts.alwaysAuthSet = c.Flags().Changed("always-auth")
			opts.Create = c.CalledAs() == "adduser"
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return Run(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Registry, "registry", "", "registry URL, as the project's scopedRegistries writes it")
	fl.StringVar(&opts.Username, "username", "", "user name (or e-mail for --basic); asked for on a terminal")
	fl.StringVar(&opts.Email, "email", "", "e-mail address: sent when the registry needs one, and recorded with the entry")
	fl.BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password (or token for --basic) from stdin")
	fl.BoolVar(&opts.Basic, "basic", false, "store user:password as _auth (Basic auth) after checking it with /-/whoami")
	fl.BoolVar(&opts.AlwaysAuth, "always-auth", false, "also send the credential to tarballs on other servers")
	fl.StringVar(&opts.AuthType, "auth-type", "", "web or legacy (user name and password); default: web, falling back to legacy")
	fl.StringVar(&opts.OTP, "otp", "", "one-time password, when the account has two-factor authentication")
	fl.Var(npmrcFlag{&opts.Npmrc}, "npmrc", "also write the credential to this .npmrc (bare --npmrc: ~/.npmrc or $NPM_CONFIG_USERCONFIG); give a file as --npmrc=FILE")
	fl.Lookup("npmrc").NoOptDefVal = npmrcNoOpt
	fl.BoolVar(&opts.NoBrowser, "no-browser", false, "never open a browser for the web login")
	fl.DurationVar(&opts.Timeout, "timeout", 5*time.Minute, "how long to wait for the web login to complete")
	return cmd
}

// check validates the flags on their own.
func (o *Options) check() error {
	if o.Registry == "" {
		return cmdutil.UsageErrorf("pass --registry URL: the registry to log in to")
	}
	if err := cmdutil.CheckRegistryURL(o.Registry); err != nil {
		return err
	}
	switch o.AuthType {
	case "", "web", "legacy":
	default:
		return cmdutil.UsageErrorf("--auth-type %q: use web or legacy", o.AuthType)
	}
	if o.Basic && o.AuthType == "web" {
		return cmdutil.UsageErrorf("--basic stores a user name and password; it cannot be combined with --auth-type web")
	}
	if o.Timeout <= 0 {
		return cmdutil.UsageErrorf("--timeout must be positive")
	}
	if strings.ContainsAny(o.OTP, "\r\n ") {
		return cmdutil.UsageErrorf("--otp: one code without spaces")
	}
	return nil
}

// outcome is what a login obtained.
type outcome struct {
	Registry string `json:"registry"`
	Username string `json:"username,omitempty"`
	// Method is web, couch or basic.
	Method string `json:"method"`
	// Account is "new" or "existing" for couch login.
	Account string `json:"account,omitempty"`
	Stored  string `json:"stored"`
	File    string `json:"file"`
	Npmrc   string `json:"npmrc,omitempty"`

	secret string
}

// Run logs in and stores the credential.
func Run(ctx context.Context, opts *Options) error {
	if opts.Globals.Offline {
		return cmdutil.UsageErrorf("login asks the registry and cannot run with --offline")
	}
	// Check the config files before asking anything: a malformed file is
	// reported now, not after the person typed a password.
	if _, err := opts.Config(); err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	var out *outcome
	switch {
	case opts.Basic:
		out, err = basicLogin(ctx, opts, client)
	case opts.AuthType == "legacy" || (opts.AuthType == "" && (opts.Username != "" || opts.PasswordStdin)):
		out, err = couchLogin(ctx, opts, client)
	default:
		out, err = webLogin(ctx, opts, client)
		var ue *registry.WebLoginUnsupportedError
		if errors.As(err, &ue) && opts.AuthType == "" {
			opts.Infof("%s has no web login (%s); logging in with a user name and password.", opts.Registry, shortReason(ue))
			out, err = couchLogin(ctx, opts, client)
		} else if errors.As(err, &ue) {
			return cmdutil.WithCode(cmdutil.ExitFailure, err, fmt.Sprintf("log in with a user name and password: upkg login --registry %s --auth-type legacy", opts.Registry))
		}
	}
	if err != nil {
		return err
	}
	return store(opts, out)
}

func shortReason(e *registry.WebLoginUnsupportedError) string {
	if e.Reason != "" {
		return e.Reason
	}
	return fmt.Sprintf("POST /-/v1/login answered %d", e.Status)
}

// webLogin runs the web login, showing the URL and opening a browser.
func webLogin(ctx context.Context, opts *Options, client *registry.Client) (*outcome, error) {
	tok, err := client.WebLogin(ctx, opts.Registry, registry.WebLoginOptions{
		Create:  opts.Create,
		Timeout: opts.Timeout,
		OnURL: func(u string) {
			// Shown even with --quiet: without it the login cannot happen.
			fmt.Fprintf(opts.IO.ErrOut, "Open this URL in a browser to log in to %s:\n  %s\n", opts.Registry, u)
			if opened := openBrowser(opts, u); opened {
				fmt.Fprintln(opts.IO.ErrOut, "(opened in your browser)")
			}
			fmt.Fprintf(opts.IO.ErrOut, "Waiting for the login to complete (up to %s; Ctrl-C to stop)...\n", opts.Timeout)
		},
	})
	var te *registry.WebLoginTimeoutError
	if errors.As(err, &te) {
		return nil, cmdutil.WithCode(cmdutil.ExitAuth, err, fmt.Sprintf("run it again (raise --timeout), or log in with a user name and password: upkg login --registry %s --auth-type legacy", opts.Registry))
	}
	if err != nil {
		return nil, err
	}
	return &outcome{Registry: opts.Registry, Method: "web", Stored: "token", secret: tok}, nil
}

// couchLogin asks for what is missing and runs the couch login, answering a
// one-time password or e-mail request once.
func couchLogin(ctx context.Context, opts *Options, client *registry.Client) (*outcome, error) {
	user, pw, err := userAndPassword(ctx, opts, "Username: ", "Password: ")
	if err != nil {
		return nil, err
	}
	cmd := "login"
	if opts.Create {
		cmd = "adduser"
	}
	cr := registry.Credentials{Username: user, Password: pw, Email: opts.Email, OTP: opts.OTP, Command: cmd}
	for {
		res, err := client.CouchLogin(ctx, opts.Registry, cr)
		var (
			otpErr   *registry.OTPRequiredError
			emailErr *registry.EmailRequiredError
		)
		switch {
		case errors.As(err, &otpErr) && !otpErr.Sent:
			code, perr := opts.IO.Prompt(ctx, "This registry asks for a one-time password.\nOne-time password: ")
			if errors.Is(perr, iostreams.ErrNoTTY) {
				return nil, cmdutil.UsageErrorf("%s asks for a one-time password and there is no terminal to ask on: pass --otp CODE", opts.Registry)
			}
			if perr != nil {
				return nil, perr
			}
			if cr.OTP = strings.TrimSpace(code); cr.OTP == "" {
				return nil, cmdutil.UsageErrorf("no one-time password given")
			}
			continue
		case errors.As(err, &otpErr):
			return nil, cmdutil.WithCode(cmdutil.ExitAuth, err, "check the code of your authenticator app (it changes every 30 seconds) and run the command again")
		case errors.As(err, &emailErr) && cr.Email == "":
			email, perr := opts.IO.Prompt(ctx, "E-mail (this registry needs one; it may be public): ")
			if errors.Is(perr, iostreams.ErrNoTTY) {
				return nil, cmdutil.UsageErrorf("%v; there is no terminal to ask on: pass --email", emailErr)
			}
			if perr != nil {
				return nil, perr
			}
			if cr.Email = strings.TrimSpace(email); cr.Email == "" {
				return nil, cmdutil.UsageErrorf("no e-mail address given")
			}
			opts.Email, opts.emailSet = cr.Email, true
			continue
		case err != nil:
			return nil, err
		}
		account := "new"
		if res.Existing {
			account = "existing"
		}
		return &outcome{Registry: opts.Registry, Username: user, Method: "couch", Account: account, Stored: "token", secret: res.Token}, nil
	}
}

// basicLogin checks user:password with /-/whoami and keeps its base64.
func basicLogin(ctx context.Context, opts *Options, client *registry.Client) (*outcome, error) {
	user, pw, err := userAndPassword(ctx, opts, "Username (or e-mail): ", "Password (or token): ")
	if err != nil {
		return nil, err
	}
	enc, err := auth.EncodeBasic(user + ":" + pw)
	if err != nil {
		return nil, err
	}
	seen, err := client.CheckBasic(ctx, opts.Registry, enc)
	var nf *registry.NotFoundError
	switch {
	case errors.As(err, &nf):
		// Some Basic-only registries have no /-/whoami; the credential
		// cannot be checked, which is no reason to refuse it.
		opts.Warnf("%s has no /-/whoami, so the credential could not be checked before storing it", opts.Registry)
		seen = user
	case err != nil:
		return nil, err
	}
	return &outcome{Registry: opts.Registry, Username: seen, Method: "basic", Stored: "_auth", secret: enc}, nil
}

// userAndPassword takes the user name and password from the flags, stdin
// or the terminal, failing at once, naming the flag, when there is none.
func userAndPassword(ctx context.Context, opts *Options, userLabel, pwLabel string) (string, string, error) {
	user := opts.Username
	if user == "" {
		var err error
		user, err = opts.IO.Prompt(ctx, userLabel)
		if errors.Is(err, iostreams.ErrNoTTY) {
			return "", "", cmdutil.UsageErrorf("no terminal to ask for the user name: pass --username")
		}
		if err != nil {
			return "", "", err
		}
		user = strings.TrimSpace(user)
	}
	if user == "" || strings.ContainsAny(user, "\r\n:") {
		return "", "", cmdutil.UsageErrorf("the user name must be one line without ':'")
	}
	var (
		pw  string
		err error
	)
	if opts.PasswordStdin {
		pw, err = opts.IO.ReadSecret(ctx, pwLabel)
	} else {
		pw, err = opts.IO.PromptSecret(ctx, pwLabel)
		if errors.Is(err, iostreams.ErrNoTTY) {
			return "", "", cmdutil.UsageErrorf("no terminal to ask for the password: pass it on stdin with --password-stdin")
		}
	}
	if err != nil {
		return "", "", err
	}
	if strings.TrimSpace(pw) == "" {
		return "", "", cmdutil.UsageErrorf("the password is empty")
	}
	if strings.ContainsAny(pw, "\r\n") {
		return "", "", cmdutil.UsageErrorf("the password spans several lines; give exactly one line")
	}
	return user, pw, nil
}

// store writes the credential into .upmconfig.toml (and a .npmrc on request)
// and reports where.
func store(opts *Options, out *outcome) error {
	u := upmconfig.AuthUpdate{}
	if out.Stored == "token" {
		u.Token = &out.secret
	} else {
		u.Basic = &out.secret
	}
	if opts.emailSet && opts.Email != "" {
		u.Email = &opts.Email
	}
	if opts.alwaysAuthSet {
		u.AlwaysAuth = &opts.AlwaysAuth
	}
	path, err := opts.EditConfig(false, func(file *upmconfig.File) ([]byte, error) {
		return upmconfig.SetAuth(file.Data, opts.Registry, u)
	})
	if err != nil {
		return fmt.Errorf("logged in, but could not store the credential: %w", err)
	}
	out.File = path
	if opts.Npmrc != "" {
		rc, err := npmrcPath(opts)
		if err != nil {
			return err
		}
		field := "_authToken"
		if out.Stored == "_auth" {
			field = "_auth"
		}
		key, err := npmrc.CredKey(opts.Registry, field)
		if err != nil {
			return cmdutil.UsageErrorf("--registry %q: %v", opts.Registry, err)
		}
		if err := npmrc.WriteKey(rc, key, out.secret); err != nil {
			return fmt.Errorf("stored the credential in %s, but could not write %s: %w", path, rc, err)
		}
		out.Npmrc = rc
	}
	auth.WarnPlainHTTP(opts.Printer, opts.Registry)
	if opts.JSON() {
		return opts.PrintJSON(out)
	}
	who := ""
	if out.Username != "" {
		who = " as " + out.Username
	}
	how := map[string]string{"web": "web login", "couch": out.Account + " account", "basic": "checked with /-/whoami"}[out.Method]
	opts.Infof("Logged in%s on %s (%s).", who, opts.Registry, how)
	opts.Infof("Stored %s for %s in %s", out.Stored, opts.Registry, path)
	if out.Npmrc != "" {
		opts.Infof("Also wrote it to %s for npm", out.Npmrc)
	}
	return nil
}

// npmrcPath resolves --npmrc: the user's .npmrc for a bare flag.
func npmrcPath(opts *Options) (string, error) {
	v := opts.Npmrc
	if v != defaultNpmrc {
		return v, nil
	}
	if p := opts.Getenv("NPM_CONFIG_USERCONFIG"); p != "" {
		return p, nil
	}
	if p := opts.Getenv("npm_config_userconfig"); p != "" {
		return p, nil
	}
	home, err := opts.Home()
	if err != nil {
		return "", fmt.Errorf("find home folder for ~/.npmrc: %w", err)
	}
	return filepath.Join(home, ".npmrc"), nil
}
