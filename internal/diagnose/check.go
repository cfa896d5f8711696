// Package diagnose holds the checks of `upkg doctor` (CLI.md): the proxy
// variables and CA files, and for each registry the proxy that applies, DNS,
// TCP, TLS, the npmAuth entry that matches (or nearly does), whoami,
// packuments and search. Each check is ok, warn or fail with the fix.
//
// Everything comes in as values: the configuration, the registry client, and
// the dialer and resolver the network probes use, so that tests run them
// against fakes. cli/doctor gathers those and renders the checks.
package diagnose

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/registry"
)

// Statuses of a check.
const (
	StatusOK   = "ok"
	StatusWarn = "warn"
	StatusFail = "fail"
)

// Check is one line of the report; its JSON form is CLI.md's.
type Check struct {
	// Registry is the registry checked; nil for configuration checks.
	Registry *string `json:"registry"`
	Check    string  `json:"check"`
	Status   string  `json:"status"`
	Detail   string  `json:"detail"`
	Fix      string  `json:"fix"`
}

// timeoutText turns a network failure into words, saying so plainly when it
// was a timeout.
func timeoutText(err error, d time.Duration) (string, bool) {
	var ne *registry.NetworkError
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && strings.Contains(err.Error(), "timed out")) {
		return fmt.Sprintf("timed out: no answer within %s", d), true
	}
	return err.Error(), false
}
