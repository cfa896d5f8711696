// Command bench measures upkg install against a local Verdaccio that requires a
// login (`make bench`; not part of the tests), side by side with other package
// managers (-peers npm,pnpm,bun) installing the same packages as the same user.
//
// It publishes the generated projects of one or more profiles (-profile):
//
//   - small: 100 packages × 200 small files (C# scripts, a .meta beside each),
//     20 000 files, on loopback with no latency;
//   - unity: 59 packages shaped like a Unity project's, served 50 ms away;
//   - bigtarball: one package whose tarball is about 200 MB (four incompressible
//     50 MB files): the memory test, upkg's peak RSS must stay under 64 MB.
//
// The unity profile's shapes. Real packages could not be downloaded here, so
// the model is written from what Unity's own packages and asset-store packages
// are known to look like, and is meant to be revised against a real project:
//
//   - Every asset and every folder has a .meta file beside it (a GUID and the
//     importer's settings): half of a package's files are .meta files, a few
//     hundred bytes each, 2–3 kB for textures (one platform block per target).
//   - Most of a project's packages are small: tens of scripts, shaders,
//     prefabs and materials, 10–150 files. Text assets are log-normal around
//     3 kB (σ = 1: most 1–10 kB, a few tens of kB). Two in five packages also
//     carry a few textures or meshes of 100 kB–2 MB.
//   - A few are large, like the render pipelines (core, shader graph,
//     universal, high definition): 2 000–5 000 files and tens of MB, about 60 %
//     of it binary assets (textures, lookup tables, meshes); the largest is
//     5 000 files / 40 MB, in nested folders.
//   - Native plugins (a physics or networking SDK, a video codec) ship one
//     library of 20–60 MB for each platform; here one per package, 24, 38
//     and 56 MB, beside a few scripts.
//   - Binary files are random bytes: gzip cannot shrink them, as it barely
//     shrinks PNGs and compressed libraries (real libraries do compress
//     somewhat: the tarballs here are the worst case).
//   - Packages come from a registry across a network: every response is held
//     back 50 ms (-latency overrides it for every profile; -rate also sends
//     each response at most that many MB a second).
//
// The generation is seeded: every run publishes the same bytes.
//
// Each run (-runs, medians printed) measures, for each profile: a cold install
// (empty cache, empty project), a warm one (cache full, empty project, no lock
// file) and a no-op one (run again), with each install's peak memory (max RSS
// of the child); then, after all runs, as many of a warm one on a churned disk
// (a tree of 20 000 files was just created and deleted on the same file
// system, as when a user deletes Library and installs again), which would
// slow the other cases if measured between them. Within a run the tools take
// turns, starting with a different one each run, so that the machine's noise
// reaches all alike. -baselines also measures, before the churned cases,
// the warm cases' work done plainly, with no installer around it (see
// baselines.go): hard-linking the cached files with and without a stat of
// each, copying the installed tree, writing its bytes to one file.
// -markdown prints the tables in the form README's Performance section uses.
package main

