package registrycmds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/testregistry"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const (
	tokenA = "token-for-registry-a-0123456789"
	tokenB = "token-for-registry-b-9876543210"
)

// fixture is two registries that require their own token — A searchable,
// B without search — and a project whose manifest routes com.example to A
// and com.other to B.
type fixture struct {
	a, b   *testregistry.Registry
	d      *testregistry.Registry // the default registry: anonymous
	root   string
	f      *cmdutil.Factory
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	client *registry.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	x := &fixture{}
	x.a = testregistry.New(t, testregistry.Options{Token: tokenA})
	x.b = testregistry.New(t, testregistry.Options{Token: tokenB, NoSearch: true})
	x.d = testregistry.New(t, testregistry.Options{Anonymous: true})
	pub := func(r *testregistry.Registry, name, version, unity string, extra map[string]any) {
		pj := map[string]any{"displayName": "Display " + name, "description": "The " + name + " package."}
		if unity != "" {
			pj["unity"] = unity
		}
		for k, v := range extra {
			pj[k] = v
		}
		r.Publish(name, version, pj, []byte("tgz of "+name+"@"+version))
	}
	pub(x.a, "com.example.core", "1.0.0", "2021.3", nil)
	pub(x.a, "com.example.core", "1.0.1", "2021.3", nil)
	pub(x.a, "com.example.core", "1.1.0", "2021.3", map[string]any{"dependencies": map[string]string{"com.example.util": "1.0.0"}})
	pub(x.a, "com.example.core", "1.2.0-pre.1", "2021.3", nil)
	pub(x.a, "com.example.core", "2.0.0", "6000.0", map[string]any{"unityRelease": "23f1", "dependencies": map[string]string{"com.example.util": "1.0.0"}})
	pub(x.a, "com.example.util", "1.0.0", "", map[string]any{"deprecated": "use com.example.core"})
	pub(x.b, "com.other.lib", "3.0.0", "2021.3", nil)
	pub(x.b, "com.other.lib", "3.0.1", "2021.3", nil)
	pub(x.d, "com.vendor.tool", "0.1.0", "2019.4", nil)

	x.root = t.TempDir()
	p := project.Paths{Root: x.root}
	write(t, p.Manifest(), `{
  "dependencies": {
    "com.example.core": "1.0.0",
    "com.other.lib": "3.0.0",
    "com.example.util": "1.0.0",
    "com.unity.modules.audio": "1.0.0",
    "com.example.local": "file:../local"
  },
  "resolutionStrategy": "highestMinor",
  "scopedRegistries": [
    {"name": "Team A", "url": "`+x.a.URL+`/", "scopes": ["com.example"]},
    {"name": "Team B", "url": "`+x.b.URL+`", "scopes": ["com.other"]}
  ]
}
`)
	write(t, p.Lock(), `{
  "dependencies": {
    "com.example.core": {"version": "1.0.0", "depth": 0, "source": "registry", "dependencies": {}, "url": "`+x.a.URL+`"},
    "com.example.util": {"version": "1.0.0", "depth": 0, "source": "registry", "dependencies": {}, "url": "`+x.a.URL+`"},
    "com.example.local": {"version": "file:../local", "depth": 0, "source": "local", "dependencies": {}},
    "com.unity.modules.audio": {"version": "1.0.0", "depth": 0, "source": "builtin", "dependencies": {}}
  }
}
`)
	write(t, p.ProjectVersion(), "m_EditorVersion: 2022.3.20f1\n")

	x.f, x.stdout, x.stderr = cmdtest.Factory("")
	x.f.Globals.Project = x.root
	x.f.Globals.DefaultRegistry = x.d.URL
	x.client = &registry.Client{
		Retry: registry.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond},
		Credentials: func(_ context.Context, reg, u string) (registry.Credential, error) {
			for _, r := range []struct{ url, token string }{{x.a.URL, tokenA}, {x.b.URL, tokenB}} {
				if strings.HasPrefix(u, r.url+"/") {
					return registry.Credential{Header: "Bearer " + r.token, Entry: r.url, File: "/home/u/.upmconfig.toml"}, nil
				}
			}
			return registry.Credential{}, nil
		},
	}
	return x
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (x *fixture) registry() (*registry.Client, error) { return x.client, nil }

func (x *fixture) view(args ...string) (int, error) {
	return cmdtest.Exec(NewCmdView(x.f, func(ctx context.Context, o *ViewOptions) error {
		o.Registry = x.registry
		return RunView(ctx, o)
	}), args...)
}

func (x *fixture) search(args ...string) (int, error) {
	return cmdtest.Exec(NewCmdSearch(x.f, func(ctx context.Context, o *SearchOptions) error {
		o.Registry = x.registry
		return RunSearch(ctx, o)
	}), args...)
}

func (x *fixture) outdated(args ...string) (int, error) {
	return cmdtest.Exec(NewCmdOutdated(x.f, func(ctx context.Context, o *OutdatedOptions) error {
		o.Registry = x.registry
		o.Builtins = func(string, string) (*builtin.Set, error) { return nil, errors.New("no tables in this test") }
		return RunOutdated(ctx, o)
	}), args...)
}

// testdata is the golden files' folder, absolute: some tests change the
// working folder.
var testdata, _ = filepath.Abs("testdata")

var dates = regexp.MustCompile(`"date": "[^"]*"`)

// golden compares got, with the registries' URLs and dates replaced, with
// testdata/name.
func (x *fixture) golden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.NewReplacer(x.a.URL, "http://REGISTRY-A", x.b.URL, "http://REGISTRY-B", x.d.URL, "http://REGISTRY-DEFAULT").Replace(got)
	got = dates.ReplaceAllString(got, `"date": "DATE"`)
	path := filepath.Join(testdata, name)
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", name, got)
	}
}

