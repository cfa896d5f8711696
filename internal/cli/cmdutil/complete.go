package cmdutil

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/regurl"
)

// Shell completion (cobra's __complete): values upkg knows without the
// network. A completion never fails: what cannot be read completes nothing.

// CompleteRegistries completes a --registry flag: the npmAuth keys of both
// config files and the manifest's scoped registries, each once.
func (f *Factory) CompleteRegistries(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var urls []string
	add := func(u string) {
		u = strings.TrimRight(u, "/")
		if !strings.HasPrefix(u, toComplete) || slices.ContainsFunc(urls, func(v string) bool { return regurl.Same(u, v) }) {
			return
		}
		urls = append(urls, u)
	}
	if p, ok := f.projectIfAny(); ok {
		for _, sr := range p.Manifest.ScopedRegistries {
			add(sr.URL)
		}
	}
	if cfg, err := f.Config(); err == nil {
		for _, a := range cfg.Auths() {
			add(a.Registry)
		}
	}
	return urls, cobra.ShellCompDirectiveNoFileComp
}

// CompletePackages returns a ValidArgsFunction completing package names from
// the project: the manifest's dependencies (and testables), and with
// withLock the lock's packages too. Names already on the command line are
// left out.
func (f *Factory) CompletePackages(withLock bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var names []string
		add := func(n string) {
			if strings.HasPrefix(n, toComplete) && !slices.Contains(names, n) && !slices.Contains(args, n) {
				names = append(names, n)
			}
		}
		p, ok := f.projectIfAny()
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		for _, d := range p.Manifest.Dependencies {
			add(d.Name)
		}
		for _, n := range p.Manifest.Testables {
			add(n)
		}
		if withLock && p.LockBytes != nil {
			if lock, err := lockfile.Parse(p.Lock(), p.LockBytes); err == nil {
				for _, e := range lock.Entries {
					add(e.Name)
				}
			}
		}
		slices.Sort(names)
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// projectIfAny is the project when there is one that opens.
func (f *Factory) projectIfAny() (*project.Project, bool) {
	if _, found, err := f.ProjectRoot(); err != nil || !found {
		return nil, false
	}
	p, err := f.Project()
	return p, err == nil
}
