package registrycmds

import (
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
)

// TestViewFlags drives view's arguments and flags through runF.
func TestViewFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdView, []cmdtest.Case[ViewOptions]{
		{Name: "name", Args: []string{"com.example.a"}, Want: ViewOptions{Name: "com.example.a"}},
		{Name: "name@version", Args: []string{"com.example.a@1.2.0"}, Want: ViewOptions{Name: "com.example.a", Version: "1.2.0"}},
		{Name: "dist-tag", Args: []string{"com.example.a@next"}, Want: ViewOptions{Name: "com.example.a", Version: "next"}},
		{Name: "registry", Args: []string{"com.example.a", "--registry", "https://npm.example.com/"}, Want: ViewOptions{Name: "com.example.a", RegistryURL: "https://npm.example.com/"}},
		{Name: "no name", Code: -1},
		{Name: "two names", Args: []string{"com.example.a", "com.example.b"}, Code: -1},
		{Name: "empty version", Args: []string{"com.example.a@"}, Code: cmdutil.ExitUsage},
		{Name: "npm scope", Args: []string{"@scope/pkg"}, Code: cmdutil.ExitUsage},
		{Name: "bad name", Args: []string{"../etc"}, Code: cmdutil.ExitUsage},
		{Name: "bad registry", Args: []string{"com.example.a", "--registry", "npm.example.com"}, Code: cmdutil.ExitUsage},
		{Name: "unknown flag", Args: []string{"com.example.a", "--tag", "x"}, Code: cmdutil.ExitUsage},
	})
}

// TestSearchFlags drives search's arguments and flags through runF.
func TestSearchFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdSearch, []cmdtest.Case[SearchOptions]{
		{Name: "text", Args: []string{"core"}, Want: SearchOptions{Text: "core", Limit: 20}},
		{Name: "words", Args: []string{"example", "core"}, Want: SearchOptions{Text: "example core", Limit: 20}},
		{Name: "registry and limit", Args: []string{"core", "--registry", "http://127.0.0.1:4873", "--limit", "5"}, Want: SearchOptions{Text: "core", RegistryURL: "http://127.0.0.1:4873", Limit: 5}},
		{Name: "no text", Code: -1},
		{Name: "blank text", Args: []string{" "}, Code: cmdutil.ExitUsage},
		{Name: "limit 0", Args: []string{"core", "--limit", "0"}, Code: cmdutil.ExitUsage},
		{Name: "limit too high", Args: []string{"core", "--limit", "1000"}, Code: cmdutil.ExitUsage},
		{Name: "limit not a number", Args: []string{"core", "--limit", "many"}, Code: cmdutil.ExitUsage},
		{Name: "bad registry", Args: []string{"core", "--registry", "ftp://example.com"}, Code: cmdutil.ExitUsage},
	})
}

// TestOutdatedFlags drives outdated's (lack of) arguments through runF.
func TestOutdatedFlags(t *testing.T) {
	cmdtest.RunCases(t, NewCmdOutdated, []cmdtest.Case[OutdatedOptions]{
		{Name: "none", Want: OutdatedOptions{}},
		{Name: "argument", Args: []string{"com.example.a"}, Code: -1},
		{Name: "unknown flag", Args: []string{"--long"}, Code: cmdutil.ExitUsage},
	})
}
