package fileerr

import "testing"

func TestPositionError(t *testing.T) {
	if got := (&PositionError{File: "a.json", Line: 2, Column: 3, Msg: "bad"}).Error(); got != "a.json:2:3: bad" {
		t.Errorf("with a file: %q", got)
	}
	if got := (&PositionError{Line: 1, Column: 1, Msg: "bad"}).Error(); got != "1:1: bad" {
		t.Errorf("without: %q", got)
	}
}
