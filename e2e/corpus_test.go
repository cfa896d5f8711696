package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/testharness/fixture"
)

// corpusDir holds public Unity projects with the lock Unity wrote for them
// (testdata/unity-projects/index.json names each one's repository and commit).
var corpusDir = filepath.Join("..", "testdata", "unity-projects")

// corpusRegistry serves, on every host name, the registry packages of one
// project's lock: each locked version with the lock's dependency list, and
// every other version anybody requests, so that a resolution without the
// lock finds what it asks for. It reaches upkg as the real registries would:
// over HTTPS (a private CA), through an HTTPS proxy, so the lock's URLs
// (https://packages.unity.com, https://<name>.example.com) stay as they are.
// A registry URL may have a path (Artifactory's .../api/npm/<repository>):
// it is served below that path.
type corpusRegistry struct {
	// pkgs maps registry (host and path, no trailing slash) → name →
	// version → dependencies, in package.json order.
	pkgs map[string]map[string]map[string][]lockfile.Dep

	mu    sync.Mutex
	asked map[string]int // package names asked for
}

func newCorpusRegistry(l *lockfile.Lock, manifestDeps map[string]string) *corpusRegistry {
	r := &corpusRegistry{pkgs: map[string]map[string]map[string][]lockfile.Dep{}, asked: map[string]int{}}
	host := map[string]string{}
	locked := map[string]lockfile.Entry{}
	for _, e := range l.Entries {
		if e.Source != lockfile.SourceRegistry {
			continue
		}
		u, err := url.Parse(e.URL)
		if err != nil {
			continue
		}
		reg := u.Host + strings.TrimSuffix(u.Path, "/")
		host[e.Name], locked[e.Name] = reg, e
		if r.pkgs[reg] == nil {
			r.pkgs[reg] = map[string]map[string][]lockfile.Dep{}
		}
		r.pkgs[reg][e.Name] = map[string][]lockfile.Dep{e.Version: e.Dependencies}
	}
	addRequest := func(name, version string) {
		h, ok := host[name]
		if !ok {
			return
		}
		if _, err := semver.StrictNewVersion(version); err != nil {
			return
		}
		if _, ok := r.pkgs[h][name][version]; !ok {
			r.pkgs[h][name][version] = locked[name].Dependencies
		}
	}
	for name, v := range manifestDeps {
		addRequest(name, v)
	}
	for _, e := range l.Entries {
		for _, d := range e.Dependencies {
			addRequest(d.Name, d.Version)
		}
	}
	return r
}

// orderedDeps renders dependencies as a JSON object in their order.
func orderedDeps(deps []lockfile.Dep) string {
	var b strings.Builder
	b.WriteString("{")
	for i, d := range deps {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(d.Name)
		v, _ := json.Marshal(d.Version)
		fmt.Fprintf(&b, "%s: %s", k, v)
	}
	b.WriteString("}")
	return b.String()
}

func (r *corpusRegistry) tarball(name, version string, deps []lockfile.Dep) []byte {
	depMap := map[string]string{}
	for _, d := range deps {
		depMap[d.Name] = d.Version
	}
	tgz, err := fixture.Tarball(map[string]any{"name": name, "version": version, "dependencies": depMap},
		map[string][]byte{"Runtime/Marker.cs": []byte("// " + name + "@" + version + "\n")})
	if err != nil {
		panic(err)
	}
	return tgz
}

