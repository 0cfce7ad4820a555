package sessionimpl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// CheckText reports whether s can be stored in a text column: PostgreSQL
// text holds valid UTF-8 without NUL bytes.
func CheckText(s string) error {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Errorf("%w: NUL byte at offset %d (text columns cannot hold it; store binary data as []byte)", sessionrt.ErrInvalidValue, i)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: invalid UTF-8 (text columns hold UTF-8 only; store binary data as []byte)", sessionrt.ErrInvalidValue)
	}
	return nil
}

// EncodeJSON encodes v for a jsonb column and checks that the column
// stores it exactly: it fails on what encoding/json cannot encode (NaN,
// ±Inf, unsupported types), on strings, keys included, that are not valid
// UTF-8 (encoding/json would silently turn them into U+FFFD), and on NUL
// characters (jsonb rejects \u0000).
func EncodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sessionrt.ErrInvalidValue, err)
	}
	if i := escapeAt(b, `\u0000`); i >= 0 {
		return nil, fmt.Errorf("%w: NUL character in a string (jsonb cannot hold \\u0000)", sessionrt.ErrInvalidValue)
	}
	if i := escapeAt(b, `\ufffd`); i >= 0 {
		return nil, fmt.Errorf("%w: invalid UTF-8 in a string (encoding/json would store U+FFFD instead)", sessionrt.ErrInvalidValue)
	}
	return b, nil
}

// escapeAt returns the offset of the escape sequence esc in the JSON text b
// (a backslash not itself escaped, followed by the rest of esc), or -1.
// encoding/json writes a NUL as \u0000 and an invalid UTF-8 byte as \ufffd;
// a valid U+FFFD is written as itself, so the escape marks invalid input.
func escapeAt(b []byte, esc string) int {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(esc))
		if i < 0 {
			return -1
		}
		i += off
		n := 0 // backslashes before this one
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
		off = i + 1
	}
}

// Invalid is called by a generated setter that refused a value: the field
// keeps its previous value, and the error is returned by Err (and by
// Update, whose function set it) and logged at the end of the request.
func (st *State) Invalid(field string, err error) {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.invalid = append(st.invalid, fmt.Errorf("sessionrt: field %s not set: %w", field, err))
}
