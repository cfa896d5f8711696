// Package verdaccio runs a real Verdaccio registry on a loopback port for upkg's
// end-to-end tests and demo.
//
// The registry requires authentication for everything (access, publish and
// unpublish are all $authenticated) and has no uplinks, so it never proxies to a
// public registry. Users are created over the couch API (AddUser) and packages
// are published without the npm client (Publish).
//
// Verdaccio itself is installed by `make test-deps` (npm ci in test/verdaccio,
// pinned by its package-lock.json). Tests should use ForTest, which skips unless
// UPKG_E2E is set and fails when it is set but Verdaccio cannot start.
//
// This package belongs to the test harness: the upkg binary must not import it.
package verdaccio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNotInstalled is returned (wrapped) by Start when Verdaccio's node_modules
// are missing.
var ErrNotInstalled = errors.New("verdaccio test harness is not installed")

// StartTimeout bounds how long Start waits for Verdaccio to answer GET /-/ping.
const StartTimeout = 60 * time.Second

const (
	portAttempts = 5
	stopGrace    = 5 * time.Second
	tailSize     = 16 << 10
)

// Options configures Start. The zero value is valid.
type Options struct {
	// Dir is the folder holding node_modules/verdaccio. The default is
	// <repo root>/test/verdaccio, where the repo root is the first folder at or
	// above the working directory that holds go.mod.
	Dir string
	// PublicURL, when set, is passed to Verdaccio as VERDACCIO_PUBLIC_URL, so
	// that dist.tarball URLs point at that origin instead of following the
	// request's Host header (how a test puts tarballs on a second origin).
	PublicURL string
	// Host is the address to bind, 127.0.0.1 by default. Keep it on loopback.
	Host string
	// LogOutput receives Verdaccio's stdout and stderr. By default they go to
	// verdaccio.log in the server's work dir (never to the test log).
	LogOutput io.Writer
}

// Server is a running Verdaccio. Stop it with Stop.
type Server struct {
	// URL is the registry's base URL, http://HOST:PORT without a trailing slash.
	URL string
	// Dir is the server's temporary work dir (config.yaml, storage, htpasswd,
	// verdaccio.log); Stop removes it.
	Dir string
	// LogFile is the path of Verdaccio's log, empty when Options.LogOutput was set.
	LogFile string

	cmd     *exec.Cmd
	logFile *os.File
	tail    *tailBuffer
	client  *http.Client

	exited  chan struct{} // closed when the process has been waited for
	waitErr error         // valid after exited is closed

	stopOnce sync.Once
	stopErr  error
}

// Start writes a config into a fresh temporary work dir, starts Verdaccio on a
// free loopback port in its own process group and waits until GET /-/ping
// answers 200 (at most StartTimeout). ctx bounds only the start: once Start has
// returned, the server runs until Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	dir := opts.Dir
	if dir == "" {
		root, err := RepoRoot()
		if err != nil {
			return nil, fmt.Errorf("locate test/verdaccio: %w", err)
		}
		dir = filepath.Join(root, "test", "verdaccio")
	}
	bin := filepath.Join(dir, "node_modules", "verdaccio", "bin", "verdaccio")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%w: %s is missing; run `make test-deps` (or `npm ci --prefix test/verdaccio`)", ErrNotInstalled, bin)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: node is not on PATH: %v", ErrNotInstalled, err)
	}
	host := opts.Host
	if host == "" {
		host = "127.0.0.1"
	}

	work, err := os.MkdirTemp("", "upkg-verdaccio-")
	if err != nil {
		return nil, fmt.Errorf("create verdaccio work dir: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(work) }
	if err := os.Mkdir(filepath.Join(work, "plugins"), 0o700); err != nil {
		cleanup()
		return nil, fmt.Errorf("create verdaccio plugins dir: %w", err)
	}
	configPath := filepath.Join(work, "config.yaml")
	if err := os.WriteFile(configPath, []byte(configYAML), 0o600); err != nil {
		cleanup()
		return nil, fmt.Errorf("write verdaccio config: %w", err)
	}

	var logFile *os.File
	logOut := opts.LogOutput
	logPath := ""
	if logOut == nil {
		logPath = filepath.Join(work, "verdaccio.log")
		logFile, err = os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("create verdaccio log: %w", err)
		}
		logOut = logFile
	}

	ctx, cancel := context.WithTimeout(ctx, StartTimeout)
	defer cancel()
	var lastErr error
	for attempt := 0; attempt < portAttempts; attempt++ {
		port, err := freePort(host)
		if err != nil {
			lastErr = err
			break
		}
		s := &Server{
			URL:     "http://" + net.JoinHostPort(host, strconv.Itoa(port)),
			Dir:     work,
			LogFile: logPath,
			logFile: logFile,
			tail:    &tailBuffer{max: tailSize},
			client:  &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}},
			exited:  make(chan struct{}),
		}
		out := io.MultiWriter(logOut, s.tail)
		s.cmd = exec.Command(node, bin, "-c", configPath, "-l", net.JoinHostPort(host, strconv.Itoa(port)))
		s.cmd.Dir = work
		s.cmd.Env = childEnv(opts.PublicURL)
		s.cmd.Stdout = out
		s.cmd.Stderr = out
		s.cmd.SysProcAttr = sysProcAttr()
		if err := s.cmd.Start(); err != nil {
			lastErr = fmt.Errorf("start verdaccio (%s %s): %w", node, bin, err)
			break
		}
		go func() {
			s.waitErr = s.cmd.Wait()
			close(s.exited)
		}()
		err = s.waitReady(ctx)
		if err == nil {
			return s, nil
		}
		lastErr = err
		s.kill()
		if !strings.Contains(s.tail.String(), "EADDRINUSE") {
			break // not a port race: another port will not help
		}
	}
	if logFile != nil {
		logFile.Close()
	}
	cleanup()
	return nil, lastErr
}