func (x *fixture) noSecrets(t *testing.T) {
	t.Helper()
	for _, tok := range []string{tokenA, tokenB} {
		if strings.Contains(x.stdout.String()+x.stderr.String(), tok) {
			t.Errorf("a token leaked into the output")
		}
	}
}

func TestViewJSON(t *testing.T) {
	x := newFixture(t)
	x.f.Globals.JSON = true
	if code, err := x.view("com.example.core"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	x.golden(t, "view.json", x.stdout.String())
	x.noSecrets(t)

	x.stdout.Reset()
	if code, err := x.view("com.example.core@1.1.0"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	x.golden(t, "view-1.1.0.json", x.stdout.String())
}

func TestViewText(t *testing.T) {
	x := newFixture(t)
	if code, err := x.view("com.example.core"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	x.golden(t, "view.txt", x.stdout.String())
	x.noSecrets(t)

	// Without a project: the default registry, or --registry, and
	// --editor-version.
	x.stdout.Reset()
	x.f.Globals.Project = ""
	x.f.Globals.DefaultRegistry = x.b.URL
	x.f.Globals.EditorVersion = "2020.3.1f1"
	t.Chdir(t.TempDir())
	if code, err := x.view("com.other.lib"); code != 0 {
		t.Fatalf("no project: exit %d: %v", code, err)
	}
	x.golden(t, "view-default-registry.txt", x.stdout.String())
}

func TestViewNotFound(t *testing.T) {
	x := newFixture(t)
	code, err := x.view("com.example.cor")
	e, _ := cmdutil.AsExitError(err)
	if code != cmdutil.ExitNotFound || e == nil || e.Hint != "did you mean com.example.core?" {
		t.Fatalf("exit %d: %v (%+v)", code, err, e)
	}
	var nf *registry.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("error %v does not wrap the *registry.NotFoundError", err)
	}
	// A registry without search says why it cannot suggest.
	code, err = x.view("com.other.lob")
	if e, _ = cmdutil.AsExitError(err); code != cmdutil.ExitNotFound || !strings.Contains(e.Hint, "does not support search") {
		t.Fatalf("exit %d: %v (%+v)", code, err, e)
	}
	code, err = x.view("com.example.core@9.9.9")
	if code != cmdutil.ExitNotFound || !strings.Contains(err.Error(), `no version or dist-tag "9.9.9"`) {
		t.Fatalf("exit %d: %v", code, err)
	}
}

func TestViewOffline(t *testing.T) {
	x := newFixture(t)
	x.client.CacheDir = t.TempDir()
	if code, err := x.view("com.example.core"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	online := x.stdout.String()
	x.stdout.Reset()
	x.client = &registry.Client{CacheDir: x.client.CacheDir, Offline: true, Credentials: x.client.Credentials}
	if code, err := x.view("com.example.core"); code != 0 || x.stdout.String() != online {
		t.Fatalf("offline: exit %d: %v\n%s", code, err, x.stdout)
	}
	var oe *registry.OfflineError
	if _, err := x.view("com.example.util"); !errors.As(err, &oe) {
		t.Errorf("offline, not cached: %v", err)
	}
}

func TestSearch(t *testing.T) {
	x := newFixture(t)
	x.f.Globals.JSON = true
	if code, err := x.search("com"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	x.golden(t, "search.json", x.stdout.String())
	x.noSecrets(t)
	x.f.Globals.JSON = false
	x.stdout.Reset()
	if code, err := x.search("com"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	x.golden(t, "search.txt", x.stdout.String())

	x.stdout.Reset()
	if code, err := x.search("util", "--registry", x.a.URL); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if got := x.stdout.String(); !strings.HasPrefix(got, x.a.URL+"\n") || !strings.Contains(got, "com.example.util") || strings.Contains(got, x.b.URL) {
		t.Errorf("--registry: %s", got)
	}

	x.f.Globals.Offline = true
	if code, _ := x.search("com"); code != cmdutil.ExitUsage {
		t.Errorf("--offline: exit %d; want %d", code, cmdutil.ExitUsage)
	}
}

func TestOutdated(t *testing.T) {
	x := newFixture(t)
	x.f.Globals.JSON = true
	if code, err := x.outdated(); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	x.golden(t, "outdated.json", x.stdout.String())
	x.noSecrets(t)
	x.f.Globals.JSON = false
	x.stdout.Reset()
	if code, err := x.outdated(); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	x.golden(t, "outdated.txt", x.stdout.String())

	// No project: the Factory's error.
	x.f, _, _ = cmdtest.Factory("")
	x.f.Globals.Project = filepath.Join(t.TempDir(), "none")
	if code, err := x.outdated(); code == 0 || err == nil {
		t.Errorf("no project: exit %d", code)
	}
}

// TestSearchFallsBackToAll: a registry with /-/all but no /-/v1/search is
// searched through /-/all, with a note.
func TestSearchFallsBackToAll(t *testing.T) {
	x := newFixture(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/-/all" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Write([]byte(`{"_updated": 1, "com.legacy.core": {"name": "com.legacy.core", "description": "Legacy core", "dist-tags": {"latest": "0.9.0"}}}`))
	}))
	defer srv.Close()
	x.f.Globals.JSON = true
	if code, err := x.search("core", "--registry", srv.URL); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	var doc searchJSON
	if err := json.Unmarshal(x.stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Registries
	if len(r) != 1 || !r[0].Supported || !strings.Contains(r[0].Note, "results from the fallback /-/all") ||
		len(r[0].Results) != 1 || r[0].Results[0].Name != "com.legacy.core" || r[0].Results[0].Version != "0.9.0" {
		t.Errorf("search: %+v", doc)
	}
}
