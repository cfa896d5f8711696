//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package iostreams

import "errors"

// noEcho is not available here: secrets are read from stdin only.
func noEcho(fd int) (func(), error) {
	return nil, errors.New("no-echo terminal input is not supported on this system")
}
