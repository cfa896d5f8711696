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

// npmLogin runs the real `npm login` in a pseudo-terminal and answers its
// prompts, so npm writes the .npmrc exactly as it does for a person.
func npmLogin(t *testing.T, s *sandbox, registry, user, password, userconfig string) {
	t.Helper()
	cmd := exec.Command("npm", "login", "--auth-type=legacy", "--registry", registry+"/", "--userconfig", userconfig)
	cmd.Env = append(s.env(), "npm_config_update_notifier=false", "npm_config_audit=false", "npm_config_fund=false")
	cmd.Dir = s.Home
	f, err := pty.Start(cmd)
	if err != nil {
		t.Fatalf("start npm login in a pty: %v", err)
	}
	defer f.Close()
	var mu sync.Mutex
	var out bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	expect := func(prompt string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			seen := strings.Contains(strings.ToLower(out.String()), strings.ToLower(prompt))
			if seen {
				// Consume what was seen so the next prompt is looked for after it.
				rest := out.String()[strings.Index(strings.ToLower(out.String()), strings.ToLower(prompt))+len(prompt):]
				out.Reset()
				out.WriteString(rest)
			}
			mu.Unlock()
			if seen {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("npm login never asked %q; it printed:\n%s", prompt, redactPTY(out.String(), password))
	}
	expect("Username:")
	io.WriteString(f, user+"\r")
	expect("Password:")
	io.WriteString(f, password+"\r")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("npm login: %v\n%s", err, redactPTY(out.String(), password))
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("npm login did not finish")
	}
	if _, err := os.Stat(userconfig); err != nil {
		t.Fatalf("npm login wrote no %s: %v", userconfig, err)
	}
}

func redactPTY(s, secret string) string { return strings.ReplaceAll(s, secret, "****") }
