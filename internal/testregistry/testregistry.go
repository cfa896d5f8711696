// Package testregistry is an in-process npm registry for upkg's tests
// (TESTING.md layer 2): it serves full packuments (with ETag and 304),
// tarballs and /-/whoami on a chosen loopback address, requires a credential
// unless told otherwise, records every request, and injects the faults a real
// server will not produce on demand: error bursts, Retry-After, connections
// reset mid-body, corrupted tarballs, requests that hang.
//
// It is used by tests only; the upkg binary must not import it.
package testregistry

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a Registry.
type Options struct {
	// Addr is the loopback address to listen on, "127.0.0.1" (default) or
	// "127.0.0.2" (a second origin), optionally with a port.
	Addr string
	// Prefix is a path the registry lives under, e.g. "/npm" ("" = the root).
	Prefix string
	// Token is the Bearer token the registry accepts.
	Token string
	// Basic is the _auth value the registry accepts as "Basic <Basic>".
	Basic string
	// Anonymous lets requests without a credential through. A wrong
	// credential is still refused.
	Anonymous bool
	// User is the name /-/whoami reports for an accepted credential
	// (default "alice").
	User string
	// TLS serves https with httptest's certificate (valid for 127.0.0.1).
	TLS bool
	// HTTP2 offers HTTP/2 (ALPN "h2") besides HTTP/1.1, with TLS.
	HTTP2 bool
	// Tarballs, when set, is the registry that serves the tarballs Publish
	// adds: dist.tarball then points at its origin (TarballBase = its URL).
	Tarballs *Registry

	// NoSearch makes /-/v1/search answer 404, as registries without
	// search do.
	NoSearch bool

	// Login endpoints (login.go); see Users, WebLogin and OTP there.
	Login LoginOptions
}

// Recorded is one request the registry received.
type Recorded struct {
	Method, Path, Host string
	// Proto is the protocol the request came in, "HTTP/1.1" or "HTTP/2.0".
	Proto string
	// Query is the raw query string ("" if none).
	Query string
	// Authorization is the header as received ("" if none); compare it with
	// Bearer/Basic, and print it only through Masked.
	Authorization string
	Header        http.Header
	// Time is when the request arrived.
	Time time.Time
	// Status is the status answered (0 while the request is being served,
	// or when the connection was hijacked before an answer).
	Status int
}

// Masked is the Authorization header with its secret masked to its last 4
// characters, for test failure messages.
func (r Recorded) Masked() string {
	kind, secret, ok := strings.Cut(r.Authorization, " ")
	if !ok {
		return mask(r.Authorization)
	}
	return kind + " " + mask(secret)
}

func mask(s string) string {
	if len(s) <= 8 {
		return strings.Repeat("*", min(len(s), 4))
	}
	return "****" + s[len(s)-4:]
}

// Bearer is the Authorization header value of a token.
func Bearer(token string) string { return "Bearer " + token }

// Basic is the Authorization header value of an _auth value.
func Basic(auth string) string { return "Basic " + auth }

// Registry is a running in-process npm registry.
type Registry struct {
	// URL is the registry's URL (with Prefix, without a trailing slash).
	URL string
	// TarballBase is the URL dist.tarball values start with; Publish reads it,
	// so a test may point tarballs elsewhere before publishing.
	TarballBase string

	opts     Options
	srv      *httptest.Server
	tarStore *Registry
	stop     chan struct{}

	mu       sync.Mutex
	packages map[string]*pkg
	tarballs map[string][]byte // by request path
	corrupt  map[string]bool   // tarball paths served corrupted
	faults   map[string][]fault
	hang     map[string]bool
	reqs     []Recorded
	login    loginState
}

type pkg struct {
	versions map[string]map[string]any
	times    map[string]string
	modified time.Time
}

// fault is one injected answer for the next request to a path.
type fault struct {
	status     int
	retryAfter string
	// resetAfter >= 0 serves the real answer but breaks the connection
	// after that many body bytes.
	resetAfter int
}

