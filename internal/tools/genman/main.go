// Command genman writes upkg's man pages into the folder it is given
// (`make man`): a man page per command, from the commands' own help.
package main

import (
	"fmt"
	"os"

	"github.com/upkg/upkg/internal/cli"
	"github.com/upkg/upkg/internal/cli/manpages"
	"github.com/upkg/upkg/internal/iostreams"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genman DIR")
		os.Exit(2)
	}
	root := cli.NewRoot(cli.SystemFactory(iostreams.System()))
	if err := manpages.Write(root, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "genman:", err)
		os.Exit(1)
	}
}
