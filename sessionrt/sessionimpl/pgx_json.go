package sessionimpl

import "github.com/jackc/pgx/v5/pgtype"

// JSON is the Go type generated sqlc code uses for jsonb columns: the
// column's JSON text, moved as is. The generated handle decodes it on the
// first call of the field's getter.
//
// It exists because pgx scans a jsonb column into a json.RawMessage through
// encoding/json.Unmarshal, which validates and copies every value on every
// load (about 3 µs for the example payload's two columns); a JSON is only
// copied. It is sent as JSON text in every pgx query exec mode.
type JSON []byte

// ScanBytes implements pgtype.BytesScanner: it copies src, which belongs to
// the connection's read buffer. A NULL column scans as nil.
func (j *JSON) ScanBytes(src []byte) error {
	if src == nil {
		*j = nil
		return nil
	}
	*j = make(JSON, len(src))
	copy(*j, src)
	return nil
}

// TextValue implements pgtype.TextValuer, which pgx uses where it encodes
// arguments as text without knowing the column type (the simple_protocol and
// exec modes); a plain []byte would be sent as bytea there. pgx prefers it
// for every text-format parameter, jsonb's included, so a written value is
// copied once into a string: only changed jsonb fields are written. A nil
// JSON is NULL.
func (j JSON) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: string(j), Valid: j != nil}, nil
}
