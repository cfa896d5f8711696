package registrycmds

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
)

// SearchOptions are the inputs of search.
type SearchOptions struct {
	cmdutil.Printer
	// ProjectRoot, Project, DefaultRegistry and Registry are the Factory's
	// methods of those names.
	ProjectRoot     func() (string, bool, error)
	Project         func() (*project.Project, error)
	DefaultRegistry func(editor string) string
	Registry        func() (*registry.Client, error)

	// Text is what to search for (the arguments joined by spaces).
	Text string
	// RegistryURL is --registry: search only there.
	RegistryURL string
	// Limit is --limit, the most results per registry.
	Limit int
}

// NewCmdSearch builds `search TEXT...`; runF replaces the behaviour in flag
// tests.
func NewCmdSearch(f *cmdutil.Factory, runF func(context.Context, *SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{Printer: f.Printer(), ProjectRoot: f.ProjectRoot, Project: f.Project, DefaultRegistry: f.DefaultRegistry, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:   "search TEXT... [--registry URL]",
		Short: "Search the project's registries for packages",
		Long: `Search every registry of the manifest's scopedRegistries and the default registry
(or only --registry URL) through /-/v1/search, results labelled by registry. A
registry without search is noted, not a failure.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Text = strings.Join(args, " ")
			if strings.TrimSpace(opts.Text) == "" {
				return cmdutil.UsageErrorf("nothing to search for")
			}
			if opts.Limit < 1 || opts.Limit > 250 {
				return cmdutil.UsageErrorf("--limit must be between 1 and 250")
			}
			if err := checkRegistryFlag(opts.RegistryURL); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return RunSearch(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.RegistryURL, "registry", "", "search only this registry")
	cmd.Flags().IntVar(&opts.Limit, "limit", 20, "the most results per registry")
	return cmd
}

// searchJSON is search's --json document (docs/json/search.md).
type searchJSON struct {
	Text       string               `json:"text"`
	Registries []searchRegistryJSON `json:"registries"`
}

type searchRegistryJSON struct {
	Registry string `json:"registry"`
	// Name is the scoped registry's name, null for the default registry or
	// --registry.
	Name      any                     `json:"name"`
	Supported bool                    `json:"supported"`
	Note      string                  `json:"note"`
	Results   []registry.SearchResult `json:"results"`
}

// RunSearch searches every registry and prints the results.
func RunSearch(ctx context.Context, opts *SearchOptions) error {
	if opts.Globals.Offline {
		return cmdutil.UsageErrorf("search asks the registries and cannot run with --offline")
	}
	targets := []searchRegistryJSON{{Registry: strings.TrimRight(opts.RegistryURL, "/")}}
	if opts.RegistryURL == "" {
		w, err := locate(opts.Printer, opts.ProjectRoot, opts.Project, opts.DefaultRegistry, false)
		if err != nil {
			return err
		}
		targets = searchTargets(w)
	}
	client, err := opts.Registry()
	if err != nil {
		return err
	}
	doc := searchJSON{Text: opts.Text, Registries: targets}
	for i := range doc.Registries {
		t := &doc.Registries[i]
		res, note, err := cmdutil.SearchWithFallback(ctx, client, t.Registry, opts.Text, opts.Limit)
		if err != nil {
			return fmt.Errorf("search %s: %w", t.Registry, err)
		}
		t.Note, t.Supported, t.Results = note, res != nil, res
		if res == nil {
			t.Results = []registry.SearchResult{}
		}
	}
	if opts.JSON() {
		return opts.PrintJSON(doc)
	}
	printSearch(opts.IO.Out, &doc)
	return nil
}

// searchTargets is every scoped registry of the manifest, then the default
// registry, each once.
func searchTargets(w *where) []searchRegistryJSON {
	var out []searchRegistryJSON
	seen := map[string]bool{}
	add := func(url string, name any) {
		if url = strings.TrimRight(url, "/"); !seen[url] {
			seen[url] = true
			out = append(out, searchRegistryJSON{Registry: url, Name: name})
		}
	}
	if w.project != nil {
		for _, sr := range w.project.Manifest.ScopedRegistries {
			add(sr.URL, sr.Name)
		}
	}
	add(w.defaultRegistry, nil)
	return out
}

// printSearch writes the results, one block per registry.
func printSearch(out io.Writer, doc *searchJSON) {
	for i, r := range doc.Registries {
		if i > 0 {
			fmt.Fprintln(out)
		}
		head := r.Registry
		if r.Name != nil {
			head += fmt.Sprintf(" (%s)", r.Name)
		}
		fmt.Fprintln(out, head)
		if r.Note != "" {
			fmt.Fprintf(out, "  note: %s\n", r.Note)
		}
		switch {
		case !r.Supported:
			continue
		case len(r.Results) == 0:
			fmt.Fprintf(out, "  no package matches %q\n", doc.Text)
			continue
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tVERSION\tDESCRIPTION")
		for _, p := range r.Results {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Name, p.Version, oneLine(p.Description))
		}
		tw.Flush()
	}
}

// oneLine is s on one line without control characters, at most 80
// characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(printable(s)), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

// printable is s without the control characters a registry's text could
// use to move a terminal's cursor or change its colours.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || 0x80 <= r && r < 0xa0 {
			return -1
		}
		return r
	}, s)
}
