// Package cachecmd implements `upkg cache`: the shared global cache (where it
// is, what it holds, re-checking it, emptying it, evicting down to the cap).
package cachecmd

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/humanize"
)

// NewCmd builds the `cache` command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.Group(&cobra.Command{
		Use:   "cache",
		Short: "Inspect and maintain the global package cache",
	})
	cmd.AddCommand(
		NewCmdDir(f, nil),
		NewCmdList(f, nil),
		NewCmdVerify(f, nil),
		NewCmdClean(f, nil),
		NewCmdPrune(f, nil),
	)
	return cmd
}

// dirFunc returns where the cache is and its size cap, from the config
// files and the environment.
func dirFunc(f *cmdutil.Factory) func() (dir string, maxSize int64, err error) {
	return func() (string, int64, error) {
		cfg, err := f.Config()
		if err != nil {
			return "", 0, err
		}
		return f.CacheDir(cfg)
	}
}

// openFunc returns a function that opens the cache and tells its size cap.
func openFunc(f *cmdutil.Factory) func() (*cache.Store, int64, error) {
	return func() (*cache.Store, int64, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, 0, err
		}
		_, maxSize, err := f.CacheDir(cfg)
		if err != nil {
			return nil, 0, err
		}
		s, err := f.Store()
		return s, maxSize, err
	}
}

// DirOptions are the inputs of `cache dir`.
type DirOptions struct {
	cmdutil.Printer
	// Dir returns the cache folder and its size cap.
	Dir func() (dir string, maxSize int64, err error)
}

// NewCmdDir builds `cache dir`; runF replaces the behaviour in flag tests.
func NewCmdDir(f *cmdutil.Factory, runF func(context.Context, *DirOptions) error) *cobra.Command {
	opts := &DirOptions{Printer: f.Printer(), Dir: dirFunc(f)}
	return &cobra.Command{
		Use: "dir", Short: "Print the cache folder", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return dirRun(c.Context(), opts)
		},
	}
}

func dirRun(ctx context.Context, opts *DirOptions) error {
	dir, maxSize, err := opts.Dir()
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"dir": dir, "maxCacheSize": maxSize})
	}
	fmt.Fprintln(opts.IO.Out, dir)
	return nil
}

// ListOptions are the inputs of `cache list`.
type ListOptions struct {
	cmdutil.Printer
	// Open opens the cache and tells its size cap.
	Open func() (*cache.Store, int64, error)
}

// NewCmdList builds `cache list` [`ls`]; runF replaces the behaviour in flag tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Printer: f.Printer(), Open: openFunc(f)}
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "List the cached packages", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return listRun(c.Context(), opts)
		},
	}
}

func listRun(ctx context.Context, opts *ListOptions) error {
	s, _, err := opts.Open()
	if err != nil {
		return err
	}
	infos, err := s.List()
	if err != nil {
		return err
	}
	if opts.JSON() {
		if infos == nil {
			infos = []cache.Info{}
		}
		return opts.PrintJSON(map[string]any{"entries": infos})
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tVERSION\tSIZE\tKEY")
	for _, i := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", i.Name, i.Version, i.Size, i.Key)
	}
	return tw.Flush()
}

// CleanOptions are the inputs of `cache clean`.
type CleanOptions struct {
	cmdutil.Printer
	// Open opens the cache and tells its size cap.
	Open func() (*cache.Store, int64, error)
}

// NewCmdClean builds `cache clean`; runF replaces the behaviour in flag tests.
func NewCmdClean(f *cmdutil.Factory, runF func(context.Context, *CleanOptions) error) *cobra.Command {
	opts := &CleanOptions{Printer: f.Printer(), Open: openFunc(f)}
	return &cobra.Command{
		Use: "clean", Short: "Delete everything in upkg's cache", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cleanRun(c.Context(), opts)
		},
	}
}

