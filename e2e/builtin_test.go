package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/builtin"
)

// noRegistry is a default registry nothing listens on: an install that asks
// it anything fails with a network error.
const noRegistry = "UPKG_DEFAULT_REGISTRY=http://127.0.0.1:9"

// fakeEditor lays out an installed editor's BuiltInPackages folder under
// dir the way Unity ships it (<dir>/Editor/Data/Resources/PackageManager/
// BuiltInPackages/<name>/package.json), with core at coreVersion.
func fakeEditor(t *testing.T, s *sandbox, dir, coreVersion string) {
	t.Helper()
	root := filepath.Join(dir, "Editor", "Data", "Resources", "PackageManager", "BuiltInPackages")
	s.write(filepath.Join(root, "com.unity.modules.ui", "package.json"), `{"name": "com.unity.modules.ui", "version": "1.0.0", "unity": "6000.0", "type": "module"}`)
	s.write(filepath.Join(root, "com.unity.modules.imgui", "package.json"), `{"name": "com.unity.modules.imgui", "version": "1.0.0", "unity": "6000.0", "type": "module"}`)
	s.write(filepath.Join(root, "com.unity.render-pipelines.core", "package.json"), fmt.Sprintf(`{
  "name": "com.unity.render-pipelines.core",
  "version": %q,
  "unity": "6000.0",
  "dependencies": {
    "com.unity.modules.ui": "1.0.0",
    "com.unity.modules.imgui": "1.0.0"
  }
}`, coreVersion))
	s.write(filepath.Join(dir, "Editor", "Unity"), "#!/bin/sh\n")
}

// TestBuiltinsFromInstalledEditor proves that built-in packages are read
// from an installed editor: where Unity Hub puts it (its location computed
// for this OS by the same code that takes the OS as a parameter), then
// UNITY_EDITOR_PATH, then --editor-path; each wins over the tables and over
// the lock, and install says where they came from.
func TestBuiltinsFromInstalledEditor(t *testing.T) {
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	const editor = "6000.0.40f1"
	s.project(`{
  "dependencies": {
    "com.unity.render-pipelines.core": "99.1.0",
    "com.unity.modules.ui": "1.0.0"
  }
}
`, editor)

	host := builtin.Host{GOOS: runtime.GOOS, Home: s.Home, Getenv: func(string) string { return "" }}
	hubDir := filepath.Join(host.HubDefaultEditorsDir(), editor)
	if runtime.GOOS != "linux" {
		// Elsewhere Hub's default is outside the sandbox: point Hub's
		// install location setting at it instead.
		custom := filepath.Join(s.Home, "Editors")
		s.write(filepath.Join(host.HubConfigDir(), "secondaryInstallPath.json"), fmt.Sprintf("%q", custom))
		hubDir = filepath.Join(custom, editor)
	}
	fakeEditor(t, s, hubDir, "99.1.0")

	r := s.ok("", "install", "-v", "--no-progress")
	if !strings.Contains(r.Stderr, "built-in packages: the editor at "+hubDir) {
		t.Errorf("install -v does not say where the built-ins came from:\n%s", r)
	}
	lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json"))
	want := `    "com.unity.render-pipelines.core": {
      "version": "99.1.0",
      "depth": 0,
      "source": "builtin",
      "dependencies": {
        "com.unity.modules.ui": "1.0.0",
        "com.unity.modules.imgui": "1.0.0"
      }
    },`
	if !strings.Contains(lock, want) {
		t.Errorf("the lock does not have the editor's core package:\n%s", lock)
	}

	d := s.run("", "doctor", "--json")
	var rep struct {
		Checks []struct{ Check, Status, Detail string }
	}
	if err := json.Unmarshal([]byte(d.Stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, d)
	}
	found := false
	for _, c := range rep.Checks {
		if c.Check == "built-in packages" {
			found = true
			if c.Status != "ok" || !strings.Contains(c.Detail, "the editor at "+hubDir) {
				t.Errorf("doctor: %+v", c)
			}
		}
	}
	if !found {
		t.Errorf("doctor has no built-in packages check:\n%s", d.Stdout)
	}

	// UNITY_EDITOR_PATH (the executable) wins over Hub; the editor is exact,
	// so it wins over the lock too, and install lists the change.
	other := filepath.Join(s.Home, "other-editor")
	fakeEditor(t, s, other, "99.2.0")
	s.extraEnv = append(s.extraEnv, "UNITY_EDITOR_PATH="+filepath.Join(other, "Editor", "Unity"))
	r = s.ok("", "install", "--no-progress")
	if !strings.Contains(r.Stderr, "built-in com.unity.render-pipelines.core: 99.1.0") || !strings.Contains(r.Stderr, "→ 99.2.0") {
		t.Errorf("install does not list the built-in that changed:\n%s", r)
	}
	if lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json")); !strings.Contains(lock, `"version": "99.2.0"`) {
		t.Errorf("UNITY_EDITOR_PATH was not used:\n%s", lock)
	}

	// --editor-path wins over both.
	third := filepath.Join(s.Home, "third")
	fakeEditor(t, s, third, "99.3.0")
	s.ok("", "install", "--no-progress", "--editor-path", third)
	if lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json")); !strings.Contains(lock, `"version": "99.3.0"`) {
		t.Errorf("--editor-path was not used:\n%s", lock)
	}
	s.fails(2, "", "install", "--no-progress", "--editor-path", filepath.Join(s.Home, "nothing"))
}

