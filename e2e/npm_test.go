package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptySession runs a command in a pseudo-terminal and answers its prompts,
// as a person at a terminal would. secret is hidden in failure messages.
type ptySession struct {
	t      *testing.T
	cmd    *exec.Cmd
	f      *os.File
	secret string
	mu     sync.Mutex
	out    bytes.Buffer // everything the command printed
	seen   int          // how much of out earlier prompts consumed
}

func startPTY(t *testing.T, cmd *exec.Cmd, secret string) *ptySession {
	t.Helper()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 100})
	if err != nil {
		t.Fatalf("start %s in a pty: %v", cmd.Path, err)
	}
	p := &ptySession{t: t, cmd: cmd, f: f, secret: secret}
	t.Cleanup(func() { f.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p
}

// text is everything printed so far.
func (p *ptySession) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *ptySession) redacted() string { return strings.ReplaceAll(p.text(), p.secret, "****") }

// expect waits for prompt (case-insensitive) after the previous one, then
// types answer and Enter.
func (p *ptySession) expect(prompt, answer string) {
	p.t.Helper()
	p.waitFor(prompt)
	io.WriteString(p.f, answer+"\r")
}

// waitFor waits for prompt (case-insensitive) after the previous one.
func (p *ptySession) waitFor(prompt string) {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		p.mu.Lock()
		rest := strings.ToLower(p.out.String()[p.seen:])
		i := strings.Index(rest, strings.ToLower(prompt))
		if i >= 0 {
			p.seen += i + len(prompt)
		}
		p.mu.Unlock()
		if i >= 0 {
			break
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s never asked %q; it printed:\n%s", p.cmd.Path, prompt, p.redacted())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send types s as is (no Enter): "\x03" is Ctrl-C.
func (p *ptySession) send(s string) { io.WriteString(p.f, s) }

// exitCode waits for the command to exit and returns its exit code.
func (p *ptySession) exitCode(timeout time.Duration) int {
	p.t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		p.t.Fatalf("%s did not exit within %s; it printed:\n%s", p.cmd.Path, timeout, p.redacted())
	}
	time.Sleep(50 * time.Millisecond)
	return p.cmd.ProcessState.ExitCode()
}

// wait waits for the command to exit successfully, then lets the reader
// drain the terminal.
func (p *ptySession) wait() {
	p.t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Fatalf("%s: %v\n%s", p.cmd.Path, err, p.redacted())
		}
	case <-time.After(90 * time.Second):
		p.cmd.Process.Kill()
		p.t.Fatalf("%s did not finish", p.cmd.Path)
	}
	time.Sleep(50 * time.Millisecond)
}

// npmLogin runs the real `npm login` in a pseudo-terminal and answers its
// prompts, so npm writes the .npmrc exactly as it does for a person.
func npmLogin(t *testing.T, s *sandbox, registry, user, password, userconfig string) {
	t.Helper()
	cmd := exec.Command("npm", "login", "--auth-type=legacy", "--registry", registry+"/", "--userconfig", userconfig)
	cmd.Env = append(s.env(), "npm_config_update_notifier=false", "npm_config_audit=false", "npm_config_fund=false")
	cmd.Dir = s.Home
	p := startPTY(t, cmd, password)
	p.expect("Username:", user)
	p.expect("Password:", password)
	p.wait()
	if _, err := os.Stat(userconfig); err != nil {
		t.Fatalf("npm login wrote no %s: %v", userconfig, err)
	}
}