// New starts a registry that is closed when the test ends.
func New(t testing.TB, opts Options) *Registry {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1"
	}
	if opts.User == "" {
		opts.User = "alice"
	}
	opts.Prefix = "/" + strings.Trim(opts.Prefix, "/")
	if opts.Prefix == "/" {
		opts.Prefix = ""
	}
	addr := opts.Addr
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "0")
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		// Not a skip: a test that needs a second origin must not pass
		// without one (on macOS: sudo ifconfig lo0 alias 127.0.0.2 up).
		t.Fatalf("testregistry: listen on %s: %v", addr, err)
	}
	r := &Registry{
		opts:     opts,
		stop:     make(chan struct{}),
		packages: map[string]*pkg{},
		tarballs: map[string][]byte{},
		corrupt:  map[string]bool{},
		faults:   map[string][]fault{},
		hang:     map[string]bool{},
	}
	r.login.init(opts.Login)
	r.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(r.serve)}}
	if opts.TLS {
		r.srv.EnableHTTP2 = opts.HTTP2
		r.srv.StartTLS()
	} else {
		r.srv.Start()
	}
	r.URL = r.srv.URL + opts.Prefix
	r.tarStore = r
	if opts.Tarballs != nil {
		r.tarStore = opts.Tarballs
	}
	r.TarballBase = r.tarStore.URL
	t.Cleanup(r.Close)
	return r
}

// Close stops the registry; hanging requests are released first. Tests
// close it early to prove that nothing more is asked of it.
func (r *Registry) Close() {
	r.mu.Lock()
	select {
	case <-r.stop:
		r.mu.Unlock()
		return
	default:
		close(r.stop)
	}
	r.mu.Unlock()
	r.srv.CloseClientConnections()
	r.srv.Close()
}

// CertPEM is the PEM of the server's certificate (with Options.TLS), for a
// test CA file.
func (r *Registry) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
}

// Client is an http.Client that trusts the server's certificate.
func (r *Registry) Client() *http.Client { return r.srv.Client() }

// TLSConfig is the server's TLS configuration (nil without Options.TLS).
func (r *Registry) TLSConfig() *tls.Config { return r.srv.TLS }

// TarballPath is the request path of name@version's tarball on the registry
// that serves it, e.g. "/com.example.a/-/com.example.a-1.0.0.tgz".
func (r *Registry) TarballPath(name, version string) string {
	return r.tarStore.opts.Prefix + "/" + name + "/-/" + name + "-" + version + ".tgz"
}

// PackumentPath is the request path of name's packument.
func (r *Registry) PackumentPath(name string) string {
	return r.opts.Prefix + "/" + name
}

// Publish adds name@version: pkgJSON is its package.json (a
// json.RawMessage value keeps its bytes, e.g. to pin the order of
// dependencies), tarball its .tgz. It computes dist (tarball URL from
// TarballBase, sha512 integrity, sha1 shasum) and returns it.
func (r *Registry) Publish(name, version string, pkgJSON map[string]any, tarball []byte) Dist {
	s512 := sha512.Sum512(tarball)
	s1 := sha1.Sum(tarball)
	d := Dist{
		Tarball:   strings.TrimRight(r.TarballBase, "/") + "/" + name + "/-/" + name + "-" + version + ".tgz",
		Integrity: "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
		Shasum:    hex.EncodeToString(s1[:]),
	}
	doc := maps.Clone(pkgJSON)
	if doc == nil {
		doc = map[string]any{}
	}
	doc["name"], doc["version"] = name, version
	doc["_id"] = name + "@" + version
	doc["dist"] = map[string]any{"tarball": d.Tarball, "integrity": d.Integrity, "shasum": d.Shasum}

	r.tarStore.mu.Lock()
	r.tarStore.tarballs[r.TarballPath(name, version)] = bytes.Clone(tarball)
	r.tarStore.mu.Unlock()

	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.packages[name]
	if p == nil {
		p = &pkg{versions: map[string]map[string]any{}, times: map[string]string{}}
		r.packages[name] = p
	}
	// Strictly increasing, so that every publish changes the ETag.
	now := time.Now().UTC()
	if !now.After(p.modified) {
		now = p.modified.Add(time.Millisecond)
	}
	p.modified = now
	p.versions[version] = doc
	p.times[version] = now.Format(time.RFC3339Nano)
	return d
}

