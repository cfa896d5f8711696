//go:build !linux && !darwin

package extract

// writeFile creates name (which must not exist) with data.
func writeFile(name string, data []byte, perm uint32) error {
	return writeFileOS(name, data, perm)
}
