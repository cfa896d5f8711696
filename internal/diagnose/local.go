package diagnose

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/humanize"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/upmconfig"
)

// ConfigChecks report the config files (parsed: whether they could be read;
// when not, the caller reports the error) and the effective settings but
// caFile, which NetworkChecks report.
func ConfigChecks(cfg *upmconfig.Config, parsed bool, effective []upmconfig.Effective) []Check {
	var out []Check
	for _, file := range []*upmconfig.File{cfg.User, cfg.Global} {
		name := "user config"
		if file.Global {
			name = "global config"
		}
		c := Check{Check: "config", Status: StatusOK}
		switch {
		case !parsed:
			continue
		case file.Exists:
			c.Detail = fmt.Sprintf("%s %s: found, %d npmAuth entries", name, file.Path, len(file.NpmAuth))
			if s, ok := file.Settings[upmconfig.KeyCAFile]; ok {
				c.Detail += fmt.Sprintf(", caFile = %v", s.Value)
			}
		default:
			c.Detail = fmt.Sprintf("%s %s: not found (nothing set there)", name, file.Path)
		}
		out = append(out, c)
		for _, w := range file.Warnings {
			out = append(out, Check{Check: "config", Status: StatusWarn, Detail: w.String(), Fix: "edit that line of " + file.Path})
		}
	}
	for _, e := range effective {
		if e.Key == upmconfig.KeyCAFile {
			continue // reported with the network settings
		}
		out = append(out, Check{Check: e.Key, Status: StatusOK, Detail: fmt.Sprintf("%v (%s)", e.Value, Source(e.Source, e.Where))})
	}
	return out
}

// Source describes where a setting came from: "env UPM_CACHE_ROOT",
// "user PATH", "default".
func Source(src, where string) string {
	if where == "" {
		return src
	}
	return src + " " + where
}

// CacheCheck reports the size of the cache at dir against its cap; envVar
// names the environment variable that chose dir, if one did.
func CacheCheck(dir string, maxSize int64, envVar string) Check {
	size, n := dirSize(dir)
	c := Check{Check: "cache", Status: StatusOK, Detail: fmt.Sprintf("%s: %s in %s (cap %s)", dir, humanize.Bytes(size), humanize.Count(n, "file", "files"), humanize.Bytes(maxSize))}
	if size > maxSize {
		c.Status, c.Fix = StatusWarn, "upkg cache prune"
	}
	if envVar != "" {
		c.Detail += " (env " + envVar + ")"
	}
	return c
}

// dirSize sums the sizes of the regular files under dir.
func dirSize(dir string) (size int64, files int) {
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable corner does not stop the count
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
				files++
			}
		}
		return nil
	})
	return size, files
}

// GitChecks say whether git, which Git dependencies are fetched with, and
// git-lfs are there — when m has any Git dependency. timeout bounds asking
// git-lfs its version.
func GitChecks(ctx context.Context, m *manifest.Manifest, timeout time.Duration) []Check {
	var names []string
	for _, d := range m.Dependencies {
		if spec, err := manifest.ParseSpec(d.Version); err == nil && spec.Kind == manifest.SpecGit {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	path, err := exec.LookPath("git")
	if err != nil {
		return []Check{{Check: "git", Status: StatusFail,
			Detail: fmt.Sprintf("git is not on PATH, and %d Git packages need it: %s", len(names), strings.Join(names, ", ")),
			Fix:    "install git and put it on PATH (its credential helpers and SSH keys are used as they are)"}}
	}
	checks := []Check{{Check: "git", Status: StatusOK, Detail: fmt.Sprintf("%s, for %d Git packages", path, len(names))}}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, path, "lfs", "version").Output(); err == nil {
		checks = append(checks, Check{Check: "git-lfs", Status: StatusOK, Detail: strings.TrimSpace(string(out)) + ": Git LFS files of Git packages arrive with their content"})
	} else {
		checks = append(checks, Check{Check: "git-lfs", Status: StatusWarn,
			Detail: "git-lfs is not installed: a Git package whose repository uses Git LFS installs pointer files instead of its files",
			Fix:    "install git-lfs (https://git-lfs.com) if any of these repositories use it: " + strings.Join(names, ", ")})
	}
	return checks
}

// BuiltinsCheck says where install takes the project's built-in packages
// from (set: an installed editor, the table of its release, the nearest
// table), given the lock file at lockPath. An editor line without a table is
// a warning naming the three ways to be exact.
func BuiltinsCheck(set *builtin.Set, lockPath string) Check {
	c := Check{Check: "built-in packages", Status: StatusOK}
	var lock *lockfile.Lock
	if data, err := os.ReadFile(lockPath); err == nil {
		if lock, err = lockfile.Parse(lockPath, data); err != nil {
			c.Status, c.Detail, c.Fix = StatusFail, err.Error(), "fix or delete the lock file; install writes it again"
			return c
		}
	}
	set, changes := set.WithLock(lock)
	c.Detail = set.Origin()
	if len(changes) > 0 {
		c.Detail += fmt.Sprintf("; %d differ from the lock (the project moved to another editor; install rewrites them)", len(changes))
	}
	if set.Approximate() && lock == nil {
		c.Status = StatusWarn
		c.Fix = "install that editor (Unity Hub's locations are searched), pass --editor-path DIR or set UNITY_EDITOR_PATH, or keep the packages-lock.json Unity wrote"
	}
	return c
}
