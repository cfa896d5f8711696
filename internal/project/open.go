package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/upkg/upkg/internal/manifest"
)

// Project is a Unity project opened once: where its files are, its manifest,
// its lock as read, and its editor version. Commands read these here and
// nowhere else.
type Project struct {
	Paths
	// Manifest is Packages/manifest.json parsed, ManifestBytes as read.
	Manifest      *manifest.Manifest
	ManifestBytes []byte
	// LockBytes is Packages/packages-lock.json as read; nil when there is
	// none.
	LockBytes []byte
	// Editor is the editor version: the one Open was given, else
	// ProjectSettings/ProjectVersion.txt's; "" when that file is missing
	// (EditorMissing).
	Editor        string
	EditorMissing bool
}

// Open reads the project at root. editor, when not "", is the editor version
// to use instead of ProjectVersion.txt's (which is then not read). A
// malformed manifest or ProjectVersion.txt is a *fileerr.PositionError.
func Open(root, editor string) (*Project, error) {
	p := &Project{Paths: Paths{Root: root}, Editor: editor}
	var err error
	if p.ManifestBytes, err = os.ReadFile(p.Paths.Manifest()); err != nil {
		return nil, fmt.Errorf("read the manifest: %w", err) // err names the file
	}
	if p.Manifest, err = manifest.Parse(p.Paths.Manifest(), p.ManifestBytes); err != nil {
		return nil, err
	}
	if p.LockBytes, err = readOptional(p.Lock()); err != nil {
		return nil, err
	}
	if editor != "" {
		return p, nil
	}
	b, err := readOptional(p.ProjectVersion())
	if err != nil {
		return nil, err
	}
	if b == nil {
		p.EditorMissing = true
		return p, nil
	}
	if p.Editor, err = manifest.ParseProjectVersion(p.ProjectVersion(), b); err != nil {
		return nil, err
	}
	return p, nil
}

// readOptional reads path; a missing file is nil, not an error.
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}
