//go:build !unix

package extract

import "io/fs"

// testUmask returns 0: there is no umask outside Unix.
func testUmask() fs.FileMode { return 0 }
