package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/humanize"
	"github.com/upkg/upkg/internal/npmrc"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/upmconfig"
)

// ImportOptions are the inputs of `auth import-npmrc`.
type ImportOptions struct {
	cmdutil.Printer
	Getenv      func(string) string
	Home        func() (string, error)
	ProjectRoot func() (root string, found bool, err error)
	EditConfig  editConfigFunc

	Npmrc    string
	Registry string
}

// imported is one credential taken from a .npmrc.
type imported struct {
	Registry string `json:"registry"`
	Kind     string `json:"kind"`
	From     string `json:"from"`
	// SchemeFrom says how the URL's scheme was chosen (a .npmrc key has none).
	SchemeFrom string `json:"schemeFrom"`

	cred npmrc.Cred
}

// NewCmdImport builds `auth import-npmrc`; runF replaces the behaviour in flag tests.
func NewCmdImport(f *cmdutil.Factory, runF func(context.Context, *ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{Printer: f.Printer(), Getenv: f.Getenv, Home: f.Home, ProjectRoot: f.ProjectRoot, EditConfig: f.EditConfig}
	cmd := &cobra.Command{
		Use:   "import-npmrc [--npmrc FILE] [--registry URL]",
		Short: "Turn the credentials of a .npmrc into npmAuth entries",
		Long: `Read a .npmrc (the project's and the user's, or --npmrc FILE) and store its
registry credentials as npmAuth entries in the user .upmconfig.toml:
//host/path/:_authToken becomes token, :_auth or :username + :_password become
_auth, and email and always-auth are carried over. ${VAR} is expanded.

With --registry, only the credential of that registry is imported, under that
URL. A top-level _auth or _authToken belongs to the file's registry= line, or to
--registry; with neither, upkg asks for --registry rather than guess.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Registry != "" {
				if err := checkRegistry(opts.Registry); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return importRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Npmrc, "npmrc", "", "the .npmrc to read (default: the project's .npmrc and ~/.npmrc)")
	cmd.Flags().StringVar(&opts.Registry, "registry", "", "import only this registry's credential (and give top-level credentials this registry)")
	return cmd
}

// npmrcFiles lists the files to read, project first (npm's precedence).
func npmrcFiles(opts *ImportOptions) ([]string, error) {
	if opts.Npmrc != "" {
		return []string{opts.Npmrc}, nil
	}
	var candidates []string
	if root, found, err := opts.ProjectRoot(); err != nil {
		return nil, err
	} else if found {
		candidates = append(candidates, filepath.Join(root, ".npmrc"))
	}
	if p := opts.Getenv("NPM_CONFIG_USERCONFIG"); p != "" {
		candidates = append(candidates, p)
	} else if home, err := opts.Home(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".npmrc"))
	}
	var files []string
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		return nil, cmdutil.WithCode(cmdutil.ExitFailure,
			fmt.Errorf("no .npmrc found (looked at %s)", strings.Join(candidates, ", ")),
			"pass the file with --npmrc FILE")
	}
	return files, nil
}

func importRun(ctx context.Context, opts *ImportOptions) error {
	paths, err := npmrcFiles(opts)
	if err != nil {
		return err
	}
	var items []imported
	seen := map[string]bool{}
	wantNerf := ""
	if opts.Registry != "" {
		if wantNerf, err = npmrc.NerfDart(opts.Registry); err != nil {
			return cmdutil.UsageErrorf("--registry %q: %v", opts.Registry, err)
		}
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return cmdutil.WithCode(cmdutil.ExitFailure, fmt.Errorf("read %s: %w", path, err), "")
			}
			return fmt.Errorf("read %s: %w", path, err)
		}
		rc, err := npmrc.Parse(path, data, opts.Getenv)
		if err != nil {
			return err
		}
		fileItems, err := credsOf(rc, opts, wantNerf)
		if err != nil {
			return err
		}
		for _, w := range rc.Warnings {
			opts.Warnf("%s", w)
		}
		for _, it := range fileItems {
			key, _ := regurl.NormalizeURL(it.Registry)
			if seen[key] {
				continue // a project .npmrc beats the user's, as in npm
			}
			seen[key] = true
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		what := "no registry credentials"
		if opts.Registry != "" {
			what = "no credential for " + opts.Registry
		}
		return cmdutil.WithCode(cmdutil.ExitFailure, fmt.Errorf("%s in %s", what, strings.Join(paths, ", ")),
			"log in with npm first (npm login --registry URL), or store a token: upkg auth set --registry URL --token-stdin")
	}
	path, err := opts.EditConfig(false, func(file *upmconfig.File) ([]byte, error) {
		data := file.Data
		for _, it := range items {
			u := upmconfig.AuthUpdate{}
			c := it.cred
			if c.Token != "" {
				u.Token = &c.Token
			} else {
				u.Basic = &c.Auth
			}
			if c.Email != "" {
				u.Email = &c.Email
			}
			if c.AlwaysAuth {
				u.AlwaysAuth = &c.AlwaysAuth
			}
			var err error
			if data, err = upmconfig.SetAuth(data, it.Registry, u); err != nil {
				return nil, err
			}
		}
		return data, nil
	})
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"imported": items, "file": path})
	}
	for _, it := range items {
		opts.Infof("Imported %s for %s (from %s; %s)", it.Kind, it.Registry, it.From, it.SchemeFrom)
		WarnPlainHTTP(opts.Printer, it.Registry)
	}
	opts.Infof("Stored %s in %s", humanize.Count(len(items), "entry", "entries"), path)
	return nil
}

// credsOf picks the credentials of one parsed file.
func credsOf(rc *npmrc.File, opts *ImportOptions, wantNerf string) ([]imported, error) {
	var out []imported
	for _, c := range rc.Creds {
		if wantNerf != "" && c.NerfDart != wantNerf {
			continue
		}
		if err := checkUnset(rc.Path, c, c.NerfDart); err != nil {
			return nil, err
		}
		if c.Token == "" && c.Auth == "" {
			continue
		}
		if c.Email == "" {
			c.Email = rc.Top.Email
		}
		c.AlwaysAuth = c.AlwaysAuth || rc.Top.AlwaysAuth
		it := imported{Kind: kindOf(c), From: fmt.Sprintf("%s:%d", rc.Path, c.Line), cred: c}
		if wantNerf != "" {
			it.Registry, it.SchemeFrom = strings.TrimRight(opts.Registry, "/"), "URL from --registry"
		} else {
			it.Registry, it.SchemeFrom = rc.RegistryURL(c.NerfDart, opts.Registry)
		}
		out = append(out, it)
	}
	top := rc.Top
	if top.Token == "" && top.Auth == "" && len(top.Unset) == 0 {
		return out, nil
	}
	if err := checkUnset(rc.Path, top, "the top level"); err != nil {
		return nil, err
	}
	if top.Token == "" && top.Auth == "" {
		return out, nil
	}
	reg, how := opts.Registry, "URL from --registry"
	if reg == "" {
		reg, how = rc.Registry, "URL from registry= in the file"
	}
	if reg == "" {
		return nil, cmdutil.UsageErrorf("%s:%d: a top-level %s belongs to the file's registry= line, and there is none: pass --registry URL",
			rc.Path, top.Line, topKey(top))
	}
	if wantNerf != "" {
		if n, err := npmrc.NerfDart(reg); err != nil || n != wantNerf {
			return out, nil
		}
	}
	out = append(out, imported{Registry: strings.TrimRight(reg, "/"), Kind: kindOf(top), From: fmt.Sprintf("%s:%d", rc.Path, top.Line), SchemeFrom: how, cred: top})
	return out, nil
}

// checkUnset refuses a credential that names a variable that is not set:
// its value would be the literal text ${VAR}. Nothing is stored then.
func checkUnset(path string, c npmrc.Cred, what string) error {
	if len(c.Unset) == 0 {
		return nil
	}
	vars := make([]string, len(c.Unset))
	for i, v := range c.Unset {
		vars[i] = "${" + v + "}"
	}
	isNotSet := c.Unset[0] + " is not set"
	if len(vars) > 1 {
		isNotSet = "those variables are not set"
	}
	return cmdutil.WithCode(cmdutil.ExitUsage,
		fmt.Errorf("%s:%d: the credential for %s uses %s, and %s; nothing was stored",
			path, c.Line, what, strings.Join(vars, ", "), isNotSet),
		fmt.Sprintf("set %s in this shell and run upkg auth import-npmrc again (or import another registry only, with --registry URL)", strings.Join(c.Unset, ", ")))
}

func kindOf(c npmrc.Cred) string {
	if c.Token != "" {
		return "token"
	}
	return "basic"
}

func topKey(c npmrc.Cred) string {
	if c.Token != "" {
		return "_authToken"
	}
	return "_auth"
}