// waitReady polls GET /-/ping until it answers 200, the process exits or ctx ends.
func (s *Server) waitReady(ctx context.Context) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		req, err := http.NewRequestWithContext(pctx, http.MethodGet, s.URL+"/-/ping", nil)
		if err != nil {
			cancel()
			return fmt.Errorf("build ping request: %w", err)
		}
		resp, err := s.client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				cancel()
				return nil
			}
		}
		cancel()
		select {
		case <-s.exited:
			return fmt.Errorf("verdaccio exited before it was ready (%v); log tail:\n%s", s.waitErr, s.tail.String())
		case <-ctx.Done():
			return fmt.Errorf("verdaccio at %s not ready: %w; log tail:\n%s", s.URL, ctx.Err(), s.tail.String())
		case <-tick.C:
		}
	}
}

// Stop ends Verdaccio's process group (SIGTERM, then SIGKILL after a grace
// period), waits for it and removes the work dir. It reports an error if
// Verdaccio had died on its own before Stop. Calling Stop again returns the
// first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		select {
		case <-s.exited:
			errs = append(errs, fmt.Errorf("verdaccio at %s exited on its own before Stop (%v); log tail:\n%s", s.URL, s.waitErr, s.tail.String()))
		default:
			s.kill()
		}
		s.client.CloseIdleConnections()
		if s.logFile != nil {
			if err := s.logFile.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close verdaccio log: %w", err))
			}
		}
		if err := os.RemoveAll(s.Dir); err != nil {
			errs = append(errs, fmt.Errorf("remove verdaccio work dir: %w", err))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// kill terminates the process group and waits for the process to be reaped.
func (s *Server) kill() {
	_ = terminate(s.cmd.Process)
	select {
	case <-s.exited:
		return
	case <-time.After(stopGrace):
	}
	_ = forceKill(s.cmd.Process)
	<-s.exited
}

// PID returns the process id of Verdaccio's node process.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// LogTail returns the last few KiB Verdaccio wrote to stdout and stderr.
func (s *Server) LogTail() string { return s.tail.String() }

// Client returns the HTTP client the harness uses to talk to the server. It
// never uses a proxy.
func (s *Server) Client() *http.Client { return s.client }

// RepoRoot returns the first folder at or above the working directory that
// holds a go.mod file.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working dir: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// freePort asks the kernel for a free TCP port on host. Another process can
// take it before Verdaccio binds it; Start retries with a new port then.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port on %s: %w", host, err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("release probe port: %w", err)
	}
	return port, nil
}

// childEnv is the parent's environment without Verdaccio's own variables (so a
// developer's shell cannot change the test registry), plus VERDACCIO_PUBLIC_URL
// when publicURL is set.
func childEnv(publicURL string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(strings.ToUpper(kv), "VERDACCIO_") {
			continue
		}
		env = append(env, kv)
	}
	if publicURL != "" {
		env = append(env, "VERDACCIO_PUBLIC_URL="+publicURL)
	}
	return env
}

// configYAML is the registry's config. Paths are relative to the config file.
// JWT tokens keep authenticated requests cheap (the legacy tokens run bcrypt on
// every request); the user rate limit is raised so that suites do not hit it.
const configYAML = `# Written by upkg's test harness (internal/testharness/verdaccio).
storage: ./storage
plugins: ./plugins
# Verdaccio sets its process title to web.title: keep "verdaccio" in it so that
# pgrep -f verdaccio finds a leftover server.
web:
  enable: true
  title: verdaccio-upkg-test
auth:
  htpasswd:
    file: ./htpasswd
    max_users: 1000
security:
  api:
    jwt:
      sign:
        expiresIn: 7d
  web:
    sign:
      expiresIn: 7d
# No uplinks: this registry never proxies to a public one.
packages:
  '**':
    access: $authenticated
    publish: $authenticated
    unpublish: $authenticated
userRateLimit:
  windowMs: 60000
  max: 1000000
# The bench's bigtarball profile publishes a 200 MB tarball (base64 in JSON).
max_body_size: 400mb
server:
  keepAliveTimeout: 60
log:
  type: stdout
  format: pretty-timestamped
  level: warn
`

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
