package sessionrt

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
