package sessionimpl

import "time"

// This file holds the conversions between a typed session's fields and the
// Go types of sqlc's database/sql code for SQLite, which stores a time as
// int64 microseconds since the Unix epoch (UTC), a bool as an integer and
// JSON as text.

// UnixMicro returns the UTC time of us microseconds since the Unix epoch,
// as SQLite's time columns store it; time.Time{}.UnixMicro() gives back
// the zero time.
func UnixMicro(us int64) time.Time { return time.UnixMicro(us).UTC() }

// BoolInt returns 1 for true and 0 for false: a bool as an SQLite integer
// column stores it.
func BoolInt[B ~bool](b B) int64 {
	if b {
		return 1
	}
	return 0
}

// TextJSON returns the JSON text of a nullable SQLite text column: nil for
// NULL.
func TextJSON(s *string) JSON {
	if s == nil {
		return nil
	}
	return JSON(*s)
}

// JSONText returns j as the text sqlc's SQLite code stores, passing on err:
// it takes the results of an encoding directly.
func JSONText(j JSON, err error) (string, error) { return string(j), err }

// JSONTextPtr is JSONText for a nullable column: a nil j is NULL.
func JSONTextPtr(j JSON, err error) (*string, error) { return NullText(j), err }

// NullText returns j as the text of a nullable SQLite text column: nil
// (NULL) for a nil j.
func NullText(j JSON) *string {
	if j == nil {
		return nil
	}
	s := string(j)
	return &s
}