func cleanRun(ctx context.Context, opts *CleanOptions) error {
	s, _, err := opts.Open()
	if err != nil {
		return err
	}
	removed, err := s.List()
	if err != nil {
		return err
	}
	if err := s.Clean(ctx); err != nil {
		return err
	}
	if opts.JSON() {
		if removed == nil {
			removed = []cache.Info{}
		}
		return opts.PrintJSON(map[string]any{"removed": removed})
	}
	opts.Infof("Cache emptied")
	return nil
}

// PruneOptions are the inputs of `cache prune`.
type PruneOptions struct {
	cmdutil.Printer
	// Open opens the cache and tells its size cap.
	Open func() (*cache.Store, int64, error)
}

// NewCmdPrune builds `cache prune`; runF replaces the behaviour in flag tests.
func NewCmdPrune(f *cmdutil.Factory, runF func(context.Context, *PruneOptions) error) *cobra.Command {
	opts := &PruneOptions{Printer: f.Printer(), Open: openFunc(f)}
	return &cobra.Command{
		Use: "prune", Short: "Evict the least recently installed packages until the cache fits maxCacheSize", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pruneRun(c.Context(), opts)
		},
	}
}

func pruneRun(ctx context.Context, opts *PruneOptions) error {
	s, maxSize, err := opts.Open()
	if err != nil {
		return err
	}
	removed, err := s.Prune(ctx, maxSize)
	if err != nil {
		return err
	}
	if opts.JSON() {
		if removed == nil {
			removed = []cache.Info{}
		}
		return opts.PrintJSON(map[string]any{"removed": removed})
	}
	opts.Infof("Evicted %s to stay under maxCacheSize (%s)", humanize.Count(len(removed), "package", "packages"), humanize.Bytes(maxSize))
	return nil
}

// VerifyOptions are the inputs of `cache verify`.
type VerifyOptions struct {
	cmdutil.Printer
	// Open opens the cache and tells its size cap.
	Open func() (*cache.Store, int64, error)

	// Fix removes the damaged entries, which the next install fetches again.
	Fix bool
}

// NewCmdVerify builds `cache verify [--fix]`; runF replaces the behaviour in
// flag tests.
func NewCmdVerify(f *cmdutil.Factory, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{Printer: f.Printer(), Open: openFunc(f)}
	cmd := &cobra.Command{
		Use: "verify [--fix]", Short: "Re-check the checksum of every cached package (--fix removes damaged ones)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return verifyRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Fix, "fix", false, "remove the damaged entries")
	return cmd
}

// verifyRun re-checks every entry; with Fix it removes the damaged ones.
func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	s, _, err := opts.Open()
	if err != nil {
		return err
	}
	problems, err := s.Verify(ctx)
	if err != nil {
		return err
	}
	var removed []string
	if opts.Fix {
		for _, p := range problems {
			if p.Key == "" || slices.Contains(removed, p.Key) {
				continue
			}
			if err := s.Discard(ctx, p.Key); err != nil {
				return err
			}
			removed = append(removed, p.Key)
		}
	}
	if opts.JSON() {
		if problems == nil {
			problems = []cache.Problem{}
		}
		doc := map[string]any{"problems": problems}
		if opts.Fix {
			doc["removed"] = append([]string{}, removed...)
		}
		if err := opts.PrintJSON(doc); err != nil {
			return err
		}
	} else {
		for _, p := range problems {
			fmt.Fprintln(opts.IO.Out, p.String())
		}
	}
	switch {
	case len(problems) > 0 && opts.Fix:
		opts.Infof("Removed %s; the next install fetches them again", humanize.Count(len(removed), "damaged cache entry", "damaged cache entries"))
		return nil
	case len(problems) > 0:
		return cmdutil.WithCode(cmdutil.ExitIntegrity, fmt.Errorf("%s in the cache", humanize.Count(len(problems), "problem", "problems")), "run: upkg cache verify --fix (removes the damaged entries; install fetches them again)")
	}
	opts.Infof("Cache verified: no problems")
	return nil
}
