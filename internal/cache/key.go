package cache

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Key names a package tarball by the checksums its registry metadata gives
// for it (a packument's dist.integrity and dist.shasum).
type Key struct {
	// Integrity is a Subresource Integrity value, e.g. "sha512-<base64>";
	// several space-separated hashes are allowed and the strongest wins.
	Integrity string
	// Shasum is the hex SHA-1 of the tarball, used when Integrity has no
	// hash upkg knows.
	Shasum string
}

// ErrNoChecksum is returned (wrapped) for a Key with no usable checksum:
// nothing unverified is ever cached or installed.
var ErrNoChecksum = errors.New("no usable integrity or shasum")

// algo is a hash upkg verifies. The order is by strength: SRI's rule is to
// check only the strongest hash offered.
type algo int

const (
	algoSHA1 algo = iota
	algoSHA256
	algoSHA384
	algoSHA512
	algoCount
)

func (a algo) String() string {
	switch a {
	case algoSHA1:
		return "sha1"
	case algoSHA256:
		return "sha256"
	case algoSHA384:
		return "sha384"
	default:
		return "sha512"
	}
}

func (a algo) size() int {
	switch a {
	case algoSHA1:
		return sha1.Size
	case algoSHA256:
		return sha256.Size
	case algoSHA384:
		return sha512.Size384
	default:
		return sha512.Size
	}
}

func (a algo) new() hash.Hash {
	switch a {
	case algoSHA1:
		return sha1.New()
	case algoSHA256:
		return sha256.New()
	case algoSHA384:
		return sha512.New384()
	default:
		return sha512.New()
	}
}

// digest is the one checksum an entry is named and verified by.
type digest struct {
	algo algo
	sum  []byte
	sri  bool // from Integrity: shown as SRI; else from Shasum: shown as hex
}

// ID is the entry's folder name: "<algo>-<hex>".
func (d digest) ID() string { return d.algo.String() + "-" + hex.EncodeToString(d.sum) }

func (d digest) newHash() hash.Hash { return d.algo.new() }

// show formats sum the way the registry wrote the expected value.
func (d digest) show(sum []byte) string {
	if d.sri {
		return d.algo.String() + "-" + base64.StdEncoding.EncodeToString(sum)
	}
	return hex.EncodeToString(sum)
}

// ID returns the name of the key's cache entry, "<algo>-<hex>", e.g.
// "sha512-9b71d2…". It fails with ErrNoChecksum when neither field holds a
// checksum upkg can verify.
func (k Key) ID() (string, error) {
	d, err := k.digest()
	if err != nil {
		return "", err
	}
	return d.ID(), nil
}

// digest picks the strongest well-formed hash of Integrity (unknown or
// malformed tokens are skipped, as SRI says); failing that, Shasum.
func (k Key) digest() (digest, error) {
	best := digest{algo: -1}
	for _, tok := range strings.Fields(k.Integrity) {
		name, b64, ok := strings.Cut(tok, "-")
		if !ok {
			continue
		}
		b64, _, _ = strings.Cut(b64, "?") // SRI options are ignored
		for a := algoSHA1; a < algoCount; a++ {
			if !strings.EqualFold(name, a.String()) || a <= best.algo {
				continue
			}
			sum, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				sum, err = base64.RawStdEncoding.DecodeString(b64)
			}
			if err == nil && len(sum) == a.size() {
				best = digest{algo: a, sum: sum, sri: true}
			}
		}
	}
	if best.algo >= 0 {
		return best, nil
	}
	if s := strings.TrimSpace(k.Shasum); s != "" {
		sum, err := hex.DecodeString(s)
		if err == nil && len(sum) == sha1.Size {
			return digest{algo: algoSHA1, sum: sum}, nil
		}
		return digest{}, fmt.Errorf("%w (shasum %q is not a hex SHA-1)", ErrNoChecksum, s)
	}
	return digest{}, ErrNoChecksum
}

// parseID is the inverse of digest.ID, for entries found on disk.
func parseID(id string) (digest, error) {
	name, h, ok := strings.Cut(id, "-")
	if ok {
		for a := algoSHA1; a < algoCount; a++ {
			if name != a.String() {
				continue
			}
			sum, err := hex.DecodeString(h)
			if err == nil && len(sum) == a.size() && hex.EncodeToString(sum) == h {
				return digest{algo: a, sum: sum}, nil
			}
		}
	}
	return digest{}, fmt.Errorf("%q is not a cache entry name", id)
}
