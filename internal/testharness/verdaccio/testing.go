package verdaccio

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// E2EEnv is the environment variable that asks for end-to-end tests against a
// real Verdaccio. `make test` (scripts/test.sh) sets it to 1.
const E2EEnv = "UPKG_E2E"

// ForTest starts a Verdaccio for an end-to-end test and stops it when the test
// ends (t.Cleanup). Unless UPKG_E2E is set to a true value, it skips the test and
// says how to run it. When UPKG_E2E is set, a Verdaccio that cannot start fails
// the test: the harness was asked for, so a missing install is a failure, never
// a skip. When the test fails, the tail of Verdaccio's log is added to its log.
func ForTest(t testing.TB, opts Options) *Server {
	t.Helper()
	v, ok := os.LookupEnv(E2EEnv)
	if !ok || v == "" {
		t.Skipf("end-to-end test against a real Verdaccio: run `make test` (or `make test-deps` then `%s=1 go test ./...`)", E2EEnv)
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		t.Fatalf("%s=%q: want 1 or 0", E2EEnv, v)
	}
	if !on {
		t.Skipf("%s=%s: end-to-end tests disabled", E2EEnv, v)
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("%s=%s but the Verdaccio harness did not start: %v", E2EEnv, v, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("verdaccio log tail (%s):\n%s", s.URL, s.LogTail())
		}
		if err := s.Stop(); err != nil {
			t.Errorf("stop verdaccio: %v", err)
		}
	})
	return s
}
