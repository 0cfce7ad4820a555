package mysql

import (
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// Queries computes the SQL fragments of MySQL's query file: times are
// BIGINT microseconds and the clock is NowMicros; the flags a query takes
// (renew, touch, set_<column>, remember) are CAST(? AS UNSIGNED), which
// the sqlc.yaml override gives Go type bool; microsecond parameters are
// CAST(? AS SIGNED), int64; a payload value takes its column's type, from
// the column it is assigned to.
func (Dialect) Queries(q dialect.Query) (dialect.QueryData, error) {
	now := NowMicros
	us := func(param string) string { return "CAST(sqlc.arg(" + param + ") AS SIGNED)" }
	flag := func(param string) string { return "CAST(sqlc.arg(" + param + ") AS UNSIGNED)" }
	meta := dialect.MetaColumns()
	d := dialect.QueryData{
		Type: q.Type, Plural: q.Plural, Table: q.Table, Now: now,
		// remember as a comparison, which sqlc types bool.
		MetaCols: strings.Join(meta[:len(meta)-1], ", ") + ", (" + schema.ColRemember + " <> 0) AS " + schema.ColRemember,
		TouchDue: "(" + schema.ColLastSeenAt + " <= " + now + " - " + us("touch_us") + ") AS touch_due",
		GraceUs:  us("grace_us"),
	}
	ins := []string{schema.ColTokenHash, schema.ColRemember, schema.ColAbsoluteExpiresAt, schema.ColExpiresAt}
	vals := []string{"sqlc.arg(token_hash)", flag("remember"),
		now + " + " + us("absolute_us"),
		now + " + LEAST(" + us("absolute_us") + ", " + us("idle_us") + ")"}
	absolute := "CASE WHEN " + flag("renew") + " THEN " + now + " + " + us("absolute_us") + " ELSE " + schema.ColAbsoluteExpiresAt + " END"
	sets := []string{
		// MySQL assigns left to right and a right-hand side sees the
		// columns assigned before it: previous_token_hash takes the old
		// key before token_hash changes, and expires_at repeats the
		// absolute expression rather than read the new column.
		schema.ColPreviousTokenHash + " = CASE WHEN " + flag("renew") + " THEN " + schema.ColTokenHash + " ELSE " + schema.ColPreviousTokenHash + " END,",
		schema.ColRenewedAt + " = CASE WHEN " + flag("renew") + " THEN " + now + " ELSE " + schema.ColRenewedAt + " END,",
		schema.ColTokenHash + " = sqlc.arg(new_token_hash),",
		schema.ColRemember + " = " + flag("remember") + ",",
		schema.ColAbsoluteExpiresAt + " = " + absolute + ",",
		schema.ColLastSeenAt + " = CASE WHEN " + flag("touch") + " THEN " + now + " ELSE " + schema.ColLastSeenAt + " END,",
		schema.ColExpiresAt + " = CASE WHEN " + flag("touch") + " THEN LEAST(" + absolute + ", " + now + " + " + us("idle_us") + ") ELSE " + schema.ColExpiresAt + " END,",
	}
	err := d.Assemble(q, ins, vals, sets, func(f dialect.QueryField, value string) (string, error) {
		if _, err := ColumnType(f.ModelType, f.Index); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s = CASE WHEN %s THEN %s ELSE %s END", f.Column, flag("set_"+f.Column), value, f.Column), nil
	})
	return d, err
}

// Runtime is MySQL's: database/sql with go-sql-driver/mysql, the integer
// storage SQLite has too, no RETURNING, no notifications.
func (Dialect) Runtime() dialect.Runtime {
	return dialect.Runtime{
		Title:     "MySQL",
		Suffix:    "MySQL",
		Driver:    "MySQL",
		Conn:      dialect.ConnSQL,
		Via:       "database/sql",
		Values:    dialect.IntegerValues,
		Batch:     dialect.BatchInt32,
		Returning: false,
		ConstructorDoc: []string{
			"opened with",
			"github.com/go-sql-driver/mysql, on MySQL 8.0.29+ or MariaDB 10.6+. The session",
			"must be in strict mode (sql_mode STRICT_TRANS_TABLES, the servers' default);",
			"the store refuses it otherwise. Add interpolateParams=true to the DSN: one",
			"round trip per query instead of three. The read cache is not available.",
		},
		UpdateDoc: []string{
			"Update runs fn on the session atomically: in a transaction that locks the row",
			"(SELECT ... FOR UPDATE), so concurrent updates never lose each other's changes.",
		},
		DBTXDoc: "DBTX is what the queries run on: a *sql.DB, a *sql.Conn or a *sql.Tx.",
	}
}
