package cmdutil

import (
	"encoding/json"
	"fmt"

	"github.com/upkg/upkg/internal/iostreams"
)

// Printer writes a command's output the way the global flags ask: human
// messages on stderr unless --quiet, one JSON document on stdout with --json.
// Commands copy it into their Options instead of holding the Factory.
type Printer struct {
	IO *iostreams.IOStreams
	// Globals is read when the command runs, after the flags are parsed.
	Globals *Globals
}

// Printer returns the Printer of f's streams and global flags.
func (f *Factory) Printer() Printer { return Printer{IO: f.IO, Globals: f.Globals} }

// JSON reports whether --json was given.
func (p Printer) JSON() bool { return p.Globals.JSON }

// Infof prints a human message on stderr unless --quiet.
func (p Printer) Infof(format string, args ...any) {
	if p.Globals.Quiet {
		return
	}
	fmt.Fprintf(p.IO.ErrOut, format+"\n", args...)
}

// Warnf prints a warning on stderr unless --quiet.
func (p Printer) Warnf(format string, args ...any) {
	p.Infof("warning: "+format, args...)
}

// PrintJSON writes v as one indented JSON document on stdout.
func (p Printer) PrintJSON(v any) error {
	enc := json.NewEncoder(p.IO.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	p.Globals.wroteJSON = true
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// ErrorJSON is the error object of a failed command under --json
// (docs/json/error.md): {"error":{"code":N,"kind":"…","message":"…","hint":"…"}}.
type ErrorJSON struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the inside of ErrorJSON.
type ErrorBody struct {
	Code    int    `json:"code"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
}
