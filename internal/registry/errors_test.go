package registry

import (
	"errors"
	"net"
	"net/url"
	"os"
	"testing"
)

// TestNetworkErrorNamesTheURLOnce: Go's `Get "URL": ` and `dial tcp ADDR: `
// wrappers are dropped; the cause stays; a proxy that cannot be reached says
// so.
func TestNetworkErrorNamesTheURLOnce(t *testing.T) {
	const u = "http://127.0.0.1:4873/com.example.a"
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4873},
		Err: os.NewSyscallError("connect", errors.New("connection refused"))}
	dns := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "npm.example.com", Server: "10.0.0.53:53", IsNotFound: true}}
	proxy := &net.OpError{Op: "proxyconnect", Net: "tcp", Err: refused}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"refused", &url.Error{Op: "Get", URL: u, Err: refused}, "cannot reach " + u + ": connect: connection refused"},
		{"dns", &url.Error{Op: "Get", URL: u, Err: dns}, "cannot reach " + u + ": lookup npm.example.com on 10.0.0.53:53: no such host"},
		{"proxy", &url.Error{Op: "Get", URL: u, Err: proxy}, "cannot reach " + u + ": cannot connect to the proxy: connect: connection refused"},
		{"plain", errors.New("boom"), "cannot reach " + u + ": boom"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := &NetworkError{URL: u, Err: tt.err}
			if got := e.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
			if !errors.Is(e, tt.err) {
				t.Error("the cause is no longer wrapped")
			}
		})
	}
}