import (
	"context"
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
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

// options are the command line's settings.
type options struct {
	profiles []*profile
	runs     int
	bin      string
	peers    []peer
	hold     bool
	markdown bool
	// latency, when set, replaces every profile's own.
	latency    time.Duration
	latencySet bool
	// rate, when above 0, caps each registry response at this many bytes
	// a second.
	rate float64
	// baselines also measures the warm cases' work done plainly (see
	// baselines.go).
	baselines bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == childArg {
		os.Exit(runChild(os.Args[2:]))
	}
	n := flag.Int("packages", 100, "packages in the small profile")
	files := flag.Int("files", 200, "files per package in the small profile (about half are .meta files)")
	profileList := flag.String("profile", "small", "the generated projects to measure, comma-separated: "+strings.Join(profileNames, ", "))
	runs := flag.Int("runs", 3, "runs per measurement (the median is printed)")
	bin := flag.String("upkg", "bin/upkg", "the upkg binary to measure")
	peerList := flag.String("peers", "", "also measure these package managers on the same packages, side by side: a comma-separated list of npm, pnpm, bun")
	latency := flag.Duration("latency", 0, "hold back every registry response this long, for every profile (by default the unity profile's registry is 50ms away, the others' on loopback)")
	rate := flag.Float64("rate", 0, "send each registry response at most this many MB a second, for every profile, as a registry across a slower network does (0: no limit)")
	hold := flag.Bool("hold", false, "publish and set up the projects, print their environment, then wait for Ctrl-C instead of measuring (for profiling by hand)")
	baselines := flag.Bool("baselines", false, "after the runs, also measure the warm cases' work done plainly, with no installer around it: hard-linking, and copying, the installed files")
	markdown := flag.Bool("markdown", false, "print the results as the tables of README's Performance section")
	peerBin := flag.String("peer-bin", "test/peers/node_modules/.bin", "where the pnpm and bun executables are")
	flag.Parse()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	o := options{runs: *runs, bin: *bin, hold: *hold, markdown: *markdown, latency: *latency, rate: *rate * 1e6, baselines: *baselines}
	flag.Visit(func(f *flag.Flag) { o.latencySet = o.latencySet || f.Name == "latency" })
	if o.runs < 1 {
		fail(fmt.Errorf("-runs %d: want at least 1", o.runs))
	}
	for _, name := range splitList(*profileList) {
		p, err := newProfile(name, *n, *files)
		if err != nil {
			fail(err)
		}
		o.profiles = append(o.profiles, p)
	}
	binDir, err := filepath.Abs(*peerBin)
	if err != nil {
		fail(err)
	}
	known := peers(binDir)
	for _, name := range splitList(*peerList) {
		p, ok := known[name]
		if !ok {
			fail(fmt.Errorf("unknown peer %q (npm, pnpm or bun)", name))
		}
		o.peers = append(o.peers, p)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// bench is one profile set up for measuring: its published packages and a
// project per tool.
type bench struct {
	*profile
	tools    []*tool
	tgzBytes int64
	files    int
	// latency is how long its registry holds back every response; rate,
	// when above 0, how many bytes a second it sends of each.
	latency time.Duration
	rate    float64
	// baselines are the baselines' times (-baselines), baseWhat what
	// each did.
	baselines [baseKinds][]time.Duration
	baseWhat  [baseKinds]string
}

func run(o options) error {
	ctx := context.Background()
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return fmt.Errorf("the upkg binary: %w", err)
	}
	srv, err := verdaccio.Start(ctx, verdaccio.Options{})
	if err != nil {
		return fmt.Errorf("start Verdaccio: %w", err)
	}
	defer srv.Stop()
	token, err := srv.AddUser(ctx, "bench", "bench-password-1")
	if err != nil {
		return fmt.Errorf("add the bench user: %w", err)
	}
	work, err := os.MkdirTemp("", "upkg-bench-")
	if err != nil {
		return fmt.Errorf("create the work folder: %w", err)
	}
	defer os.RemoveAll(work)
	home := filepath.Join(work, "home")

	var benches []*bench
	for _, p := range o.profiles {
		b, err := setUp(ctx, srv, token, p, o, bin, work, home)
		if err != nil {
			return fmt.Errorf("profile %s: %w", p.name, err)
		}
		benches = append(benches, b)
	}
	if o.hold {
		for _, b := range benches {
			fmt.Printf("profile %s: upkg's project is %s\n", b.name, b.tools[0].dir)
			fmt.Println("environment:")
			for _, kv := range b.tools[0].env {
				fmt.Printf("  export %s\n", kv)
			}
		}
		fmt.Println("waiting for Ctrl-C …")
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		return nil
	}
	loadBefore := loadAverage()
	started := time.Now()
	// Each run measures, profile by profile, every tool's cold install,
	// then every tool's warm one, then the no-op ones, starting with a
	// different tool each run: the disk's state drifts (see discard), and
	// no tool should always go first. The churned cases come after all of
	// that, in runs of their own: each deletes a tree of churnFiles files,
	// and ext4 skips inodes freed in the last minute or more when it
	// creates files (see discard), so a churned case measured between the
	// others would slow every tool's next cold and warm install that
	// creates files — and not those that only link.
	measure := func(r int, b *bench, k int) error {
		for j := range b.tools {
			t := b.tools[(j+r)%len(b.tools)]
			if err := t.measure(k, work); err != nil {
				return fmt.Errorf("profile %s, %s, %s install: %w", b.name, kindNames[k], t.name, err)
			}
		}
		return nil
	}
	for r := 0; r < o.runs; r++ {
		for _, b := range benches {
			fmt.Fprintf(os.Stderr, "run %d of %d, profile %s …\n", r+1, o.runs, b.name)
			for _, k := range []int{cold, warm, noop} {
				if err := measure(r, b, k); err != nil {
					return err
				}
			}
		}
	}
	// The baselines create files too: before the churned cases, for the
	// same reason.
	if o.baselines {
		for _, b := range benches {
			fmt.Fprintf(os.Stderr, "profile %s, baselines …\n", b.name)
			if err := b.measureBaselines(work, o.runs); err != nil {
				return fmt.Errorf("profile %s: %w", b.name, err)
			}
		}
	}
	for r := 0; r < o.runs; r++ {
		for _, b := range benches {
			fmt.Fprintf(os.Stderr, "run %d of %d, profile %s, churned disk …\n", r+1, o.runs, b.name)
			if err := measure(r, b, churned); err != nil {
				return err
			}
		}
	}
	env := environment{
		date: started.Format("2006-01-02"), runs: o.runs, took: time.Since(started).Round(time.Second),
		loadBefore: loadBefore, loadAfter: loadAverage(),
	}
	if o.markdown {
		printMarkdown(os.Stdout, benches, env)
	} else {
		printText(os.Stdout, benches, env)
	}
	return nil
}

// setUp publishes p's packages and writes a project for upkg and for each
// peer, each with its own cache, all pointing at p's registry address.
func setUp(ctx context.Context, srv *verdaccio.Server, token string, p *profile, o options, bin, work, home string) (*bench, error) {
	b := &bench{profile: p}
	fmt.Fprintf(os.Stderr, "publishing %s to %s …\n", p.title, srv.URL)
	var deps []string
	for _, s := range p.packages {
		pj, files := s.generate()
		tgz, err := fixture.Tarball(pj, files)
		if err != nil {
			return nil, fmt.Errorf("pack %s: %w", s.name, err)
		}
		b.files += len(files) + 1
		b.tgzBytes += int64(len(tgz))
		if err := srv.Publish(ctx, token, pj, tgz); err != nil {
			return nil, err
		}
		deps = append(deps, fmt.Sprintf("%q: \"1.0.0\"", s.name))
	}
	latency := p.latency
	if o.latencySet {
		latency = o.latency
	}
	b.latency, b.rate = latency, o.rate
	regURL := srv.URL
	if latency > 0 || o.rate > 0 {
		var err error
		if regURL, err = delayed(srv.URL, latency, o.rate); err != nil {
			return nil, fmt.Errorf("start the latency proxy: %w", err)
		}
		fmt.Fprintf(os.Stderr, "%s installs go through %s, which holds every response back %s", p.name, regURL, latency)
		if o.rate > 0 {
			fmt.Fprintf(os.Stderr, " and sends it at %.0f MB/s", o.rate/1e6)
		}
		fmt.Fprintln(os.Stderr)
	}
	last := p.packages[len(p.packages)-1].name
	dir := filepath.Join(work, p.name)
	for _, link := range []bool{false, true} {
		t, err := setUpUpkg(bin, dir, home, regURL, token, deps, last, link)
		if err != nil {
			return nil, err
		}
		b.tools = append(b.tools, t)
	}
	for _, peer := range o.peers {
		t, err := setUpPeer(peer, dir, regURL, token, deps, last)
		if err != nil {
			return nil, fmt.Errorf("set up %s: %w", peer.name, err)
		}
		b.tools = append(b.tools, t)
	}
	return b, nil
}

// setUpUpkg writes upkg's project in dir/upkg-project (a manifest naming
// every package, routed to url) and logs in to url. With link, it is upkg
// in link mode (install --link: files hard-linked out of the cache), with
// its own project and cache (dir/upkg-link-project, upkg-link-cache).
func setUpUpkg(bin, dir, home, url, token string, deps []string, last string, link bool) (*tool, error) {
	name, suffix := "upkg", ""
	if link {
		name, suffix = "upkg --link", "-link"
	}
	project := filepath.Join(dir, "upkg"+suffix+"-project")
	manifest := fmt.Sprintf("{\n  \"dependencies\": {%s},\n  \"scopedRegistries\": [{\"name\": \"bench\", \"url\": %q, \"scopes\": [\"com.bench\", \"com.unitybench\"]}]\n}\n", strings.Join(deps, ", "), url)
	if err := os.MkdirAll(filepath.Join(project, "Packages"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(project, "Packages", "manifest.json"), []byte(manifest), 0o644); err != nil {
		return nil, err
	}
	cacheRoot := filepath.Join(dir, "upkg"+suffix+"-cache")
	env := []string{
		"HOME=" + home,
		"UPM_USER_CONFIG_FILE=" + filepath.Join(home, ".upmconfig.toml"),
		"UPM_GLOBAL_CONFIG_FILE=" + filepath.Join(home, "global.toml"),
		"UPM_CACHE_ROOT=" + cacheRoot,
		"CI=1",
	}
	login := exec.Command(bin, "auth", "set", "--registry", url, "--token-stdin")
	login.Env, login.Stdin = append(os.Environ(), env...), strings.NewReader(token)
	if out, err := login.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("upkg auth set: %v: %s", err, out)
	}
	return &tool{
		name: name, version: toolVersion(bin, "--version"), dir: project, env: env,
		command: func() *exec.Cmd {
			args := []string{"install", "--editor-version", "2022.3.20f1"}
			if link {
				args = append(args, "--link")
			}
			cmd := exec.Command(bin, args...)
			cmd.Env, cmd.Dir = append(os.Environ(), env...), project
			return cmd
		},
		cache:     cacheRoot,
		installed: filepath.Join(project, "Library", "PackageCache", last+"@1.0.0", "package.json"),
		outputs:   []string{filepath.Join(project, "Library")},
		lockFile:  filepath.Join(project, "Packages", "packages-lock.json"),
	}, nil
}

// The measured cases: cold (empty cache, empty project), warm (cache
// full, empty project, no lock file), churned (warm, right after a tree of
// churnFiles files was created and deleted on the same file system) and
// no-op (run again, nothing changed).
const (
	cold = iota
	warm
	churned
	noop
	kinds
)

var kindNames = [kinds]string{"cold", "warm", "churned", "no-op"}

// tool is one package manager set up on one profile's packages.
type tool struct {
	name    string
	version string
	// dir is the project and env the variables the tool runs with on top
	// of the benchmark's own environment (for -hold).
	dir     string
	env     []string
	command func() *exec.Cmd
	// cache is the tool's cache folder; outputs and lockFile are what an
	// install writes in the project. reset moves them aside.
	cache    string
	outputs  []string
	lockFile string
	// installed is a file every install must leave: the last package's
	// package.json, so that a tool that quietly did nothing is caught.
	installed string
	times     [kinds][]time.Duration
	rss       [kinds][]int64
}

// measure runs one install of kind k and records its time and peak memory.
func (t *tool) measure(k int, work string) error {
	if k != noop {
		if err := t.reset(k == cold, work); err != nil {
			return err
		}
	}
	if k == churned {
		if err := churn(work); err != nil {
			return err
		}
	}
	d, rss, err := measured(t.command(), filepath.Join(work, "result.json"))
	if err != nil {
		return err
	}
	if _, err := os.Stat(t.installed); err != nil {
		return fmt.Errorf("the install left no %s", t.installed)
	}
	t.times[k] = append(t.times[k], d)
	t.rss[k] = append(t.rss[k], rss)
	return nil
}

// reset empties the project (installed packages and lock file), and the
// tool's cache too when withCache is set.
func (t *tool) reset(withCache bool, work string) error {
	if withCache {
		if err := discard(work, t.cache); err != nil {
			return err
		}
	}
	if err := os.Remove(t.lockFile); err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, o := range t.outputs {
		if err := discard(work, o); err != nil {
			return err
		}
	}
	return nil
}

// peer is another package manager measured on the same packages.
type peer struct {
	name string
	// command runs one install in dir with its caches under cache.
	command  func(dir, cache string) *exec.Cmd
	lockFile string
	// version is the executable and argument that print its version.
	version []string
}

// peers are the package managers -peers can name. npm is the one on PATH;
// pnpm and bun are the pinned ones `make bench` installs in test/peers.
func peers(peerBin string) map[string]peer {
	pnpm, bun := filepath.Join(peerBin, "pnpm"), filepath.Join(peerBin, "bun")
	return map[string]peer{
		"npm": {"npm", func(dir, cache string) *exec.Cmd {
			return exec.Command("npm", "install", "--cache", cache, "--no-audit", "--no-fund", "--ignore-scripts")
		}, "package-lock.json", []string{"npm", "--version"}},
		"pnpm": {"pnpm", func(dir, cache string) *exec.Cmd {
			// pnpm hard-links from its store (package-import-method auto);
			// --no-frozen-lockfile because CI=1 would make it frozen.
			return exec.Command(pnpm, "install", "--store-dir", filepath.Join(cache, "store"),
				"--cache-dir", filepath.Join(cache, "meta"), "--ignore-scripts", "--no-frozen-lockfile", "--reporter=silent")
		}, "pnpm-lock.yaml", []string{pnpm, "--version"}},
		"bun": {"bun", func(dir, cache string) *exec.Cmd {
			return exec.Command(bun, "install", "--cache-dir", cache, "--ignore-scripts", "--silent")
		}, "bun.lock", []string{bun, "--version"}},
	}
}

// toolVersion is what bin prints for its version flag, first line, or "".
func toolVersion(bin string, args ...string) string {
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// setUpPeer writes a project for another package manager in
// dir/<name>-project with the same packages (same registry, same user,
// credentials in the project's .npmrc).
func setUpPeer(p peer, dir, url, token string, deps []string, last string) (*tool, error) {
	project := filepath.Join(dir, p.name+"-project")
	if err := os.MkdirAll(project, 0o755); err != nil {
		return nil, err
	}
	pj := fmt.Sprintf("{\"name\": \"bench\", \"version\": \"1.0.0\", \"private\": true, \"dependencies\": {%s}}\n", strings.Join(deps, ", "))
	if err := os.WriteFile(filepath.Join(project, "package.json"), []byte(pj), 0o644); err != nil {
		return nil, err
	}
	host := strings.TrimPrefix(strings.TrimPrefix(url, "http:"), "https:")
	rc := fmt.Sprintf("registry=%s/\n%s/:_authToken=%s\naudit=false\nfund=false\nupdate-notifier=false\n", url, host, token)
	if err := os.WriteFile(filepath.Join(project, ".npmrc"), []byte(rc), 0o600); err != nil {
		return nil, err
	}
	cache := filepath.Join(dir, p.name+"-cache")
	return &tool{
		name: p.name, version: toolVersion(p.version[0], p.version[1:]...), dir: project,
		command: func() *exec.Cmd {
			cmd := p.command(project, cache)
			cmd.Dir = project
			return cmd
		},
		cache:     cache,
		outputs:   []string{filepath.Join(project, "node_modules")},
		lockFile:  filepath.Join(project, p.lockFile),
		installed: filepath.Join(project, "node_modules", last, "package.json"),
	}, nil
}

// delayed starts a reverse proxy to target on loopback that answers every
// request latency late, as a registry across a network does, and, when
// rate is above 0, sends each response's body at most rate bytes a second.
// It keeps the Host header, so Verdaccio's tarball addresses point at the
// proxy too.
func delayed(target string, latency time.Duration, rate float64) (string, error) {
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
		if rate > 0 {
			w = &paced{ResponseWriter: w, start: time.Now(), rate: rate}
		}
		rp.ServeHTTP(w, r)
	}))
	return "http://" + l.Addr().String(), nil
}

