// Package list implements `upkg list` and `upkg why`: the project's resolved
// packages, and why each is there, read from Packages/manifest.json and
// Packages/packages-lock.json alone — neither touches the network.
package list

import (
	"fmt"
	"strings"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/depgraph"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/project"
)

// openGraph opens the project and builds the graph of its manifest and lock.
// No lock is exit 1 with a hint; a malformed one is the parser's position
// error (exit 8). Manifest packages the lock lacks are warned about.
func openGraph(p cmdutil.Printer, open func() (*project.Project, error)) (*project.Project, *depgraph.Graph, error) {
	proj, err := open()
	if err != nil {
		return nil, nil, err
	}
	if proj.LockBytes == nil {
		return nil, nil, cmdutil.WithCode(cmdutil.ExitFailure,
			fmt.Errorf("no lock file: %s does not exist", proj.Lock()), "run upkg install first")
	}
	lock, err := lockfile.Parse(proj.Lock(), proj.LockBytes)
	if err != nil {
		return nil, nil, err
	}
	g := depgraph.New(proj.Manifest, lock)
	if missing := g.Missing(); len(missing) > 0 {
		p.Warnf("the lock lacks %s, which the manifest asks for: run upkg install to bring it up to date", strings.Join(missing, ", "))
	}
	return proj, g, nil
}

// locked is what every JSON shape says of a locked package: its name,
// version, source, and registry URL (null unless a registry package).
type locked struct {
	Name     string  `json:"name"`
	Version  string  `json:"version"`
	Source   string  `json:"source"`
	Registry *string `json:"registry"`
}

// lockedOf is e's locked part.
func lockedOf(e lockfile.Entry) locked {
	l := locked{Name: e.Name, Version: e.Version, Source: e.Source}
	if e.Source == lockfile.SourceRegistry && e.URL != "" {
		u := e.URL
		l.Registry = &u
	}
	return l
}

// link is one package of a requester chain, in JSON.
type link struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Asks    string `json:"asks"`
}
