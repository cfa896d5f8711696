package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

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
	// MaxAge is the registry's Cache-Control max-age in seconds (0 for
	// no-cache or no-store), absent when it sent none.
	MaxAge *int64 `json:"maxAge,omitempty"`
}

// cacheEntry is a cached packument.
type cacheEntry struct {
	ETag, LastModified string
	// MaxAge is how long the registry said the document stays fresh, -1
	// when it did not say.
	MaxAge time.Duration
	// Checked is when the registry last sent or confirmed (304) the
	// document: the cache file's modification time.
	Checked time.Time
	body    []byte
}

// maxAgeOf reads a response's Cache-Control: max-age=N as N seconds, 0 for
// no-cache, no-store or an unreadable max-age, -1 when it says nothing
// about freshness.
func maxAgeOf(h http.Header) time.Duration {
	age := time.Duration(-1)
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(strings.ToLower(d)), "=")
			switch k {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
				if err != nil || n < 0 {
					return 0 // unreadable: revalidate, as for no-cache
				}
				age = time.Duration(min(n, int64(365*24*time.Hour/time.Second))) * time.Second
			}
		}
	}
	return age
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
	data, checked, err := readFileTime(path)
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
	e := &cacheEntry{ETag: m.ETag, LastModified: m.LastModified, MaxAge: -1, Checked: checked, body: body}
	if m.MaxAge != nil {
		e.MaxAge = time.Duration(*m.MaxAge) * time.Second
	}
	return e, nil
}

// readFileTime reads a file and its modification time.
func readFileTime(path string) ([]byte, time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	data := make([]byte, 0, fi.Size()+1)
	buf := bytes.NewBuffer(data)
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, time.Time{}, err
	}
	return buf.Bytes(), fi.ModTime(), nil
}

// touchCacheEntry records that the registry confirmed name's cached
// packument just now (a 304), with the freshness it gave then.
func touchCacheEntry(dir, reg, name string, e *cacheEntry, maxAge time.Duration) error {
	if maxAge != e.MaxAge {
		e.MaxAge = maxAge
		return writeCacheEntry(dir, reg, name, e)
	}
	now := time.Now()
	path := cachePath(dir, reg, name)
	if err := os.Chtimes(path, now, now); err != nil {
		return fmt.Errorf("cache the packument of %s: %w", name, err)
	}
	return nil
}

// writeCacheEntry stores e as name's packument from reg, atomically.
func writeCacheEntry(dir, reg, name string, e *cacheEntry) error {
	m := cacheMeta{Format: cacheFormat, Registry: cacheRegistry(reg), Name: name, ETag: e.ETag, LastModified: e.LastModified}
	if e.MaxAge >= 0 {
		secs := int64(e.MaxAge / time.Second)
		m.MaxAge = &secs
	}
	line, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode cache metadata of %s: %w", name, err)
	}
	data := make([]byte, 0, len(line)+1+len(e.body))
	data = append(append(append(data, line...), '\n'), e.body...)
	path := cachePath(dir, reg, name)
	// No fsync: a damaged entry is fetched again (readCacheEntry).
	if err := atomicfile.WriteCache(path, data, 0o644); err != nil {
		return fmt.Errorf("cache the packument of %s: %w", name, err)
	}
	return nil
}
