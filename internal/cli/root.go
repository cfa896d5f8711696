// Package cli is upkg's command line: the root command, the global flags, and
// the one place where errors become messages, hints and exit codes (CLI.md).
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/cli/auth"
	"github.com/upkg/upkg/internal/cli/cachecmd"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/config"
	"github.com/upkg/upkg/internal/cli/deps"
	"github.com/upkg/upkg/internal/cli/doctor"
	installcmd "github.com/upkg/upkg/internal/cli/install"
	"github.com/upkg/upkg/internal/cli/list"
	"github.com/upkg/upkg/internal/cli/login"
	"github.com/upkg/upkg/internal/cli/registrycmds"
	versioncmd "github.com/upkg/upkg/internal/cli/version"
	"github.com/upkg/upkg/internal/cli/whoami"
	"github.com/upkg/upkg/internal/extract"
	"github.com/upkg/upkg/internal/fileerr"
	"github.com/upkg/upkg/internal/gitdep"
	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/iostreams"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
)

// Version, Commit and Date are set at link time (-ldflags "-X
// github.com/upkg/upkg/internal/cli.Version=v1.2.3 -X …cli.Commit=abc1234 -X
// …cli.Date=2026-01-02T03:04:05Z"); otherwise the module version and the
// VCS stamps of the build info are used.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// buildInfo describes this binary: the link-time variables, else the build
// info (module version, vcs.revision, vcs.time, vcs.modified).
func buildInfo() cmdutil.BuildInfo {
	b := cmdutil.BuildInfo{Version: Version, Commit: Commit, Date: Date, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return withDefaults(b)
	}
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	fromVCS := b.Commit == ""
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && fromVCS:
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "":
			b.Date = s.Value
		case s.Key == "vcs.modified" && fromVCS:
			b.Modified = s.Value == "true"
		}
	}
	return withDefaults(b)
}

func withDefaults(b cmdutil.BuildInfo) cmdutil.BuildInfo {
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

// Main runs upkg with the process's environment and returns the exit code.
func Main(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	return Run(ctx, SystemFactory(ios), args)
}

// SystemFactory is the Factory of the process: its environment, OS, home
// folder and build.
func SystemFactory(ios *iostreams.IOStreams) *cmdutil.Factory {
	f := &cmdutil.Factory{
		IO:      ios,
		Globals: &cmdutil.Globals{},
		Getenv:  os.Getenv,
		GOOS:    runtime.GOOS,
		Home:    cmdutil.SystemHome,
	}
	f.Build = buildInfo()
	f.Version = f.Build.Version
	return f
}

// NewRoot builds the command tree.
func NewRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "upkg",
		Short:         "A fast, Unity-compatible package manager",
		Long:          "upkg resolves and installs Unity projects the way the Unity Package Manager does,\nand manages the scoped-registry credentials of .upmconfig.toml.",
		Version:       f.BuildInfo().Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate(strings.ReplaceAll(f.BuildInfo().String(), "{{", "{{`{{`}}"))
	g := f.Globals
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Project, "project", "C", "", "Unity project root (default: the nearest folder holding Packages/manifest.json)")
	pf.BoolVar(&g.JSON, "json", false, "print one JSON document on stdout")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "trace HTTP requests on stderr (credentials redacted)")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "print errors only")
	pf.BoolVar(&g.NoProgress, "no-progress", false, "no progress bars")
	pf.BoolVar(&g.Offline, "offline", false, "never touch the network")
	pf.StringVar(&g.EditorVersion, "editor-version", "", "Unity editor version, instead of ProjectSettings/ProjectVersion.txt")
	pf.StringVar(&g.DefaultRegistry, "default-registry", "", "default registry instead of https://packages.unity.com (env UPKG_DEFAULT_REGISTRY)")
	pf.BoolVar(&g.SystemUser, "system-user", false, "use the service-account .upmconfig.toml location")

	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err, Hint: cmdutil.FlagErrorHint(c, err)}
	})
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out) // help and --version are data: stdout, like gh
	root.SetErr(f.IO.ErrOut)

	root.AddCommand(
		deps.NewCmdAdd(f, nil),
		deps.NewCmdRemove(f, nil),
		deps.NewCmdUpgrade(f, nil),
		auth.NewCmd(f),
		cachecmd.NewCmd(f),
		config.NewCmd(f),
		doctor.NewCmd(f, nil),
		installcmd.NewCmd(f, nil),
		installcmd.NewCmdCI(f, nil),
		list.NewCmdList(f, nil), list.NewCmdWhy(f, nil),
		login.NewCmd(f, nil),
		login.NewCmdLogout(f, nil),
		registrycmds.NewCmdOutdated(f, nil),
		registrycmds.NewCmdSearch(f, nil),
		registrycmds.NewCmdView(f, nil),
		whoami.NewCmd(f, nil),
		versioncmd.NewCmd(f, nil),
		newEnvironmentTopic(),
	)
	addExamples(root)
	addCompletions(f, root)
	return root
}

