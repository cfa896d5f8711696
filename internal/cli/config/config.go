// Package config implements `upkg config`: the top-level settings of the UPM
// config files (cacheRoot, maxCacheSize, caFile, linkMode) and where each effective value
// comes from.
package config

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/suggest"
	"github.com/upkg/upkg/internal/upmconfig"
)

var keys = []string{upmconfig.KeyCacheRoot, upmconfig.KeyMaxCacheSize, upmconfig.KeyCAFile, upmconfig.KeyLinkMode}

// globalUsage is the help of --global.
const globalUsage = "the global upmconfig.toml instead of the user .upmconfig.toml"

// NewCmd builds the `config` command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.Group(&cobra.Command{
		Use:   "config",
		Short: "Show and change cacheRoot, maxCacheSize, caFile and linkMode",
		Long: `Show and change the top-level settings of the UPM config files:
  cacheRoot     the global cache root (user file)
  maxCacheSize  the cache size cap in bytes (user file)
  caFile        a PEM file of extra trusted CAs (global file with --global, or user file)
  linkMode      copy (the default) or hardlink: how install puts cached files into
                Library/PackageCache (user file; see install --link)
Environment variables UPM_CACHE_ROOT and UPM_MAX_CACHE_SIZE beat the files.`,
	})
	// Accepted before the subcommand (upkg config --global set ...) and by
	// every subcommand; set, unset and path have their own --global, which
	// fills their options.
	cmd.PersistentFlags().Bool("global", false, globalUsage)
	cmd.AddCommand(
		NewCmdList(f, nil),
		NewCmdGet(f, nil),
		NewCmdSet(f, nil),
		NewCmdUnset(f, nil),
		NewCmdPath(f, nil),
	)
	return cmd
}

// editConfigFunc is cmdutil.Factory.EditConfig: edit the user (or global)
// config file and return its path.
type editConfigFunc = func(global bool, edit func(*upmconfig.File) ([]byte, error)) (string, error)

// ListOptions are the inputs of `config list`.
type ListOptions struct {
	cmdutil.Printer
	Config  func() (*upmconfig.Config, error)
	Locator func() (upmconfig.Locator, error)
}

// NewCmdList builds `config list` [`ls`]; runF replaces the behaviour in flag tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Printer: f.Printer(), Config: f.Config, Locator: f.Locator}
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "Every setting, its effective value and where it came from", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return listRun(c.Context(), opts)
		},
	}
}

// GetOptions are the inputs of `config get`.
type GetOptions struct {
	cmdutil.Printer
	Config  func() (*upmconfig.Config, error)
	Locator func() (upmconfig.Locator, error)

	Key string
}

// NewCmdGet builds `config get KEY`; runF replaces the behaviour in flag tests.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{Printer: f.Printer(), Config: f.Config, Locator: f.Locator}
	return &cobra.Command{
		Use: "get KEY", Short: "Print the effective value of a setting", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Key = args[0]
			if err := checkKey(opts.Key); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return getRun(c.Context(), opts)
		},
	}
}

// SetOptions are the inputs of `config set`.
type SetOptions struct {
	cmdutil.Printer
	EditConfig editConfigFunc
	// GOOS decides what an absolute path is.
	GOOS string

	Global bool
	Key    string
	Value  string
}

// NewCmdSet builds `config set KEY VALUE`; runF replaces the behaviour in flag tests.
func NewCmdSet(f *cmdutil.Factory, runF func(context.Context, *SetOptions) error) *cobra.Command {
	opts := &SetOptions{Printer: f.Printer(), EditConfig: f.EditConfig, GOOS: f.GOOS}
	cmd := &cobra.Command{
		Use: "set KEY VALUE", Short: "Set a setting in the user file (or --global)", Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Key, opts.Value = args[0], args[1]
			if err := checkKeyIn(opts.Key, opts.Global); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return setRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Global, "global", false, globalUsage)
	return cmd
}

// UnsetOptions are the inputs of `config unset`.
type UnsetOptions struct {
	cmdutil.Printer
	EditConfig editConfigFunc

	Global bool
	Key    string
}

// NewCmdUnset builds `config unset KEY`; runF replaces the behaviour in flag tests.
func NewCmdUnset(f *cmdutil.Factory, runF func(context.Context, *UnsetOptions) error) *cobra.Command {
	opts := &UnsetOptions{Printer: f.Printer(), EditConfig: f.EditConfig}
	cmd := &cobra.Command{
		Use: "unset KEY", Short: "Remove a setting from the user file (or --global)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Key = args[0]
			if err := checkKey(opts.Key); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return unsetRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Global, "global", false, globalUsage)
	return cmd
}

// PathOptions are the inputs of `config path`.
type PathOptions struct {
	cmdutil.Printer
	ConfigPaths func() (user, global string, err error)

	Global bool
}