func (r *corpusRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	host := req.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	// The registry whose path holds the request's, the longest such.
	reg, p := "", ""
	for base := range r.pkgs {
		h, path, _ := strings.Cut(base, "/")
		rest, ok := strings.CutPrefix(req.URL.Path, strings.TrimSuffix("/"+path, "/")+"/")
		if h == host && ok && len(base) >= len(reg) {
			reg, p = base, rest
		}
	}
	name, file, isTarball := strings.Cut(p, "/-/")
	versions := r.pkgs[reg][name]
	r.mu.Lock()
	if !isTarball {
		r.asked[name]++
	}
	r.mu.Unlock()
	if versions == nil {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	if isTarball {
		v := strings.TrimSuffix(strings.TrimPrefix(file, name+"-"), ".tgz")
		deps, ok := versions[v]
		if !ok {
			http.Error(w, "no such tarball", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(r.tarball(name, v, deps))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `{"name": %q, "versions": {`, name)
	vs := make([]string, 0, len(versions))
	for v := range versions {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	for i, v := range vs {
		tgz := r.tarball(name, v, versions[v])
		s1 := sha1.Sum(tgz)
		s512 := sha512.Sum512(tgz)
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `%q: {"name": %q, "version": %q, "dependencies": %s, "dist": {"tarball": "https://%s/%s/-/%s-%s.tgz", "shasum": %q, "integrity": "sha512-%s"}}`,
			v, name, v, orderedDeps(versions[v]), reg, name, name, v, hex.EncodeToString(s1[:]), base64.StdEncoding.EncodeToString(s512[:]))
	}
	b.WriteString("}}")
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, b.String())
}

func (r *corpusRegistry) askedFor(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asked[name]
}

// connectProxy is an HTTPS proxy that sends every CONNECT to target,
// whatever host it names.
func connectProxy(t *testing.T, target string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		hj, ok := w.(http.Hijacker)
		if !ok {
			up.Close()
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := hj.Hijack()
		if err != nil {
			up.Close()
			return
		}
		go func() {
			io.Copy(up, buf)
			up.Close()
		}()
		io.Copy(conn, up)
		conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// corpusFigures adds up what the corpus test measured.
type corpusFigures struct {
	mu                       sync.Mutex
	projects, locksKept      int
	entries, matched         int
	lines                    map[string]bool
	mismatches, lockFailures []string
}

// TestCorpus runs the built upkg on every public project of the corpus, as
// issue 8 asks: with Unity's lock in place, install must exit 0, leave the
// lock byte for byte as it was and ask no registry for a package the lock
// records as built in; without the lock, the entries whose version is the
// highest one requested must come out with Unity's version, source, url and
// depth (at least 95 % of them). It prints both figures.
func TestCorpus(t *testing.T) {
	index, err := builtin.ReadCorpusIndex(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	ca := newTestCA(t, "upkg corpus CA")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	cert := ca.leaf(t, "packages.unity.com", "packages.unity.cn", "*.example.com")
	fig := &corpusFigures{lines: map[string]bool{}}
	for _, e := range index {
		if e.Pair {
			continue // a lock kept as evidence of built-in packages only
		}
		t.Run(e.ID, func(t *testing.T) { runCorpusProject(t, e, cert, caFile, fig) })
	}
	var lines []string
	for l := range fig.lines {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	pct := 0.0
	if fig.entries > 0 {
		pct = 100 * float64(fig.matched) / float64(fig.entries)
	}
	summary := fmt.Sprintf("corpus: %d projects on %d editor lines (%s); with the lock: %d/%d locks kept byte for byte; without it: %d/%d entries at the highest requested version match Unity's version, source, url and depth (%.1f %%)",
		fig.projects, len(lines), strings.Join(lines, " "), fig.locksKept, fig.projects, fig.matched, fig.entries, pct)
	t.Log(summary)
	fmt.Fprintln(os.Stderr, summary)
	for _, m := range fig.mismatches {
		t.Log("  differs: " + m)
	}
	if fig.projects < 30 || len(lines) < 10 {
		t.Errorf("the corpus has %d projects on %d editor lines; issue 8 asks for at least 30 on 10", fig.projects, len(lines))
	}
	if fig.locksKept != fig.projects {
		t.Errorf("%d of %d locks changed or failed: %s", fig.projects-fig.locksKept, fig.projects, strings.Join(fig.lockFailures, "; "))
	}
	if pct < 95 {
		t.Errorf("without the lock, %.1f %% of the entries match; at least 95 %% must", pct)
	}
}

func runCorpusProject(t *testing.T, e builtin.CorpusEntry, cert tls.Certificate, caFile string, fig *corpusFigures) {
	src := filepath.Join(corpusDir, e.ID)
	manifestBytes, err := os.ReadFile(filepath.Join(src, "Packages", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	lockPath := filepath.Join(src, "Packages", "packages-lock.json")
	lockBytes, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	unityLock, err := lockfile.Parse(lockPath, lockBytes)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(manifestBytes, &m); err != nil {
		t.Fatal(err)
	}

	reg := newCorpusRegistry(unityLock, m.Dependencies)
	srv := httptest.NewUnstartedServer(reg)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	proxy := connectProxy(t, srv.Listener.Addr().String())

	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, "HTTPS_PROXY="+proxy, "NODE_EXTRA_CA_CERTS="+caFile)
	s.write(filepath.Join(s.Project, "Packages", "manifest.json"), string(manifestBytes))
	s.write(filepath.Join(s.Project, "Packages", "packages-lock.json"), string(lockBytes))
	pv, err := os.ReadFile(filepath.Join(src, "ProjectSettings", "ProjectVersion.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s.write(filepath.Join(s.Project, "ProjectSettings", "ProjectVersion.txt"), string(pv))
	writeLocalPackages(t, s, unityLock)

	ed, _ := builtinEditorLine(e.Editor)
	fig.mu.Lock()
	fig.projects++
	fig.lines[ed] = true
	fig.mu.Unlock()

	// 1. With Unity's lock: exit 0, the same bytes, no registry request for
	// a package the lock records as built in.
	r := s.run("", "install", "--no-progress")
	newLock, _ := os.ReadFile(filepath.Join(s.Project, "Packages", "packages-lock.json"))
	kept := r.Code == 0 && bytes.Equal(newLock, lockBytes)
	var asked []string
	for _, en := range unityLock.Entries {
		if en.Source == lockfile.SourceBuiltin && reg.askedFor(en.Name) > 0 {
			asked = append(asked, en.Name)
		}
	}
	if len(asked) > 0 {
		kept = false
		t.Errorf("asked a registry for packages the lock records as built in: %v", asked)
	}
	fig.mu.Lock()
	if kept {
		fig.locksKept++
	} else {
		fig.lockFailures = append(fig.lockFailures, e.ID)
	}
	fig.mu.Unlock()
	if !kept {
		t.Logf("%s (%s): lock not kept: %s\n%s", e.ID, e.Editor, r, lockDiff(lockBytes, newLock))
	}

	if r.Code == 0 {
		checkFolders(t, s, unityLock, reg, e.Editor)
	}

	// 2. Without the lock.
	if err := os.Remove(filepath.Join(s.Project, "Packages", "packages-lock.json")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(s.Project, "Library"))
	r = s.run("", "install", "--no-progress")
	var ours *lockfile.Lock
	if r.Code == 0 {
		p := filepath.Join(s.Project, "Packages", "packages-lock.json")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if ours, err = lockfile.Parse(p, b); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Logf("%s (%s): install without the lock failed: %s", e.ID, e.Editor, r)
	}
	n, ok, diffs := compareWithUnity(unityLock, ours, m.Dependencies)
	fig.mu.Lock()
	fig.entries += n
	fig.matched += ok
	for _, d := range diffs {
		fig.mismatches = append(fig.mismatches, e.ID+" ("+e.Editor+"): "+d)
	}
	fig.mu.Unlock()
}

// builtinEditorLine is "2022.3" for "2022.3.20f1".
func builtinEditorLine(editor string) (string, bool) {
	parts := strings.SplitN(editor, ".", 3)
	if len(parts) < 2 {
		return editor, false
	}
	return parts[0] + "." + parts[1], true
}

// writeLocalPackages puts each embedded and local package of the lock where
// the lock says it is, with the dependencies the lock records for it.
func writeLocalPackages(t *testing.T, s *sandbox, l *lockfile.Lock) {
	for _, en := range l.Entries {
		if en.Source != lockfile.SourceEmbedded && en.Source != lockfile.SourceLocal {
			continue
		}
		rel := strings.TrimPrefix(en.Version, "file:")
		dir := filepath.Join(s.Project, "Packages", filepath.FromSlash(rel))
		if filepath.IsAbs(rel) {
			t.Fatalf("%s: an absolute local path %s", en.Name, rel)
		}
		s.write(filepath.Join(dir, "package.json"), fmt.Sprintf("{\n  \"name\": %q,\n  \"version\": \"1.0.0\",\n  \"dependencies\": %s\n}\n", en.Name, orderedDeps(en.Dependencies)))
	}
}

// compareWithUnity counts Unity's entries whose version is the highest one
// requested (by the manifest or any locked package) and how many of those
// ours has with the same version, source, url and depth.
func compareWithUnity(unity, ours *lockfile.Lock, manifestDeps map[string]string) (n, ok int, diffs []string) {
	highest := map[string]*semver.Version{}
	note := func(name, v string) {
		sv, err := semver.StrictNewVersion(v)
		if err != nil {
			return
		}
		if h := highest[name]; h == nil || sv.GreaterThan(h) {
			highest[name] = sv
		}
	}
	for name, v := range manifestDeps {
		note(name, v)
	}
	for _, e := range unity.Entries {
		for _, d := range e.Dependencies {
			note(d.Name, d.Version)
		}
	}
	mine := map[string]lockfile.Entry{}
	if ours != nil {
		for _, e := range ours.Entries {
			mine[e.Name] = e
		}
	}
	for _, e := range unity.Entries {
		v, err := semver.StrictNewVersion(e.Version)
		if err != nil || highest[e.Name] == nil || !v.Equal(highest[e.Name]) {
			continue
		}
		n++
		o, found := mine[e.Name]
		if found && o.Version == e.Version && o.Source == e.Source && o.URL == e.URL && o.Depth == e.Depth {
			ok++
			continue
		}
		if !found {
			diffs = append(diffs, fmt.Sprintf("%s: Unity %s %s depth %d; upkg has none", e.Name, e.Version, e.Source, e.Depth))
			continue
		}
		diffs = append(diffs, fmt.Sprintf("%s: Unity %s %s %s depth %d; upkg %s %s %s depth %d",
			e.Name, e.Version, e.Source, e.URL, e.Depth, o.Version, o.Source, o.URL, o.Depth))
	}
	return n, ok, diffs
}

// lockDiff lists the lines of b that differ from a, for the log.
func lockDiff(a, b []byte) string {
	al := readLines(a)
	bl := readLines(b)
	var out []string
	for i := 0; i < max(len(al), len(bl)) && len(out) < 20; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("line %d: unity %q, upkg %q", i+1, x, y))
		}
	}
	return strings.Join(slices.Clip(out), "\n")
}

func readLines(b []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// checkFolders checks Library/PackageCache as the editor names its folders
// (docs/unity-notes.md): <name>@<version> up to 2023.x, <name> on 6000.0.0
// to 6000.0.21, <name>@<SHA-1 of the tarball, 12 digits> from 6000.0.22;
// one folder per registry package, so <name>@* finds exactly one.
func checkFolders(t *testing.T, s *sandbox, l *lockfile.Lock, reg *corpusRegistry, editor string) {
	t.Helper()
	var major, minor, patch int
	fmt.Sscanf(editor, "%d.%d.%d", &major, &minor, &patch)
	cache := filepath.Join(s.Project, "Library", "PackageCache")
	for _, e := range l.Entries {
		if e.Source != lockfile.SourceRegistry {
			continue
		}
		want := e.Name + "@" + e.Version
		switch {
		case major == 6000 && minor == 0 && patch < 22:
			want = e.Name
		case major >= 6000:
			sum := sha1.Sum(reg.tarball(e.Name, e.Version, e.Dependencies))
			want = e.Name + "@" + hex.EncodeToString(sum[:])[:12]
		}
		if _, err := os.Stat(filepath.Join(cache, want, "package.json")); err != nil {
			t.Errorf("Unity %s: %s is not in Library/PackageCache/%s: %v", editor, e.Name, want, err)
		}
		if matches, _ := filepath.Glob(filepath.Join(cache, e.Name+"@*")); len(matches) > 1 {
			t.Errorf("Unity %s: %d folders for %s: %v", editor, len(matches), e.Name, matches)
		}
	}
}
