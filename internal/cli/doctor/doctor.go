// Package doctor implements `upkg doctor`: the config files and effective
// settings with their sources, then for each registry the proxy, DNS, TCP,
// TLS, the npmAuth entry that matches (or nearly does), whoami, packuments
// and search — each check ok, warn or fail with the fix (CLI.md).
package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// Statuses of a check.
const (
	StatusOK   = "ok"
	StatusWarn = "warn"
	StatusFail = "fail"
)

// Default bounds: one network check, and the whole run. A host that accepts
// connections and never answers must not hold doctor up.
const (
	DefaultCheckTimeout = 5 * time.Second
	DefaultTimeout      = 30 * time.Second
)

// Options are the inputs of doctor.
type Options struct {
	F *cmdutil.Factory
	// Registry, when set, is the only registry checked.
	Registry string
	// CheckTimeout bounds each network check, Timeout the whole run (zero:
	// the defaults).
	CheckTimeout, Timeout time.Duration
}

// Check is one line of the report; its JSON form is CLI.md's.
type Check struct {
	// Registry is the registry checked; nil for configuration checks.
	Registry *string `json:"registry"`
	Check    string  `json:"check"`
	Status   string  `json:"status"`
	Detail   string  `json:"detail"`
	Fix      string  `json:"fix"`
}

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
	opts := &Options{F: f}
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

// Run runs every check, prints the report (text, or JSON with --json) and
// returns an error when a check failed.
func Run(ctx context.Context, opts *Options) error {
	f := opts.F
	if f.Globals.Offline {
		return cmdutil.UsageErrorf("doctor checks the network and cannot run with --offline")
	}
	rep, err := Diagnose(ctx, opts)
	if err != nil {
		return err
	}
	if f.Globals.JSON {
		if err := f.PrintJSON(rep); err != nil {
			return err
		}
	} else {
		printText(f.IO.Out, rep)
	}
	fails, _ := rep.counts()
	if fails > 0 {
		return cmdutil.WithCode(cmdutil.ExitFailure, fmt.Errorf("doctor found %d problem(s)", fails), "apply the fixes above and run upkg doctor again")
	}
	return nil
}

