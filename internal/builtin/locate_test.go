package builtin

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHubLocations(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	noFiles := func(string) ([]byte, error) { return nil, fs.ErrNotExist }
	tests := []struct {
		host       Host
		config     string
		defaultDir string
	}{
		{Host{GOOS: "windows", Home: `C:\Users\ann`, Getenv: env(nil), ReadFile: noFiles},
			`C:\Users\ann\AppData\Roaming\UnityHub`, `C:\Program Files\Unity\Hub\Editor\2022.3.20f1`},
		{Host{GOOS: "windows", Home: `C:\Users\ann`, Getenv: env(map[string]string{"APPDATA": `D:\roam`, "ProgramFiles": `E:\Apps`}), ReadFile: noFiles},
			`D:\roam\UnityHub`, `E:\Apps\Unity\Hub\Editor\2022.3.20f1`},
		{Host{GOOS: "darwin", Home: "/Users/ann", Getenv: env(nil), ReadFile: noFiles},
			"/Users/ann/Library/Application Support/UnityHub", "/Applications/Unity/Hub/Editor/2022.3.20f1"},
		{Host{GOOS: "linux", Home: "/home/ann", Getenv: env(nil), ReadFile: noFiles},
			"/home/ann/.config/UnityHub", "/home/ann/Unity/Hub/Editor/2022.3.20f1"},
		{Host{GOOS: "linux", Home: "/home/ann", Getenv: env(map[string]string{"XDG_CONFIG_HOME": "/cfg"}), ReadFile: noFiles},
			"/cfg/UnityHub", "/home/ann/Unity/Hub/Editor/2022.3.20f1"},
	}
	for _, tt := range tests {
		t.Run(tt.host.GOOS+tt.config, func(t *testing.T) {
			if got := tt.host.HubConfigDir(); got != tt.config {
				t.Errorf("HubConfigDir = %q; want %q", got, tt.config)
			}
			c := tt.host.EditorCandidates("2022.3.20f1")
			if len(c) != 1 || c[0].Dir != tt.defaultDir {
				t.Errorf("EditorCandidates = %v; want only %q", c, tt.defaultDir)
			}
		})
	}
}

func TestHubSettingsAddCandidates(t *testing.T) {
	files := map[string]string{
		`C:\Users\ann\AppData\Roaming\UnityHub\secondaryInstallPath.json`: `"D:\\Unity\\Editors"`,
		`C:\Users\ann\AppData\Roaming\UnityHub\editors-v2.json`: `{"schema_version": "v2", "data": [
			{"version": "2021.3.1f1", "location": ["C:\\Old\\Editor\\Unity.exe"]},
			{"version": "2022.3.20f1", "location": ["F:\\Mine\\Editor\\Unity.exe"], "manual": true}]}`,
	}
	h := Host{GOOS: "windows", Home: `C:\Users\ann`, Getenv: func(string) string { return "" },
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		}}
	var got []string
	for _, c := range h.EditorCandidates("2022.3.20f1") {
		got = append(got, c.Dir)
	}
	want := []string{`F:\Mine\Editor\Unity.exe`, `D:\Unity\Editors\2022.3.20f1`, `C:\Program Files\Unity\Hub\Editor\2022.3.20f1`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("EditorCandidates = %q; want %q", got, want)
	}
}