// Dist is what Publish computed for a version.
type Dist struct {
	Tarball, Integrity, Shasum string
}

// FailNext makes the next requests to path answer the given statuses, one
// each, before it is served normally again.
func (r *Registry) FailNext(path string, statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range statuses {
		r.faults[path] = append(r.faults[path], fault{status: s, resetAfter: -1})
	}
}

// RetryAfter makes the next request to path answer 429 Too Many Requests
// with "Retry-After: <seconds>".
func (r *Registry) RetryAfter(path string, seconds int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults[path] = append(r.faults[path], fault{status: http.StatusTooManyRequests, retryAfter: strconv.Itoa(seconds), resetAfter: -1})
}

// ResetMidBody makes the next request to path get its real headers
// (Content-Length included) and afterBytes bytes of the body, then the
// connection is reset.
func (r *Registry) ResetMidBody(path string, afterBytes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults[path] = append(r.faults[path], fault{resetAfter: max(afterBytes, 0)})
}

// CorruptTarball serves name@version's tarball with bytes that do not match
// its integrity (same length), until ClearFaults.
func (r *Registry) CorruptTarball(name, version string) {
	r.tarStore.mu.Lock()
	defer r.tarStore.mu.Unlock()
	r.tarStore.corrupt[r.TarballPath(name, version)] = true
}

// Hang makes every request to path wait without answering until the client
// gives up or the registry closes, until ClearFaults.
func (r *Registry) Hang(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hang[path] = true
}

// ClearFaults removes every injected fault.
func (r *Registry) ClearFaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.faults)
	clear(r.hang)
	clear(r.corrupt)
}

// Requests returns the requests received so far, oldest first.
func (r *Registry) Requests() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Recorded(nil), r.reqs...)
}

// RequestsTo returns the requests received for path, oldest first.
func (r *Registry) RequestsTo(path string) []Recorded {
	var out []Recorded
	for _, q := range r.Requests() {
		if q.Path == path {
			out = append(out, q)
		}
	}
	return out
}

func (r *Registry) serve(rw http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	idx := len(r.reqs)
	r.reqs = append(r.reqs, Recorded{
		Method: req.Method, Path: req.URL.Path, Host: req.Host, Proto: req.Proto, Query: req.URL.RawQuery,
		Authorization: req.Header.Get("Authorization"),
		Header:        req.Header.Clone(), Time: time.Now(),
	})
	w := &statusWriter{ResponseWriter: rw, set: func(status int) {
		r.mu.Lock()
		r.reqs[idx].Status = status
		r.mu.Unlock()
	}}
	hang := r.hang[req.URL.Path]
	var f *fault
	if q := r.faults[req.URL.Path]; len(q) > 0 {
		f = &q[0]
		r.faults[req.URL.Path] = q[1:]
	}
	r.mu.Unlock()

	if hang {
		select {
		case <-req.Context().Done():
		case <-r.stop:
		}
		return
	}
	if f != nil && f.resetAfter < 0 {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		writeJSON(w, f.status, map[string]string{"error": "injected " + http.StatusText(f.status)})
		return
	}
	if !strings.HasPrefix(req.URL.Path, r.opts.Prefix+"/") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	path := strings.TrimPrefix(req.URL.Path, r.opts.Prefix)
	if path == "/-/ping" {
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	if r.serveLogin(w, req, path) {
		return
	}
	user, ok := r.authorize(req)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="testregistry"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "authorization required"})
		return
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		return
	}
	var body []byte
	var ctype string
	switch {
	case path == "/-/whoami":
		if user == "" {
			writeJSON(w, http.StatusOK, map[string]any{}) // Verdaccio: anonymous
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"username": user})
		return
	case path == "/-/v1/search":
		if r.opts.NoSearch {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		writeJSON(w, http.StatusOK, r.search(req.URL.Query()))
		return
	case strings.Contains(path, "/-/") && strings.HasSuffix(path, ".tgz"):
		r.mu.Lock()
		data, found := r.tarballs[req.URL.Path]
		if found && r.corrupt[req.URL.Path] {
			data = bytes.Clone(data)
			for i := range data {
				data[i] ^= 0xA5
			}
		}
		r.mu.Unlock()
		if !found {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such tarball"})
			return
		}
		body, ctype = data, "application/octet-stream"
	default:
		name := strings.TrimPrefix(path, "/")
		doc, etag, found := r.packument(name)
		if !found {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such package"})
			return
		}
		w.Header().Set("ETag", etag)
		if etagMatch(req.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body, ctype = doc, "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if f != nil {
		resetMidBody(w, body, f.resetAfter)
		return
	}
	w.WriteHeader(http.StatusOK)
	if req.Method == http.MethodGet {
		w.Write(body)
	}
}

