package iostreams

import "golang.org/x/sys/windows"

// noEcho turns off the echo of the console fd, keeping line input and
// Ctrl-C, as x/term's ReadPassword does, but up front so that the caller
// can restore it whenever the read ends.
func noEcho(fd int) (func(), error) {
	h := windows.Handle(fd)
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return nil, err
	}
	quiet := old&^windows.ENABLE_ECHO_INPUT | windows.ENABLE_PROCESSED_INPUT | windows.ENABLE_LINE_INPUT
	if err := windows.SetConsoleMode(h, quiet); err != nil {
		return nil, err
	}
	return func() { windows.SetConsoleMode(h, old) }, nil
}
