package list

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/depgraph"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/project"
)

// ListOptions are the inputs of list.
type ListOptions struct {
	cmdutil.Printer
	// Project is the Factory's Project.
	Project func() (*project.Project, error)

	Tree bool
	// Depth limits the tree's levels below the manifest's packages (and the
	// flat list to the manifest's packages and lock depths up to it); -1: no
	// limit.
	Depth int
}

// NewCmdList builds `list` [`ls`]; runF replaces the behaviour in flag tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Printer: f.Printer(), Project: f.Project}
	cmd := &cobra.Command{
		Use:     "list [--tree] [--depth N]",
		Aliases: []string{"ls"},
		Short:   "List the project's resolved packages, their source and why each is there",
		Long: `List the packages of Packages/packages-lock.json: version, source, registry, depth,
and what asks for each (the manifest, or the packages that depend on it).
--tree shows the dependency tree from the manifest's packages instead; a package
shown earlier with its dependencies is marked (deduped). Reads the manifest and the
lock only: no network.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if c.Flags().Changed("depth") && opts.Depth < 0 {
				return cmdutil.UsageErrorf("--depth must be 0 or more")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return RunList(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Tree, "tree", false, "show the dependency tree from the manifest's packages")
	cmd.Flags().IntVar(&opts.Depth, "depth", -1, "levels of the tree below the manifest's packages (flat: the manifest's packages and lock depths up to N)")
	return cmd
}

// RunList prints the project's packages, flat or as a tree.
func RunList(_ context.Context, opts *ListOptions) error {
	_, g, err := openGraph(opts.Printer, opts.Project)
	if err != nil {
		return err
	}
	if opts.Tree {
		nodes := g.Tree(opts.Depth)
		if opts.JSON() {
			return opts.PrintJSON(treeDoc(nodes))
		}
		printTree(opts.IO.Out, nodes)
		return nil
	}
	doc := flatDoc(g, opts.Depth)
	if opts.JSON() {
		return opts.PrintJSON(doc)
	}
	return printFlat(opts.IO.Out, doc)
}

// flatJSON is `list --json` (docs/json/list.md).
type flatJSON struct {
	Packages []packageJSON `json:"packages"`
	// Missing are the manifest's packages the lock lacks.
	Missing []string `json:"missing"`
}

type packageJSON struct {
	locked
	Hash     *string `json:"hash"`
	Depth    int     `json:"depth"`
	Direct   bool    `json:"direct"`
	Testable bool    `json:"testable"`
	// ManifestVersion is what the manifest asks for (direct only).
	ManifestVersion *string           `json:"manifestVersion"`
	Dependencies    map[string]string `json:"dependencies"`
	RequiredBy      []link            `json:"requiredBy"`
}

func flatDoc(g *depgraph.Graph, maxDepth int) flatJSON {
	doc := flatJSON{Packages: []packageJSON{}, Missing: g.Missing()}
	for _, name := range g.Names() {
		e, _ := g.Entry(name)
		r, direct := g.Root(name)
		if maxDepth >= 0 && e.Depth > maxDepth && !direct {
			continue
		}
		p := packageJSON{
			locked: lockedOf(e), Depth: e.Depth,
			Dependencies: map[string]string{}, RequiredBy: []link{},
		}
		if e.Hash != "" {
			h := e.Hash
			p.Hash = &h
		}
		if direct {
			p.Testable = r.Testable
			if r.Asks != "" {
				p.Direct = true
				asks := r.Asks
				p.ManifestVersion = &asks
			}
		}
		for _, d := range e.Dependencies {
			p.Dependencies[d.Name] = d.Version
		}
		for _, rq := range g.Requesters(name) {
			p.RequiredBy = append(p.RequiredBy, link{Name: rq.Name, Version: rq.Version, Asks: rq.Asks})
		}
		doc.Packages = append(doc.Packages, p)
	}
	return doc
}

// printFlat prints one line per package: PACKAGE VERSION SOURCE DEPTH
// REGISTRY WHY.
func printFlat(w io.Writer, doc flatJSON) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tVERSION\tSOURCE\tDEPTH\tREGISTRY\tWHY")
	for _, p := range doc.Packages {
		reg := "-"
		if p.Registry != nil {
			reg = *p.Registry
		}
		var why []string
		if p.Direct {
			why = append(why, "manifest")
		}
		if p.Source == lockfile.SourceEmbedded {
			why = append(why, "embedded")
		}
		if p.Testable {
			why = append(why, "testable")
		}
		for _, r := range p.RequiredBy {
			why = append(why, r.Name)
		}
		if len(why) == 0 {
			why = append(why, "nothing (stale lock)")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Version, p.Source, strconv.Itoa(p.Depth), reg, strings.Join(why, ", "))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write the list: %w", err)
	}
	return nil
}

// treeJSON is `list --tree --json` (docs/json/list.md).
type treeJSON struct {
	Dependencies []nodeJSON `json:"dependencies"`
}

type nodeJSON struct {
	locked
	Asks         string     `json:"asks"`
	Deduped      bool       `json:"deduped"`
	Missing      bool       `json:"missing"`
	Dependencies []nodeJSON `json:"dependencies"`
}

func treeDoc(nodes []*depgraph.Node) treeJSON {
	return treeJSON{Dependencies: nodesJSON(nodes)}
}

func nodesJSON(nodes []*depgraph.Node) []nodeJSON {
	out := []nodeJSON{}
	for _, n := range nodes {
		l := lockedOf(n.Entry)
		l.Name = n.Name // also when missing
		out = append(out, nodeJSON{
			locked: l,
			Asks:   n.Asks, Deduped: n.Deduped, Missing: n.Missing, Dependencies: nodesJSON(n.Dependencies),
		})
	}
	return out
}

// printTree prints the tree the way npm ls does.
func printTree(w io.Writer, nodes []*depgraph.Node) {
	for _, n := range nodes {
		fmt.Fprintln(w, nodeLine(n))
		printChildren(w, n.Dependencies, "")
	}
}

func printChildren(w io.Writer, nodes []*depgraph.Node, prefix string) {
	for i, n := range nodes {
		branch, more := "├── ", "│   "
		if i == len(nodes)-1 {
			branch, more = "└── ", "    "
		}
		fmt.Fprintln(w, prefix+branch+nodeLine(n))
		printChildren(w, n.Dependencies, prefix+more)
	}
}

// nodeLine is name@version with what is notable: a source other than a
// registry, a version asked for that is not the one locked, deduped, missing.
func nodeLine(n *depgraph.Node) string {
	if n.Missing {
		return fmt.Sprintf("%s (asks %s) (missing from the lock)", n.Name, n.Asks)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%s", n.Name, n.Entry.Version)
	if n.Entry.Source != lockfile.SourceRegistry {
		fmt.Fprintf(&b, " (%s)", n.Entry.Source)
	}
	if n.Asks != "" && n.Asks != n.Entry.Version {
		fmt.Fprintf(&b, " (asks %s)", n.Asks)
	}
	if n.Deduped {
		b.WriteString(" (deduped)")
	}
	return b.String()
}