// NewCmdPath builds `config path`; runF replaces the behaviour in flag tests.
func NewCmdPath(f *cmdutil.Factory, runF func(context.Context, *PathOptions) error) *cobra.Command {
	opts := &PathOptions{Printer: f.Printer(), ConfigPaths: f.ConfigPaths}
	cmd := &cobra.Command{
		Use: "path", Short: "Print the path of the user config file (or --global)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pathRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Global, "global", false, globalUsage)
	return cmd
}

func checkKey(key string) error {
	for _, k := range keys {
		if k == key {
			return nil
		}
	}
	err := cmdutil.UsageErrorf("unknown setting %q: one of %s (credentials are set with: upkg auth set)", key, strings.Join(keys, ", "))
	if near := closestKey(key); near != "" {
		err.(*cmdutil.ExitError).Hint = fmt.Sprintf("did you mean %s? (setting names are case-sensitive)", near)
	}
	return err
}

// closestKey is the setting key probably meant: one spelled the same in
// another case, else the nearest within two edits.
func closestKey(key string) string {
	for _, k := range keys {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return suggest.Closest(key, keys, 2)
}

// entry is one row of `config list --json` and the document of `config get --json`.
type entry struct {
	Key    string `json:"key"`
	Value  any    `json:"value"`
	Source string `json:"source"`
	Where  string `json:"where,omitempty"`
}

// effective lists every setting's effective value and where it came from;
// config and locator are the Factory's.
func effective(config func() (*upmconfig.Config, error), locator func() (upmconfig.Locator, error)) ([]entry, error) {
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	loc, err := locator()
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, e := range cfg.Effective(loc) {
		out = append(out, entry{Key: e.Key, Value: e.Value, Source: e.Source, Where: e.Where})
	}
	return out, nil
}

func listRun(ctx context.Context, opts *ListOptions) error {
	entries, err := effective(opts.Config, opts.Locator)
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"settings": entries})
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	for _, e := range entries {
		src := e.Source
		if e.Where != "" {
			src += " (" + e.Where + ")"
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\n", e.Key, display(e.Value), src)
	}
	return tw.Flush()
}

func display(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return "-"
	}
	return v
}

func getRun(ctx context.Context, opts *GetOptions) error {
	entries, err := effective(opts.Config, opts.Locator)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Key != opts.Key {
			continue
		}
		if opts.JSON() {
			return opts.PrintJSON(e)
		}
		fmt.Fprintln(opts.IO.Out, e.Value)
		return nil
	}
	return fmt.Errorf("setting %s has no effective value", opts.Key)
}

// parseValue checks a value for key and converts it to what the file stores.
func parseValue(opts *SetOptions) (any, error) {
	key, raw := opts.Key, opts.Value
	switch key {
	case upmconfig.KeyLinkMode:
		if !slices.Contains(upmconfig.LinkModes, raw) {
			return nil, cmdutil.UsageErrorf("linkMode is one of %s, not %q", strings.Join(upmconfig.LinkModes, ", "), raw)
		}
		return raw, nil
	case upmconfig.KeyMaxCacheSize:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			return nil, cmdutil.UsageErrorf("maxCacheSize is a number of bytes (e.g. 10000000000 for 10 GB), not %q", raw)
		}
		return n, nil
	default:
		if !upmconfig.IsAbs(opts.GOOS, raw) {
			return nil, cmdutil.UsageErrorf("%s must be an absolute path, not %q", key, raw)
		}
		if key == upmconfig.KeyCAFile {
			if _, err := os.Stat(raw); err != nil {
				opts.Warnf("caFile %s: %v", raw, err)
			}
		}
		return raw, nil
	}
}

// checkKeyIn checks that key is a setting and that it belongs in the file
// that --global chose.
func checkKeyIn(key string, global bool) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if global && key != upmconfig.KeyCAFile {
		return cmdutil.UsageErrorf("%s belongs in the user file: cache keys in the global file are ignored (drop --global)", key)
	}
	return nil
}

func setRun(ctx context.Context, opts *SetOptions) error {
	v, err := parseValue(opts)
	if err != nil {
		return err
	}
	path, err := opts.EditConfig(opts.Global, func(file *upmconfig.File) ([]byte, error) {
		return upmconfig.SetKey(file.Data, opts.Key, v)
	})
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"key": opts.Key, "value": v, "file": path})
	}
	opts.Infof("Set %s in %s", opts.Key, path)
	return nil
}

func unsetRun(ctx context.Context, opts *UnsetOptions) error {
	key := opts.Key
	removed := false
	path, err := opts.EditConfig(opts.Global, func(file *upmconfig.File) ([]byte, error) {
		out, ok, err := upmconfig.UnsetKey(file.Data, key)
		removed = ok
		if err == nil && !ok {
			return nil, cmdutil.ErrNoChange
		}
		return out, err
	})
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]any{"key": key, "removed": removed, "file": path})
	}
	if removed {
		opts.Infof("Removed %s from %s", key, path)
	} else {
		opts.Infof("%s was not set in %s", key, path)
	}
	return nil
}

func pathRun(ctx context.Context, opts *PathOptions) error {
	user, globalPath, err := opts.ConfigPaths()
	if err != nil {
		return err
	}
	if opts.JSON() {
		return opts.PrintJSON(map[string]string{"user": user, "global": globalPath})
	}
	if opts.Global {
		fmt.Fprintln(opts.IO.Out, globalPath)
	} else {
		fmt.Fprintln(opts.IO.Out, user)
	}
	return nil
}

// CompleteKeys completes the KEY argument of get, set and unset (the first
// argument only): the settings upkg knows.
func CompleteKeys(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), strings.ToLower(toComplete)) {
			out = append(out, k)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
