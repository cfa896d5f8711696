// Command bench measures upkg install against a local Verdaccio that requires a
// login (`make bench`; not part of the tests). It publishes a generated project
// of Unity-like packages (hundreds of small files, a .meta beside each), then
// times, over several runs each: a cold install (empty cache), a warm install
// (cache full, no Library folder) and a no-op install (run again), with the
// peak memory (max RSS) of each, and prints the medians.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

func main() {
	n := flag.Int("packages", 100, "packages in the generated project")
	files := flag.Int("files", 200, "files per package (about half are .meta files)")
	runs := flag.Int("runs", 3, "runs per measurement (the median is printed)")
	bin := flag.String("upkg", "bin/upkg", "the upkg binary to measure")
	peerList := flag.String("peers", "", "also measure these package managers on the same packages, side by side: a comma-separated list of npm, pnpm, bun")
	peerBin := flag.String("peer-bin", "test/peers/node_modules/.bin", "where the pnpm and bun executables are")
	flag.Parse()
	var chosen []peer
	binDir, err := filepath.Abs(*peerBin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	known := peers(binDir)
	for _, name := range strings.FieldsFunc(*peerList, func(r rune) bool { return r == ',' }) {
		p, ok := known[strings.TrimSpace(name)]
		if !ok {
			fmt.Fprintf(os.Stderr, "bench: unknown peer %q (npm, pnpm or bun)\n", name)
			os.Exit(2)
		}
		chosen = append(chosen, p)
	}
	if err := run(*n, *files, *runs, *bin, chosen); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n, files, runs int, bin string, others []peer) error {
	ctx := context.Background()
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	srv, err := verdaccio.Start(ctx, verdaccio.Options{})
	if err != nil {
		return err
	}
	defer srv.Stop()
	token, err := srv.AddUser(ctx, "bench", "bench-password-1")
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "upkg-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	fmt.Printf("publishing %d packages × %d files to %s …\n", n, files, srv.URL)
	var deps []string
	var tgzBytes int
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("com.bench.pkg%03d", i)
		d := map[string]string{}
		for k := 1; k <= 3 && i-k*7 >= 0; k++ {
			d[fmt.Sprintf("com.bench.pkg%03d", i-k*7)] = "1.0.0"
		}
		pj := fixture.UnityManifest(name, "1.0.0", "2021.3", d)
		// UnityFiles writes 2 files per script plus 5 fixed ones.
		tgz, err := fixture.Tarball(pj, fixture.UnityFiles(name, max(1, (files-5)/2)))
		if err != nil {
			return err
		}
		tgzBytes += len(tgz)
		if err := srv.Publish(ctx, token, pj, tgz); err != nil {
			return err
		}
		deps = append(deps, fmt.Sprintf("%q: \"1.0.0\"", name))
	}
	project := filepath.Join(work, "project")
	manifest := fmt.Sprintf("{\n  \"dependencies\": {%s},\n  \"scopedRegistries\": [{\"name\": \"bench\", \"url\": %q, \"scopes\": [\"com.bench\"]}]\n}\n", strings.Join(deps, ", "), srv.URL)
	if err := os.MkdirAll(filepath.Join(project, "Packages"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(project, "Packages", "manifest.json"), []byte(manifest), 0o644); err != nil {
		return err
	}
	home := filepath.Join(work, "home")
	cacheRoot := filepath.Join(work, "cache")
	env := append(os.Environ(),
		"HOME="+home,
		"UPM_USER_CONFIG_FILE="+filepath.Join(home, ".upmconfig.toml"),
		"UPM_GLOBAL_CONFIG_FILE="+filepath.Join(home, "global.toml"),
		"UPM_CACHE_ROOT="+cacheRoot,
		"CI=1",
	)
	login := exec.Command(bin, "auth", "set", "--registry", srv.URL, "--token-stdin")
	login.Env, login.Stdin = env, strings.NewReader(token)
	if out, err := login.CombinedOutput(); err != nil {
		return fmt.Errorf("auth set: %v: %s", err, out)
	}
	install := func() (time.Duration, int64, error) {
		cmd := exec.Command(bin, "install", "--editor-version", "2022.3.20f1")
		cmd.Env, cmd.Dir = env, project
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			return 0, 0, fmt.Errorf("install: %v: %s", err, out)
		}
		return d, maxRSS(cmd.ProcessState), nil
	}
	reset := func(cache, library bool) error {
		if cache {
			if err := os.RemoveAll(cacheRoot); err != nil {
				return err
			}
		}
		if library {
			if err := os.RemoveAll(filepath.Join(project, "Library")); err != nil {
				return err
			}
			os.Remove(filepath.Join(project, "Packages", "packages-lock.json"))
		}
		return nil
	}
	rows := []*row{{name: "cold (empty cache)", cache: true, lib: true}, {name: "warm (cache full, no Library)", lib: true}, {name: "no-op (run again)"}}
	for r := 0; r < runs; r++ {
		for _, rw := range rows {
			if err := reset(rw.cache, rw.lib); err != nil {
				return err
			}
			d, rss, err := install()
			if err != nil {
				return err
			}
			rw.times = append(rw.times, d)
			rw.rss = append(rw.rss, rss)
		}
	}
	var peerRows []*row
	for _, p := range others {
		fmt.Printf("measuring %s …\n", p.name)
		rs, err := benchPeer(p, work, srv.URL, token, deps, runs)
		if err != nil {
			return err
		}
		peerRows = append(peerRows, rs...)
	}
	fmt.Printf("\nupkg install, %d packages, %d files each (%.1f MB of tarballs), median of %d runs, %s/%s, %d CPUs:\n\n",
		n, files, float64(tgzBytes)/1e6, runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Println("| install | time | peak memory (max RSS) |")
	fmt.Println("|---|---|---|")
	for _, rw := range rows {
		fmt.Printf("| %s | %s | %.0f MB |\n", rw.name, median(rw.times).Round(time.Millisecond), float64(medianInt(rw.rss))/1e6)
	}
	for _, rw := range peerRows {
		fmt.Printf("| %s | %s | %.0f MB |\n", rw.name, median(rw.times).Round(time.Millisecond), float64(medianInt(rw.rss))/1e6)
	}
	summary, _ := json.Marshal(map[string]any{"packages": n, "files": files, "runs": runs})
	fmt.Printf("\n%s\n", summary)
	return nil
}

// row is one measured case.
type row struct {
	name       string
	times      []time.Duration
	rss        []int64
	cache, lib bool
}

// peer is another package manager measured on the same packages.
type peer struct {
	name string
	// command runs one install in dir with its caches under cache.
	command  func(dir, cache string) *exec.Cmd
	lockFile string
}

// peers are the package managers -peers can name. npm is the one on PATH;
// pnpm and bun are the pinned ones `make bench` installs in test/peers.
func peers(peerBin string) map[string]peer {
	return map[string]peer{
		"npm": {"npm", func(dir, cache string) *exec.Cmd {
			return exec.Command("npm", "install", "--cache", cache, "--no-audit", "--no-fund", "--ignore-scripts")
		}, "package-lock.json"},
		"pnpm": {"pnpm", func(dir, cache string) *exec.Cmd {
			// pnpm hard-links from its store (package-import-method auto);
			// --no-frozen-lockfile because CI=1 would make it frozen.
			return exec.Command(filepath.Join(peerBin, "pnpm"), "install", "--store-dir", filepath.Join(cache, "store"),
				"--cache-dir", filepath.Join(cache, "meta"), "--ignore-scripts", "--no-frozen-lockfile", "--reporter=silent")
		}, "pnpm-lock.yaml"},
		"bun": {"bun", func(dir, cache string) *exec.Cmd {
			return exec.Command(filepath.Join(peerBin, "bun"), "install", "--cache-dir", cache, "--ignore-scripts", "--silent")
		}, "bun.lock"},
	}
}

// benchPeer installs the same packages with another package manager (same
// registry, same user, credentials in the project's .npmrc): cold (empty
// cache, no node_modules), warm (cache full, no node_modules, no lock file)
// and no-op (run again).
func benchPeer(p peer, work, url, token string, deps []string, runs int) ([]*row, error) {
	dir := filepath.Join(work, p.name+"-project")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pj := fmt.Sprintf("{\"name\": \"bench\", \"version\": \"1.0.0\", \"private\": true, \"dependencies\": {%s}}\n", strings.Join(deps, ", "))
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(pj), 0o644); err != nil {
		return nil, err
	}
	host := strings.TrimPrefix(strings.TrimPrefix(url, "http:"), "https:")
	rc := fmt.Sprintf("registry=%s/\n%s/:_authToken=%s\naudit=false\nfund=false\nupdate-notifier=false\n", url, host, token)
	if err := os.WriteFile(filepath.Join(dir, ".npmrc"), []byte(rc), 0o600); err != nil {
		return nil, err
	}
	cache := filepath.Join(work, p.name+"-cache")
	rows := []*row{
		{name: p.name + ": cold (empty cache)", cache: true, lib: true},
		{name: p.name + ": warm (cache full, no node_modules)", lib: true},
		{name: p.name + ": no-op (run again)"},
	}
	for r := 0; r < runs; r++ {
		for _, rw := range rows {
			if rw.cache {
				os.RemoveAll(cache)
			}
			if rw.lib {
				os.RemoveAll(filepath.Join(dir, "node_modules"))
				os.Remove(filepath.Join(dir, p.lockFile))
			}
			cmd := p.command(dir, cache)
			cmd.Dir = dir
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				return nil, fmt.Errorf("%s install: %v: %s", p.name, err, out)
			}
			rw.times = append(rw.times, time.Since(start))
			rw.rss = append(rw.rss, maxRSS(cmd.ProcessState))
		}
	}
	return rows, nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func medianInt(xs []int64) int64 {
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