// Run executes args and turns the outcome into an exit code, printing errors
// and hints on stderr.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	root := NewRoot(f)
	root.SetArgs(args)
	started := false
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		started = true
		if r := f.Globals.DefaultRegistry; r != "" {
			return cmdutil.CheckURLFlag("--default-registry", r)
		}
		return nil
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Ctrl-C: the shell's convention, as npm and git do (128 + SIGINT).
		fmt.Fprintln(f.IO.ErrOut, "interrupted")
		printJSONError(f, args, cmdutil.ExitInterrupted, "interrupted", "")
		return cmdutil.ExitInterrupted
	}
	err = explainAuth(f, err)
	code, hint := classify(err)
	if !started && code == cmdutil.ExitFailure {
		// cobra rejected the command line (unknown command, wrong number of
		// arguments) before anything ran.
		code = cmdutil.ExitUsage
	}
	fmt.Fprintf(f.IO.ErrOut, "error: %v\n", err)
	if hint != "" {
		fmt.Fprintf(f.IO.ErrOut, "hint: %s\n", hint)
	}
	if code == cmdutil.ExitUsage && hint == "" {
		fmt.Fprintf(f.IO.ErrOut, "Run 'upkg --help' for usage.\n")
		hint = "run upkg --help for usage"
	}
	printJSONError(f, args, code, err.Error(), hint)
	return code
}

// printJSONError prints the error object on stdout under --json
// (docs/json/error.md), unless the command already printed its document:
// stdout holds one JSON document, whatever happens. The human message is on
// stderr too, as gh prints it.
func printJSONError(f *cmdutil.Factory, args []string, code int, msg, hint string) {
	if !wantsJSON(f.Globals, args) || f.Globals.WroteJSON() {
		return
	}
	doc := cmdutil.ErrorJSON{Error: cmdutil.ErrorBody{Code: code, Kind: cmdutil.ExitKind(code), Message: msg, Hint: hint}}
	_ = f.Printer().PrintJSON(doc) // stdout closed: nothing left to tell
}

// wantsJSON reports --json, also when cobra stopped before parsing the flags
// (an unknown command): then the arguments before "--" tell.
func wantsJSON(g *cmdutil.Globals, args []string) bool {
	if g.JSON {
		return true
	}
	for _, a := range args {
		if a == "--" {
			return false
		}
		if v, ok := strings.CutPrefix(a, "--json"); ok && (v == "" || v == "=true" || v == "=1") {
			return true
		}
	}
	return false
}

// classify maps an error to its exit code and a hint: the first rule of
// exitRules that matches decides; a hint the error carries (cmdutil.WithCode)
// wins over the rule's.
func classify(err error) (int, string) {
	hint := ""
	if e, ok := cmdutil.AsExitError(err); ok {
		if e.Code != 0 {
			return e.Code, e.Hint
		}
		hint = e.Hint
	}
	for _, r := range exitRules {
		if ok, h := r.match(err); ok {
			return r.code, firstNonEmpty(hint, h)
		}
	}
	return cmdutil.ExitFailure, hint
}

// exitRule is one row of the exit-code table: match reports whether err is
// of the rule's kind and the hint for it ("" for none).
type exitRule struct {
	code  int
	match func(err error) (bool, string)
}

// is matches errors of type T (errors.As), with a fixed hint.
func is[T error](hint string) func(error) (bool, string) {
	return func(err error) (bool, string) {
		var t T
		return errors.As(err, &t), hint
	}
}

// isWhere matches errors of type T for which cond holds, with a fixed hint.
func isWhere[T error](cond func(T) bool, hint string) func(error) (bool, string) {
	return func(err error) (bool, string) {
		var t T
		return errors.As(err, &t) && cond(t), hint
	}
}

const (
	hintPublisher   = "nothing was installed or cached; tell the package's publisher, or check what sits between you and the registry"
	hintInputFile   = "fix the file at that position and run the command again; upkg left it untouched"
	hintUnavailable = "the registry (or a proxy in front of it) is not answering; try again later, or use --offline with a filled cache"
)

