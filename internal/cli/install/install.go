// Package install implements `upkg install` (and `upkg ci`): resolve the
// manifest like the Unity Package Manager, write the lock, fetch, verify, cache
// and extract.
package install

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/gitdep"
	"github.com/upkg/upkg/internal/humanize"
	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// Options are the inputs of install.
type Options struct {
	cmdutil.Printer
	Getenv func(string) string
	// Project, Config, DefaultRegistry, BuiltinsKey, Builtins, Store and
	// Registry are the Factory's methods of those names.
	Project         func() (*project.Project, error)
	Config          func() (*upmconfig.Config, error)
	DefaultRegistry func(editor string) string
	BuiltinsKey     func(editorPath, editor string) string
	Builtins        func(editorPath, editor string) (*builtin.Set, error)
	Store           func() (*cache.Store, error)
	Registry        func() (*registry.Client, error)

	Frozen        bool
	NoMaterialize bool
	// Link is --link: hard-link files out of the cache (also linkMode =
	// "hardlink" in the user config).
	Link bool
	// Refresh is --refresh: ask the registries for every packument, fresh
	// or not.
	Refresh    bool
	Jobs       int
	EditorPath string
}

// NewCmd builds `install` [`i`]; runF replaces the behaviour in flag tests.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "install [--frozen] [--no-materialize] [--link] [--jobs N]",
		Aliases: []string{"i"},
		Short:   "Resolve Packages/manifest.json like Unity, write the lock, download and install",
		Long: `Resolve Packages/manifest.json the way the Unity Package Manager does, write
Packages/packages-lock.json, download and verify every registry package into the
shared cache, and extract each into Library/PackageCache/<name>@<version>.
A second run with nothing changed does no network I/O.

--link (or linkMode = "hardlink" in the user config) hard-links read-only files
out of the cache instead of copying them: much faster, but Library/PackageCache
then shares its files with the cache and every other project. An edited linked
file is detected (upkg cache verify; install fetches such a package again).`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return run(c.Context(), opts, runF) },
	}
	addFlags(cmd, opts)
	return cmd
}

// NewCmdCI builds `ci`: install --frozen; runF as for NewCmd.
func NewCmdCI(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := NewOptions(f)
	opts.Frozen = true
	cmd := &cobra.Command{
		Use:   "ci",
		Short: "install --frozen: fail (exit 6) if the lock file would change",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return run(c.Context(), opts, runF) },
	}
	addFlags(cmd, opts)
	return cmd
}

// DefaultJobs is the default of --jobs.
//
// 32: against a registry 50 ms away (make bench -latency 50ms), a
// 100-package cold install took 0.97–0.99 s with 16 connections and
// 0.68–0.77 s with 32, 48 or 64; npm opens 15, bun 48.
const DefaultJobs = 32

// NewOptions copies what install uses from the Factory, with the flags'
// defaults: what another command (add, remove, upgrade) runs install with.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{
		Jobs:            DefaultJobs,
		Printer:         f.Printer(),
		Getenv:          f.Getenv,
		Project:         f.Project,
		Config:          f.Config,
		DefaultRegistry: f.DefaultRegistry,
		BuiltinsKey:     f.BuiltinsKey,
		Builtins:        f.Builtins,
		Store:           f.Store,
		Registry:        f.Registry,
	}
}

// run checks the flags, then runs runF (a test's) or Run.
func run(ctx context.Context, opts *Options, runF func(context.Context, *Options) error) error {
	if opts.Jobs < 1 {
		return cmdutil.UsageErrorf("--jobs must be at least 1")
	}
	if runF != nil {
		return runF(ctx, opts)
	}
	return Run(ctx, opts)
}

func addFlags(cmd *cobra.Command, opts *Options) {
	fl := cmd.Flags()
	if cmd.Name() == "install" {
		fl.BoolVar(&opts.Frozen, "frozen", false, "fail with exit 6, writing nothing, if the lock file would change")
	}
	fl.BoolVar(&opts.NoMaterialize, "no-materialize", false, "fill the cache and write the lock, but do not touch Library/PackageCache")
	fl.BoolVar(&opts.Link, "link", false, "hard-link read-only files out of the cache instead of copying (see linkMode in upkg config)")
	fl.BoolVar(&opts.Refresh, "refresh", false, "ask the registries for every package's metadata, even what was fetched in the last 5 minutes")
	fl.IntVar(&opts.Jobs, "jobs", DefaultJobs, "parallel downloads (connections per registry)")
	fl.StringVar(&opts.EditorPath, "editor-path", "", "an installed Unity Editor to read the built-in packages from")
}

