// Package sqlite is sessiongen's SQLite dialect: it maps the model's
// columns to SQLite types, renders the planner's operations as SQLite DDL,
// and replays committed migrations by applying their up sections to an
// in-memory SQLite database (the pure-Go, cgo-free
// github.com/ncruces/go-sqlite3) and reading the table back with PRAGMA
// table_info, index_list and index_info.
//
// Storage, chosen so that every comparison the queries make in SQL is exact
// and every value round-trips:
//
//	time.Time (timestamptz)   INTEGER  microseconds since the Unix epoch, UTC
//	                                   (the zero time.Time is -62135596800000000)
//	integers, time.Duration   INTEGER  (64-bit: every PostgreSQL widening is a no-op)
//	bool                      INTEGER  0 or 1
//	float32, float64          REAL
//	string                    TEXT
//	[]byte                    BLOB
//	slices, maps, structs     TEXT     holding JSON (jsonb on PostgreSQL)
//	token_hash                BLOB PRIMARY KEY
//
// The database clock is SQLite's: NowMicros is the current time as integer
// microseconds (millisecond resolution, SQLite's own), which needs SQLite
// 3.42 or later (unixepoch with 'subsec').
//
// What SQLite cannot do in place is refused with the reason: changing a
// column's NOT NULL or default (a table rebuild, which sessiongen does not
// plan), dropping the primary key, and the evict triggers of -cache (SQLite
// has no NOTIFY; -cache applies to PostgreSQL only).
package sqlite

import (
	"fmt"
	"math"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// Dialect is the SQLite dialect. Its zero value is ready to use.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// NowMicros is the SQL expression of the database clock: the current time
// as integer microseconds since the Unix epoch (exact milliseconds, as
// SQLite keeps them, times 1000: exact in a double up to the year 2255).
// It is a CAST, so that sqlc types it int64. SQLite fixes 'now' for the duration of a
// statement, so every use in one statement agrees.
const NowMicros = "CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)"

// ZeroTimeMicros is the zero time.Time (0001-01-01 00:00:00 UTC) in
// microseconds since the Unix epoch: the default of a NOT NULL time column.
const ZeroTimeMicros = "-62135596800000000"

// The SQLite column types sessiongen declares.
const (
	TypeInteger = "INTEGER"
	TypeReal    = "REAL"
	TypeText    = "TEXT"
	TypeBlob    = "BLOB"
)

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

// ColumnType maps a column type of the model (PostgreSQL's canonical
// names, the model's vocabulary) to the SQLite type sessiongen declares.
func ColumnType(modelType string) (string, error) {
	switch modelType {
	case "bigint", "integer", "smallint", "boolean", "timestamptz":
		return TypeInteger, nil
	case "double precision", "real":
		return TypeReal, nil
	case "text", "jsonb":
		return TypeText, nil
	case "bytea":
		return TypeBlob, nil
	}
	return "", fmt.Errorf("column type %s has no SQLite mapping", modelType)
}

// columnDefault maps a default of the model (in the PostgreSQL dialect's
// canonical form) to SQLite's.
func columnDefault(modelDefault string) (string, error) {
	switch modelDefault {
	case "", "0", "''":
		return modelDefault, nil
	case "false":
		return "0", nil
	case "'0001-01-01 00:00:00+00'::timestamptz":
		return ZeroTimeMicros, nil
	case "''::bytea":
		return "X''", nil
	case "'null'::jsonb":
		return "'null'", nil
	case "now()":
		return NowMicros, nil
	}
	return "", fmt.Errorf("default %s has no SQLite mapping", modelDefault)
}

// Want translates the table the model wants, written with PostgreSQL's
// types and defaults, into SQLite's: column types and defaults mapped (the
// defaults in canonical form, as Replay reads them), no
// storage parameters and no evict triggers (SQLite has neither).
func (Dialect) Want(t *schema.TableSchema) (*schema.TableSchema, error) {
	out := t.Clone()
	out.Options = nil
	out.Triggers = nil
	for i, c := range out.Columns {
		typ, err := ColumnType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		def, err := columnDefault(c.Default)
		if err == nil {
			def, err = Dialect{}.CanonicalDefault(def)
		}
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		out.Columns[i].Type, out.Columns[i].Default = typ, def
	}
	return out, nil
}

// Engine returns "SQLite".
func (Dialect) Engine() string { return "SQLite" }

// Widens reports false: every integer type maps to INTEGER (64-bit) and
// every float to REAL, so the model's widenings never change a SQLite
// type, and SQLite cannot change a declared type in place (INTEGER to REAL
// needs a table rebuild).
func (Dialect) Widens(from, to string) bool { return false }

// Widenings lists the changes Widens allows: none is needed.
func (Dialect) Widenings() string {
	return "none is needed on SQLite, where every integer is a 64-bit INTEGER and every float a REAL"
}

// Numeric reports whether t is INTEGER or REAL.
func (Dialect) Numeric(t string) bool { return t == TypeInteger || t == TypeReal }

// JSON reports whether t is TEXT, the type JSON columns have (strings
// share it: the recorded Go type tells them apart).
func (Dialect) JSON(t string) bool { return t == TypeText }

// SameDefault reports whether two defaults are the same expression once
// canonicalized.
func (d Dialect) SameDefault(a, b string) bool {
	ca, err1 := d.CanonicalDefault(a)
	cb, err2 := d.CanonicalDefault(b)
	return err1 == nil && err2 == nil && ca == cb
}

// MaxIdentifier is SQLite's identifier limit: none.
func (Dialect) MaxIdentifier() int { return math.MaxInt32 }

// CanonicalDefault returns the canonical text of a default expression:
// without the parentheses that enclose all of it, with runs of white space
// outside string literals made one space, and keywords and function names
// outside string literals in their case as written (SQLite keeps the text
// it was given). "" stays "".
func (Dialect) CanonicalDefault(expr string) (string, error) {
	s := collapseSpace(strings.TrimSpace(expr))
	for strings.HasPrefix(s, "(") && enclosing(s) {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if strings.Count(s, "'")%2 != 0 {
		return "", fmt.Errorf("default %q has an unterminated string literal", expr)
	}
	return s, nil
}

// enclosing reports whether the "(" at s[0] closes at the end of s.
func enclosing(s string) bool {
	depth := 0
	quoted := false
	for i, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth == 0 {
				return i == len(s)-1
			}
		}
	}
	return false
}

// collapseSpace makes every run of white space outside string literals one
// space.
func collapseSpace(s string) string {
	var b strings.Builder
	quoted, space := false, false
	for _, r := range s {
		if r == '\'' {
			quoted = !quoted
		}
		if !quoted && (r == ' ' || r == '\t' || r == '\n' || r == '\r') {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TableDDL is the CREATE TABLE statement of t with the columns keep
// names, for sqlc.
func (Dialect) TableDDL(t *schema.TableSchema, keep func(string) bool) string {
	var defs []string
	for _, c := range t.Columns {
		if !keep(c.Name) {
			continue
		}
		def := columnSQL(c)
		if c.Name == schema.ColTokenHash {
			def = c.Name + " " + c.Type + " PRIMARY KEY NOT NULL"
		}
		defs = append(defs, "    "+def)
	}
	return fmt.Sprintf("CREATE TABLE %s (\n%s\n);\n", t.Name, strings.Join(defs, ",\n"))
}
