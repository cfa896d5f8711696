// Package textdiff renders the difference between two versions of a file as
// a unified diff, for commands' --dry-run output.
package textdiff

import (
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// contextLines is the number of unchanged lines shown around each change.
const contextLines = 3

// crlfNote is appended to a file name in the header when every line of that
// file ends in CRLF.
const crlfNote = " (CRLF)"

// crMark stands for a carriage return that ends a line when line endings are
// mixed.
const crMark = "␍"

// Unified returns a unified diff ("--- oldName", "+++ newName", hunks with
// three lines of context) of old and new; "" when they are equal. A last
// line without a final newline is followed by "\ No newline at end of file".
//
// Line endings are compared as bytes, so a line whose ending changed shows as
// changed. The diff is for reading, not for patch(1): when a file ends every
// line with CRLF (Windows' Unity projects), its lines are shown without the
// CR and its header line says so with " (CRLF)"; when line endings are mixed
// (some CRLF, some LF, in either file), a line ending in CRLF shows a visible
// "␍" before its newline, so that a change of line ending is not invisible.
func Unified(oldName, newName string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	oldCRLF, newCRLF := crlfOnly(old), crlfOnly(new)
	uniform := (oldCRLF || !hasNewline(old)) && (newCRLF || !hasNewline(new))
	if oldCRLF {
		oldName += crlfNote
	}
	if newCRLF {
		newName += crlfNote
	}
	edits := udiff.Bytes(old, new)
	d, err := udiff.ToUnifiedDiff(oldName, newName, string(old), edits, contextLines)
	if err != nil {
		// Cannot happen: the edits were computed from old. Fall back on
		// the library's own rendering.
		return udiff.Unified(oldName, newName, string(old), string(new))
	}
	for _, h := range d.Hunks {
		for i := range h.Lines {
			l := &h.Lines[i]
			if body, ok := strings.CutSuffix(l.Content, "\r\n"); ok {
				if uniform {
					l.Content = body + "\n"
				} else {
					l.Content = body + crMark + "\n"
				}
			}
		}
	}
	return d.String()
}

// crlfOnly reports whether b has line endings and every one is CRLF.
func crlfOnly(b []byte) bool {
	n := 0
	for i, c := range b {
		if c == '\n' {
			if i == 0 || b[i-1] != '\r' {
				return false
			}
			n++
		}
	}
	return n > 0
}

func hasNewline(b []byte) bool {
	return strings.Contains(string(b), "\n")
}