// TestUGUI2023_2 is issue 8's case: a 2023.2 project keeps com.unity.ugui
// 2.0.0, built in, without a lock and without the editor.
func TestUGUI2023_2(t *testing.T) {
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	s.project(`{
  "dependencies": {
    "com.unity.ugui": "2.0.0",
    "com.unity.modules.ui": "1.0.0",
    "com.unity.modules.imgui": "1.0.0"
  }
}
`, "2023.2.20f1")
	r := s.ok("", "install", "--no-progress")
	lock := s.read(filepath.Join(s.Project, "Packages", "packages-lock.json"))
	if !strings.Contains(lock, "\"com.unity.ugui\": {\n      \"version\": \"2.0.0\",\n      \"depth\": 0,\n      \"source\": \"builtin\",") {
		t.Errorf("ugui is not 2.0.0 built in:\n%s\n%s", lock, r)
	}
}

// TestHDRPLockedBuiltinsNotFetched: a Unity 6 HDRP project on a release
// without a table of its own keeps what its lock records as built in — at
// versions no table has — and asks no registry for any of it.
func TestHDRPLockedBuiltinsNotFetched(t *testing.T) {
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	s.project(`{
  "dependencies": {
    "com.unity.render-pipelines.high-definition": "17.0.99",
    "com.unity.modules.ui": "1.0.0"
  }
}
`, "6000.0.99f1")
	lock := `{
  "dependencies": {
    "com.unity.render-pipelines.core": {
      "version": "17.0.99",
      "depth": 1,
      "source": "builtin",
      "dependencies": {
        "com.unity.modules.ui": "1.0.0"
      }
    },
    "com.unity.render-pipelines.high-definition": {
      "version": "17.0.99",
      "depth": 0,
      "source": "builtin",
      "dependencies": {
        "com.unity.render-pipelines.core": "17.0.99",
        "com.unity.render-pipelines.high-definition-config": "17.0.99",
        "com.unity.shadergraph": "17.0.99"
      }
    },
    "com.unity.render-pipelines.high-definition-config": {
      "version": "17.0.99",
      "depth": 1,
      "source": "builtin",
      "dependencies": {
        "com.unity.render-pipelines.core": "17.0.99"
      }
    },
    "com.unity.shadergraph": {
      "version": "17.0.99",
      "depth": 1,
      "source": "builtin",
      "dependencies": {
        "com.unity.render-pipelines.core": "17.0.99"
      }
    },
    "com.unity.modules.ui": {
      "version": "1.0.0",
      "depth": 0,
      "source": "builtin",
      "dependencies": {}
    }
  }
}
`
	lockPath := filepath.Join(s.Project, "Packages", "packages-lock.json")
	s.write(lockPath, lock)
	r := s.ok("", "install", "-v", "--no-progress")
	if got := s.read(lockPath); got != lock {
		t.Errorf("the lock changed:\n%s\n%s", got, r)
	}
	if !strings.Contains(r.Stderr, "as the project's lock records them") {
		t.Errorf("install -v does not say the lock supplied built-ins:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(s.Project, "Library", "PackageCache")); err == nil {
		entries, _ := os.ReadDir(filepath.Join(s.Project, "Library", "PackageCache"))
		if len(entries) > 0 {
			t.Errorf("built-in packages were installed into Library/PackageCache: %v", entries)
		}
	}
}

// TestUnknownEditorWarns: a line newer than every table, no editor, no
// lock — a warning names the table used and the three ways to be exact;
// with the lock Unity wrote, no warning.
func TestUnknownEditorWarns(t *testing.T) {
	s := newSandbox(t)
	s.extraEnv = append(s.extraEnv, noRegistry)
	s.project(`{"dependencies": {"com.unity.modules.ui": "1.0.0"}}`, "7000.1.0f1")
	r := s.ok("", "install", "--no-progress")
	for _, w := range []string{"warning: built-in packages may differ", "no built-in package table for Unity 7000.1", "using Unity 6000.", "install that editor", "--editor-path", "UNITY_EDITOR_PATH", "packages-lock.json"} {
		if !strings.Contains(r.Stderr, w) {
			t.Errorf("the warning lacks %q:\n%s", w, r.Stderr)
		}
	}
	s.write(filepath.Join(s.Project, "Packages", "manifest.json"), `{"dependencies": {"com.unity.modules.ui": "1.0.0", "com.unity.modules.imgui": "1.0.0"}}`)
	if r := s.ok("", "install", "--no-progress"); strings.Contains(r.Stderr, "warning: built-in") {
		t.Errorf("warned although the lock is there:\n%s", r.Stderr)
	}
}
