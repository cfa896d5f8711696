// Package doctor implements `upkg doctor`: the config files and effective
// settings with their sources, then for each registry the proxy, DNS, TCP,
// TLS, the npmAuth entry that matches (or nearly does), whoami, packuments
// and search — each check ok, warn or fail with the fix (CLI.md).
package doctor

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/diagnose"
	"github.com/upkg/upkg/internal/humanize"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// Statuses of a check.
const (
	StatusOK   = diagnose.StatusOK
	StatusWarn = diagnose.StatusWarn
	StatusFail = diagnose.StatusFail
)

// Default bounds: one network check, and the whole run. A host that accepts
// connections and never answers must not hold doctor up.
const (
	DefaultCheckTimeout = 5 * time.Second
	DefaultTimeout      = 30 * time.Second
)

// Options are the inputs of doctor: what it takes from the Factory (the
// functions are the Factory's methods of those names), and its flags.
type Options struct {
	cmdutil.Printer
	Getenv          func(string) string
	ConfigPaths     func() (user, global string, err error)
	Locator         func() (upmconfig.Locator, error)
	Network         func(*upmconfig.Config) (cmdutil.Network, error)
	RegistryWith    func([]upmconfig.Auth, cmdutil.Network) (*registry.Client, error)
	CacheDir        func(*upmconfig.Config) (dir string, maxSize int64, err error)
	ProjectRoot     func() (root string, found bool, err error)
	EditorVersion   func(root string) (version string, missing bool, err error)
	DefaultRegistry func(editor string) string
	Builtins        func(editorPath, editor string) (*builtin.Set, error)

	// Registry, when set, is the only registry checked.
	Registry string
	// CheckTimeout bounds each network check, Timeout the whole run (zero:
	// the defaults).
	CheckTimeout, Timeout time.Duration
}

// Check is one line of the report; its JSON form is CLI.md's.
type Check = diagnose.Check

// Report is the document of `doctor --json`.
type Report struct {
	Checks []Check `json:"checks"`
}

// counts counts the checks with status fail and warn.
func (r Report) counts() (fails, warns int) {
	for _, c := range r.Checks {
		switch c.Status {
		case StatusFail:
			fails++
		case StatusWarn:
			warns++
		}
	}
	return fails, warns
}

// NewCmd builds the command; runF replaces the behaviour in flag tests.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "doctor [--registry URL]",
		Short: "Diagnose configuration, network, TLS and credentials for each registry",
		Long: `Show every config file found and the effective settings with their sources,
then check each registry of the manifest (and the default registry), or only
--registry: the proxy that applies, DNS, TCP, TLS and the CA that verified it,
the npmAuth entry that matches and why (or the entries that nearly do), whoami,
a packument for each scope, and search support. Each line is ok, warn or fail
with the fix. The exit code is 0 only when nothing fails.`,
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
			return Run(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Registry, "registry", "", "check only this registry")
	return cmd
}

// newOptions copies what doctor uses from the Factory.
func newOptions(f *cmdutil.Factory) *Options {
	return &Options{
		Printer: f.Printer(), Getenv: f.Getenv, ConfigPaths: f.ConfigPaths, Locator: f.Locator,
		Network: f.Network, RegistryWith: f.RegistryWith, CacheDir: f.CacheDir, ProjectRoot: f.ProjectRoot,
		EditorVersion: f.EditorVersion, DefaultRegistry: f.DefaultRegistry, Builtins: f.Builtins,
	}
}

// Run runs every check, prints the report (text, or JSON with --json) and
// returns an error when a check failed.
func Run(ctx context.Context, opts *Options) error {
	if opts.Globals.Offline {
		return cmdutil.UsageErrorf("doctor checks the network and cannot run with --offline")
	}
	rep, err := Diagnose(ctx, opts)
	if err != nil {
		return err
	}
	if opts.JSON() {
		if err := opts.PrintJSON(rep); err != nil {
			return err
		}
	} else {
		printText(opts.IO.Out, rep)
	}
	fails, _ := rep.counts()
	if fails > 0 {
		return cmdutil.WithCode(cmdutil.ExitFailure, fmt.Errorf("doctor found %s", humanize.Count(fails, "problem", "problems")), "apply the fixes above and run upkg doctor again")
	}
	return nil
}

// Diagnose runs the checks and returns the report. Only a failure to start
// (no home folder) is an error: everything else is a failed check.
func Diagnose(ctx context.Context, opts *Options) (Report, error) {
	checkTimeout := opts.CheckTimeout
	if checkTimeout <= 0 {
		checkTimeout = DefaultCheckTimeout
	}
	total := opts.Timeout
	if total <= 0 {
		total = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, total)
	defer cancel()

	var rep Report
	add := func(cs ...Check) { rep.Checks = append(rep.Checks, cs...) }

	user, global, err := opts.ConfigPaths()
	if err != nil {
		return rep, err
	}
	cfg, cfgErr := upmconfig.Load(user, global)
	if cfgErr != nil {
		add(Check{Check: "config", Status: StatusFail, Detail: cfgErr.Error(), Fix: "fix the file at that position; upkg reads nothing else from it"})
		cfg, _ = upmconfig.Load("", "")
		cfg.User.Path, cfg.Global.Path = user, global
	}
	add(configChecks(opts, cfg, cfgErr == nil)...)
	netw, nerr := opts.Network(cfg)
	if nerr != nil {
		add(Check{Check: "network", Status: StatusFail, Detail: nerr.Error()})
	}
	add(diagnose.NetworkChecks(network(netw))...)

	targets, mchecks := registries(ctx, opts)
	add(mchecks...)
	// The client trusts the CA files it can read, so that one broken file
	// (a failed caFile check) does not hide every other finding.
	usable := netw
	usable.CAFiles = slices.DeleteFunc(slices.Clone(netw.CAFiles), func(ca cmdutil.CAFile) bool {
		_, err := registry.ReadCAFile(ca.Path)
		return err != nil
	})
	client, err := opts.RegistryWith(cfg.Auths(), usable)
	if err != nil {
		return rep, err
	}
	client.Retry = registry.RetryPolicy{MaxAttempts: 1, AttemptTimeout: checkTimeout, IdleTimeout: checkTimeout}

	prober := &diagnose.Prober{
		Client: client, Auths: cfg.Auths(), Network: network(usable),
		Dialer: &net.Dialer{}, Resolver: net.DefaultResolver, Timeout: checkTimeout, Fixes: cmdutil.Fixes{},
	}
	results := make([][]Check, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { results[i] = prober.Probe(ctx, t) })
	}
	wg.Wait()
	for _, r := range results {
		add(r...)
	}
	return rep, nil
}

