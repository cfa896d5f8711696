// Package cachecmd implements `upkg cache`: the shared global cache (where it
// is, what it holds, re-checking it, emptying it, evicting down to the cap).
package cachecmd

import (
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/cli/cmdutil"
)

// NewCmd builds the `cache` command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.Group(&cobra.Command{
		Use:   "cache",
		Short: "Inspect and maintain the global package cache",
	})
	open := func() (*cache.Store, int64, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, 0, err
		}
		_, maxSize, err := f.CacheDir(cfg)
		if err != nil {
			return nil, 0, err
		}
		s, err := f.Store(cfg)
		return s, maxSize, err
	}
	cmd.AddCommand(
		&cobra.Command{
			Use: "dir", Short: "Print the cache folder", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				dir, maxSize, err := f.CacheDir(cfg)
				if err != nil {
					return err
				}
				if f.Globals.JSON {
					return f.PrintJSON(map[string]any{"dir": dir, "maxSize": maxSize})
				}
				fmt.Fprintln(f.IO.Out, dir)
				return nil
			},
		},
		&cobra.Command{
			Use: "list", Aliases: []string{"ls"}, Short: "List the cached packages", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				s, _, err := open()
				if err != nil {
					return err
				}
				infos, err := s.List()
				if err != nil {
					return err
				}
				if f.Globals.JSON {
					if infos == nil {
						infos = []cache.Info{}
					}
					return f.PrintJSON(map[string]any{"entries": infos})
				}
				tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "PACKAGE\tVERSION\tSIZE\tKEY")
				for _, i := range infos {
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", i.Name, i.Version, i.Size, i.Key)
				}
				return tw.Flush()
			},
		},
		verifyCmd(f, open),
		&cobra.Command{
			Use: "clean", Short: "Delete everything in upkg's cache", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				s, _, err := open()
				if err != nil {
					return err
				}
				if err := s.Clean(c.Context()); err != nil {
					return err
				}
				f.Infof("Cache emptied")
				return nil
			},
		},
		&cobra.Command{
			Use: "prune", Short: "Evict least recently installed packages down to maxSize", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				s, maxSize, err := open()
				if err != nil {
					return err
				}
				removed, err := s.Prune(c.Context(), maxSize)
				if err != nil {
					return err
				}
				if f.Globals.JSON {
					if removed == nil {
						removed = []cache.Info{}
					}
					return f.PrintJSON(map[string]any{"removed": removed})
				}
				f.Infof("Evicted %d package(s) to stay under %d bytes", len(removed), maxSize)
				return nil
			},
		},
	)
	return cmd
}

// verifyCmd builds `cache verify [--fix]`: re-check every entry; --fix
// removes the damaged ones, which the next install fetches again.
func verifyCmd(f *cmdutil.Factory, open func() (*cache.Store, int64, error)) *cobra.Command {
	var fix bool
	cmd := &cobra.Command{
		Use: "verify [--fix]", Short: "Re-check the checksum of every cached package (--fix removes damaged ones)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, _, err := open()
			if err != nil {
				return err
			}
			problems, err := s.Verify(c.Context())
			if err != nil {
				return err
			}
			var removed []string
			if fix {
				for _, p := range problems {
					if p.Key == "" || slices.Contains(removed, p.Key) {
						continue
					}
					if err := s.Discard(c.Context(), p.Key); err != nil {
						return err
					}
					removed = append(removed, p.Key)
				}
			}
			if f.Globals.JSON {
				if problems == nil {
					problems = []cache.Problem{}
				}
				doc := map[string]any{"problems": problems}
				if fix {
					doc["removed"] = append([]string{}, removed...)
				}
				if err := f.PrintJSON(doc); err != nil {
					return err
				}
			} else {
				for _, p := range problems {
					fmt.Fprintln(f.IO.Out, p.String())
				}
			}
			switch {
			case len(problems) > 0 && fix:
				f.Infof("Removed %d damaged cache entries; the next install fetches them again", len(removed))
				return nil
			case len(problems) > 0:
				return cmdutil.WithCode(cmdutil.ExitIntegrity, fmt.Errorf("%d problem(s) in the cache", len(problems)), "run: upkg cache verify --fix (removes the damaged entries; install fetches them again)")
			}
			f.Infof("Cache verified: no problems")
			return nil
		},
	}
	cmd.Flags().BoolVar(&fix, "fix", false, "remove the damaged entries")
	return cmd
}
