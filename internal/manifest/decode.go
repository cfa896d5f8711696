package manifest

import "github.com/upkg/upkg/internal/jsonpos"

// document is one JSON file being decoded: its path and bytes, to turn byte
// offsets into *ParseError positions.
type document struct{ jsonpos.Doc }
