package sessionimpl

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

const (
	tokenBytes = 32 // random bytes in a session token
	tokenChars = 43 // base64.RawURLEncoding length of tokenBytes
)

// newToken returns a fresh cookie value and its database key.
func newToken() (string, [sha256.Size]byte, error) {
	var raw [tokenBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", [sha256.Size]byte{}, fmt.Errorf("sessionrt: generate token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw[:]), sha256.Sum256(raw[:]), nil
}

// parseToken returns the database key of a cookie value if, and only if, the
// value is a canonical token: exactly 43 characters of the URL-safe base64
// alphabet whose unused trailing bits are zero. It does not allocate.
func parseToken(s string) ([sha256.Size]byte, bool) {
	if len(s) != tokenChars {
		return [sha256.Size]byte{}, false
	}
	var src [tokenChars]byte
	for i := 0; i < tokenChars; i++ {
		c := s[i]
		v, ok := b64val(c)
		if !ok {
			return [sha256.Size]byte{}, false
		}
		if i == tokenChars-1 && v&3 != 0 {
			return [sha256.Size]byte{}, false // non-canonical trailing bits
		}
		src[i] = c
	}
	var raw [tokenBytes]byte
	if n, err := base64.RawURLEncoding.Decode(raw[:], src[:]); err != nil || n != tokenBytes {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(raw[:]), true
}

// b64val is the value of one URL-safe base64 character.
func b64val(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '-':
		return 62, true
	case c == '_':
		return 63, true
	}
	return 0, false
}

// hashPrefix is the loggable short form of a token hash: its first 8 hex
// characters. It never reveals the token.
func hashPrefix(hash []byte) string {
	if len(hash) < 4 {
		return ""
	}
	return hex.EncodeToString(hash[:4])
}
