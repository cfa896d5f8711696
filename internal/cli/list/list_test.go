package list

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
	"github.com/upkg/upkg/internal/fileerr"
	"github.com/upkg/upkg/internal/project"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// TestFlags drives list's and why's flags through runF.
func TestFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdList, []cmdtest.Case[ListOptions]{
		{Name: "flat", Want: ListOptions{Depth: -1}},
		{Name: "tree", Args: []string{"--tree"}, Want: ListOptions{Tree: true, Depth: -1}},
		{Name: "tree depth", Args: []string{"--tree", "--depth", "2"}, Want: ListOptions{Tree: true, Depth: 2}},
		{Name: "depth 0", Args: []string{"--depth=0"}, Want: ListOptions{Depth: 0}},
		{Name: "negative depth", Args: []string{"--depth", "-1"}, Code: cmdutil.ExitUsage},
		{Name: "depth not a number", Args: []string{"--depth", "x"}, Code: cmdutil.ExitUsage},
		{Name: "argument", Args: []string{"com.example.a"}, Code: -1},
	})
	cmdtest.RunCases(t, NewCmdWhy, []cmdtest.Case[WhyOptions]{
		{Name: "name", Args: []string{"com.example.a"}, Want: WhyOptions{Name: "com.example.a"}},
		{Name: "no name", Code: -1},
		{Name: "two names", Args: []string{"a", "b"}, Code: -1},
		{Name: "empty name", Args: []string{" "}, Code: cmdutil.ExitUsage},
		{Name: "unknown flag", Args: []string{"a", "--tree"}, Code: cmdutil.ExitUsage},
	})
}

// run runs fn's command on the project at dir, with --json when asked, and
// returns stdout and stderr.
func run(t *testing.T, dir string, json bool, fn func(f *cmdutil.Factory) error) (string, string, error) {
	t.Helper()
	f, stdout, stderr := cmdtest.Factory("")
	f.Globals.JSON = json
	f.Globals.Project = dir
	err := fn(f)
	return stdout.String(), stderr.String(), err
}

func openProject(dir string) func() (*project.Project, error) {
	return func() (*project.Project, error) { return project.Open(dir, "2022.3.20f1") }
}

func list(tree bool, depth int) func(f *cmdutil.Factory) error {
	return func(f *cmdutil.Factory) error {
		return RunList(context.Background(), &ListOptions{Printer: f.Printer(), Project: openProject(f.Globals.Project), Tree: tree, Depth: depth})
	}
}

func why(name string) func(f *cmdutil.Factory) error {
	return func(f *cmdutil.Factory) error {
		return RunWhy(context.Background(), &WhyOptions{Printer: f.Printer(), Project: openProject(f.Globals.Project), Name: name})
	}
}

// TestGolden checks list's and why's output, text and JSON, on
// testdata/project against testdata/*.golden (go test -update rewrites
// them): the JSON shapes of docs/json/list.md and docs/json/why.md.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "project")
	tests := []struct {
		golden string
		json   bool
		fn     func(f *cmdutil.Factory) error
	}{
		{"list.txt", false, list(false, -1)},
		{"list.json", true, list(false, -1)},
		{"list-depth0.txt", false, list(false, 0)},
		{"list-tree.txt", false, list(true, -1)},
		{"list-tree.json", true, list(true, -1)},
		{"list-tree-depth1.txt", false, list(true, 1)},
		{"why-core.txt", false, why("com.example.core")},
		{"why-core.json", true, why("com.example.core")},
		{"why-module.txt", false, why("com.unity.modules.ui")},
		{"why-module.json", true, why("com.unity.modules.ui")},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out, errOut, err := run(t, dir, tt.json, tt.fn)
			if err != nil || errOut != "" {
				t.Fatalf("err = %v, stderr %q", err, errOut)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s:\n%s", path, out)
			}
		})
	}
}

// project writes a project with manifest and (unless "") lock into a
// temporary folder.
func projectDir(t *testing.T, manifest, lock string) string {
	t.Helper()
	dir := t.TempDir()
	pk := filepath.Join(dir, "Packages")
	if err := os.MkdirAll(pk, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pk, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if lock != "" {
		if err := os.WriteFile(filepath.Join(pk, "packages-lock.json"), []byte(lock), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestErrors(t *testing.T) {
	const manifest = `{"dependencies": {"com.example.a": "1.0.0", "com.example.new": "2.0.0"}}`
	const lock = `{"dependencies": {"com.example.a": {"version": "1.0.0", "depth": 0, "source": "registry", "dependencies": {}, "url": "http://127.0.0.1:4873"},
 "com.example.abc": {"version": "1.0.0", "depth": 0, "source": "registry", "dependencies": {}, "url": "http://127.0.0.1:4873"}}}`

	noLock := projectDir(t, manifest, "")
	for _, fn := range []func(f *cmdutil.Factory) error{list(false, -1), why("com.example.a")} {
		_, _, err := run(t, noLock, false, fn)
		if e, ok := cmdutil.AsExitError(err); !ok || e.Code != cmdutil.ExitFailure || e.Hint != "run upkg install first" {
			t.Errorf("no lock: err = %v; want exit 1 with the install hint", err)
		}
	}

	bad := projectDir(t, manifest, "{\n  \"dependencies\": {\n    \"com.example.a\": {\"version\": 1}}}")
	_, _, err := run(t, bad, false, list(false, -1))
	var pe *fileerr.PositionError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "packages-lock.json:3:") {
		t.Errorf("malformed lock: err = %v; want its position error", err)
	}

	dir := projectDir(t, manifest, lock)
	_, stderr, err := run(t, dir, false, list(false, -1))
	if err != nil || !strings.Contains(stderr, "the lock lacks com.example.new") {
		t.Errorf("stale lock: err = %v, stderr %q; want a warning", err, stderr)
	}
	_, _, err = run(t, dir, false, why("com.example.ab"))
	if e, ok := cmdutil.AsExitError(err); !ok || e.Code != cmdutil.ExitNotFound || e.Hint != "did you mean com.example.a, com.example.abc?" {
		t.Errorf("unknown name: err = %v (%+v); want exit 4 with suggestions", err, e)
	}
	_, _, err = run(t, dir, false, why("com.example.new"))
	if e, ok := cmdutil.AsExitError(err); !ok || e.Code != cmdutil.ExitNotFound || !strings.Contains(e.Hint, "upkg install") {
		t.Errorf("name the lock lacks: err = %v; want exit 4 with the install hint", err)
	}
	_, _, err = run(t, dir, false, why("zzz"))
	if e, ok := cmdutil.AsExitError(err); !ok || e.Hint != "upkg list shows the project's packages" {
		t.Errorf("far name: err = %v", err)
	}
}