// Diagnose runs the checks and returns the report. Only a failure to start
// (no home folder) is an error: everything else is a failed check.
// gitCheck says whether git, which Git dependencies are fetched with, is
// there — when the manifest has any.
func gitCheck(m *manifest.Manifest) []Check {
	var names []string
	for _, d := range m.Dependencies {
		if spec, err := manifest.ParseSpec(d.Version); err == nil && spec.Kind == manifest.SpecGit {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	path, err := exec.LookPath("git")
	if err != nil {
		return []Check{{Check: "git", Status: StatusFail,
			Detail: fmt.Sprintf("git is not on PATH, and %d Git packages need it: %s", len(names), strings.Join(names, ", ")),
			Fix:    "install git and put it on PATH (its credential helpers and SSH keys are used as they are)"}}
	}
	checks := []Check{{Check: "git", Status: StatusOK, Detail: fmt.Sprintf("%s, for %d Git packages", path, len(names))}}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCheckTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, path, "lfs", "version").Output(); err == nil {
		checks = append(checks, Check{Check: "git-lfs", Status: StatusOK, Detail: strings.TrimSpace(string(out)) + ": Git LFS files of Git packages arrive with their content"})
	} else {
		checks = append(checks, Check{Check: "git-lfs", Status: StatusWarn,
			Detail: "git-lfs is not installed: a Git package whose repository uses Git LFS installs pointer files instead of its files",
			Fix:    "install git-lfs (https://git-lfs.com) if any of these repositories use it: " + strings.Join(names, ", ")})
	}
	return checks
}

// builtinsCheck says where install takes the project's built-in packages
// from: an installed editor, the table of its release, the nearest table,
// the lock. An editor line without a table is a warning naming the three
// ways to be exact.
func builtinsCheck(f *cmdutil.Factory, root string) Check {
	c := Check{Check: "built-in packages", Status: StatusOK}
	editor, _, err := f.EditorVersion(root)
	if err != nil {
		c.Status, c.Detail = StatusFail, err.Error()
		return c
	}
	set, err := f.Builtins("", editor)
	if err != nil {
		c.Status, c.Detail = StatusFail, err.Error()
		return c
	}
	lockPath := project.Paths{Root: root}.Lock()
	var lock *lockfile.Lock
	if data, err := os.ReadFile(lockPath); err == nil {
		if lock, err = lockfile.Parse(lockPath, data); err != nil {
			c.Status, c.Detail, c.Fix = StatusFail, err.Error(), "fix or delete the lock file; install writes it again"
			return c
		}
	}
	set, changes := set.WithLock(lock)
	c.Detail = set.Origin()
	if len(changes) > 0 {
		c.Detail += fmt.Sprintf("; %d differ from the lock (the project moved to another editor; install rewrites them)", len(changes))
	}
	if set.Approximate() && lock == nil {
		c.Status = StatusWarn
		c.Fix = "install that editor (Unity Hub's locations are searched), pass --editor-path DIR or set UNITY_EDITOR_PATH, or keep the packages-lock.json Unity wrote"
	}
	return c
}

func Diagnose(ctx context.Context, opts *Options) (Report, error) {
	f := opts.F
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
	add := func(c Check) { rep.Checks = append(rep.Checks, c) }

	user, global, err := f.ConfigPaths()
	if err != nil {
		return rep, err
	}
	cfg, cfgErr := upmconfig.Load(user, global)
	if cfgErr != nil {
		add(Check{Check: "config", Status: StatusFail, Detail: cfgErr.Error(), Fix: "fix the file at that position; upkg reads nothing else from it"})
		cfg, _ = upmconfig.Load("", "")
		cfg.User.Path, cfg.Global.Path = user, global
	}
	for _, c := range configChecks(f, cfg, cfgErr == nil) {
		add(c)
	}
	netw, nerr := f.Network(cfg)
	if nerr != nil {
		add(Check{Check: "network", Status: StatusFail, Detail: nerr.Error()})
	}
	for _, c := range networkChecks(netw) {
		add(c)
	}

	targets, mchecks := registries(f, opts.Registry)
	for _, c := range mchecks {
		add(c)
	}
	usable := netw
	usable.CAFiles = nil
	for _, ca := range netw.CAFiles {
		if _, err := readCerts(ca.Path); err == nil {
			usable.CAFiles = append(usable.CAFiles, ca)
		}
	}
	client, err := f.RegistryWith(cfg.Auths(), usable)
	if err != nil {
		return rep, err
	}
	client.Retry = registry.RetryPolicy{MaxAttempts: 1, AttemptTimeout: checkTimeout, IdleTimeout: checkTimeout}

	results := make([][]Check, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &probe{
				target: t, client: client, auths: cfg.Auths(), netw: usable,
				timeout: checkTimeout, goos: f.GOOS,
			}
			results[i] = p.run(ctx)
		}()
	}
	wg.Wait()
	for _, r := range results {
		rep.Checks = append(rep.Checks, r...)
	}
	return rep, nil
}

// target is one registry to check and the names to fetch packuments of.
type target struct {
	URL    string
	Scopes []string
	// Names are package names to try when a scope has none of its own name
	// (for the default registry: dependencies routed to it).
	Names []string
}

// registries lists the registries to check: the one given, else those of
// the manifest plus the default registry.
func registries(f *cmdutil.Factory, only string) ([]target, []Check) {
	var m *manifest.Manifest
	var checks []Check
	root, found, err := f.ProjectRoot()
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
			checks = append(checks, gitCheck(m)...)
			checks = append(checks, builtinsCheck(f, root))
		}
	default:
		if only == "" {
			checks = append(checks, Check{Check: "manifest", Status: StatusOK, Detail: "no Unity project here (no Packages/manifest.json); checking the default registry only"})
		}
	}
	editor := ""
	if found {
		editor, _, _ = f.EditorVersion(root)
	}
	def := f.DefaultRegistry(editor)
	if m != nil && m.Registry != "" {
		def = strings.TrimRight(m.Registry, "/")
	}
	var out []target
	index := map[string]int{}
	addTarget := func(u string, scopes []string) {
		key, err := upmconfig.NormalizeURL(u)
		if err != nil {
			key = u
		}
		if i, ok := index[key]; ok {
			out[i].Scopes = append(out[i].Scopes, scopes...)
			return
		}
		index[key] = len(out)
		out = append(out, target{URL: u, Scopes: append([]string(nil), scopes...)})
	}
	if m != nil {
		for _, sr := range m.ScopedRegistries {
			addTarget(sr.URL, sr.Scopes)
		}
	}
	addTarget(def, nil)
	if m != nil {
		// Packages that route to the default registry (not built in).
		for _, d := range m.Dependencies {
			if strings.HasPrefix(d.Name, "com.unity.modules.") {
				continue
			}
			if spec, err := manifest.ParseSpec(d.Version); err != nil || spec.Kind != manifest.SpecVersion {
				continue
			}
			if u, scoped := m.RegistryFor(d.Name, def); scoped == nil {
				out[index[mustNorm(u)]].Names = append(out[index[mustNorm(u)]].Names, d.Name)
			}
		}
	}
	if only == "" {
		return out, checks
	}
	key := mustNorm(only)
	if i, ok := index[key]; ok {
		t := out[i]
		t.URL = only
		return []target{t}, checks
	}
	return []target{{URL: only}}, checks
}

