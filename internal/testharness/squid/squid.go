// Package squid runs a real forward proxy (Debian's squid) on a loopback port
// for upkg's end-to-end tests, optionally requiring proxy credentials.
//
// Go never sends requests for localhost or loopback addresses through a
// proxy, so a test gives its registry a host name that only the proxy knows:
// Options.Hosts becomes squid's hosts_file, and /etc/hosts is never touched.
//
// squid is installed by scripts/test-deps.sh (apt-get install squid). Tests
// use ForTest, which skips unless UPKG_E2E is set and fails when it is set but
// squid cannot start. This package belongs to the test harness: the upkg
// binary must not import it.
package squid

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ErrNotInstalled is returned (wrapped) when squid or its helpers are missing.
var ErrNotInstalled = errors.New("squid test harness is not installed")

// Options configures Start.
type Options struct {
	// Hosts maps host names to IP addresses for the proxy's own resolution.
	Hosts map[string]string
	// User and Password, when set, are required as proxy credentials (Basic).
	User, Password string
}

// Server is a running squid.
type Server struct {
	// URL is the proxy's URL without credentials, http://127.0.0.1:PORT.
	URL string
	// Dir holds the config, logs and password file.
	Dir string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// find returns base from PATH, else the first of names that exists (where
// Debian and others put squid and its helpers, often outside PATH).
func find(names []string, base string) string {
	if p, err := exec.LookPath(base); err == nil {
		return p
	}
	for _, p := range names {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start writes a config and starts squid in the foreground on a free
// loopback port, waiting until it accepts connections.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin := find([]string{"/usr/sbin/squid", "/usr/local/sbin/squid"}, "squid")
	if bin == "" {
		return nil, fmt.Errorf("%w: no squid binary; run scripts/test-deps.sh (apt-get install squid)", ErrNotInstalled)
	}
	// squid drops privileges to its own user when started as root: the work
	// dir must be readable and writable by it.
	dir, err := os.MkdirTemp("", "upkg-squid-")
	if err != nil {
		return nil, fmt.Errorf("create squid work dir: %w", err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		return nil, fmt.Errorf("chmod squid work dir: %w", err)
	}
	fail := func(err error) (*Server, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	var hosts []string
	for name, ip := range opts.Hosts {
		hosts = append(hosts, ip+" "+name)
	}
	sort.Strings(hosts)
	if err := os.WriteFile(filepath.Join(dir, "hosts"), []byte(strings.Join(hosts, "\n")+"\n"), 0o644); err != nil {
		return fail(fmt.Errorf("write squid hosts file: %w", err))
	}
	access := "acl loopback src 127.0.0.0/8\nhttp_access allow loopback\n"
	if opts.User != "" {
		helper := find([]string{"/usr/lib/squid/basic_ncsa_auth", "/usr/lib64/squid/basic_ncsa_auth", "/usr/libexec/squid/basic_ncsa_auth"}, "basic_ncsa_auth")
		if helper == "" {
			return fail(fmt.Errorf("%w: no basic_ncsa_auth helper", ErrNotInstalled))
		}
		hash, err := md5Crypt(opts.Password)
		if err != nil {
			return fail(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(opts.User+":"+hash+"\n"), 0o644); err != nil {
			return fail(fmt.Errorf("write squid password file: %w", err))
		}
		access = fmt.Sprintf("auth_param basic program %s %s\nauth_param basic realm upkg-test\n"+
			"acl authed proxy_auth REQUIRED\nhttp_access allow authed\n", helper, filepath.Join(dir, "passwd"))
	}
	conf := fmt.Sprintf(`# Written by upkg's test harness (internal/testharness/squid).
http_port 127.0.0.1:%d
pid_filename %[2]s/squid.pid
cache_log %[2]s/cache.log
access_log stdio:%[2]s/access.log
coredump_dir %[2]s
hosts_file %[2]s/hosts
netdb_filename none
cache deny all
cache_mem 8 MB
shutdown_lifetime 1 seconds
forwarded_for delete
via off
%[3]shttp_access deny all
`, port, dir, access)
	confPath := filepath.Join(dir, "squid.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return fail(fmt.Errorf("write squid config: %w", err))
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), Dir: dir, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "-N", "-f", confPath)
	s.cmd.Dir = dir
	out, err := os.Create(filepath.Join(dir, "squid.out"))
	if err != nil {
		return fail(fmt.Errorf("create squid output file: %w", err))
	}
	defer out.Close()
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		return fail(fmt.Errorf("start squid: %w", err))
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.URL, "http://"), time.Second)
		if err == nil {
			c.Close()
			return s, nil
		}
		select {
		case <-s.exited:
			log := s.Log()
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("squid exited before it was ready (%v):\n%s", s.err, log)
		case <-ctx.Done():
			log := s.Log()
			s.Stop()
			return nil, fmt.Errorf("squid not ready at %s: %w\n%s", s.URL, ctx.Err(), log)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Log returns squid's output and cache log.
func (s *Server) Log() string {
	var b strings.Builder
	for _, f := range []string{"squid.out", "cache.log"} {
		data, _ := os.ReadFile(filepath.Join(s.Dir, f))
		b.Write(data)
	}
	return b.String()
}

// AccessLog returns squid's access log: one line per proxied request (squid
// buffers it: lines appear a while after the request).
func (s *Server) AccessLog() string {
	data, _ := os.ReadFile(filepath.Join(s.Dir, "access.log"))
	return string(data)
}

// Stop ends squid (SIGINT, then SIGKILL after a grace period) and removes its
// work dir.
func (s *Server) Stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	_ = os.RemoveAll(s.Dir)
}

// ForTest starts squid for a test and stops it when the test ends. It skips
// unless UPKG_E2E is set to a true value, and fails when it is set but squid
// cannot start: the harness was asked for.
func ForTest(t testing.TB, opts Options) *Server {
	t.Helper()
	v := os.Getenv("UPKG_E2E")
	on, _ := strconv.ParseBool(v)
	if !on {
		t.Skip("end-to-end test with a real squid proxy: run `make test` (or scripts/test-deps.sh then UPKG_E2E=1 go test ./...)")
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("UPKG_E2E=%s but the squid harness did not start: %v", v, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("squid log (%s):\n%s\naccess log:\n%s", s.URL, s.Log(), s.AccessLog())
		}
		s.Stop()
	})
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// md5Crypt hashes a password for squid's basic_ncsa_auth ($1$ MD5-crypt),
// with openssl: squid's helper reads no hash that Go's library writes.
func md5Crypt(password string) (string, error) {
	cmd := exec.Command("openssl", "passwd", "-1", "-stdin")
	cmd.Stdin = strings.NewReader(password + "\n")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%w: hash the proxy password with openssl: %v", ErrNotInstalled, err)
	}
	return strings.TrimSpace(string(out)), nil
}
