package list

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/depgraph"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/suggest"
)

// MaxChains bounds the chains why shows; the output says when there were
// more.
const MaxChains = 100

// WhyOptions are the inputs of why.
type WhyOptions struct {
	cmdutil.Printer
	// Project is the Factory's Project.
	Project func() (*project.Project, error)

	Name string
}

// NewCmdWhy builds `why NAME`; runF replaces the behaviour in flag tests.
func NewCmdWhy(f *cmdutil.Factory, runF func(context.Context, *WhyOptions) error) *cobra.Command {
	opts := &WhyOptions{Printer: f.Printer(), Project: f.Project}
	cmd := &cobra.Command{
		Use:   "why NAME",
		Short: "Show every chain of requesters that brings a package into the project",
		Long: `Show every chain of requesters that brings NAME into the project, from a package of
Packages/manifest.json down to NAME, with the version each package asks for
(the shortest first, at most 100). Reads the manifest and the lock only: no network.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = strings.TrimSpace(args[0])
			if opts.Name == "" {
				return cmdutil.UsageErrorf("pass the name of a package")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return RunWhy(c.Context(), opts)
		},
	}
	return cmd
}

// whyJSON is `why --json` (docs/json/why.md).
type whyJSON struct {
	locked
	Direct          bool     `json:"direct"`
	ManifestVersion *string  `json:"manifestVersion"`
	Chains          [][]link `json:"chains"`
	Truncated       bool     `json:"truncated"`
}

// RunWhy prints the chains that bring opts.Name in. A name the lock lacks is
// exit 4, with the lock's names closest to it.
func RunWhy(_ context.Context, opts *WhyOptions) error {
	proj, g, err := openGraph(opts.Printer, opts.Project)
	if err != nil {
		return err
	}
	e, ok := g.Entry(opts.Name)
	if !ok {
		return notInLock(proj, g, opts.Name)
	}
	w := g.Why(opts.Name, MaxChains)
	doc := whyJSON{locked: lockedOf(e), Chains: [][]link{}, Truncated: w.Truncated}
	if r, ok := g.Root(opts.Name); ok && r.Asks != "" {
		doc.Direct = true
		asks := r.Asks
		doc.ManifestVersion = &asks
	}
	for _, c := range w.Chains {
		links := make([]link, 0, len(c))
		for _, l := range c {
			links = append(links, link(l))
		}
		doc.Chains = append(doc.Chains, links)
	}
	if opts.JSON() {
		return opts.PrintJSON(doc)
	}
	printWhy(opts.IO.Out, doc, g)
	return nil
}

func notInLock(proj *project.Project, g *depgraph.Graph, name string) error {
	if r, ok := g.Root(name); ok {
		return cmdutil.WithCode(cmdutil.ExitNotFound,
			fmt.Errorf("%s is not in %s, though the manifest asks for %s", name, proj.Lock(), r.Asks),
			"run upkg install to bring the lock up to date")
	}
	hint := "upkg list shows the project's packages"
	if near := suggest.Near(name, g.Names(), 2, 3); len(near) > 0 {
		hint = "did you mean " + strings.Join(near, ", ") + "?"
	}
	return cmdutil.WithCode(cmdutil.ExitNotFound, fmt.Errorf("%s is not in the project: %s does not list it", name, proj.Lock()), hint)
}

// printWhy prints the package, whether the manifest asks for it, and each
// chain as "manifest → a@1.0.0 (asks 1.0.0) → b@2.0.0 (asks ^…)".
func printWhy(w io.Writer, doc whyJSON, g *depgraph.Graph) {
	head := fmt.Sprintf("%s@%s (%s", doc.Name, doc.Version, doc.Source)
	if doc.Registry != nil {
		head += " from " + *doc.Registry
	}
	fmt.Fprintln(w, head+")")
	if doc.Direct {
		if *doc.ManifestVersion == doc.Version {
			fmt.Fprintf(w, "A direct dependency: the manifest asks for %s.\n", *doc.ManifestVersion)
		} else {
			fmt.Fprintf(w, "A direct dependency: the manifest asks for %s; the lock holds %s.\n", *doc.ManifestVersion, doc.Version)
		}
	}
	switch n := len(doc.Chains); {
	case n == 0:
		fmt.Fprintln(w, "Nothing in the manifest brings it in: the lock is stale (run upkg install).")
		return
	case doc.Truncated:
		fmt.Fprintf(w, "The %d shortest chains (there are more):\n", n)
	case n == 1:
		fmt.Fprintln(w, "1 chain brings it in:")
	default:
		fmt.Fprintf(w, "%d chains bring it in:\n", n)
	}
	for _, c := range doc.Chains {
		r, _ := g.Root(c[0].Name)
		fmt.Fprintln(w, "  "+chainLine(c, r))
	}
}

// chainLine is "manifest → a@1.0.0 (asks 1.0.0) → b@2.0.0 (asks 2.0.0)"; a
// chain from root r, an embedded package or a testable the manifest's
// dependencies do not list, starts with "Packages/" or "testables" instead.
func chainLine(c []link, r depgraph.Root) string {
	var b strings.Builder
	for i, l := range c {
		switch {
		case i > 0:
			b.WriteString(" → ")
		case l.Asks != "":
			b.WriteString("manifest → ")
		case r.Embedded:
			b.WriteString("Packages/ → ")
		default:
			b.WriteString("testables → ")
		}
		fmt.Fprintf(&b, "%s@%s", l.Name, l.Version)
		// A Git URL or file: path asked for as locked is said once.
		if l.Asks != "" && (l.Asks != l.Version || !strings.ContainsAny(l.Version, ":/")) {
			fmt.Fprintf(&b, " (asks %s)", l.Asks)
		}
	}
	return b.String()
}