func mustNorm(u string) string {
	if n, err := upmconfig.NormalizeURL(u); err == nil {
		return n
	}
	return u
}

// configChecks report the config files and the cache settings.
func configChecks(f *cmdutil.Factory, cfg *upmconfig.Config, parsed bool) []Check {
	var out []Check
	for _, file := range []*upmconfig.File{cfg.User, cfg.Global} {
		name := "user config"
		if file.Global {
			name = "global config"
		}
		c := Check{Check: "config", Status: StatusOK}
		switch {
		case !parsed:
			continue
		case file.Exists:
			c.Detail = fmt.Sprintf("%s %s: found, %d npmAuth entries", name, file.Path, len(file.NpmAuth))
			if s, ok := file.Settings[upmconfig.KeyCAFile]; ok {
				c.Detail += fmt.Sprintf(", caFile = %v", s.Value)
			}
		default:
			c.Detail = fmt.Sprintf("%s %s: not found (nothing set there)", name, file.Path)
		}
		out = append(out, c)
		for _, w := range file.Warnings {
			out = append(out, Check{Check: "config", Status: StatusWarn, Detail: w.String(), Fix: "edit that line of " + file.Path})
		}
	}

	loc, err := f.Locator()
	if err != nil {
		return append(out, Check{Check: "cache", Status: StatusFail, Detail: err.Error()})
	}
	for _, e := range cfg.Effective(loc) {
		if e.Key == upmconfig.KeyCAFile {
			continue // reported with the network settings
		}
		out = append(out, Check{Check: e.Key, Status: StatusOK, Detail: fmt.Sprintf("%v (%s)", e.Value, source(e.Source, e.Where))})
	}
	dir, maxSize, err := f.CacheDir(cfg)
	if err != nil {
		return append(out, Check{Check: "cache", Status: StatusFail, Detail: err.Error(), Fix: "set UPM_CACHE_ROOT or cacheRoot in " + cfg.User.Path})
	}
	size, n := dirSize(dir)
	c := Check{Check: "cache", Status: StatusOK, Detail: fmt.Sprintf("%s: %s in %d files (cap %s)", dir, human(size), n, human(maxSize))}
	if size > maxSize {
		c.Status, c.Fix = StatusWarn, "upkg cache prune"
	}
	if d := f.Getenv("UPKG_CACHE_DIR"); d != "" {
		c.Detail += " (env UPKG_CACHE_DIR)"
	}
	return append(out, c)
}

func source(src, where string) string {
	if where == "" {
		return src
	}
	return src + " " + where
}

// dirSize sums the sizes of the regular files under dir.
func dirSize(dir string) (size int64, files int) {
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable corner does not stop the count
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
				files++
			}
		}
		return nil
	})
	return size, files
}

func human(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
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
		fmt.Fprintf(w, "%d failed, %d warning(s).\n", fails, warns)
	}
}

// timeoutText turns a network failure into words, saying so plainly when it
// was a timeout.
func timeoutText(err error, d time.Duration) (string, bool) {
	var ne *registry.NetworkError
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && strings.Contains(err.Error(), "timed out")) {
		return fmt.Sprintf("timed out: no answer within %s", d), true
	}
	return err.Error(), false
}
