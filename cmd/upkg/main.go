// Command upkg is a fast, Unity-compatible package manager.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/upkg/upkg/internal/cli"
	"github.com/upkg/upkg/internal/gcpace"
	"github.com/upkg/upkg/internal/iostreams"
)

func main() {
	gcpace.Default()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], iostreams.System())
	stop()
	os.Exit(code)
}
