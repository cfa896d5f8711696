package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The ways upkg's code names the environment variables it reads: a call
// with a literal (Getenv("X"), getenv("X")), proxy.go's first("X", "Y"),
// and a literal list ranged over and passed to Getenv.
var (
	getenvCall = regexp.MustCompile(`(?i)getenv\("([A-Za-z_][A-Za-z0-9_]*)"\)`)
	firstCall  = regexp.MustCompile(`\bfirst\(((?:"[A-Za-z_][A-Za-z0-9_]*",?\s*)+)\)`)
	rangeList  = regexp.MustCompile(`range \[\]string\{((?:"[A-Za-z_][A-Za-z0-9_]*",?\s*)+)\}`)
	literal    = regexp.MustCompile(`"([A-Za-z_][A-Za-z0-9_]*)"`)
)

// readVariables scans the non-test Go files of cmd and internal (but the
// test helpers) for the environment variables they read.
func readVariables(t *testing.T) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, dir := range []string{"../../cmd", "../../internal"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testharness" || d.Name() == "testregistry" || d.Name() == "testdata" || path == "../../internal/builtin/gen") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			src := string(data)
			for _, m := range getenvCall.FindAllStringSubmatch(src, -1) {
				vars[m[1]] = path
			}
			for _, re := range []*regexp.Regexp{firstCall, rangeList} {
				for _, loc := range re.FindAllStringSubmatchIndex(src, -1) {
					// A ranged list counts when Getenv follows within a few lines.
					if re == rangeList && !strings.Contains(strings.ToLower(src[loc[1]:min(len(src), loc[1]+200)]), "getenv(") {
						continue
					}
					for _, l := range literal.FindAllStringSubmatch(src[loc[2]:loc[3]], -1) {
						vars[l[1]] = path
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return vars
}

// TestEnvironmentHelpListsEveryVariable fails when the code reads an
// environment variable that `upkg help environment` does not name.
func TestEnvironmentHelpListsEveryVariable(t *testing.T) {
	vars := readVariables(t)
	for _, want := range []string{"UPM_USER_CONFIG_FILE", "HTTPS_PROXY", "NODE_EXTRA_CA_CERTS", "CI", "UNITY_EDITOR_PATH", "UNITY_PROXYSERVER", "SSL_CERT_FILE"} {
		if vars[want] == "" {
			t.Errorf("the scan missed %s: it no longer sees how the code reads variables", want)
		}
	}
	named := map[string]bool{}
	for _, w := range regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`).FindAllString(environmentHelp, -1) {
		named[w] = true
	}
	for v, file := range vars {
		if !named[v] {
			t.Errorf("%s reads %s, which upkg help environment does not list (internal/cli/environment.go)", file, v)
		}
	}
}
