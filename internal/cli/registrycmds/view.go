package registrycmds

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/resolve"
)

// ViewOptions are the inputs of view.
type ViewOptions struct {
	cmdutil.Printer
	// ProjectRoot, Project, DefaultRegistry and Registry are the Factory's
	// methods of those names.
	ProjectRoot     func() (string, bool, error)
	Project         func() (*project.Project, error)
	DefaultRegistry func(editor string) string
	Registry        func() (*registry.Client, error)

	// Name is the package, Version the version or dist-tag asked for ("":
	// the latest).
	Name, Version string
	// RegistryURL is --registry: ask that registry instead of the one the
	// manifest routes Name to.
	RegistryURL string
}

// NewCmdView builds `view NAME[@V]` [`info`]; runF replaces the behaviour in
// flag tests.
func NewCmdView(f *cmdutil.Factory, runF func(context.Context, *ViewOptions) error) *cobra.Command {
	opts := &ViewOptions{Printer: f.Printer(), ProjectRoot: f.ProjectRoot, Project: f.Project, DefaultRegistry: f.DefaultRegistry, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:     "view NAME[@VERSION]",
		Aliases: []string{"info"},
		Short:   "Show a package's versions, dist-tags, editor compatibility and dependencies",
		Long: `Show what the registry knows about a package: its versions (marking those the
editor accepts), dist-tags, unity and unityRelease, dependencies and deprecation,
and which registry and credential answered. The registry is the one the project's
manifest routes the name to; without a project, the default registry or --registry.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name, opts.Version, _ = strings.Cut(args[0], "@")
			if err := registry.ValidateName(opts.Name); err != nil {
				return cmdutil.UsageErrorf("%v", err)
			}
			if strings.Contains(args[0], "@") && opts.Version == "" {
				return cmdutil.UsageErrorf("%q: no version after @", args[0])
			}
			if err := checkRegistryFlag(opts.RegistryURL); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return RunView(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.RegistryURL, "registry", "", "ask this registry instead of the one the manifest routes the name to")
	return cmd
}

// viewJSON is view's --json document (docs/json/view.md).
type viewJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	DisplayName  string            `json:"displayName"`
	Description  string            `json:"description"`
	Unity        string            `json:"unity"`
	UnityRelease string            `json:"unityRelease"`
	Deprecated   string            `json:"deprecated"`
	Dependencies []depJSON         `json:"dependencies"`
	DistTags     map[string]string `json:"distTags"`
	Editor       any               `json:"editor"`
	// LatestCompatible is the highest stable version the editor accepts
	// (resolve.LatestCompatible), null when none does.
	LatestCompatible any           `json:"latestCompatible"`
	Versions         []versionJSON `json:"versions"`
	Registry         string        `json:"registry"`
	ScopedRegistry   any           `json:"scopedRegistry"`
	Credential       any           `json:"credential"`
}

type depJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type versionJSON struct {
	Version      string `json:"version"`
	Unity        string `json:"unity"`
	UnityRelease string `json:"unityRelease"`
	Compatible   bool   `json:"compatible"`
	Deprecated   string `json:"deprecated"`
}

type credentialJSON struct {
	Kind   string `json:"kind"`
	Entry  string `json:"entry"`
	File   string `json:"file"`
	Secret string `json:"secret"`
}

// RunView fetches the packument and prints its summary.
func RunView(ctx context.Context, opts *ViewOptions) error {
	w, err := locate(opts.Printer, opts.ProjectRoot, opts.Project, opts.DefaultRegistry, false)
	if err != nil {
		return err
	}
	reg, scoped := w.registryFor(opts.Name)
	if opts.RegistryURL != "" {
		routed := reg
		reg, scoped = strings.TrimRight(opts.RegistryURL, "/"), ""
		if w.project != nil && !regurl.Same(routed, reg) {
			// Found here, it would still not be installed from here.
			opts.Warnf("no scope in %s routes %s to %s: install looks for it on %s (upkg add %s --registry %s adds the scope)",
				w.project.Paths.Manifest(), opts.Name, reg, routed, opts.Name, reg)
		}
	}
	client, err := opts.Registry()
	if err != nil {
		return err
	}
	pk, err := cmdutil.FetchPackument(ctx, client, reg, opts.Name)
	if err != nil {
		return err
	}
	cred, err := client.CredentialFor(ctx, reg, registry.PackumentURL(reg, opts.Name))
	if err != nil {
		return err
	}
	versions := pk.Sorted()
	shown, err := pickShown(pk, versions, opts.Version, reg)
	if err != nil {
		return err
	}
	doc := viewJSON{
		Name: pk.Name, DistTags: pk.DistTags, Editor: orNull(w.editor),
		Registry: reg, ScopedRegistry: orNull(scoped),
		Dependencies: []depJSON{}, Versions: []versionJSON{},
	}
	if shown != nil {
		doc.Version, doc.DisplayName, doc.Description = shown.Version, shown.DisplayName, shown.Description
		doc.Unity, doc.UnityRelease, doc.Deprecated = shown.Unity, shown.UnityRelease, shown.Deprecated
		for _, d := range shown.Dependencies {
			doc.Dependencies = append(doc.Dependencies, depJSON{d.Name, d.Version})
		}
	}
	for _, v := range versions {
		doc.Versions = append(doc.Versions, versionJSON{
			Version: v.Version, Unity: v.Unity, UnityRelease: v.UnityRelease,
			Compatible: manifest.EditorCompatible(v.Unity, v.UnityRelease, w.editor), Deprecated: v.Deprecated,
		})
	}
	if best, _, ok := resolve.LatestCompatible(install.VersionInfos(pk), w.editor); ok {
		doc.LatestCompatible = best.Version
	}
	if cred.Header != "" {
		doc.Credential = credentialJSON{Kind: cred.Kind(), Entry: cred.Entry, File: cred.File, Secret: cred.Masked()}
	}
	if opts.JSON() {
		return opts.PrintJSON(doc)
	}
	printView(opts.IO.Out, &doc, cred)
	return nil
}

// pickShown is the version whose details view shows: the one asked for (a
// version or a dist-tag), else dist-tag latest, else the highest; nil for a
// package without versions.
func pickShown(pk *registry.Packument, sorted []*registry.Version, asked, reg string) (*registry.Version, error) {
	if asked != "" {
		if v, ok := pk.Versions[asked]; ok {
			return v, nil
		}
		if v, ok := pk.Versions[pk.DistTags[asked]]; ok {
			return v, nil
		}
		return nil, cmdutil.WithCode(cmdutil.ExitNotFound,
			fmt.Errorf("%s has no version or dist-tag %q on registry %s", pk.Name, asked, reg),
			"upkg view "+pk.Name+" lists the versions there are")
	}
	if v, ok := pk.Versions[pk.DistTags["latest"]]; ok {
		return v, nil
	}
	if len(sorted) == 0 {
		return nil, nil
	}
	return sorted[len(sorted)-1], nil
}

// printView writes view's human summary.
func printView(out io.Writer, doc *viewJSON, cred registry.Credential) {
	title := doc.Name
	if doc.Version != "" {
		title += "@" + doc.Version
	}
	if doc.DisplayName != "" {
		title += " — " + doc.DisplayName
	}
	fmt.Fprintln(out, printable(title))
	if doc.Description != "" {
		fmt.Fprintln(out, printable(doc.Description))
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	reg := doc.Registry
	if doc.ScopedRegistry != nil {
		reg += fmt.Sprintf(" (scoped registry %q)", doc.ScopedRegistry)
	}
	fmt.Fprintf(tw, "registry:\t%s\n", reg)
	fmt.Fprintf(tw, "credential:\t%s\n", cred)
	if doc.Unity != "" {
		fmt.Fprintf(tw, "unity:\t%s\n", minEditor(doc.Unity, doc.UnityRelease))
	}
	if doc.Deprecated != "" {
		fmt.Fprintf(tw, "deprecated:\t%s\n", oneLine(doc.Deprecated))
	}
	tags := make([]string, 0, len(doc.DistTags))
	for _, t := range sortedKeys(doc.DistTags) {
		tags = append(tags, t+": "+doc.DistTags[t])
	}
	fmt.Fprintf(tw, "dist-tags:\t%s\n", strings.Join(tags, ", "))
	if v, ok := doc.LatestCompatible.(string); ok && doc.Editor != nil {
		fmt.Fprintf(tw, "latest compatible:\t%s (the highest stable version editor %s accepts)\n", v, doc.Editor)
	} else if doc.Editor != nil {
		fmt.Fprintf(tw, "latest compatible:\tnone (no stable version accepts editor %s)\n", doc.Editor)
	}
	tw.Flush()
	if len(doc.Dependencies) > 0 {
		fmt.Fprintln(out, "\ndependencies:")
		for _, d := range doc.Dependencies {
			fmt.Fprintf(out, "  %s %s\n", d.Name, d.Version)
		}
	}
	editor, _ := doc.Editor.(string)
	if editor != "" {
		fmt.Fprintf(out, "\nversions (* = accepted by editor %s):\n", editor)
	} else {
		fmt.Fprintln(out, "\nversions (no editor version known: compatibility not checked):")
	}
	tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, v := range doc.Versions {
		mark := " "
		if v.Compatible && editor != "" {
			mark = "*"
		}
		note := ""
		if v.Unity != "" {
			note = "unity " + minEditor(v.Unity, v.UnityRelease)
		}
		if v.Deprecated != "" {
			note += "\tdeprecated"
		}
		fmt.Fprintf(tw, "  %s %s\t%s\n", mark, v.Version, note)
	}
	tw.Flush()
}

// minEditor is the lowest editor unity and unityRelease name, as text.
func minEditor(unity, release string) string {
	if release == "" {
		return unity
	}
	return unity + "." + release
}