// authorize checks the request's credential; it returns the user name ("" for
// an allowed anonymous request).
func (r *Registry) authorize(req *http.Request) (string, bool) {
	h := req.Header.Get("Authorization")
	switch {
	case h == "":
		return "", r.opts.Anonymous
	case r.opts.Token != "" && h == Bearer(r.opts.Token):
		return r.opts.User, true
	case r.opts.Basic != "" && h == Basic(r.opts.Basic):
		return r.opts.User, true
	}
	return r.loginAuthorize(h)
}

// packument builds name's full packument and its ETag.
func (r *Registry) packument(name string) ([]byte, string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.packages[name]
	if p == nil {
		return nil, "", false
	}
	latest := ""
	times := map[string]string{"modified": p.modified.Format(time.RFC3339Nano)}
	for v, t := range p.times {
		times[v] = t
		if latest == "" || t > p.times[latest] {
			latest = v
		}
	}
	doc, err := json.Marshal(map[string]any{
		"_id":       name,
		"name":      name,
		"dist-tags": map[string]string{"latest": latest},
		"versions":  p.versions,
		"time":      times,
	})
	if err != nil {
		// Only a test's own pkgJSON can cause this; make it visible.
		doc = []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	sum := sha256.Sum256(doc)
	return doc, `"` + hex.EncodeToString(sum[:8]) + `"`, true
}

// search answers /-/v1/search the way npm registries do: the packages whose
// name or description contains every word of text (all of them for an empty
// text), by name, at most size (default 20), each with its latest version.
func (r *Registry) search(q url.Values) map[string]any {
	words := strings.Fields(strings.ToLower(q.Get("text")))
	size := 20
	if n, err := strconv.Atoi(q.Get("size")); err == nil && n > 0 {
		size = n
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	names := slices.Sorted(maps.Keys(r.packages))
	objects := []map[string]any{}
	for _, name := range names {
		p := r.packages[name]
		latest := ""
		for v, t := range p.times {
			if latest == "" || t > p.times[latest] {
				latest = v
			}
		}
		doc := p.versions[latest]
		desc, _ := doc["description"].(string)
		hay := strings.ToLower(name + " " + desc)
		match := true
		for _, w := range words {
			match = match && strings.Contains(hay, w)
		}
		if !match || len(objects) >= size {
			continue
		}
		pkg := map[string]any{"name": name, "version": latest, "date": p.times[latest]}
		if desc != "" {
			pkg["description"] = desc
		}
		objects = append(objects, map[string]any{"package": pkg})
	}
	return map[string]any{"objects": objects, "total": len(objects), "time": time.Now().UTC().Format(time.RFC1123)}
}

// etagMatch implements If-None-Match for one strong ETag: a list of tags, or *.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// resetMidBody sends the headers and n bytes of body, then resets the
// connection (RST, not a clean FIN, where the OS allows it).
func resetMidBody(w http.ResponseWriter, body []byte, n int) {
	w.WriteHeader(http.StatusOK)
	w.Write(body[:min(n, len(body))])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("testregistry: the server does not support hijacking (HTTP/2?)")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic("testregistry: hijack: " + err.Error())
	}
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// statusWriter reports the status of an answer as it is written.
type statusWriter struct {
	http.ResponseWriter
	set   func(int)
	wrote bool
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		w.set(status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the server does not support hijacking (HTTP/2?)")
	}
	return hj.Hijack()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}
