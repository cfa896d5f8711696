package registry

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/upkg/upkg/internal/upmconfig"
)

// AuthError is a 401 or 403 answer, or an anonymous whoami. Entry is the
// npmAuth entry whose credential the request carried, nil when it carried none:
// the two need different fixes.
type AuthError struct {
	Registry  string
	URL       string
	Status    int
	Anonymous bool
	Entry     *upmconfig.Auth
}

func (e *AuthError) Error() string {
	what := fmt.Sprintf("registry %s answered %d %s", e.Registry, e.Status, http.StatusText(e.Status))
	if e.Anonymous {
		what = fmt.Sprintf("registry %s does not know who you are (anonymous)", e.Registry)
	}
	if e.Entry == nil {
		return what + "; no npmAuth entry matches this registry, so the request carried no credential"
	}
	return fmt.Sprintf("%s; the request carried the %s of npmAuth.%q from %s (%s)",
		what, e.Entry.Kind(), e.Entry.Registry, e.Entry.File, upmconfig.Mask(e.Entry.Secret()))
}

// NotFoundError is a 404 answer.
type NotFoundError struct {
	Registry string
	URL      string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s: not found on registry %s", e.URL, e.Registry)
}

// StatusError is any other unexpected HTTP answer.
type StatusError struct {
	URL    string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: unexpected answer %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// NetworkError is a failure to reach the registry (DNS, connect, TLS, timeout).
type NetworkError struct {
	Registry string
	URL      string
	Err      error
}

func (e *NetworkError) Error() string {
	if isTimeout(e.Err) {
		return fmt.Sprintf("%s: timed out: %v", e.URL, e.Err)
	}
	return fmt.Sprintf("cannot reach %s: %v", e.URL, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// errInsecureRedirect is a redirect from https to http while a credential is
// attached (UPM-SPEC §2 rule 4).
var errInsecureRedirect = errors.New("refusing to follow a redirect from https to http with a credential attached")
