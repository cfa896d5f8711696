// Package config implements `upkg config`: the top-level settings of the UPM
// config files (cacheRoot, maxCacheSize, caFile) and where each effective value
// comes from.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/upmconfig"
)

var keys = []string{upmconfig.KeyCacheRoot, upmconfig.KeyMaxCacheSize, upmconfig.KeyCAFile}

// NewCmd builds the `config` command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	var global bool
	cmd := cmdutil.Group(&cobra.Command{
		Use:   "config",
		Short: "Show and change cacheRoot, maxCacheSize and caFile",
		Long: `Show and change the top-level settings of the UPM config files:
  cacheRoot     the global cache root (user file)
  maxCacheSize  the cache size cap in bytes (user file)
  caFile        a PEM file of extra trusted CAs (global file with --global, or user file)
Environment variables UPM_CACHE_ROOT and UPM_MAX_CACHE_SIZE beat the files.`,
	})
	cmd.PersistentFlags().BoolVar(&global, "global", false, "the global upmconfig.toml instead of the user .upmconfig.toml")
	cmd.AddCommand(
		&cobra.Command{
			Use: "list", Aliases: []string{"ls"}, Short: "Every setting, its effective value and where it came from", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return runList(f) },
		},
		&cobra.Command{
			Use: "get KEY", Short: "Print the effective value of a setting", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error { return runGet(f, args[0]) },
		},
		&cobra.Command{
			Use: "set KEY VALUE", Short: "Set a setting in the user file (or --global)", Args: cobra.ExactArgs(2),
			RunE: func(_ *cobra.Command, args []string) error { return runSet(f, global, args[0], args[1]) },
		},
		&cobra.Command{
			Use: "unset KEY", Short: "Remove a setting from the user file (or --global)", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error { return runUnset(f, global, args[0]) },
		},
		&cobra.Command{
			Use: "path", Short: "Print the path of the user config file (or --global)", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return runPath(f, global) },
		},
	)
	return cmd
}

func checkKey(key string) error {
	for _, k := range keys {
		if k == key {
			return nil
		}
	}
	return cmdutil.UsageErrorf("unknown setting %q: one of %s (credentials are set with: upkg auth set)", key, strings.Join(keys, ", "))
}

// entry is one row of `config list --json` and the document of `config get --json`.
type entry struct {
	Key    string `json:"key"`
	Value  any    `json:"value"`
	Source string `json:"source"`
	Where  string `json:"where,omitempty"`
}

func effective(f *cmdutil.Factory) ([]entry, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	loc, err := f.Locator()
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, e := range cfg.Effective(loc) {
		out = append(out, entry{Key: e.Key, Value: e.Value, Source: e.Source, Where: e.Where})
	}
	return out, nil
}

func runList(f *cmdutil.Factory) error {
	entries, err := effective(f)
	if err != nil {
		return err
	}
	if f.Globals.JSON {
		return f.PrintJSON(map[string]any{"settings": entries})
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
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

func runGet(f *cmdutil.Factory, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	entries, err := effective(f)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Key != key {
			continue
		}
		if f.Globals.JSON {
			return f.PrintJSON(e)
		}
		fmt.Fprintln(f.IO.Out, e.Value)
		return nil
	}
	return fmt.Errorf("setting %s has no effective value", key)
}

// parseValue checks a value for key and converts it to what the file stores.
func parseValue(f *cmdutil.Factory, key, raw string) (any, error) {
	switch key {
	case upmconfig.KeyMaxCacheSize:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			return nil, cmdutil.UsageErrorf("maxCacheSize is a number of bytes (e.g. 10000000000 for 10 GB), not %q", raw)
		}
		return n, nil
	default:
		if !upmconfig.IsAbs(f.GOOS, raw) {
			return nil, cmdutil.UsageErrorf("%s must be an absolute path, not %q", key, raw)
		}
		if key == upmconfig.KeyCAFile {
			if _, err := os.Stat(raw); err != nil {
				f.Warnf("caFile %s: %v", raw, err)
			}
		}
		return raw, nil
	}
}

func checkFileFor(key string, global bool) error {
	if global && key != upmconfig.KeyCAFile {
		return cmdutil.UsageErrorf("%s belongs in the user file: Unity ignores cache keys in the global file (drop --global)", key)
	}
	return nil
}

func runSet(f *cmdutil.Factory, global bool, key, raw string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := checkFileFor(key, global); err != nil {
		return err
	}
	v, err := parseValue(f, key, raw)
	if err != nil {
		return err
	}
	path, err := f.EditConfig(global, func(file *upmconfig.File) ([]byte, error) {
		return upmconfig.SetKey(file.Data, key, v)
	})
	if err != nil {
		return err
	}
	if f.Globals.JSON {
		return f.PrintJSON(map[string]any{"key": key, "value": v, "file": path})
	}
	f.Infof("Set %s in %s", key, path)
	return nil
}

func runUnset(f *cmdutil.Factory, global bool, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	removed := false
	path, err := f.EditConfig(global, func(file *upmconfig.File) ([]byte, error) {
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
	if f.Globals.JSON {
		return f.PrintJSON(map[string]any{"key": key, "removed": removed, "file": path})
	}
	if removed {
		f.Infof("Removed %s from %s", key, path)
	} else {
		f.Infof("%s was not set in %s", key, path)
	}
	return nil
}

func runPath(f *cmdutil.Factory, global bool) error {
	user, globalPath, err := f.ConfigPaths()
	if err != nil {
		return err
	}
	if f.Globals.JSON {
		return f.PrintJSON(map[string]string{"user": user, "global": globalPath})
	}
	if global {
		fmt.Fprintln(f.IO.Out, globalPath)
	} else {
		fmt.Fprintln(f.IO.Out, user)
	}
	return nil
}
