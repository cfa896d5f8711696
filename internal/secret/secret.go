// Package secret is how upkg shows a secret (a token, an _auth value, a
// password) when it must say which one it means: never whole.
package secret

// Mask shows at most the last 4 characters of a secret: "****abcd". Secrets of
// 8 characters or fewer are fully masked.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	if len(secret) <= 8 {
		return "****"
	}
	return "****" + secret[len(secret)-4:]
}