// exitRules is CLI.md's exit-code table, in the order the kinds are tested
// (the first match wins: a frozen lock before anything it wraps).
var exitRules = []exitRule{
	{cmdutil.ExitFrozen, func(err error) (bool, string) {
		var e *install.FrozenError
		if !errors.As(err, &e) {
			return false, ""
		}
		if e.Missing {
			return true, "run upkg install without --frozen to create it, and commit it"
		}
		return true, "run upkg install and commit the lock"
	}},
	{cmdutil.ExitIntegrity, is[*cache.BrokenArchiveError]("nothing was cached or installed; tell the package's publisher")},
	{cmdutil.ExitIntegrity, is[*cache.DamagedError]("run upkg cache verify --fix, then install online to fetch the package again")},
	{cmdutil.ExitIntegrity, is[*cache.IntegrityError](hintPublisher)},
	{cmdutil.ExitIntegrity, is[*extract.UnsafeError](hintPublisher)},
	{cmdutil.ExitInput, is[*fileerr.PositionError](hintInputFile)}, // every file format's
	{cmdutil.ExitAuth, func(err error) (bool, string) {
		var e *registry.AuthError
		if !errors.As(err, &e) {
			return false, ""
		}
		return true, cmdutil.AuthHint(e)
	}},
	{cmdutil.ExitAuth, is[*registry.LoginRefusedError]("nothing was stored; check the user name and password and run the command again")},
	{cmdutil.ExitAuth, is[*registry.OTPRequiredError]("")},
	{cmdutil.ExitAuth, is[*registry.WebLoginTimeoutError]("")},
	{cmdutil.ExitNotFound, is[*registry.NotFoundError]("")},
	{cmdutil.ExitNotFound, is[*resolve.NotFoundError]("")},
	{cmdutil.ExitNotFound, is[*builtin.UnknownModuleError]("")},
	{cmdutil.ExitNotFound, is[*install.LocalMissingError]("file: paths are relative to the Packages folder; fix the path in Packages/manifest.json or put the package there")},
	{cmdutil.ExitNetwork, isWhere(func(e *gitdep.Error) bool { return e.Kind == gitdep.KindNetwork },
		"check that the repository's host can be reached (git's own proxy settings apply)")},
	{cmdutil.ExitNotFound, isWhere(func(e *gitdep.Error) bool { return e.Kind == gitdep.KindNotFound }, "")},
	{cmdutil.ExitAuth, isWhere(func(e *gitdep.Error) bool { return e.Kind == gitdep.KindAuth },
		"git found no credentials for that repository: set up a credential helper or an SSH key, or put a token in the URL")},
	{cmdutil.ExitNetwork, is[*registry.OfflineError]("run the install once online to fill the cache")},
	{cmdutil.ExitNetwork, func(err error) (bool, string) {
		var e *registry.TLSError
		if !errors.As(err, &e) {
			return false, ""
		}
		return true, cmdutil.TLSHint(e)
	}},
	{cmdutil.ExitNetwork, func(err error) (bool, string) {
		var e *registry.NetworkError
		if !errors.As(err, &e) {
			return false, ""
		}
		var u *install.UnscopedError
		if !errors.As(err, &u) {
			u = nil
		}
		return true, cmdutil.NetworkHint(e, u)
	}},
	// Still failing after the retries (5xx, or 429 past its Retry-After):
	// the registry, or a proxy in front of it, is unavailable; CLI.md's
	// class for that is the network's.
	{cmdutil.ExitNetwork, isWhere(func(e *registry.StatusError) bool { return e.Status >= 500 || e.Status == 429 }, hintUnavailable)},
	{cmdutil.ExitUsage, func(err error) (bool, string) { return errors.Is(err, iostreams.ErrNoTTY), "" }},
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// explainAuth adds the npmAuth entries that nearly match to an auth failure
// that carried no credential, for every command (whoami and install add
// them themselves, with the hint of their own).
func explainAuth(f *cmdutil.Factory, err error) error {
	var ae *registry.AuthError
	if !errors.As(err, &ae) {
		return err
	}
	if e, ok := cmdutil.AsExitError(err); ok && e.Hint != "" {
		return err
	}
	cfg, cerr := f.Config()
	if cerr != nil {
		return err
	}
	return cmdutil.ExplainAuth(err, cfg.Auths())
}
