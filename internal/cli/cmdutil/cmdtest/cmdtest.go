// Package cmdtest helps the flag tests of upkg's commands: a Factory with
// test streams, and a way to run one command the way upkg's root runs it.
// Only tests import it.
package cmdtest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/iostreams"
)

// Factory returns a Factory with test streams (stdin holds in), no
// environment, and the returned stdout and stderr buffers.
func Factory(in string) (f *cmdutil.Factory, stdout, stderr *bytes.Buffer) {
	ios, stdout, stderr := iostreams.Test(in)
	f = &cmdutil.Factory{
		IO:      ios,
		Globals: &cmdutil.Globals{},
		Getenv:  func(string) string { return "" },
		GOOS:    "linux",
		Home:    func() (string, error) { return "", errors.New("no home folder in this test") },
	}
	return f, stdout, stderr
}

// Exec runs cmd with args under a root command that turns flag errors into
// usage errors (exit 2), as upkg's root does, and returns the exit code that
// the error carries: 0 for none, the ExitError's code, or -1 for an error
// that has no code of its own (cobra's argument checks, which upkg's root
// reports as usage errors).
func Exec(cmd *cobra.Command, args ...string) (int, error) {
	root := &cobra.Command{Use: "upkg", SilenceErrors: true, SilenceUsage: true}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	})
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.AddCommand(cmd)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return 0, nil
	}
	if e, ok := cmdutil.AsExitError(err); ok {
		return e.Code, err
	}
	return -1, err
}

// Case is one command line of a flag test: with Code 0, the command reaches
// runF with options equal to Want; otherwise it fails with that exit code
// (-1: cobra's own argument check) without reaching runF.
type Case[O any] struct {
	Name string
	Args []string
	Code int
	Want O
}

// RunCases builds the command with newCmd and a runF that records the
// options, and checks each case. Before comparing with Want, it checks that
// the constructor copied what the command takes from the Factory (every
// function field set, the Printer of the Factory) and clears those fields.
func RunCases[O any](t *testing.T, newCmd func(*cmdutil.Factory, func(context.Context, *O) error) *cobra.Command, cases []Case[O]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			f, _, _ := Factory("")
			var got *O
			code, err := Exec(newCmd(f, func(_ context.Context, o *O) error { got = o; return nil }), tc.Args...)
			if tc.Code != 0 {
				if code != tc.Code || got != nil {
					t.Fatalf("%v: exit %d, err = %v (runF reached: %v); want exit %d", tc.Args, code, err, got != nil, tc.Code)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("%v: err = %v (runF reached: %v)", tc.Args, err, got != nil)
			}
			g := *got
			StripFactory(t, f, &g)
			if !reflect.DeepEqual(g, tc.Want) {
				t.Errorf("%v: options %+v; want %+v", tc.Args, g, tc.Want)
			}
		})
	}
}

// StripFactory checks that the options o hold what a constructor copies
// from f (every function field set, f's Printer), and clears those fields,
// leaving what the flags and arguments filled. Embedded option structs are
// checked the same way.
func StripFactory[O any](t *testing.T, f *cmdutil.Factory, o *O) {
	t.Helper()
	stripFactory(t, f, reflect.ValueOf(o).Elem())
}

func stripFactory(t *testing.T, f *cmdutil.Factory, v reflect.Value) {
	t.Helper()
	printer := reflect.TypeFor[cmdutil.Printer]()
	for i := range v.NumField() {
		field, ft := v.Field(i), v.Type().Field(i)
		switch {
		case !ft.IsExported():
		case ft.Type == printer:
			if p := field.Interface().(cmdutil.Printer); p != f.Printer() {
				t.Errorf("%s = %+v; want the Factory's", ft.Name, p)
			}
			field.SetZero()
		case ft.Type.Kind() == reflect.Func:
			if field.IsNil() {
				t.Errorf("%s was not set from the Factory", ft.Name)
			}
			field.SetZero()
		case ft.Anonymous && ft.Type.Kind() == reflect.Struct:
			stripFactory(t, f, field)
		}
	}
}
