// Package cachecmd implements `upkg cache`: the shared global cache (where it
// is, what it holds, re-checking it, emptying it, evicting down to the cap).
package cachecmd

import (
	"fmt"
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
		&cobra.Command{
			Use: "verify", Short: "Re-check the checksum of every cached package", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				s, _, err := open()
				if err != nil {
					return err
				}
				problems, err := s.Verify(c.Context())
				if err != nil {
					return err
				}
				if f.Globals.JSON {
					if problems == nil {
						problems = []cache.Problem{}
					}
					if err := f.PrintJSON(map[string]any{"problems": problems}); err != nil {
						return err
					}
				} else {
					for _, p := range problems {
						fmt.Fprintln(f.IO.Out, p.String())
					}
				}
				if len(problems) > 0 {
					return cmdutil.WithCode(cmdutil.ExitIntegrity, fmt.Errorf("%d problem(s) in the cache", len(problems)), "run: upkg cache clean (or prune) and install again")
				}
				f.Infof("Cache verified: no problems")
				return nil
			},
		},
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
