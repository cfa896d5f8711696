// Command gen rebuilds the built-in package tables (internal/builtin/data)
// from folders of Unity-written lock files, each beside the
// ProjectVersion.txt of the editor that wrote it (see builtin.LoadEvidence).
// It prints where locks of the same editor version contradict each other and
// which projects it skipped.
//
//	go run ./internal/builtin/gen                  # testdata/unity-projects → internal/builtin/data
//	go run ./internal/builtin/gen -check           # exit 1 if the tables are not what the evidence gives
//	go run ./internal/builtin/gen -o DIR EVIDENCE...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/upkg/upkg/internal/builtin"
)

func main() {
	out := flag.String("o", filepath.Join("internal", "builtin", "data"), "folder of the generated <line>.json tables")
	check := flag.Bool("check", false, "write nothing; exit 1 if the tables differ from what the evidence gives")
	strict := flag.Bool("strict", false, "exit 1 if locks of the same editor version contradict each other")
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{filepath.Join("testdata", "unity-projects")}
	}
	if err := run(*out, dirs, *check, *strict); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string, dirs []string, check, strict bool) error {
	if !check {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
	}
	var evidence []builtin.Evidence
	for _, d := range dirs {
		ev, err := builtin.LoadEvidence(d)
		if err != nil {
			return err
		}
		evidence = append(evidence, ev...)
	}
	files, contradictions, skipped, err := builtin.BuildTables(evidence)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Printf("skipped (not a Unity release): %s\n", s)
	}
	for _, c := range contradictions {
		fmt.Printf("contradiction: %s\n", c)
	}
	old, err := filepath.Glob(filepath.Join(out, "*.json"))
	if err != nil {
		return err
	}
	var differ []string
	for _, f := range old {
		line := strings.TrimSuffix(filepath.Base(f), ".json")
		if _, ok := files[line]; !ok {
			differ = append(differ, f+" (no evidence for this line any more)")
			if !check {
				if err := os.Remove(f); err != nil {
					return err
				}
			}
		}
	}
	lines := make([]string, 0, len(files))
	for line := range files {
		lines = append(lines, line)
	}
	slices.Sort(lines)
	for _, line := range lines {
		f := filepath.Join(out, line+".json")
		cur, err := os.ReadFile(f)
		if err == nil && bytes.Equal(cur, files[line]) {
			continue
		}
		differ = append(differ, f)
		if !check {
			if err := os.WriteFile(f, files[line], 0o644); err != nil {
				return err
			}
		}
	}
	// The tables' digest, which every no-op install compares, is kept in
	// digest.go beside the data folder rather than computed at each start.
	digest, err := builtin.DigestTables(os.DirFS(out))
	if err != nil {
		return err
	}
	f := filepath.Join(filepath.Dir(out), "digest.go")
	want := []byte(builtin.DigestSource(digest))
	if cur, err := os.ReadFile(f); err != nil || !bytes.Equal(cur, want) {
		differ = append(differ, f)
		if !check {
			if err := os.WriteFile(f, want, 0o644); err != nil {
				return err
			}
		}
	}
	fmt.Printf("%d locks, %d editor lines (%s), %d contradictions\n", len(evidence), len(lines), strings.Join(lines, " "), len(contradictions))
	if check && len(differ) > 0 {
		return fmt.Errorf("the tables are not what the evidence gives (run go run ./internal/builtin/gen): %s", strings.Join(differ, ", "))
	}
	if strict && len(contradictions) > 0 {
		return fmt.Errorf("%d contradictions", len(contradictions))
	}
	return nil
}
