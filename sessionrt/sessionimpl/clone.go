package sessionimpl

// Helpers for generated code: they move values between the payload's Go
// types and the types the sqlc code takes, without aliasing memory.

// CopyPtr returns a pointer to a copy of *p, or nil when p is nil. When
// clone is not nil the value is passed through it, for types whose plain
// copy would share memory (slices, maps). Generated getters and setters of
// pointer fields use it so that no caller holds a pointer into a session.
func CopyPtr[T any](p *T, clone func(T) T) *T {
	if p == nil {
		return nil
	}
	c := *p
	if clone != nil {
		c = clone(c)
	}
	return &c
}

// ConvPtr returns a pointer to conv(*p), or nil when p is nil: a nullable
// value converted between a named Go type and its column's Go type.
func ConvPtr[T, U any](p *T, conv func(T) U) *U {
	if p == nil {
		return nil
	}
	u := conv(*p)
	return &u
}

// Bytes returns b as a []byte, empty rather than nil, so that a NOT NULL
// bytea column receives ” and never NULL.
func Bytes[B ~[]byte](b B) []byte {
	if b == nil {
		return []byte{}
	}
	return []byte(b)
}

// BytesPtr is Bytes for a nullable column: nil (NULL) for a nil pointer.
func BytesPtr[B ~[]byte](p *B) []byte {
	if p == nil {
		return nil
	}
	return Bytes(*p)
}

// NullBytes turns a nullable bytea value into a pointer field: nil for
// NULL.
func NullBytes[B ~[]byte](b []byte) *B {
	if b == nil {
		return nil
	}
	v := B(b)
	return &v
}
