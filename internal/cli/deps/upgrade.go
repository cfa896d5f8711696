package deps

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
)

// Windows of `upkg upgrade`.
const (
	WindowPatch  = "patch"
	WindowMinor  = "minor"
	WindowLatest = "latest"
)

// UpgradeOptions are the inputs of `upkg upgrade`.
type UpgradeOptions struct {
	EditOptions
	Names []string
	// Window is how far a version may move: WindowPatch (same major.minor),
	// WindowMinor (same major, the default) or WindowLatest.
	Window string
}

// NewCmdUpgrade builds `upkg upgrade`; runF replaces the behaviour in flag
// tests.
func NewCmdUpgrade(f *cmdutil.Factory, runF func(context.Context, *UpgradeOptions) error) *cobra.Command {
	opts := &UpgradeOptions{EditOptions: newEditOptions(f)}
	var patch, minor, latest bool
	cmd := &cobra.Command{
		Use:   "upgrade [NAME...] [--patch|--minor|--latest] [--dry-run]",
		Short: "Raise the versions of registry packages in Packages/manifest.json, then install",
		Long: `Raise the versions the manifest asks for — of the packages named, or of every
registry package — to the highest stable version within the window that the
project's editor accepts, then install. The window is --minor by default (the
same major version, as npm's ^), --patch (the same major.minor) or --latest.`,
		Example: `  upkg upgrade
  upkg upgrade com.example.tools --latest --dry-run`,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.Names = args
			}
			for _, n := range args {
				if err := manifest.ValidateName(n); err != nil {
					return cmdutil.UsageErrorf("%q: %v", n, err)
				}
			}
			opts.Window = WindowMinor
			switch {
			case patch && !minor && !latest:
				opts.Window = WindowPatch
			case latest && !patch && !minor:
				opts.Window = WindowLatest
			case patch || latest:
				return cmdutil.UsageErrorf("--patch, --minor and --latest exclude each other")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return upgradeRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&patch, "patch", false, "only patch releases (same major.minor)")
	fl.BoolVar(&minor, "minor", false, "minor and patch releases (same major; the default)")
	fl.BoolVar(&latest, "latest", false, "any newer version")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the change to manifest.json as a diff and write nothing")
	return cmd
}

func upgradeRun(ctx context.Context, opts *UpgradeOptions) error {
	p, err := opts.Project()
	if err != nil {
		return err
	}
	m := p.Manifest
	unscoped := m.UnscopedRegistry(opts.DefaultRegistry(p.Editor))
	targets := map[string]manifest.Dependency{}
	for _, d := range m.Dependencies {
		if d.SpecErr == nil && d.Spec.Kind == manifest.SpecVersion && (len(opts.Names) == 0 || slices.Contains(opts.Names, d.Name)) {
			targets[d.Name] = d
		}
	}
	for _, n := range opts.Names {
		if _, ok := targets[n]; !ok {
			return cmdutil.WithCode(cmdutil.ExitNotFound, fmt.Errorf("%s is not a registry dependency of %s", n, p.Paths.Manifest()), closest(n, directNames(m)))
		}
	}
	client, err := opts.Registry()
	if err != nil {
		return err
	}
	data := p.ManifestBytes
	changed := 0
	for _, d := range m.Dependencies {
		if _, ok := targets[d.Name]; !ok {
			continue
		}
		if builtin.IsModule(d.Name) { // no registry versions to upgrade to
			continue
		}
		reg, _ := m.RegistryFor(d.Name, unscoped)
		pack, err := client.Packument(ctx, reg, d.Name)
		if err != nil {
			return err
		}
		to, ok := upgradeTo(pack, d.Spec.Version, opts.Window, p.Editor)
		if !ok {
			continue
		}
		if data, err = manifest.SetDependency(p.Paths.Manifest(), data, d.Name, to); err != nil {
			return err
		}
		opts.Infof("~ %s: %s → %s", d.Name, d.Spec.Version, to)
		changed++
	}
	if changed == 0 {
		opts.Infof("Everything is at the highest version the window (--%s) and Unity %s allow", opts.Window, orUnknown(p.Editor))
		return nil
	}
	return opts.apply(ctx, p, data)
}

// strategies are the resolutionStrategy windows of upgrade's windows.
var strategies = map[string]string{
	WindowPatch:  resolve.StrategyHighestPatch,
	WindowMinor:  resolve.StrategyHighestMinor,
	WindowLatest: resolve.StrategyHighest,
}

// upgradeTo is the highest stable version above current within window that
// the editor accepts (resolve.InWindow, the resolutionStrategy's windows).
func upgradeTo(p *registry.Packument, current, window, editor string) (string, bool) {
	v, ok := resolve.InWindow(install.VersionInfos(p), current, strategies[window], editor)
	if !ok || v.Version == current || !manifest.EditorCompatible(v.Unity, v.UnityRelease, editor) {
		return "", false
	}
	return v.Version, true
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
