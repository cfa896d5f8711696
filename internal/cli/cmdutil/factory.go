package cmdutil

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/upkg/upkg/internal/cache"
	"github.com/upkg/upkg/internal/credentials"
	"github.com/upkg/upkg/internal/iostreams"
	"github.com/upkg/upkg/internal/project"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// Globals are the flags every command accepts (CLI.md, "Global flags").
type Globals struct {
	Project         string
	JSON            bool
	Verbose         bool
	Quiet           bool
	NoProgress      bool
	Offline         bool
	EditorVersion   string
	DefaultRegistry string
	SystemUser      bool

	// wroteJSON is set once a command has printed its JSON document, so
	// that a failure after it adds no error object (Printer.PrintJSON).
	wroteJSON bool
}

// WroteJSON reports whether the command printed its JSON document on stdout
// (then a failure prints no error object after it: one document only).
func (g *Globals) WroteJSON() bool { return g.wroteJSON }

// Factory gives a command everything from outside the process: streams,
// environment, OS, home folder, and the values built from them on first use
// and then kept (Config, Registry, Store, Project). Commands copy what they
// need into their options (NewCmdX(f, runF)). Tests build one with fakes.
type Factory struct {
	IO      *iostreams.IOStreams
	Globals *Globals
	Getenv  func(string) string
	// GOOS selects OS-specific paths; tests set other values to cover every branch.
	GOOS    string
	Home    func() (string, error)
	Version string
	// Build describes the binary (upkg version); its Version is Version.
	Build BuildInfo
	// Transport is the base HTTP transport; nil means a fresh clone of
	// http.DefaultTransport. Tests swap it.
	Transport http.RoundTripper

	config   lazy[*upmconfig.Config]
	registry lazy[*registry.Client]
	store    lazy[*cache.Store]
	project  lazy[*project.Project]
}

// lazy is a value built once, on first use, with its error.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get(build func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = build() })
	return l.v, l.err
}

// Locator returns where the config files are for this process.
func (f *Factory) Locator() (upmconfig.Locator, error) {
	home, err := f.Home()
	if err != nil && f.Getenv("UPM_USER_CONFIG_FILE") == "" {
		return upmconfig.Locator{}, fmt.Errorf("find home folder: %w", err)
	}
	return upmconfig.Locator{GOOS: f.GOOS, Getenv: f.Getenv, Home: home, SystemUser: f.Globals.SystemUser}, nil
}

// ConfigPaths returns the user and global config file paths.
func (f *Factory) ConfigPaths() (user, global string, err error) {
	loc, err := f.Locator()
	if err != nil {
		return "", "", err
	}
	user, err = loc.UserPath()
	if err != nil {
		return "", "", err
	}
	return user, loc.GlobalPath(), nil
}

// Config loads both config files, once, and prints their warnings on stderr
// (unless --quiet). A malformed file is an exit-8 error naming
// file:line:column.
func (f *Factory) Config() (*upmconfig.Config, error) {
	return f.config.get(f.loadConfig)
}

func (f *Factory) loadConfig() (*upmconfig.Config, error) {
	user, global, err := f.ConfigPaths()
	if err != nil {
		return nil, err
	}
	cfg, err := upmconfig.Load(user, global)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings() {
		f.Warnf("%s", w)
	}
	return cfg, nil
}

// Registry returns the registry client, built once: the config's
// credentials, the network settings (proxies; CA files from caFile,
// NODE_EXTRA_CA_CERTS and SSL_CERT_FILE), the request deadline, the
// packument cache, --offline and, with --verbose, the trace. Settings that
// cannot be applied (a CA file that is missing) are its error: trust is never
// quietly narrower than asked.
func (f *Factory) Registry() (*registry.Client, error) {
	return f.registry.get(func() (*registry.Client, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		n, err := f.Network(cfg)
		if err != nil {
			return nil, err
		}
		dir, _, err := f.CacheDir(cfg)
		if err != nil {
			return nil, err
		}
		c, err := f.RegistryWith(cfg.Auths(), n)
		if err != nil {
			return nil, err
		}
		c.CacheDir = filepath.Join(dir, "packuments")
		c.Offline = f.Globals.Offline
		return c, nil
	})
}

// bareRegistry is a client with credentials, user agent and trace, before
// the network settings are applied.
func (f *Factory) bareRegistry(auths []upmconfig.Auth) *registry.Client {
	c := &registry.Client{
		Base:        f.Transport,
		Credentials: credentials.FromEntries(auths),
		UserAgent:   "upkg/" + f.Version,
	}
	if f.Globals.Verbose {
		c.Trace = f.IO.ErrOut
	}
	if v := f.Getenv("UPKG_REQUEST_TIMEOUT"); v != "" {
		// The deadline of one HTTP request, body included (default 10m).
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			c.Retry.RequestTimeout, c.Retry.RequestTimeoutSetting = d, "UPKG_REQUEST_TIMEOUT="+v
		} else {
			f.Warnf("UPKG_REQUEST_TIMEOUT=%q is not a duration such as 90s or 10m; using the default, %s", v, registry.DefaultRequestTimeout)
		}
	}
	return c
}

// Infof prints a human message on stderr unless --quiet.
func (f *Factory) Infof(format string, args ...any) { f.Printer().Infof(format, args...) }

// Warnf prints a warning on stderr unless --quiet.
func (f *Factory) Warnf(format string, args ...any) { f.Printer().Warnf(format, args...) }

// PrintJSON writes v as one indented JSON document on stdout.
func (f *Factory) PrintJSON(v any) error { return f.Printer().PrintJSON(v) }

// SystemHome is the Home function of a real process.
func SystemHome() (string, error) { return os.UserHomeDir() }

// ErrNoChange, returned by an EditConfig edit, leaves the file as it is.
var ErrNoChange = errors.New("no change")

// EditConfig applies edit to the user config file (or the global one) and
// writes the result atomically with mode 0600. The file is parsed first: a
// malformed file is reported (exit 8) and left untouched. It returns the
// file's path.
func (f *Factory) EditConfig(global bool, edit func(file *upmconfig.File) ([]byte, error)) (string, error) {
	user, globalPath, err := f.ConfigPaths()
	if err != nil {
		return "", err
	}
	path := user
	if global {
		path = globalPath
	}
	file, err := upmconfig.LoadFile(path, global)
	if err != nil {
		return path, err
	}
	out, err := edit(file)
	if errors.Is(err, ErrNoChange) {
		return path, nil
	}
	var pe *upmconfig.ParseError
	if errors.As(err, &pe) && pe.File == "" {
		// The editor works on bytes; name the file it came from.
		e := *pe
		e.File = path
		return path, &e
	}
	if err != nil {
		if _, ok := AsExitError(err); ok {
			return path, err
		}
		return path, fmt.Errorf("edit %s: %w", path, err)
	}
	if err := upmconfig.Save(path, out); err != nil {
		return path, err
	}
	return path, nil
}
