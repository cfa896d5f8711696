package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples are the Example sections of the commands that do not set their
// own, by command path (after "upkg "). TestEveryCommandHasAnExample fails
// on a command without one, and on an entry here that names no command.
// Registries are loopback or example.com URLs, packages com.example.*.
var examples = map[string]string{
	"": `  upkg install                      # resolve, lock and install the project here
  upkg -C path/to/project ci        # in CI: fail if the lock would change
  upkg add com.example.tools        # the newest version the editor accepts
  upkg auth status                  # which credential goes where, and whom it logs in as
  upkg --json list                  # the project's packages, as JSON`,
	"auth": `  upkg auth set --registry https://npm.example.com --token-env NPM_TOKEN
  upkg auth list
  upkg auth status`,
	"auth encode": `  upkg auth encode            # asks for email:PAT without echo
  printf '%s' "$PAIR" | upkg auth encode`,
	"auth import-npmrc": `  upkg auth import-npmrc
  upkg auth import-npmrc --npmrc ci.npmrc --registry https://npm.example.com`,
	"auth list": `  upkg auth list
  upkg auth list --json`,
	"auth remove": `  upkg auth remove --registry https://npm.example.com`,
	"auth set": `  upkg auth set --registry https://npm.example.com --token-env NPM_TOKEN
  printf '%s' "$TOKEN" | upkg auth set --registry http://127.0.0.1:4873 --token-stdin --always-auth
  printf '%s' "me@example.com:$PAT" | upkg auth set --registry https://pkgs.example.com/npm/registry --basic-stdin`,
	"cache":        "  upkg cache dir\n  upkg cache verify --fix\n  upkg cache prune",
	"cache clean":  "  upkg cache clean",
	"cache dir":    "  upkg cache dir\n  du -sh \"$(upkg cache dir)\"",
	"cache list":   "  upkg cache list\n  upkg cache list --json",
	"cache prune":  "  upkg config set maxCacheSize 5000000000\n  upkg cache prune",
	"cache verify": "  upkg cache verify\n  upkg cache verify --fix",
	"ci":           "  upkg ci\n  upkg ci --no-materialize    # check and fill the cache only",
	"completion": `  source <(upkg completion bash)
  upkg completion zsh > "${fpath[1]}/_upkg"`,
	"completion bash":       "  source <(upkg completion bash)",
	"completion fish":       "  upkg completion fish > ~/.config/fish/completions/upkg.fish",
	"completion powershell": "  upkg completion powershell | Out-String | Invoke-Expression",
	"completion zsh":        `  upkg completion zsh > "${fpath[1]}/_upkg"`,
	"config":                "  upkg config list\n  upkg config set cacheRoot /mnt/cache/upm\n  upkg config set --global caFile /etc/ssl/corp-ca.pem",
	"config get":            "  upkg config get cacheRoot\n  upkg config get maxCacheSize --json",
	"config list":           "  upkg config list\n  upkg config list --json",
	"config path":           "  upkg config path\n  upkg config path --global",
	"config set":            "  upkg config set maxCacheSize 5000000000\n  upkg config set --global caFile /etc/ssl/corp-ca.pem",
	"config unset":          "  upkg config unset cacheRoot",
	"doctor":                "  upkg doctor\n  upkg doctor --registry https://npm.example.com --json",
	"help":                  "  upkg help install\n  upkg help environment",
	"install":               "  upkg install\n  upkg install --frozen --jobs 8\n  upkg install --editor-path /opt/Unity/Editor",
	"list":                  "  upkg list\n  upkg list --tree --depth 1\n  upkg list --json",
	"logout":                "  upkg logout --registry https://npm.example.com\n  upkg logout --registry http://127.0.0.1:4873 --offline   # remove the entry only",
	"outdated":              "  upkg outdated\n  upkg outdated --json",
	"search":                "  upkg search input system\n  upkg search tween --registry http://127.0.0.1:4873 --limit 5",
	"view":                  "  upkg view com.example.tools\n  upkg view com.example.tools@1.2.0 --json",
	"whoami":                "  upkg whoami --registry https://npm.example.com",
	"why":                   "  upkg why com.example.core\n  upkg why com.example.core --json",
}

// addExamples gives each command of root's tree without an Example its
// entry of examples; it reports the entries that named no command.
func addExamples(root *cobra.Command) (unused []string) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	used := map[string]bool{}
	walkCommands(root, func(c *cobra.Command) {
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), root.Name()), " ")
		if ex, ok := examples[path]; ok {
			used[path] = true
			if c.Example == "" {
				c.Example = ex
			}
		}
	})
	for path := range examples {
		if !used[path] {
			unused = append(unused, path)
		}
	}
	return unused
}

// walkCommands calls fn for cmd and every command below it.
func walkCommands(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		walkCommands(c, fn)
	}
}
