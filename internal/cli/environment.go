package cli

import "github.com/spf13/cobra"

// environmentHelp is `upkg help environment`: every environment variable
// upkg reads. TestEnvironmentHelpListsEveryVariable fails when the code
// reads one this text does not name.
const environmentHelp = `Environment variables upkg reads. A flag beats a variable; a variable beats
the config files (the source column of upkg config list says which won).

Configuration files (UPM-SPEC §1)
  UPM_USER_CONFIG_FILE     the user .upmconfig.toml, instead of ~/.upmconfig.toml
                           (Windows: %USERPROFILE%\.upmconfig.toml)
  UPM_GLOBAL_CONFIG_FILE   the global upmconfig.toml, instead of /etc/upmconfig.toml
                           (Windows: %ALLUSERSPROFILE%\Unity\config\upmconfig.toml)
  NPM_CONFIG_USERCONFIG,   the user .npmrc that auth import-npmrc reads and
  npm_config_userconfig    login --npmrc writes, instead of ~/.npmrc

Cache
  UPM_CACHE_ROOT           the UPM cache root (beats cacheRoot); upkg keeps its
                           cache in <root>/upkg/v1
  UPM_MAX_CACHE_SIZE       the cache's size cap in bytes (beats maxCacheSize)
  UPKG_CACHE_DIR           upkg's cache folder itself, instead of <root>/upkg/v1

Registries and the network
  UPKG_DEFAULT_REGISTRY    the registry of names no scope covers, instead of
                           Unity's (--default-registry beats it, the manifest's
                           "registry" key beats both)
  UPKG_REQUEST_TIMEOUT     the deadline of one HTTP request, body included, as a
                           Go duration (90s, 10m)
  HTTPS_PROXY, https_proxy the proxy of https requests
  HTTP_PROXY, http_proxy   the proxy of http requests
  ALL_PROXY, all_proxy     the proxy of both when the above are unset
  UNITY_PROXYSERVER        Unity's proxy variable, used when none of the above is set
  NO_PROXY, no_proxy       hosts reached directly, comma-separated
  UNITY_NOPROXY            Unity's list of hosts reached directly, added to NO_PROXY
  NODE_EXTRA_CA_CERTS      a PEM file of CA certificates trusted besides the
                           system's (as Node and the Unity Editor read it)
  SSL_CERT_FILE            a PEM file of CA certificates trusted besides the
                           system's (also caFile in the config files)

Unity
  UNITY_EDITOR_PATH        an installed Unity Editor whose built-in packages
                           install uses (--editor-path beats it), instead of the
                           one Unity Hub installed for the project's version
  APPDATA, XDG_CONFIG_HOME where Unity Hub keeps its settings (Windows, Linux)
  ProgramFiles             where Unity Hub installs editors on Windows

Home folders
  HOME, USERPROFILE        the home folder (USERPROFILE on Windows)
  LOCALAPPDATA             the default cache root on Windows
  ALLUSERSPROFILE          the service account's files on Windows (--system-user)

Output
  CI                       set (to anything): no progress bars
  NO_COLOR                 honoured: upkg prints no colours in any case
  DISPLAY, WAYLAND_DISPLAY on Linux, login opens a browser only when one is set

Go runtime
  GOGC, GOMEMLIMIT         the garbage collector's pace, as for any Go program;
                           when neither is set, upkg collects nothing until it
                           holds 32 MiB, then as GOGC=100 would

Secrets
  auth set --token-env VAR reads the token from the variable VAR, and
  auth import-npmrc expands ${VAR} in .npmrc values; upkg reads no other
  variable for secrets and never prints them.

Git packages run git with upkg's whole environment (GIT_*, SSH_AUTH_SOCK,
credential helpers and git's own proxy settings apply).`

// newEnvironmentTopic is the help topic `upkg help environment`: a command
// that does not run, which cobra lists under "Additional help topics".
func newEnvironmentTopic() *cobra.Command {
	return &cobra.Command{
		Use:     "environment",
		Short:   "Environment variables upkg reads",
		Long:    environmentHelp,
		Example: "  upkg help environment",
	}
}
