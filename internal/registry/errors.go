package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
)

// AuthError is a 401 or 403 answer, or an anonymous whoami. Carried is the
// credential the request carried, the zero Credential when it carried none:
// the two need different fixes.
type AuthError struct {
	Registry  string
	URL       string
	Status    int
	Anonymous bool
	Carried   Credential
	// CrossOrigin is set when a tarball on another origin than the registry
	// answered 401/403 to a request that carried no credential because the
	// registry's credential, Withheld, has alwaysAuth = false (UPM-SPEC §2
	// rule 3). The fix is alwaysAuth = true there, not a new credential.
	CrossOrigin bool
	// Withheld is the registry's credential that was not sent (set with
	// CrossOrigin).
	Withheld Credential
}

func (e *AuthError) Error() string {
	if e.CrossOrigin {
		in := ""
		if e.Withheld.File != "" {
			in = " in " + e.Withheld.File
		}
		return fmt.Sprintf("tarball %s is on another server than the registry %s and answered %d; "+
			"npmAuth.%q%s has alwaysAuth = false, so its credential was not sent",
			e.URL, e.Registry, e.Status, e.Withheld.Entry, in)
	}
	what := fmt.Sprintf("registry %s answered %d %s", e.Registry, e.Status, http.StatusText(e.Status))
	if e.Anonymous {
		what = fmt.Sprintf("registry %s does not know who you are (anonymous)", e.Registry)
	}
	if e.Carried.Header == "" {
		return what + "; no npmAuth entry matches this registry, so the request carried no credential"
	}
	return fmt.Sprintf("%s; the request carried the %s of npmAuth.%q from %s (%s)",
		what, e.Carried.Kind(), e.Carried.Entry, e.Carried.File, e.Carried.Masked())
}

// NotFoundError is a 404 answer. It answers errors.Is(err, fs.ErrNotExist).
type NotFoundError struct {
	Registry string
	URL      string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s: not found on registry %s", e.URL, e.Registry)
}

// Is makes errors.Is(err, fs.ErrNotExist) true.
func (e *NotFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// OfflineError is a request made while Client.Offline is set for something
// the cache does not hold: the packument of Name, or the URL.
type OfflineError struct {
	Registry string
	Name     string
	URL      string
}

func (e *OfflineError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("offline: the packument of %s from %s is not in the cache; run once online", e.Name, e.Registry)
	}
	return fmt.Sprintf("offline: %s (registry %s) is not in the cache; run once online", e.URL, e.Registry)
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

// NetworkError is a failure to reach the registry (DNS, connect, TLS,
// timeout) after the retries the policy allows, or a connection lost while
// reading an answer (Body), which the reader may retry as a whole.
type NetworkError struct {
	Registry string
	URL      string
	Err      error
	// Body is set when the answer had begun and its body broke off.
	Body bool
	// Cached is set when the cache holds a copy of what was asked for:
	// offline, it would have served.
	Cached bool
}

// Error names the URL once and then the cause (Cause).
func (e *NetworkError) Error() string {
	switch {
	case e.Body && isTimeout(e.Err):
		return fmt.Sprintf("%s: the answer stalled: %s", e.URL, e.Cause())
	case e.Body:
		return fmt.Sprintf("%s: the connection broke while reading the answer: %s", e.URL, e.Cause())
	case isTimeout(e.Err):
		return fmt.Sprintf("%s: timed out: %s", e.URL, e.Cause())
	}
	return fmt.Sprintf("cannot reach %s: %s", e.URL, e.Cause())
}

// Cause is why the request failed, without the wrappers of Go's HTTP client
// and dialer that repeat the URL (`Get "URL": `) or the address
// (`dial tcp 127.0.0.1:4873: `): "connect: connection refused", "lookup
// npm.example.com on 10.0.0.53:53: no such host". A failure to reach the proxy
// says so.
func (e *NetworkError) Cause() string {
	return cause(e.Err)
}

func cause(err error) string {
	for {
		switch t := err.(type) {
		case *url.Error:
			err = t.Err
			continue
		case *net.OpError:
			if t.Err == nil {
				return t.Error()
			}
			if t.Op == "proxyconnect" {
				return "cannot connect to the proxy: " + cause(t.Err)
			}
			err = t.Err
			continue
		}
		if err == nil {
			return "unknown error"
		}
		return err.Error()
	}
}

func (e *NetworkError) Unwrap() error { return e.Err }

// errInsecureRedirect is a redirect from https to http (UPM-SPEC §2 rule 4):
// never followed, with or without a credential, since what it would fetch
// over plain HTTP could be changed on the way.
var errInsecureRedirect = errors.New("refusing to follow a redirect from https to http")

// DowngradeError is a redirect from https to http, refused. It matches
// errInsecureRedirect.
type DowngradeError struct{ From, To string }

func (e *DowngradeError) Error() string {
	return fmt.Sprintf("%v: %s redirected to %s", errInsecureRedirect, e.From, e.To)
}

func (e *DowngradeError) Unwrap() error { return errInsecureRedirect }