// paced writes a response at most rate bytes a second since start, in
// pieces of 16 kB, each sent before the next is due.
type paced struct {
	http.ResponseWriter
	start time.Time
	sent  int64
	rate  float64
}

func (p *paced) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		k := min(len(b), 16<<10)
		n, err := p.ResponseWriter.Write(b[:k])
		written += n
		p.sent += int64(n)
		if err != nil {
			return written, err
		}
		p.Flush()
		time.Sleep(time.Until(p.start.Add(time.Duration(float64(p.sent) / p.rate * float64(time.Second)))))
		b = b[k:]
	}
	return written, nil
}

// Flush lets the reverse proxy flush through paced.
func (p *paced) Flush() {
	if f, ok := p.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// discard moves path out of the way into work/trash, which is deleted when
// the benchmark ends. Deleting 20 000 files just before an install makes
// every tool's file creations pay for them: ext4 skips recently freed inodes
// and scans for others (find_inode_bit → recently_deleted), which made
// creating a file 5–10× slower here. So the cold, warm and no-op figures do
// not depend on which tool ran before; the churned case (churn) measures
// that cost on purpose.
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

// churnFiles is the size of the tree churn creates and deletes: a small
// Library folder, or the small profile's whole install.
const churnFiles = 20000

// churn creates a tree of churnFiles files (1 kB each, 100 per folder) in
// work, on the file system the installs write to, and deletes it: what a
// user does by deleting Library before installing again.
func churn(work string) error {
	root, err := os.MkdirTemp(work, "churn-")
	if err != nil {
		return err
	}
	data := make([]byte, 1000)
	for i := 0; i < churnFiles; i++ {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", i/100))
		if i%100 == 0 {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return fmt.Errorf("churn: %w", err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.asset", i%100)), data, 0o644); err != nil {
			return fmt.Errorf("churn: %w", err)
		}
	}
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("churn: delete the tree: %w", err)
	}
	return nil
}

// median is the middle value of xs (the upper one of an even count).
func median[T time.Duration | int64](xs []T) T {
	s := append([]T(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
