package deps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/regurl"
	"github.com/upkg/upkg/internal/routing"
)

// AddOptions are the inputs of `upkg add`.
type AddOptions struct {
	EditOptions
	Specs        []string
	RegistryURL  string
	RegistryName string
	Scopes       []string
	Test         bool
}

// NewCmdAdd builds `upkg add`; runF replaces the behaviour in flag tests.
func NewCmdAdd(f *cmdutil.Factory, runF func(context.Context, *AddOptions) error) *cobra.Command {
	opts := &AddOptions{EditOptions: newEditOptions(f)}
	cmd := &cobra.Command{
		Use:   "add SPEC... [--registry URL] [--scope S] [--test] [--dry-run]",
		Short: "Add packages to Packages/manifest.json, with the scopes that route them, then install",
		Long: `Add packages to Packages/manifest.json, then install. SPEC is one of
  name               the highest stable version the project's editor accepts
  name@1.2.3         that version
  name@latest        the registry's latest dist-tag; name@stable is the default
  name@<git url>     a Git package (https://…, git@host:…, with #revision, ?path=)
  name@file:<path>   a local folder or .tgz, the path relative to the current folder
                     (written relative to Packages/, as Unity does)

With --registry URL, a scoped registry for URL is added when the manifest has
none, with the scopes that route the package and those of its dependencies that
the registry serves there: the most specific scope that covers them all without
covering another registry's packages (--scope S to choose). Packages of Unity's
own registry need no scope.`,
		Example: `  upkg add com.example.tools
  upkg add com.example.tools@2.1.0 --registry https://npm.example.com
  upkg add com.example.sdk@https://git.example.com/sdk.git#v1.0.0
  upkg add com.example.local@file:../local-package --dry-run`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Specs = args
			for _, s := range args {
				if _, _, err := splitSpec(s); err != nil {
					return err
				}
			}
			if opts.RegistryURL != "" {
				if err := cmdutil.CheckRegistryURL(opts.RegistryURL); err != nil {
					return err
				}
			}
			if len(opts.Scopes) > 0 && opts.RegistryURL == "" {
				return cmdutil.UsageErrorf("--scope needs --registry: it says which scopes route to that registry")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return addRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.RegistryURL, "registry", "", "the registry the packages come from (adds a scoped registry when needed)")
	fl.StringVar(&opts.RegistryName, "registry-name", "", "the name of a scoped registry that add creates (default: the registry's host)")
	fl.StringSliceVar(&opts.Scopes, "scope", nil, "scopes to route to --registry, instead of the ones upkg chooses (repeatable)")
	fl.BoolVar(&opts.Test, "test", false, "also add the packages to testables")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the change to manifest.json as a diff and write nothing")
	return cmd
}

// splitSpec splits name[@value], checking the name.
func splitSpec(spec string) (name, value string, err error) {
	name, value, _ = strings.Cut(spec, "@")
	if err := manifest.ValidateName(name); err != nil {
		return "", "", cmdutil.UsageErrorf("%q: %v", spec, err)
	}
	return name, value, nil
}

// added is one package add writes, and why.
type added struct {
	name, value string
	// reg is the registry of a registry package ("" for the other kinds), and
	// route the names that must route there.
	reg   string
	route []string
	note  string
}

func addRun(ctx context.Context, opts *AddOptions) error {
	p, err := opts.Project()
	if err != nil {
		return err
	}
	m := p.Manifest
	unscoped := m.UnscopedRegistry(opts.DefaultRegistry(p.Editor))
	var adds []added
	for _, spec := range opts.Specs {
		name, value, _ := splitSpec(spec)
		a, err := opts.resolveSpec(ctx, p, unscoped, name, value)
		if err != nil {
			return err
		}
		adds = append(adds, a)
	}

	data := p.ManifestBytes
	path := p.Paths.Manifest()
	byReg := map[string][]string{}
	for _, a := range adds {
		if data, err = manifest.SetDependency(path, data, a.name, a.value); err != nil {
			return err
		}
		if opts.Test {
			if data, err = manifest.AddTestable(path, data, a.name); err != nil {
				return err
			}
		}
		if a.reg != "" {
			byReg[a.reg] = append(byReg[a.reg], a.route...)
		}
	}
	moving := map[string]bool{}
	for _, names := range byReg {
		for _, n := range names {
			moving[n] = true
		}
	}
	for _, reg := range slices.Sorted(maps.Keys(byReg)) {
		names := byReg[reg]
		if len(names) == 0 {
			continue
		}
		scopes := opts.Scopes
		if len(scopes) == 0 {
			scopes = routing.Choose(names, others(p, reg, moving, unscoped))
		}
		sr := manifest.ScopedRegistry{Name: opts.registryName(reg, m), URL: opts.registryURLAsWritten(reg, m), Scopes: scopes}
		if data, err = manifest.AddScopes(path, data, sr); err != nil {
			return err
		}
		opts.Infof("scoped registry %q (%s): scopes %s", sr.Name, sr.URL, strings.Join(scopes, ", "))
	}
	for _, a := range adds {
		msg := fmt.Sprintf("+ %s: %s", a.name, a.value)
		if a.note != "" {
			msg += " (" + a.note + ")"
		}
		opts.Infof("%s", msg)
	}
	return opts.apply(ctx, p, data)
}

// resolveSpec decides what add writes for one package.
func (opts *AddOptions) resolveSpec(ctx context.Context, p *project.Project, unscoped, name, value string) (added, error) {
	if value != "" && value != "latest" && value != "stable" {
		spec, err := manifest.ParseSpec(value)
		if err != nil {
			return added{}, cmdutil.UsageErrorf("%s@%s: %v", name, value, err)
		}
		switch spec.Kind {
		case manifest.SpecGit:
			if opts.RegistryURL != "" {
				return added{}, cmdutil.UsageErrorf("%s@%s is a Git package: --registry does not apply", name, value)
			}
			return added{name: name, value: value, note: "Git"}, nil
		case manifest.SpecLocalFolder, manifest.SpecLocalTarball:
			if opts.RegistryURL != "" {
				return added{}, cmdutil.UsageErrorf("%s@%s is a local package: --registry does not apply", name, value)
			}
			v, err := localValue(p, spec.Path)
			if err != nil {
				return added{}, err
			}
			return added{name: name, value: v, note: "local"}, nil
		}
	}
	client, err := opts.Registry()
	if err != nil {
		return added{}, err
	}
	reg, scoped := p.Manifest.RegistryFor(name, unscoped)
	if opts.RegistryURL != "" {
		reg = strings.TrimRight(opts.RegistryURL, "/")
	}
	pack, err := cmdutil.FetchPackument(ctx, client, reg, name)
	if err != nil {
		var nf *registry.NotFoundError
		if errors.As(err, &nf) && opts.RegistryURL == "" && scoped == nil {
			hint := "pass --registry URL with the registry that has it; add adds the scoped registry"
			if e, ok := cmdutil.AsExitError(err); ok && e.Hint != "" {
				hint = e.Hint + " Or " + hint
			}
			return added{}, cmdutil.WithCode(cmdutil.ExitNotFound,
				fmt.Errorf("%w: no scope in the manifest matches %s, so it went to the default registry %s", err, name, reg), hint)
		}
		return added{}, err
	}
	version, note, err := pickVersion(pack, value, p.Editor)
	if err != nil {
		return added{}, err
	}
	a := added{name: name, value: version, note: note}
	if regurl.Same(reg, unscoped) {
		return a, nil // the unscoped registry needs no scope
	}
	a.reg = reg
	routed := func(n string) bool {
		r, sr := p.Manifest.RegistryFor(n, unscoped)
		return sr != nil && regurl.Same(r, reg)
	}
	if !routed(name) {
		a.route = append(a.route, name)
	}
	deps, err := depsOn(ctx, client, reg, pack.Versions[version], p.Manifest, unscoped)
	if err != nil {
		return added{}, err
	}
	for _, d := range deps {
		if !routed(d) {
			a.route = append(a.route, d)
		}
	}
	return a, nil
}

// depsOn lists the dependencies of v, transitively, that reg serves and that
// no scope routes anywhere yet: they must route to reg too. Packages of
// Unity's registry (com.unity.*) need no scope (DECIDED: a registry that
// mirrors Unity's must not take them over).
func depsOn(ctx context.Context, client *registry.Client, reg string, v *registry.Version, m *manifest.Manifest, unscoped string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	var walk func(v *registry.Version) error
	walk = func(v *registry.Version) error {
		for _, d := range v.Dependencies {
			if seen[d.Name] || strings.HasPrefix(d.Name, "com.unity.") {
				continue
			}
			seen[d.Name] = true
			if _, sr := m.RegistryFor(d.Name, unscoped); sr != nil {
				continue // a scope routes it already
			}
			pack, err := client.Packument(ctx, reg, d.Name)
			if errors.Is(err, fs.ErrNotExist) {
				continue // it lives elsewhere
			}
			if err != nil {
				return err
			}
			out = append(out, d.Name)
			if dv := pack.Versions[d.Version]; dv != nil {
				if err := walk(dv); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if v == nil {
		return nil, nil
	}
	return out, walk(v)
}

// others are the packages the project has that come from another registry
// than reg: a scope for reg must not cover them.
func others(p *project.Project, reg string, moving map[string]bool, unscoped string) []string {
	var out []string
	add := func(name, from string) {
		if !moving[name] && !regurl.Same(from, reg) {
			out = append(out, name)
		}
	}
	for _, d := range p.Manifest.Dependencies {
		r, _ := p.Manifest.RegistryFor(d.Name, unscoped)
		add(d.Name, r)
	}
	if p.LockBytes != nil {
		if l, err := lockfile.Parse(p.Paths.Lock(), p.LockBytes); err == nil {
			for _, e := range l.Entries {
				add(e.Name, e.URL)
			}
		}
	}
	return out
}

// localValue is the file: value Unity writes for a path given relative to
// the current folder: relative to the Packages folder, with forward slashes
// (an absolute path when no relative one exists, as across Windows drives).
func localValue(p *project.Project, given string) (string, error) {
	abs, err := filepath.Abs(filepath.FromSlash(given))
	if err != nil {
		return "", fmt.Errorf("file:%s: %w", given, err)
	}
	rel, err := filepath.Rel(p.Paths.Packages(), abs)
	if err != nil {
		rel = abs
	}
	return "file:" + filepath.ToSlash(rel), nil
}

// registryName is the name of a scoped registry add creates.
func (opts *AddOptions) registryName(reg string, m *manifest.Manifest) string {
	if sr := findRegistry(m, reg); sr != nil {
		return sr.Name
	}
	if opts.RegistryName != "" {
		return opts.RegistryName
	}
	if u, err := url.Parse(reg); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return reg
}

// registryURLAsWritten is reg as the manifest writes it, or as given.
func (opts *AddOptions) registryURLAsWritten(reg string, m *manifest.Manifest) string {
	if sr := findRegistry(m, reg); sr != nil {
		return sr.URL
	}
	if opts.RegistryURL != "" {
		return opts.RegistryURL
	}
	return reg
}

func findRegistry(m *manifest.Manifest, reg string) *manifest.ScopedRegistry {
	for i := range m.ScopedRegistries {
		if regurl.Same(m.ScopedRegistries[i].URL, reg) {
			return &m.ScopedRegistries[i]
		}
	}
	return nil
}