// network is the network configuration in diagnose's terms.
func network(n cmdutil.Network) diagnose.Network {
	out := diagnose.Network{Proxy: n.Proxy}
	for _, ca := range n.CAFiles {
		out.CAFiles = append(out.CAFiles, diagnose.CAFile{Path: ca.Path, From: diagnose.Source(ca.Source, ca.Where)})
	}
	return out
}

// registries reads the manifest, if there is a project, and lists the
// registries to check: the one given, else those of the manifest plus the
// default registry.
func registries(ctx context.Context, opts *Options) ([]diagnose.Target, []Check) {
	only := opts.Registry
	var m *manifest.Manifest
	var checks []Check
	root, found, err := opts.ProjectRoot()
	switch {
	case err != nil:
		checks = append(checks, Check{Check: "manifest", Status: StatusWarn, Detail: err.Error()})
	case found:
		path := project.Paths{Root: root}.Manifest()
		data, err := os.ReadFile(path)
		if err == nil {
			m, err = manifest.Parse(path, data)
		}
		if err != nil {
			checks = append(checks, Check{Check: "manifest", Status: StatusFail, Detail: err.Error(), Fix: "fix Packages/manifest.json at that position"})
			m = nil
		} else {
			checks = append(checks, Check{Check: "manifest", Status: StatusOK, Detail: fmt.Sprintf("%s: %d scoped registries", path, len(m.ScopedRegistries))})
			checks = append(checks, diagnose.GitChecks(ctx, m, DefaultCheckTimeout)...)
			checks = append(checks, builtinsCheck(opts, root))
		}
	default:
		if only == "" {
			checks = append(checks, Check{Check: "manifest", Status: StatusOK, Detail: "no Unity project here (no Packages/manifest.json); checking the default registry only"})
		}
	}
	editor := ""
	if found {
		editor, _, _ = opts.EditorVersion(root)
	}
	return diagnose.Targets(m, opts.DefaultRegistry(editor), only), checks
}

// builtinsCheck says where install takes the project's built-in packages
// from.
func builtinsCheck(opts *Options, root string) Check {
	c := Check{Check: "built-in packages", Status: StatusFail}
	editor, _, err := opts.EditorVersion(root)
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	set, err := opts.Builtins("", editor)
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	return diagnose.BuiltinsCheck(set, project.Paths{Root: root}.Lock())
}

// configChecks report the config files, the settings and the cache.
func configChecks(opts *Options, cfg *upmconfig.Config, parsed bool) []Check {
	loc, err := opts.Locator()
	if err != nil {
		return append(diagnose.ConfigChecks(cfg, parsed, nil), Check{Check: "cache", Status: StatusFail, Detail: err.Error()})
	}
	out := diagnose.ConfigChecks(cfg, parsed, cfg.Effective(loc))
	dir, maxSize, err := opts.CacheDir(cfg)
	if err != nil {
		return append(out, Check{Check: "cache", Status: StatusFail, Detail: err.Error(), Fix: "set UPM_CACHE_ROOT or cacheRoot in " + cfg.User.Path})
	}
	envVar := ""
	if opts.Getenv("UPKG_CACHE_DIR") != "" {
		envVar = "UPKG_CACHE_DIR"
	}
	return append(out, diagnose.CacheCheck(dir, maxSize, envVar))
}

// printText writes the report for people: configuration first, then one
// block per registry.
func printText(w io.Writer, rep Report) {
	last := "\x00"
	for _, c := range rep.Checks {
		reg := ""
		if c.Registry != nil {
			reg = *c.Registry
		}
		if reg != last {
			if last != "\x00" {
				fmt.Fprintln(w)
			}
			if reg == "" {
				fmt.Fprintln(w, "Configuration")
			} else {
				fmt.Fprintf(w, "Registry %s\n", reg)
			}
			last = reg
		}
		fmt.Fprintf(w, "  %-4s  %-12s %s\n", c.Status, c.Check, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(w, "  %-4s  %-12s fix: %s\n", "", "", c.Fix)
		}
	}
	fails, warns := rep.counts()
	fmt.Fprintln(w)
	switch {
	case fails == 0 && warns == 0:
		fmt.Fprintln(w, "No problems found.")
	default:
		fmt.Fprintf(w, "%d failed, %s.\n", fails, humanize.Count(warns, "warning", "warnings"))
	}
}
