package secret

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Expiry is when a token says it expires: the "exp" claim of a JSON Web
// Token (header.payload.signature), read without verifying the signature —
// only to tell the user, never to decide whom to trust. ok is false for a
// token that is no JWT or has no "exp".
func Expiry(token string) (exp time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	f, err := claims.Exp.Float64()
	if err != nil || f <= 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}
