package install

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/resolve"
)

// findLocals reads the package.json of every embedded package (a folder in
// Packages/ holding one) and of every file: dependency of the manifest.
func findLocals(projectRoot string, m *manifest.Manifest) (map[string]resolve.LocalPackage, error) {
	pkgs := project.Paths{Root: projectRoot}.Packages()
	locals := map[string]resolve.LocalPackage{}
	dirents, err := os.ReadDir(pkgs)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", pkgs, err)
	}
	for _, d := range dirents {
		if !d.IsDir() {
			continue
		}
		pj, err := readPackageJSON(filepath.Join(pkgs, d.Name(), "package.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		locals[pj.Name] = resolve.LocalPackage{Source: lockfile.SourceEmbedded, Version: "file:" + d.Name(), Dependencies: pj.Dependencies}
	}
	for _, dep := range m.Dependencies {
		if _, embedded := locals[dep.Name]; embedded {
			// An embedded package overrides any request (UPM-SPEC §5), even
			// one that is no valid value: Unity never reads it (a real
			// project asks for "nuget": "files:./Nuget", embedded as nuget).
			continue
		}
		if err := dep.ValueError(m.Path); err != nil {
			return nil, err
		}
		var pj *manifest.PackageJSON
		var source string
		var err error
		switch dep.Spec.Kind {
		case manifest.SpecLocalFolder:
			source = lockfile.SourceLocal
			pj, err = readPackageJSON(filepath.Join(localPath(pkgs, dep.Spec.Path), "package.json"))
		case manifest.SpecLocalTarball:
			source = lockfile.SourceLocalTarball
			pj, err = packageJSONInTarball(localPath(pkgs, dep.Spec.Path))
		default:
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &LocalMissingError{Name: dep.Name, Value: dep.Version, Err: err}
		}
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", dep.Name, dep.Version, err)
		}
		if pj.Name != dep.Name {
			return nil, &manifest.ParseError{File: m.Path, Line: dep.Line, Column: dep.Column,
				Msg: fmt.Sprintf("%s points at a package named %q", dep.Name, pj.Name)}
		}
		locals[dep.Name] = resolve.LocalPackage{Source: source, Version: dep.Version, Dependencies: pj.Dependencies}
	}
	return locals, nil
}

// localPath resolves a file: path, relative to the Packages folder.
func localPath(pkgs, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(pkgs, filepath.FromSlash(p))
}

func readPackageJSON(p string) (*manifest.PackageJSON, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return manifest.ParsePackageJSON(p, b)
}

// packageJSONInTarball reads package/package.json from a local .tgz.
func packageJSONInTarball(p string) (*manifest.PackageJSON, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s has no package.json", p)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		name := strings.TrimPrefix(path.Clean(h.Name), "./")
		if i := strings.IndexByte(name, '/'); i >= 0 && name[i+1:] == "package.json" {
			b, err := io.ReadAll(io.LimitReader(tr, 1<<20))
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", p, err)
			}
			return manifest.ParsePackageJSON(p+"!"+name, b)
		}
	}
}

// localInputs is what the embedded and file: packages add to the no-op
// check: every embedded package's package.json, every file: folder's
// package.json and every local tarball's size and modification time. A
// file that cannot be read counts as its error, so it changes the inputs
// too; the install itself reports it.
func localInputs(projectRoot string, m *manifest.Manifest) []byte {
	var b strings.Builder
	pkgs := project.Paths{Root: projectRoot}.Packages()
	add := func(label, p string) {
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(&b, "%s\x00error %v\x00", label, errors.Unwrap(err))
			return
		}
		fmt.Fprintf(&b, "%s\x00%d\x00%s\x00", label, len(data), data)
	}
	if dirents, err := os.ReadDir(pkgs); err == nil {
		for _, d := range dirents {
			if !d.IsDir() {
				continue
			}
			if _, err := os.Stat(filepath.Join(pkgs, d.Name(), "package.json")); err == nil {
				add("embedded "+d.Name(), filepath.Join(pkgs, d.Name(), "package.json"))
			}
		}
	}
	for _, dep := range m.Dependencies {
		if dep.SpecErr != nil {
			continue
		}
		switch dep.Spec.Kind {
		case manifest.SpecLocalFolder:
			add("local "+dep.Name, filepath.Join(localPath(pkgs, dep.Spec.Path), "package.json"))
		case manifest.SpecLocalTarball:
			fi, err := os.Stat(localPath(pkgs, dep.Spec.Path))
			if err != nil {
				fmt.Fprintf(&b, "tarball %s\x00error\x00", dep.Name)
				continue
			}
			fmt.Fprintf(&b, "tarball %s\x00%d\x00%d\x00", dep.Name, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return []byte(b.String())
}

// LocalMissingError is a file: dependency whose folder, package.json or
// tarball is not there.
type LocalMissingError struct {
	Name, Value string
	Err         error
}

func (e *LocalMissingError) Error() string {
	return fmt.Sprintf("%s (%s): %v", e.Name, e.Value, e.Err)
}

func (e *LocalMissingError) Unwrap() error { return e.Err }

// localTarballPath is the file a local-tarball package's version
// ("file:<path>") names, relative to the Packages folder: the path of the
// manifest's dependency name, as parsed with the manifest.
func localTarballPath(opts Options, name, version string) (string, error) {
	for _, d := range opts.Manifest.Dependencies {
		if d.Name == name {
			if d.Spec.Kind != manifest.SpecLocalTarball || d.SpecErr != nil {
				break
			}
			return localPath(project.Paths{Root: opts.ProjectRoot}.Packages(), d.Spec.Path), nil
		}
	}
	return "", fmt.Errorf("%q is not a local tarball", version)
}

// localTarballEntry puts a local tarball into the cache, keyed by its
// SHA-512, and returns the entry.
func localTarballEntry(ctx context.Context, store *cache.Store, name, version, tgz string) (*cache.Entry, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, &LocalMissingError{Name: name, Value: version, Err: err}
	}
	h := sha512.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s (%s): read %s: %w", name, version, tgz, err)
	}
	key := cache.Key{Integrity: "sha512-" + base64.StdEncoding.EncodeToString(h.Sum(nil))}
	return store.Ensure(ctx, key, name, version, func(context.Context) (io.ReadCloser, error) {
		return os.Open(tgz)
	})
}