// Run installs the project.
func Run(ctx context.Context, opts *Options) error {
	start := time.Now()
	p, err := opts.Project()
	if err != nil {
		return err
	}
	if p.EditorMissing {
		opts.Warnf("no %s: editor compatibility is not checked (pass --editor-version)", p.ProjectVersion())
	}
	// A malformed config file fails every install, no-op or not.
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	root, editor := p.Root, p.Editor
	iopts := install.Options{
		ProjectRoot:     root,
		Manifest:        p.Manifest,
		ManifestBytes:   p.ManifestBytes,
		OldLockBytes:    p.LockBytes,
		EditorVersion:   editor,
		DefaultRegistry: opts.DefaultRegistry(editor),
		Git:             gitdep.Git{Env: os.Environ()}, // credential helpers, SSH agent, HOME
		BuiltinsKey:     opts.BuiltinsKey(opts.EditorPath, editor),
		Jobs:            opts.Jobs,
		Frozen:          opts.Frozen,
		NoMaterialize:   opts.NoMaterialize,
		Link:            opts.Link || cfg.LinkMode() == upmconfig.LinkModeHardlink,
		Refresh:         opts.Refresh,
	}
	// One install of a project at a time; a second waits (and says so).
	unlock, err := install.LockProject(ctx, root, func() {
		opts.Infof("waiting for another upkg in this project (%s) to finish…", root)
	})
	if err != nil {
		return err
	}
	defer unlock()
	// A no-op needs neither the cache nor the network: check before setting
	// them up (the system's CA store alone takes milliseconds to load).
	sum, upToDate := install.UpToDate(iopts)
	if upToDate {
		sum.Elapsed = time.Since(start)
	} else {
		if iopts.Builtins, err = opts.Builtins(opts.EditorPath, editor); err != nil {
			return err
		}
		if iopts.Store, err = opts.Store(); err != nil {
			return err
		}
		client, err := opts.Registry()
		if err != nil {
			return err
		}
		client.MaxConns = opts.Jobs
		iopts.Client, iopts.Offline = client, client.Offline
		rep := newReporter(opts.Printer, opts.Getenv)
		iopts.Reporter = rep
		sum, err = install.Run(ctx, iopts)
		rep.finish()
		if err != nil {
			return explainFrozen(cmdutil.ExplainAuth(err, cfg.Auths()))
		}
	}
	if opts.JSON() {
		pkgs := sum.Packages
		if pkgs == nil {
			pkgs = []install.PackageReport{}
		}
		return opts.PrintJSON(map[string]any{
			"packages":        pkgs,
			"lockChanged":     sum.LockChanged,
			"downloadedBytes": sum.DownloadedBytes,
			"elapsedMs":       sum.Elapsed.Milliseconds(),
		})
	}
	if opts.Globals.Verbose && sum.BuiltinOrigin != "" {
		opts.Infof("built-in packages: %s", sum.BuiltinOrigin)
	}
	for _, c := range sum.BuiltinChanges {
		opts.Infof("  built-in %s", c)
	}
	if sum.NoOp {
		opts.Infof("Up to date: %s (%s)", humanize.Count(len(sum.Packages), "package", "packages"), humanDuration(sum.Elapsed))
		return nil
	}
	for _, a := range sum.Changed {
		opts.Infof("  ~ %s", a)
	}
	for _, r := range sum.Removed {
		opts.Infof("  - %s", r)
	}
	opts.Infof("Installed %s: %d added, %d changed, %d removed; %d from cache, %d downloaded (%s) in %s",
		humanize.Count(len(sum.Packages), "package", "packages"), len(sum.Added), len(sum.Changed), len(sum.Removed), sum.FromCache, sum.Downloaded,
		humanize.Bytes(sum.DownloadedBytes), humanDuration(sum.Elapsed))
	return nil
}

// explainFrozen adds to a FrozenError what would change in the lock, one
// package a line, as npm ci lists what is out of sync.
func explainFrozen(err error) error {
	var fe *install.FrozenError
	if !errors.As(err, &fe) || fe.Missing {
		return err
	}
	if len(fe.Changes) == 0 {
		return fmt.Errorf("%w: no package would change, only the file's layout", err)
	}
	var add, remove, change int
	var lines []string
	for _, c := range fe.Changes {
		switch {
		case c.From == "":
			add++
			lines = append(lines, fmt.Sprintf("  add     %s@%s", c.Name, c.To))
		case c.To == "":
			remove++
			lines = append(lines, fmt.Sprintf("  remove  %s@%s", c.Name, c.From))
		case c.From != c.To:
			change++
			lines = append(lines, fmt.Sprintf("  change  %s %s → %s", c.Name, c.From, c.To))
		default:
			change++
			lines = append(lines, fmt.Sprintf("  change  %s@%s: %s", c.Name, c.From, c.Detail))
		}
	}
	return fmt.Errorf("%w: %d to add, %d to remove, %d to change:\n%s", err, add, remove, change, strings.Join(lines, "\n"))
}

func humanDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return d.Round(10 * time.Millisecond).String()
}
