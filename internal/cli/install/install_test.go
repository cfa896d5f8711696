package install

import (
	"context"
	"reflect"
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/cli/cmdutil/cmdtest"
	"github.com/upkg/upkg/internal/iostreams"
)

// TestFlags drives install's and ci's flags through runF: what reaches the
// Options, and the usage errors.
func TestFlags(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	f := &cmdutil.Factory{IO: ios, Globals: &cmdutil.Globals{}, Getenv: func(string) string { return "" }}
	tests := []struct {
		ci   bool
		args []string
		want Options
		code int // exit code of the usage error, 0 for none
	}{
		{args: nil, want: Options{Jobs: 32}},
		{args: []string{"--frozen", "--no-materialize", "--jobs", "4", "--editor-path", "/opt/Unity"},
			want: Options{Frozen: true, NoMaterialize: true, Jobs: 4, EditorPath: "/opt/Unity"}},
		{args: []string{"--jobs", "0"}, code: cmdutil.ExitUsage},
		{ci: true, args: nil, want: Options{Frozen: true, Jobs: 32}},
		{ci: true, args: []string{"--no-materialize"}, want: Options{Frozen: true, NoMaterialize: true, Jobs: 32}},
		{args: []string{"--link"}, want: Options{Link: true, Jobs: 32}},
		{args: []string{"--refresh"}, want: Options{Refresh: true, Jobs: 32}},
		{ci: true, args: []string{"--link"}, want: Options{Frozen: true, Link: true, Jobs: 32}},
		{ci: true, args: []string{"--frozen"}, code: -1}, // ci has no --frozen flag: it is frozen
	}
	for _, tt := range tests {
		var got *Options
		runF := func(_ context.Context, o *Options) error { got = o; return nil }
		cmd := NewCmd(f, runF)
		if tt.ci {
			cmd = NewCmdCI(f, runF)
		}
		cmd.SetArgs(tt.args)
		cmd.SetOut(ios.Out)
		cmd.SetErr(ios.ErrOut)
		err := cmd.ExecuteContext(context.Background())
		switch {
		case tt.code == -1:
			if err == nil {
				t.Errorf("ci %v: accepted", tt.args)
			}
			continue
		case tt.code != 0:
			if e, ok := cmdutil.AsExitError(err); !ok || e.Code != tt.code {
				t.Errorf("%v: err = %v; want exit %d", tt.args, err, tt.code)
			}
			continue
		case err != nil:
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		if got == nil {
			t.Errorf("%v: runF was not called", tt.args)
			continue
		}
		g := *got
		cmdtest.StripFactory(t, f, &g) // and checks what was copied from the Factory
		if !reflect.DeepEqual(g, tt.want) {
			t.Errorf("ci=%v %v: options %+v; want %+v", tt.ci, tt.args, g, tt.want)
		}
	}
}