// TestFindEditor lays out a Linux Hub install in a temp home and finds it,
// with the executable in UNITY_EDITOR_PATH, and not at all.
func TestFindEditor(t *testing.T) {
	home := t.TempDir()
	hub := filepath.Join("Unity", "Hub", "Editor", "2022.3.20f1", "Editor")
	writeFiles(t, home, fakeEditor(filepath.ToSlash(filepath.Join(hub, "Data", "Resources", "PackageManager", "BuiltInPackages"))))
	writeFiles(t, home, map[string]string{filepath.ToSlash(filepath.Join(hub, "Unity")): "#!/bin/sh\n"})
	vars := map[string]string{}
	h := Host{GOOS: "linux", Home: home, Getenv: func(k string) string { return vars[k] }}

	found, _, err := FindEditor(h, "2022.3.20f1")
	if err != nil || found == nil {
		t.Fatalf("FindEditor = %v, %v", found, err)
	}
	if found.Why != "Unity Hub's default install location" || !strings.Contains(found.Set.Origin(), "the editor at "+filepath.Join(home, "Unity", "Hub", "Editor", "2022.3.20f1")) {
		t.Errorf("found %+v, origin %q", found, found.Set.Origin())
	}
	if _, _, ok := found.Set.Lookup("com.unity.ugui"); !ok || !found.Set.Exact("com.unity.anything") {
		t.Error("the editor's set lacks ugui or is not exact")
	}

	found, tried, err := FindEditor(h, "6000.0.23f1")
	if err != nil || found != nil || len(tried) != 1 {
		t.Errorf("another version: %v, %v, %v; want nothing found after one place", found, tried, err)
	}

	vars["UNITY_EDITOR_PATH"] = filepath.Join(home, hub, "Unity")
	found, _, err = FindEditor(h, "6000.0.23f1")
	if err != nil || found == nil || found.Why != "UNITY_EDITOR_PATH" {
		t.Fatalf("UNITY_EDITOR_PATH: %+v, %v", found, err)
	}
	vars["UNITY_EDITOR_PATH"] = filepath.Join(home, "nothing")
	if _, _, err := FindEditor(h, "2022.3.20f1"); err == nil || !strings.Contains(err.Error(), "UNITY_EDITOR_PATH") {
		t.Errorf("a wrong UNITY_EDITOR_PATH: %v", err)
	}
	delete(vars, "UNITY_EDITOR_PATH")

	// A folder at the Hub location that is no editor is an error, not a
	// silent fallback to the tables.
	if err := os.MkdirAll(filepath.Join(home, "Unity", "Hub", "Editor", "2021.3.1f1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := FindEditor(h, "2021.3.1f1"); err == nil || errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "2021.3.1f1") {
		t.Errorf("an empty Hub folder: %v", err)
	}
}

func TestSourceKey(t *testing.T) {
	home := t.TempDir()
	vars := map[string]string{}
	h := Host{GOOS: "linux", Home: home, Getenv: func(k string) string { return vars[k] }}
	tables := SourceKey(h, "", "2022.3.20f1")
	if !strings.HasPrefix(tables, "tables:") || SourceKey(h, "", "2022.3.20f1") != tables {
		t.Errorf("no editor: %q", tables)
	}
	writeFiles(t, home, fakeEditor("Unity/Hub/Editor/2022.3.20f1/Editor/Data/Resources/PackageManager/BuiltInPackages"))
	if got := SourceKey(h, "", "2022.3.20f1"); got != "hub:"+filepath.Join(home, "Unity", "Hub", "Editor", "2022.3.20f1") {
		t.Errorf("an installed editor: %q", got)
	}
	vars["UNITY_EDITOR_PATH"] = "/opt/unity"
	if got := SourceKey(h, "", "2022.3.20f1"); got != "env:/opt/unity" {
		t.Errorf("UNITY_EDITOR_PATH: %q", got)
	}
	if got := SourceKey(h, "/x", "2022.3.20f1"); got != "path:/x" {
		t.Errorf("--editor-path: %q", got)
	}
}

// TestTablesDigest: the digest the no-op check uses is that of the tables
// this build embeds, and digest.go is what gen writes for it.
func TestTablesDigest(t *testing.T) {
	sub, err := fs.Sub(dataFS, "data")
	if err != nil {
		t.Fatal(err)
	}
	got, err := DigestTables(sub)
	if err != nil {
		t.Fatal(err)
	}
	if got != tablesDigest() {
		t.Errorf("the embedded tables digest to %s, digest.go says %s: run go run ./internal/builtin/gen", got, tablesDigest())
	}
	src, err := os.ReadFile("digest.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(src) != DigestSource(tablesDigest()) {
		t.Errorf("digest.go is not what gen writes:\n%s\nwant\n%s", src, DigestSource(tablesDigest()))
	}
	// Any change to a table changes the digest.
	changed := fstest.MapFS{}
	entries, _ := fs.ReadDir(sub, ".")
	for _, e := range entries {
		data, _ := fs.ReadFile(sub, e.Name())
		changed[e.Name()] = &fstest.MapFile{Data: data}
	}
	if d, _ := DigestTables(changed); d != got {
		t.Fatalf("a copy of the tables digests to %s, want %s", d, got)
	}
	first := entries[0].Name()
	data := append([]byte(nil), changed[first].Data...)
	data[len(data)/2] ^= 1
	changed[first] = &fstest.MapFile{Data: data}
	if d, _ := DigestTables(changed); d == got {
		t.Errorf("a byte changed in %s left the digest %s", first, d)
	}
}
