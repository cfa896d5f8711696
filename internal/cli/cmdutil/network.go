package cmdutil

import (
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/upmconfig"
)

// CAFile is one file of extra trusted certificate authorities and where the
// setting came from.
type CAFile struct {
	Path string
	// Source is upmconfig.SourceUser, SourceGlobal or SourceEnv; Where names
	// the config file or the environment variable.
	Source, Where string
}

// Network is the network configuration every command uses (UPM-SPEC §4).
type Network struct {
	// Proxy is the proxy configuration of the environment.
	Proxy registry.ProxyEnv
	// CAFiles are trusted besides the system's store: caFile of the user
	// file, caFile of the global file, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE.
	CAFiles []CAFile
	// GlobalConfig is the path of the global upmconfig.toml.
	GlobalConfig string
}

// Network reads the network configuration from the environment and cfg.
// A nil cfg is read from the config files (without printing their warnings).
func (f *Factory) Network(cfg *upmconfig.Config) (Network, error) {
	n := Network{Proxy: registry.ProxyFromEnv(f.Getenv)}
	user, global, err := f.ConfigPaths()
	if err != nil {
		return n, err
	}
	n.GlobalConfig = global
	if cfg == nil {
		if cfg, err = upmconfig.Load(user, global); err != nil {
			return n, err
		}
	}
	for _, file := range []*upmconfig.File{cfg.User, cfg.Global} {
		if file == nil {
			continue
		}
		if s, ok := file.Settings[upmconfig.KeyCAFile]; ok {
			if p, _ := s.Value.(string); p != "" {
				src := upmconfig.SourceUser
				if file.Global {
					src = upmconfig.SourceGlobal
				}
				n.CAFiles = append(n.CAFiles, CAFile{Path: p, Source: src, Where: s.File})
			}
		}
	}
	// SSL_CERT_FILE is read by Go's own system pool on some systems too;
	// adding it again is harmless and makes it work everywhere.
	for _, v := range []string{"NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"} {
		if p := f.Getenv(v); p != "" {
			n.CAFiles = append(n.CAFiles, CAFile{Path: p, Source: upmconfig.SourceEnv, Where: v})
		}
	}
	return n, nil
}

// Paths returns the CA files' paths.
func (n Network) Paths() []string {
	out := make([]string, len(n.CAFiles))
	for i, c := range n.CAFiles {
		out[i] = c.Path
	}
	return out
}

// apply configures c's proxies and trusted roots.
func (n Network) apply(c *registry.Client) error {
	proxy := n.Proxy
	c.ProxyEnv = &proxy
	c.GlobalConfig = n.GlobalConfig
	c.CAFiles = n.Paths()
	if len(n.CAFiles) == 0 {
		return nil
	}
	// Read now, so that a broken file fails every command alike; they are
	// parsed, and the system's store joins them, at the first TLS connection.
	roots, err := registry.ReadRoots(c.CAFiles)
	if err != nil {
		return err
	}
	c.ExtraRoots = roots
	return nil
}

// RegistryWith is the one constructor of registry clients: the credentials
// of auths and the network settings n. Registry is it with the config's
// credentials and the environment's settings; doctor passes the CA files it
// could read, so that one broken file does not hide every other finding.
func (f *Factory) RegistryWith(auths []upmconfig.Auth, n Network) (*registry.Client, error) {
	c := f.bareRegistry(auths)
	if err := n.apply(c); err != nil {
		return nil, err
	}
	return c, nil
}
