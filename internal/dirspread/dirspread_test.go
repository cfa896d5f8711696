package dirspread

import (
	"errors"
	"testing"
)

// fakeFlags is a folder's flags in memory.
type fakeFlags struct {
	flags          uint32
	getErr, setErr error
	sets           int
}

func (f *fakeFlags) get() (uint32, error) { return f.flags, f.getErr }

func (f *fakeFlags) set(v uint32) error {
	f.sets++
	if f.setErr != nil {
		return f.setErr
	}
	f.flags = v
	return nil
}

func TestSpread(t *testing.T) {
	const other = 0x00080000 // FS_EXTENT_FL: kept as it was
	refused := errors.New("operation not supported")
	for _, tc := range []struct {
		name      string
		in        fakeFlags
		wantSet   bool
		wantFlags uint32
		wantSets  int
	}{
		{name: "unset", in: fakeFlags{flags: other}, wantSet: true, wantFlags: other | topdirFlag, wantSets: 1},
		{name: "already set", in: fakeFlags{flags: other | topdirFlag}, wantFlags: other | topdirFlag},
		{name: "flags unreadable", in: fakeFlags{getErr: refused}},
		{name: "flag refused", in: fakeFlags{flags: other, setErr: refused}, wantFlags: other, wantSets: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.in
			if got := spread(&f); got != tc.wantSet {
				t.Errorf("spread = %v, want %v", got, tc.wantSet)
			}
			if f.flags != tc.wantFlags || f.sets != tc.wantSets {
				t.Errorf("flags %#x after %d sets, want %#x after %d", f.flags, f.sets, tc.wantFlags, tc.wantSets)
			}
		})
	}
}
