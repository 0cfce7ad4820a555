package sqlite

import (
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// Queries computes the SQL fragments of SQLite's query file. Times are
// INTEGER microseconds and the clock is NowMicros; the flags a query takes
// (renew, touch, set_<column>, remember) are cast to BOOLEAN so that sqlc
// gives them Go type bool, as on PostgreSQL.
func (Dialect) Queries(q dialect.Query) (dialect.QueryData, error) {
	now := NowMicros
	us := func(param string) string { return "CAST(sqlc.arg(" + param + ") AS INTEGER)" }
	flag := func(param string) string { return "CAST(sqlc.arg(" + param + ") AS BOOLEAN)" }
	meta := dialect.MetaColumns()
	d := dialect.QueryData{
		Type: q.Type, Plural: q.Plural, Table: q.Table, Now: now,
		// remember as BOOLEAN, so that sqlc gives it Go type bool as on
		// PostgreSQL (SQLite stores 0 or 1).
		MetaCols: strings.Join(meta[:len(meta)-1], ", ") + ", CAST(" + schema.ColRemember + " AS BOOLEAN) AS " + schema.ColRemember,
		// No TouchDue: the reads return db_now and last_seen_at, from which
		// the backend computes it (Runtime.TouchDueInGo).
		GraceUs: us("grace_us"),
	}
	ins := []string{schema.ColTokenHash, schema.ColRemember, schema.ColAbsoluteExpiresAt, schema.ColExpiresAt}
	vals := []string{"sqlc.arg(token_hash)", flag("remember"),
		now + " + " + us("absolute_us"),
		now + " + MIN(" + us("absolute_us") + ", " + us("idle_us") + ")"}
	absolute := "CASE WHEN " + flag("renew") + " THEN " + now + " + " + us("absolute_us") + " ELSE " + schema.ColAbsoluteExpiresAt + " END"
	sets := []string{
		// The right-hand sides see the row as it was: a renew keeps the key it
		// replaces, so a request still in flight with it is recognised.
		schema.ColPreviousTokenHash + " = CASE WHEN " + flag("renew") + " THEN " + schema.ColTokenHash + " ELSE " + schema.ColPreviousTokenHash + " END,",
		schema.ColRenewedAt + " = CASE WHEN " + flag("renew") + " THEN " + now + " ELSE " + schema.ColRenewedAt + " END,",
		schema.ColTokenHash + " = sqlc.arg(new_token_hash),",
		schema.ColRemember + " = " + flag("remember") + ",",
		schema.ColAbsoluteExpiresAt + " = " + absolute + ",",
		schema.ColLastSeenAt + " = CASE WHEN " + flag("touch") + " THEN " + now + " ELSE " + schema.ColLastSeenAt + " END,",
		schema.ColExpiresAt + " = CASE WHEN " + flag("touch") + " THEN MIN(" + absolute + ", " + now + " + " + us("idle_us") + ") ELSE " + schema.ColExpiresAt + " END,",
	}
	err := d.Assemble(q, ins, vals, sets, func(f dialect.QueryField, value string) (string, error) {
		typ, err := ColumnType(f.ModelType)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s = CASE WHEN %s THEN CAST(%s AS %s) ELSE %s END", f.Column, flag("set_"+f.Column), value, typ, f.Column), nil
	})
	if err != nil {
		return dialect.QueryData{}, err
	}
	// The reads select each NOT NULL column through a CAST to its own
	// type, which changes no value: a column that is an expression has no
	// declared type, which mattn/go-sqlite3 otherwise copies and lowercases
	// per column on every query (two allocations each). Nullable columns
	// stay plain, so that sqlc keeps their Go types nullable.
	read := []string{
		castCol(schema.ColCreatedAt, TypeInteger), castCol(schema.ColLastSeenAt, TypeInteger),
		castCol(schema.ColExpiresAt, TypeInteger), castCol(schema.ColAbsoluteExpiresAt, TypeInteger),
		"CAST(" + schema.ColRemember + " AS BOOLEAN) AS " + schema.ColRemember,
	}
	for _, f := range q.Fields {
		typ, err := ColumnType(f.ModelType)
		if err != nil {
			return dialect.QueryData{}, fmt.Errorf("%s: field %s: %w", f.Pos, f.GoName, err)
		}
		if f.Nullable {
			read = append(read, f.Column)
		} else {
			read = append(read, castCol(f.Column, typ))
		}
	}
	d.SelectCols = strings.Join(read, ", ")
	return d, nil
}

// Runtime is SQLite's: database/sql with any SQLite driver, integer
// storage, no notifications.
func (Dialect) Runtime() dialect.Runtime {
	return dialect.Runtime{
		Title:        "SQLite",
		Suffix:       "SQLite",
		Driver:       "SQLite",
		Conn:         dialect.ConnSQL,
		Via:          "database/sql",
		Batch:        dialect.BatchInt64,
		Returning:    true,
		TouchDueInGo: true,
		Values:       dialect.IntegerValues,
		ConstructorDoc: []string{
			"opened with any",
			"database/sql driver for SQLite. The database must run in WAL mode with a",
			"busy_timeout, both set in the DSN so that every connection has them; the",
			"store refuses it otherwise. Update's transaction is BEGIN IMMEDIATE, which",
			"takes SQLite's write lock before it reads. The read cache is not available.",
		},
		UpdateDoc: []string{
			"Update runs fn on the session atomically: in a transaction that holds SQLite's",
			"write lock (BEGIN IMMEDIATE), so concurrent updates never lose each other's changes.",
		},
		DBTXDoc: "DBTX is what the queries run on: a *sql.DB, a *sql.Conn or a *sql.Tx.",
	}
}

// castCol is the column selected through a CAST to typ, its own type, under its
// own name (quoted: sqlc parses a keyword such as groups as an alias only
// when quoted).
func castCol(column, typ string) string {
	return "CAST(" + column + " AS " + typ + ") AS \"" + column + "\""
}
