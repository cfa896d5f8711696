// Package iostreams owns the terminal: stdin, stdout, stderr, TTY detection and
// prompts. Every command does its terminal I/O through an IOStreams value so that
// tests can swap in buffers (see Test).
package iostreams

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams bundles the three standard streams with what is known about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// InTTY, OutTTY and ErrTTY report whether each stream is a terminal.
	InTTY, OutTTY, ErrTTY bool

	// noEcho turns off the echo of the terminal behind In, at once, and
	// returns the function that turns it back on.
	noEcho func() (restore func(), err error)
	// errWidth is the width of the terminal behind ErrOut.
	errWidth func() int
}

// System returns the process's real streams.
func System() *IOStreams {
	inFd := int(os.Stdin.Fd())
	return &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(inFd),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		noEcho: func() (func(), error) { return noEcho(inFd) },
		errWidth: func() int {
			w, _, err := term.GetSize(int(os.Stderr.Fd()))
			if err != nil {
				return 0
			}
			return w
		},
	}
}

// ErrWidth is the number of columns of the terminal on stderr: 0 when stderr
// is not a terminal, or is one that does not know its size (some
// pseudo-terminals of CI runners and containers say 0×0).
func (s *IOStreams) ErrWidth() int {
	if !s.ErrTTY || s.errWidth == nil {
		return 0
	}
	return s.errWidth()
}

// Test returns streams backed by buffers: stdin reads from in, and the returned
// buffers collect stdout and stderr. None of them is a terminal.
func Test(in string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: strings.NewReader(in), Out: out, ErrOut: errOut}, out, errOut
}

// CanPrompt reports whether the user can be asked a question: stdin and stderr
// are terminals.
func (s *IOStreams) CanPrompt() bool { return s.InTTY && s.ErrTTY }

// ErrNoTTY is returned by prompts when there is no terminal to ask on.
var ErrNoTTY = errors.New("no terminal to prompt on")

// Prompt prints label on stderr and reads one line from stdin (echoed).
// Cancelling ctx (Ctrl-C) stops the wait at once with ctx's error.
func (s *IOStreams) Prompt(ctx context.Context, label string) (string, error) {
	if !s.CanPrompt() {
		return "", ErrNoTTY
	}
	fmt.Fprint(s.ErrOut, label)
	line, err := readCancellable(ctx, s.readLine)
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if ctx.Err() != nil {
			return "", err
		}
		return "", fmt.Errorf("read answer: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// PromptSecret prints label on stderr and reads one line from the terminal
// without echoing it. Cancelling ctx (Ctrl-C) stops the wait at once, with
// the terminal's echo back on.
func (s *IOStreams) PromptSecret(ctx context.Context, label string) (string, error) {
	if !s.CanPrompt() || s.noEcho == nil {
		return "", ErrNoTTY
	}
	// Echo goes off before the prompt shows and comes back however the
	// read ends, Ctrl-C included: the terminal is never left silent.
	restore, err := s.noEcho()
	if err != nil {
		return "", fmt.Errorf("turn off the terminal's echo: %w", err)
	}
	fmt.Fprint(s.ErrOut, label)
	line, err := readCancellable(ctx, s.readLine)
	restore()
	fmt.Fprintln(s.ErrOut)
	if err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return "", fmt.Errorf("read secret: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readLine reads one line from In.
func (s *IOStreams) readLine() (string, error) {
	return bufio.NewReader(s.In).ReadString('\n')
}

// readCancellable runs read, returning early with ctx's error when ctx is
// cancelled first. A terminal read cannot be interrupted, so it is left
// behind: the command is about to exit.
func readCancellable(ctx context.Context, read func() (string, error)) (string, error) {
	type answer struct {
		line string
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		line, err := read()
		done <- answer{line, err}
	}()
	select {
	case a := <-done:
		return a.line, a.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// ReadSecret reads a secret: from the terminal without echo when stdin is a
// terminal (after printing label), else everything on stdin with the final line
// ending trimmed.
func (s *IOStreams) ReadSecret(ctx context.Context, label string) (string, error) {
	if s.InTTY {
		return s.PromptSecret(ctx, label)
	}
	b, err := io.ReadAll(io.LimitReader(s.In, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read stdin: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
