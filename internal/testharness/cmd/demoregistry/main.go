// Command demoregistry runs a Verdaccio with sample Unity packages for
// scripts/demo.sh: it starts the registry with the test harness, creates the
// user demo (password demo-password), publishes com.example.core@1.0.0 and
// com.example.hello@1.0.0 (which depends on core), writes the user's token to
// -token-file (mode 0600, never printed) and the registry URL to -url-file, and
// runs until SIGINT or SIGTERM, then stops Verdaccio.
//
// Usage:
//
//	demoregistry -token-file DIR/token -url-file DIR/url [-harness-dir test/verdaccio]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

const (
	demoUser     = "demo"
	demoPassword = "demo-password"
)

func main() {
	tokenFile := flag.String("token-file", "", "write the demo user's token to this file (mode 0600)")
	urlFile := flag.String("url-file", "", "write the registry URL to this file once everything is published")
	harnessDir := flag.String("harness-dir", "", "folder holding node_modules/verdaccio (default: <repo>/test/verdaccio)")
	flag.Parse()
	if *tokenFile == "" {
		fmt.Fprintln(os.Stderr, "demoregistry: -token-file is required")
		os.Exit(2)
	}
	if err := run(*tokenFile, *urlFile, *harnessDir); err != nil {
		fmt.Fprintln(os.Stderr, "demoregistry:", err)
		os.Exit(1)
	}
}

func run(tokenFile, urlFile, harnessDir string) (err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	begin := time.Now()
	srv, err := verdaccio.Start(ctx, verdaccio.Options{Dir: harnessDir})
	if err != nil {
		return err
	}
	defer func() {
		if serr := srv.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	fmt.Printf("verdaccio %s ready in %v (pid %d, log %s)\n", srv.URL, time.Since(begin).Round(time.Millisecond), srv.PID(), srv.LogFile)

	token, err := srv.AddUser(ctx, demoUser, demoPassword)
	if err != nil {
		return err
	}
	if err := publishSamples(ctx, srv, token); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	// The URL file is written last: the demo script waits for it.
	if urlFile != "" {
		if err := atomicfile.WriteFile(urlFile, []byte(srv.URL+"\n"), 0o644); err != nil {
			return fmt.Errorf("write url file: %w", err)
		}
	}
	abs, _ := filepath.Abs(tokenFile)
	fmt.Printf("registry: %s\nuser: %s\ntoken written to: %s\npublished: com.example.core@1.0.0, com.example.hello@1.0.0\n", srv.URL, demoUser, abs)
	fmt.Println("running until SIGINT or SIGTERM")

	<-ctx.Done()
	fmt.Println("stopping verdaccio")
	return nil
}

// publishSamples publishes com.example.core@1.0.0 and com.example.hello@1.0.0,
// which depends on it.
func publishSamples(ctx context.Context, srv *verdaccio.Server, token string) error {
	samples := []struct {
		name string
		deps map[string]string
	}{
		{"com.example.core", nil},
		{"com.example.hello", map[string]string{"com.example.core": "1.0.0"}},
	}
	for _, p := range samples {
		pkg := fixture.UnityManifest(p.name, "1.0.0", "2021.3", p.deps)
		tgz, err := fixture.Tarball(pkg, fixture.UnityFiles(p.name, 2))
		if err != nil {
			return fmt.Errorf("build %s tarball: %w", p.name, err)
		}
		if err := srv.Publish(ctx, token, pkg, tgz); err != nil {
			return err
		}
	}
	return nil
}
