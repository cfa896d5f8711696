package auth

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
)

// EncodeOptions are the inputs of `auth encode`: only the streams.
type EncodeOptions struct {
	cmdutil.Printer
}

// NewCmdEncode builds `auth encode`; runF replaces the behaviour in flag tests.
func NewCmdEncode(f *cmdutil.Factory, runF func(context.Context, *EncodeOptions) error) *cobra.Command {
	opts := &EncodeOptions{Printer: f.Printer()}
	return &cobra.Command{
		Use:   "encode",
		Short: "Print the base64 of email:PAT (or user:password) for an _auth value",
		Long: `Print the base64 of email:PAT (or user:password), the value of _auth in
.upmconfig.toml. It replaces the Node one-liner of Unity's documentation: on a
terminal it asks without echo; otherwise it reads stdin. Only the base64 is
printed, on stdout. To store it directly, use: upkg auth set --basic-stdin`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return encodeRun(c.Context(), opts)
		},
	}
}

func encodeRun(ctx context.Context, opts *EncodeOptions) error {
	pair, err := opts.IO.ReadSecret(ctx, "email:PAT (or user:password): ")
	if err != nil {
		return err
	}
	enc, err := EncodeBasic(pair)
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]string{"_auth": enc})
	}
	fmt.Fprintln(opts.IO.Out, enc)
	return nil
}
