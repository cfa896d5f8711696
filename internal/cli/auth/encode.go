package auth

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
)

func newEncodeCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "encode",
		Short: "Print the base64 of email:PAT (or user:password) for an _auth value",
		Long: `Print the base64 of email:PAT (or user:password), the value of _auth in
.upmconfig.toml. It replaces the Node one-liner of Unity's documentation: on a
terminal it asks without echo; otherwise it reads stdin. Only the base64 is
printed, on stdout. To store it directly, use: upkg auth set --basic-stdin`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			pair, err := f.IO.ReadSecret(c.Context(), "email:PAT (or user:password): ")
			if err != nil {
				return err
			}
			enc, err := EncodeBasic(pair)
			if err != nil {
				return err
			}
			if f.Globals.JSON {
				return f.PrintJSON(map[string]string{"_auth": enc})
			}
			fmt.Fprintln(f.IO.Out, enc)
			return nil
		},
	}
}
