package registrycmds

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
)

// OutdatedOptions are the inputs of outdated.
type OutdatedOptions struct {
	cmdutil.Printer
	// Project, DefaultRegistry, Builtins and Registry are the Factory's
	// methods of those names.
	Project         func() (*project.Project, error)
	DefaultRegistry func(editor string) string
	Builtins        func(editorPath, editor string) (*builtin.Set, error)
	Registry        func() (*registry.Client, error)
}

// NewCmdOutdated builds `outdated`; runF replaces the behaviour in flag
// tests.
func NewCmdOutdated(f *cmdutil.Factory, runF func(context.Context, *OutdatedOptions) error) *cobra.Command {
	opts := &OutdatedOptions{Printer: f.Printer(), Project: f.Project, DefaultRegistry: f.DefaultRegistry, Builtins: f.Builtins, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:   "outdated",
		Short: "List newer versions of the manifest's registry dependencies",
		Long: `For each direct dependency of Packages/manifest.json that comes from a registry:
the version installed (the lock's), the highest the manifest's resolutionStrategy
allows above the requested one, the latest stable version the editor accepts, and
the latest (dist-tag latest). The table lists the packages with something newer;
--json lists them all.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return RunOutdated(c.Context(), opts)
		},
	}
	return cmd
}

// outdatedJSON is outdated's --json document (docs/json/outdated.md).
type outdatedJSON struct {
	Editor             any                   `json:"editor"`
	ResolutionStrategy string                `json:"resolutionStrategy"`
	Packages           []outdatedPackageJSON `json:"packages"`
}

type outdatedPackageJSON struct {
	Name             string `json:"name"`
	Requested        string `json:"requested"`
	Current          any    `json:"current"`
	Wanted           any    `json:"wanted"`
	LatestCompatible any    `json:"latestCompatible"`
	Latest           any    `json:"latest"`
	Registry         string `json:"registry"`
	Outdated         bool   `json:"outdated"`
}

// RunOutdated fetches the packument of every direct registry dependency and
// prints what is newer.
func RunOutdated(ctx context.Context, opts *OutdatedOptions) error {
	w, err := locate(opts.Printer, nil, opts.Project, opts.DefaultRegistry, true)
	if err != nil {
		return err
	}
	p := w.project
	locked := map[string]lockfile.Entry{}
	if p.LockBytes != nil {
		lock, err := lockfile.Parse(p.Lock(), p.LockBytes)
		if err != nil {
			return err
		}
		for _, e := range lock.Entries {
			locked[e.Name] = e
		}
	}
	strategy := p.Manifest.ResolutionStrategy
	if strategy == "" {
		strategy = resolve.StrategyLowest
	}
	builtinsOnce := sync.OnceValue(func() *builtin.Set {
		set, err := opts.Builtins("", w.editor)
		if err != nil {
			return nil // then every unlocked dependency is asked of its registry
		}
		return set
	})
	var deps []manifest.Dependency
	for _, d := range p.Manifest.Dependencies {
		if d.SpecErr != nil || d.Spec.Kind != manifest.SpecVersion || builtin.IsModule(d.Name) {
			continue
		}
		if e, ok := locked[d.Name]; ok {
			if e.Source != lockfile.SourceRegistry {
				continue
			}
		} else if set := builtinsOnce(); set != nil {
			if _, _, ok := set.Lookup(d.Name); ok {
				continue
			}
		}
		deps = append(deps, d)
	}
	client, err := opts.Registry()
	if err != nil {
		return err
	}
	rows := make([]outdatedPackageJSON, len(deps))
	errs := make([]error, len(deps))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, d := range deps {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			rows[i], errs[i] = outdatedRow(ctx, client, w, d, locked[d.Name].Version, strategy)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	slices.SortFunc(rows, func(a, b outdatedPackageJSON) int { return strings.Compare(a.Name, b.Name) })
	doc := outdatedJSON{Editor: orNull(w.editor), ResolutionStrategy: strategy, Packages: rows}
	if opts.JSON() {
		return opts.PrintJSON(doc)
	}
	printOutdated(opts, &doc)
	return nil
}

// outdatedRow is one dependency's line: current is the lock's version ("" if
// none).
func outdatedRow(ctx context.Context, client *registry.Client, w *where, d manifest.Dependency, current, strategy string) (outdatedPackageJSON, error) {
	reg, _ := w.registryFor(d.Name)
	row := outdatedPackageJSON{Name: d.Name, Requested: d.Version, Current: orNull(current), Registry: reg}
	pk, err := cmdutil.FetchPackument(ctx, client, reg, d.Name)
	if err != nil {
		return row, err
	}
	infos := install.VersionInfos(pk)
	if v, ok := resolve.InWindow(infos, d.Version, strategy, w.editor); ok {
		row.Wanted = v.Version
	}
	if v, _, ok := resolve.LatestCompatible(infos, w.editor); ok {
		row.LatestCompatible = v.Version
	}
	row.Latest = orNull(pk.DistTags["latest"])
	base := current
	if base == "" {
		base = d.Version
	}
	for _, v := range []any{row.Wanted, row.LatestCompatible, row.Latest} {
		if s, ok := v.(string); ok && registry.CompareVersions(s, base) > 0 {
			row.Outdated = true
		}
	}
	return row, nil
}

// printOutdated writes npm outdated's table of the outdated packages.
func printOutdated(opts *OutdatedOptions, doc *outdatedJSON) {
	n := 0
	for _, r := range doc.Packages {
		if r.Outdated {
			n++
		}
	}
	if n == 0 {
		opts.Infof("all %d registry dependencies are up to date", len(doc.Packages))
		return
	}
	writeOutdatedTable(opts.IO.Out, doc)
}

func writeOutdatedTable(out io.Writer, doc *outdatedJSON) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Package\tCurrent\tWanted\tLatest compatible\tLatest\tRegistry")
	cell := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		return "-"
	}
	for _, r := range doc.Packages {
		if r.Outdated {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, cell(r.Current), cell(r.Wanted), cell(r.LatestCompatible), cell(r.Latest), r.Registry)
		}
	}
	tw.Flush()
}
