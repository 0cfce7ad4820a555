package postgresql

// Engine returns "PostgreSQL".
func (Dialect) Engine() string { return "PostgreSQL" }

// Widens reports whether changing a column from one type to another is a
// cast PostgreSQL does without losing data.
func (Dialect) Widens(from, to string) bool {
	switch [2]string{from, to} {
	case [2]string{"smallint", "integer"}, [2]string{"smallint", "bigint"}, [2]string{"integer", "bigint"},
		[2]string{"real", "double precision"}, [2]string{"smallint", "double precision"}, [2]string{"integer", "double precision"}:
		return true
	}
	return false
}

// Widenings lists the changes Widens allows.
func (Dialect) Widenings() string {
	return "smallint→integer→bigint, real→double precision, smallint/integer→double precision"
}

// Numeric reports whether t is one of the numeric column types.
func (Dialect) Numeric(t string) bool {
	switch t {
	case "smallint", "integer", "bigint", "real", "double precision":
		return true
	}
	return false
}

// JSON reports whether t is jsonb.
func (Dialect) JSON(t string) bool { return t == "jsonb" }

// SameDefault reports whether two defaults are the same expression once
// canonicalized.
func (d Dialect) SameDefault(a, b string) bool {
	if a == b {
		return true
	}
	ca, err1 := d.CanonicalDefault(a)
	cb, err2 := d.CanonicalDefault(b)
	return err1 == nil && err2 == nil && ca == cb
}

// MaxIdentifier is PostgreSQL's identifier length (NAMEDATALEN-1): longer
// names are silently truncated, and two truncated names can coincide.
func (Dialect) MaxIdentifier() int { return 63 }
