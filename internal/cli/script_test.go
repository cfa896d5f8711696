package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/upkg/upkg/internal/iostreams"
)

// TestMain lets testscript run upkg as a command inside the test binary.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"upkg": func() { os.Exit(Main(context.Background(), os.Args[1:], iostreams.System())) },
	})
}

// TestScripts runs testdata/script/*.txtar: the CLI's flag and message
// contract (CLI.md), as a user sees it — arguments, stdin, stdout, stderr,
// exit codes — each in a sandbox with its own HOME and config files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exitcode N prog args...: run prog (as exec does), want exit N.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exitcode N prog [args...]")
				}
				err := ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("%v", err)
				}
				if want := args[0]; strconv.Itoa(got) != want {
					ts.Fatalf("exit %d; want %s", got, want)
				}
			},
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("USERPROFILE", e.WorkDir)
			e.Setenv("UPM_USER_CONFIG_FILE", e.WorkDir+"/.upmconfig.toml")
			e.Setenv("UPM_GLOBAL_CONFIG_FILE", e.WorkDir+"/etc/upmconfig.toml")
			e.Setenv("UPM_CACHE_ROOT", e.WorkDir+"/cache")
			e.Setenv("NO_COLOR", "1")
			e.Setenv("CI", "1")
			return nil
		},
	})
}
