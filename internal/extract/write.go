package extract

import (
	"fmt"
	"os"
)

// writeFileOS creates name (which must not exist) with data through the os
// package. It is the portable path: writeFile uses it where raw system
// calls are not wired up, and tests run it everywhere.
func writeFileOS(name string, data []byte, perm uint32) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, os.FileMode(perm))
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
