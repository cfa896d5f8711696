package install

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/manifest"
)

// folderLayout is how an editor names package folders under
// Library/PackageCache (docs/unity-notes.md, "Package folder names"):
//
//   - up to 2023.x: <name>@<version>, Git packages <name>@<commit[:10]>;
//   - 6000.0.0 to 6000.0.21: <name>, no suffix;
//   - 6000.0.22 on: <name>@<12 hex digits>, the start of the package's
//     fingerprint in Library/PackageManager/projectResolution.json, which for
//     a registry package is the SHA-1 of its tarball (dist.shasum). For Git
//     packages Unity's fingerprint is a content hash no public source
//     explains; upkg writes the first 12 digits of the commit, so that
//     <name>@* finds exactly one folder.
type folderLayout int

const (
	layoutVersion folderLayout = iota
	layoutBare
	layoutHash
)

// layoutFor returns the layout of an editor version ("" or unparsable: the
// classic one).
func layoutFor(editor string) folderLayout {
	ev, err := manifest.ParseEditorVersion(strings.TrimSpace(editor))
	switch {
	case err != nil || ev.Major < 6000:
		return layoutVersion
	case ev.Major == 6000 && ev.Minor == 0 && ev.Patch < 22:
		return layoutBare
	}
	return layoutHash
}

// registryFolder is the folder of a registry package.
func (l folderLayout) registryFolder(name, version string, e *cache.Entry) (string, error) {
	switch l {
	case layoutBare:
		return name, nil
	case layoutHash:
		sum, err := tarballSHA1(e)
		if err != nil {
			return "", err
		}
		return name + "@" + sum[:12], nil
	}
	return name + "@" + version, nil
}

// gitFolder is the folder of a Git package at commit.
func (l folderLayout) gitFolder(name, commit string) string {
	switch l {
	case layoutBare:
		return name
	case layoutHash:
		return name + "@" + commit[:12]
	}
	return name + "@" + commit[:10]
}

// tarballSHA1 is the lower-case hex SHA-1 of an entry's tarball: the
// registry's shasum when it gave one (the cache verified the tarball
// against it), else computed.
func tarballSHA1(e *cache.Entry) (string, error) {
	if s := strings.ToLower(e.Meta.Shasum); len(s) == 40 {
		return s, nil
	}
	f, err := os.Open(e.TarballPath())
	if err != nil {
		return "", fmt.Errorf("%s@%s: read the cached tarball for its SHA-1: %w", e.Meta.Name, e.Meta.Version, err)
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s@%s: read the cached tarball for its SHA-1: %w", e.Meta.Name, e.Meta.Version, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// folderPackage is the package name a Library/PackageCache folder belongs
// to: the part before "@", or the whole name for the suffix-less folders of
// early Unity 6 (a name with a dot; anything else is not a package folder).
func folderPackage(dir string) (string, bool) {
	if strings.HasPrefix(dir, ".") {
		// Hidden: another process's work in progress (".<name>@<v>.upkg-new-*"),
		// which Unity ignores too.
		return "", false
	}
	if name, _, ok := strings.Cut(dir, "@"); ok {
		return name, name != ""
	}
	if strings.HasPrefix(dir, ".") || !strings.Contains(dir, ".") || manifest.ValidateName(dir) != nil {
		return "", false
	}
	return dir, true
}

// tarballFolder is the folder of a file:<x.tgz> package (upm-localpath):
// up to 2023.x <name>@<first 12 hex digits of the MD5 of the tarball's full
// path>-<its modification time in Unix milliseconds>, as IDE plugins that
// locate packages read it (JetBrains resharper-unity's PackageManager.cs);
// none on 6000.0.0–6000.0.21; from 6000.0.22 the start of the tarball's
// SHA-1, as for registry packages (DECIDED: Unity's fingerprint of a local
// tarball is not documented).
func (l folderLayout) tarballFolder(name, tgz string, e *cache.Entry) (string, error) {
	if l != layoutVersion {
		return l.registryFolder(name, "", e) // named as a registry package's
	}
	abs, err := filepath.Abs(tgz)
	if err != nil {
		return "", fmt.Errorf("%s: %w", tgz, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	sum := md5.Sum([]byte(abs))
	return fmt.Sprintf("%s@%s-%d", name, hex.EncodeToString(sum[:])[:12], fi.ModTime().UnixMilli()), nil
}
