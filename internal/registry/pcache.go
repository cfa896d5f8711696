package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/regurl"
)

// The packument cache keeps one file per registry and package:
//
//	<CacheDir>/<h[:2]>/<h>.json, h = hex sha256(normalised registry + "/" + name)
//
// The file is one line of JSON metadata (cacheMeta), a newline, then the
// packument exactly as the registry sent it. One file, so that the ETag and
// the body it belongs to are replaced together by one atomic rename.

// cacheFormat is the version of the file layout above.
const cacheFormat = 1

// cacheMeta is the first line of a cache file.
type cacheMeta struct {
	Format       int    `json:"format"`
	Registry     string `json:"registry"`
	Name         string `json:"name"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
}

// cacheEntry is a cached packument.
type cacheEntry struct {
	ETag, LastModified string
	body               []byte
}

// cacheRegistry is the registry URL a cache key is made of: normalised, so
// that http://H:80/npm/ and http://h/npm share entries.
func cacheRegistry(reg string) string {
	if n, err := regurl.NormalizeURL(reg); err == nil {
		return n
	}
	return strings.TrimRight(reg, "/")
}

// cachePath is the file of name's packument from reg under dir.
func cachePath(dir, reg, name string) string {
	sum := sha256.Sum256([]byte(cacheRegistry(reg) + "/" + name))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(dir, h[:2], h+".json")
}

// readCacheEntry returns the cached packument of name from reg, nil if there
// is none, or an error if the file is unreadable or damaged.
func readCacheEntry(dir, reg, name string) (*cacheEntry, error) {
	path := cachePath(dir, reg, name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cached packument %s: %w", path, err)
	}
	line, body, ok := bytes.Cut(data, []byte("\n"))
	var m cacheMeta
	if !ok || json.Unmarshal(line, &m) != nil || m.Format != cacheFormat {
		return nil, fmt.Errorf("cached packument %s is damaged; it is refetched when online", path)
	}
	if m.Registry != cacheRegistry(reg) || m.Name != name {
		return nil, fmt.Errorf("cached packument %s belongs to %s from %s", path, m.Name, m.Registry)
	}
	return &cacheEntry{ETag: m.ETag, LastModified: m.LastModified, body: body}, nil
}

// writeCacheEntry stores e as name's packument from reg, atomically.
func writeCacheEntry(dir, reg, name string, e *cacheEntry) error {
	line, err := json.Marshal(cacheMeta{Format: cacheFormat, Registry: cacheRegistry(reg), Name: name,
		ETag: e.ETag, LastModified: e.LastModified})
	if err != nil {
		return fmt.Errorf("encode cache metadata of %s: %w", name, err)
	}
	data := make([]byte, 0, len(line)+1+len(e.body))
	data = append(append(append(data, line...), '\n'), e.body...)
	path := cachePath(dir, reg, name)
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("cache the packument of %s: %w", name, err)
	}
	return nil
}
