// Package deps implements the commands that edit a project's dependencies:
// `upkg add`, `upkg remove` and `upkg upgrade`. Each edits
// Packages/manifest.json surgically (manifest's editor), shows the change as
// a diff with --dry-run and writes nothing then, and otherwise writes the
// manifest atomically and installs; when the install fails, the manifest is
// put back as it was.
package deps

import (
	"context"
	"fmt"
	"os"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	installcmd "github.com/upkg/upkg/internal/cli/install"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/textdiff"
)

// EditOptions are what every command here takes from the Factory, and
// --dry-run.
type EditOptions struct {
	cmdutil.Printer
	// Project, Registry and DefaultRegistry are the Factory's methods.
	Project         func() (*project.Project, error)
	Registry        func() (*registry.Client, error)
	DefaultRegistry func(editor string) string
	// Install runs `upkg install` on the edited project.
	Install func(ctx context.Context) error

	DryRun bool
}

// newCommon copies what the commands use from the Factory; the install after
// an edit reads the project again.
func newEditOptions(f *cmdutil.Factory) EditOptions {
	return EditOptions{
		Printer:         f.Printer(),
		Project:         f.Project,
		Registry:        f.Registry,
		DefaultRegistry: f.DefaultRegistry,
		Install: func(ctx context.Context) error {
			opts := installcmd.NewOptions(f)
			opts.Project = func() (*project.Project, error) {
				p, err := f.Project()
				if err != nil {
					return nil, err
				}
				return project.Open(p.Root, p.Editor) // "" when unknown: read again
			}
			return installcmd.Run(ctx, opts)
		},
	}
}

// apply shows the edit (--dry-run) or writes it and installs; the manifest
// is restored when the install fails.
func (c *EditOptions) apply(ctx context.Context, p *project.Project, edited []byte) error {
	path := p.Paths.Manifest()
	if c.DryRun {
		if diff := textdiff.Unified("a/Packages/manifest.json", "b/Packages/manifest.json", p.ManifestBytes, edited); diff != "" {
			fmt.Fprint(c.IO.Out, diff)
		}
		c.Infof("--dry-run: nothing was written")
		return nil
	}
	if string(edited) == string(p.ManifestBytes) {
		c.Infof("%s is unchanged", path)
		return c.Install(ctx)
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	if err := atomicfile.WriteFile(path, edited, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := c.Install(ctx); err != nil {
		if rerr := atomicfile.WriteFile(path, p.ManifestBytes, perm); rerr != nil {
			return fmt.Errorf("%w (and %s could not be put back: %v)", err, path, rerr)
		}
		c.Warnf("the install failed: %s is back as it was", path)
		return err
	}
	return nil
}
