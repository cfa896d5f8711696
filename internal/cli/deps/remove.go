package deps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/routing"
	"github.com/upkg/upkg/internal/suggest"
)

// RemoveOptions are the inputs of `upkg remove`.
type RemoveOptions struct {
	EditOptions
	Names []string
}

// NewCmdRemove builds `upkg remove` [`rm`]; runF replaces the behaviour in
// flag tests.
func NewCmdRemove(f *cmdutil.Factory, runF func(context.Context, *RemoveOptions) error) *cobra.Command {
	opts := &RemoveOptions{EditOptions: newEditOptions(f)}
	cmd := &cobra.Command{
		Use:     "remove NAME... [--dry-run]",
		Aliases: []string{"rm"},
		Short:   "Remove packages from Packages/manifest.json, with the scopes only they needed, then install",
		Long: `Remove packages from the dependencies and testables of Packages/manifest.json,
and the scopes (and scoped registries) that routed them or the packages only they
required, when no remaining package needs them; then install.`,
		Example: `  upkg remove com.example.tools
  upkg rm com.example.a com.example.b --dry-run`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			for _, n := range args {
				if err := manifest.ValidateName(n); err != nil {
					return cmdutil.UsageErrorf("%q: %v", n, err)
				}
			}
			opts.Names = args
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return removeRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the change to manifest.json as a diff and write nothing")
	return cmd
}

func removeRun(ctx context.Context, opts *RemoveOptions) error {
	p, err := opts.Project()
	if err != nil {
		return err
	}
	m := p.Manifest
	path := p.Paths.Manifest()
	data := p.ManifestBytes
	removed := map[string]bool{}
	for _, name := range opts.Names {
		var inDeps, inTests bool
		if data, inDeps, err = manifest.RemoveDependency(path, data, name); err != nil {
			return err
		}
		if data, inTests, err = manifest.RemoveTestable(path, data, name); err != nil {
			return err
		}
		if !inDeps && !inTests {
			return cmdutil.WithCode(cmdutil.ExitNotFound, fmt.Errorf("%s is not a dependency of %s", name, path), closest(name, directNames(m)))
		}
		removed[name] = true
		opts.Infof("- %s", name)
	}
	gone, remain := split(p, removed)
	for url, scopes := range routing.Unneeded(m, gone, remain) {
		if data, err = manifest.RemoveScopes(path, data, url, scopes); err != nil {
			return err
		}
		opts.Infof("scoped registry %s: removed scopes %s", url, strings.Join(scopes, ", "))
	}
	return opts.apply(ctx, p, data)
}

// split sorts the project's packages into those gone with the removed ones
// and those that remain: the remaining direct dependencies and, by the lock,
// everything they require.
func split(p *project.Project, removed map[string]bool) (gone, remain []string) {
	var roots []string
	for _, d := range p.Manifest.Dependencies {
		if !removed[d.Name] {
			roots = append(roots, d.Name)
		}
	}
	deps := map[string][]string{}
	var all []string
	if p.LockBytes != nil {
		if l, err := lockfile.Parse(p.Paths.Lock(), p.LockBytes); err == nil {
			for _, e := range l.Entries {
				all = append(all, e.Name)
				for _, d := range e.Dependencies {
					deps[e.Name] = append(deps[e.Name], d.Name)
				}
			}
		}
	}
	keep := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		if keep[n] {
			return
		}
		keep[n] = true
		for _, d := range deps[n] {
			walk(d)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	for n := range removed {
		all = append(all, n)
	}
	for _, n := range slices.Compact(slices.Sorted(slices.Values(all))) {
		if !keep[n] {
			gone = append(gone, n)
		}
	}
	for n := range keep {
		remain = append(remain, n)
	}
	slices.Sort(remain)
	return gone, remain
}

func directNames(m *manifest.Manifest) []string {
	var out []string
	for _, d := range m.Dependencies {
		out = append(out, d.Name)
	}
	return append(out, m.Testables...)
}

// closest is the hint naming the manifest's packages nearest to name.
func closest(name string, names []string) string {
	near := suggest.Near(name, names, 3, 3)
	if len(near) == 0 {
		return ""
	}
	return "did you mean " + strings.Join(near, ", ") + "?"
}
