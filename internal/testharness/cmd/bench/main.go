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
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
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
	latency := flag.Duration("latency", 0, "hold back every registry response this long (a registry across a network, not on loopback)")
	hold := flag.Bool("hold", false, "publish and set up the project, print its environment, then wait for Ctrl-C instead of measuring (for profiling by hand)")
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
	if err := run(*n, *files, *runs, *bin, chosen, *hold, *latency); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n, files, runs int, bin string, others []peer, hold bool, latency time.Duration) error {
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
	regURL := srv.URL
	if latency > 0 {
		if regURL, err = delayed(srv.URL, latency); err != nil {
			return err
		}
		fmt.Printf("installs go through %s, which holds every response back %s\n", regURL, latency)
	}
	last := fmt.Sprintf("com.bench.pkg%03d", n-1)
	project := filepath.Join(work, "project")
	manifest := fmt.Sprintf("{\n  \"dependencies\": {%s},\n  \"scopedRegistries\": [{\"name\": \"bench\", \"url\": %q, \"scopes\": [\"com.bench\"]}]\n}\n", strings.Join(deps, ", "), regURL)
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
	login := exec.Command(bin, "auth", "set", "--registry", regURL, "--token-stdin")
	login.Env, login.Stdin = env, strings.NewReader(token)
	if out, err := login.CombinedOutput(); err != nil {
		return fmt.Errorf("auth set: %v: %s", err, out)
	}
	if hold {
		fmt.Printf("project: %s\nenvironment:\n", project)
		for _, kv := range env[len(os.Environ()):] {
			fmt.Printf("  export %s\n", kv)
		}
		fmt.Println("waiting for Ctrl-C …")
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		return nil
	}
	tools := []*tool{{
		name: "upkg",
		command: func() *exec.Cmd {
			cmd := exec.Command(bin, "install", "--editor-version", "2022.3.20f1")
			cmd.Env, cmd.Dir = env, project
			return cmd
		},
		reset: func(cache bool) error {
			if cache {
				if err := discard(work, cacheRoot); err != nil {
					return err
				}
			}
			os.Remove(filepath.Join(project, "Packages", "packages-lock.json"))
			return discard(work, filepath.Join(project, "Library"))
		},
		installed: filepath.Join(project, "Library", "PackageCache", last+"@1.0.0", "package.json"),
	}}
	for _, p := range others {
		t, err := setupPeer(p, work, regURL, token, deps, last)
		if err != nil {
			return err
		}
		tools = append(tools, t)
	}
	// Each run measures every tool's cold install, then every tool's warm
	// one, then the no-op ones, starting with a different tool each run: the
	// disk's state drifts (see discard), and no tool should always go first.
	for r := 0; r < runs; r++ {
		fmt.Printf("run %d of %d …\n", r+1, runs)
		for k := range kinds {
			for j := range tools {
				t := tools[(j+r)%len(tools)]
				if k != noop {
					if err := t.reset(k == cold); err != nil {
						return err
					}
				}
				cmd := t.command()
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					return fmt.Errorf("%s install: %v: %s", t.name, err, out)
				}
				d := time.Since(start)
				if _, err := os.Stat(t.installed); err != nil {
					return fmt.Errorf("%s install left no %s", t.name, t.installed)
				}
				t.times[k] = append(t.times[k], d)
				t.rss[k] = append(t.rss[k], maxRSS(cmd.ProcessState))
			}
		}
	}
	fmt.Printf("\n%d packages, %d files each (%.1f MB of tarballs), median of %d runs, %s/%s, %d CPUs:\n\n",
		n, files, float64(tgzBytes)/1e6, runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Println("| tool | cold (empty cache) | warm (cache full, empty project) | no-op (run again) | peak memory (max RSS: cold / warm / no-op) |")
	fmt.Println("|---|---|---|---|---|")
	for _, t := range tools {
		fmt.Printf("| %s | %s | %s | %s | %.0f / %.0f / %.0f MB |\n", t.name,
			median(t.times[cold]).Round(time.Millisecond), median(t.times[warm]).Round(time.Millisecond), median(t.times[noop]).Round(time.Millisecond),
			float64(medianInt(t.rss[cold]))/1e6, float64(medianInt(t.rss[warm]))/1e6, float64(medianInt(t.rss[noop]))/1e6)
	}
	summary, _ := json.Marshal(map[string]any{"packages": n, "files": files, "runs": runs})
	fmt.Printf("\n%s\n", summary)
	return nil
}

// The three measured cases: cold (empty cache, empty project), warm (cache
// full, empty project, no lock file) and no-op (run again, nothing changed).
const (
	cold = iota
	warm
	noop
	kinds
)

// tool is one package manager being measured.
type tool struct {
	name    string
	command func() *exec.Cmd
	// reset empties the project (installed packages and lock file), and
	// the tool's caches too when cache is set.
	reset func(cache bool) error
	// installed is a file every install must leave: the last package's
	// package.json, so that a tool that quietly did nothing is caught.
	installed string
	times     [kinds][]time.Duration
	rss       [kinds][]int64
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

// setupPeer writes a project for another package manager with the same
// packages (same registry, same user, credentials in the project's .npmrc).
func setupPeer(p peer, work, url, token string, deps []string, last string) (*tool, error) {
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
	return &tool{
		name: p.name,
		command: func() *exec.Cmd {
			cmd := p.command(dir, cache)
			cmd.Dir = dir
			return cmd
		},
		reset: func(withCache bool) error {
			if withCache {
				if err := discard(work, cache); err != nil {
					return err
				}
			}
			os.Remove(filepath.Join(dir, p.lockFile))
			return discard(work, filepath.Join(dir, "node_modules"))
		},
		installed: filepath.Join(dir, "node_modules", last, "package.json"),
	}, nil
}

// delayed starts a reverse proxy to target on loopback that answers every
// request latency late, as a registry across a network does. It keeps the
// Host header, so Verdaccio's tarball addresses point at the proxy too.
func delayed(target string, latency time.Duration) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		rp.ServeHTTP(w, r)
	}))
	return "http://" + l.Addr().String(), nil
}

// discard moves path out of the way into work/trash, which is deleted when
// the benchmark ends. Deleting 20 000 files just before an install would make
// every tool's file creations pay for them: ext4 skips recently freed inodes
// and scans for others (find_inode_bit → recently_deleted), which made
// creating a file 5–10× slower here. A real first install does not follow a
// mass delete, and the figures should not depend on which tool ran before.
func discard(work, path string) error {
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		return nil
	}
	trash := filepath.Join(work, "trash")
	if err := os.MkdirAll(trash, 0o755); err != nil {
		return err
	}
	dst, err := os.MkdirTemp(trash, "")
	if err != nil {
		return err
	}
	return os.Rename(path, filepath.Join(dst, filepath.Base(path)))
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
