package postgresql

import (
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// micros is the SQL that turns a microsecond parameter into an interval.
func micros(param string) string {
	return "sqlc.arg(" + param + ")::bigint * interval '1 microsecond'"
}

// Queries computes the SQL fragments of PostgreSQL's query file: the
// clock is now(), durations are microsecond parameters made intervals.
func (Dialect) Queries(q dialect.Query) (dialect.QueryData, error) {
	d := dialect.QueryData{
		Type: q.Type, Plural: q.Plural, Table: q.Table, MetaCols: strings.Join(dialect.MetaColumns(), ", "),
		TouchDue: "(" + schema.ColLastSeenAt + " <= now() - " + micros("touch_us") + ") AS touch_due",
		GraceUs:  micros("grace_us"),
	}
	ins := []string{schema.ColTokenHash, schema.ColRemember, schema.ColAbsoluteExpiresAt, schema.ColExpiresAt}
	vals := []string{"sqlc.arg(token_hash)", "sqlc.arg(remember)",
		"now() + " + micros("absolute_us"),
		"now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond'"}
	absolute := "CASE WHEN sqlc.arg(renew)::boolean THEN now() + " + micros("absolute_us") + " ELSE " + schema.ColAbsoluteExpiresAt + " END"
	sets := []string{
		// The right-hand sides see the row as it was: a renew keeps the key it
		// replaces, so a request still in flight with it is recognised.
		schema.ColPreviousTokenHash + " = CASE WHEN sqlc.arg(renew)::boolean THEN " + schema.ColTokenHash + " ELSE " + schema.ColPreviousTokenHash + " END,",
		schema.ColRenewedAt + " = CASE WHEN sqlc.arg(renew)::boolean THEN now() ELSE " + schema.ColRenewedAt + " END,",
		schema.ColTokenHash + " = sqlc.arg(new_token_hash),",
		schema.ColRemember + " = sqlc.arg(remember),",
		schema.ColAbsoluteExpiresAt + " = " + absolute + ",",
		schema.ColLastSeenAt + " = CASE WHEN sqlc.arg(touch)::boolean THEN now() ELSE " + schema.ColLastSeenAt + " END,",
		schema.ColExpiresAt + " = CASE WHEN sqlc.arg(touch)::boolean THEN LEAST(" + absolute + ", now() + " + micros("idle_us") + ") ELSE " + schema.ColExpiresAt + " END,",
	}
	err := d.Assemble(q, ins, vals, sets, func(f dialect.QueryField, value string) (string, error) {
		return fmt.Sprintf("%s = CASE WHEN sqlc.arg(set_%s)::boolean THEN %s::%s ELSE %s END", f.Column, f.Column, value, f.ModelType, f.Column), nil
	})
	// The token hash is the key the caller passed: it is not selected again
	// (SelectCols: MetaCols, then the payload columns).
	return d, err
}

// Runtime is PostgreSQL's: pgx, its native values, NOTIFY for the cache.
func (Dialect) Runtime() dialect.Runtime {
	return dialect.Runtime{
		Title:     "PostgreSQL",
		Driver:    "Pgx",
		Conn:      dialect.ConnPgx,
		Via:       "pgx",
		Batch:     dialect.BatchInt32,
		Returning: true,
		Values:    dialect.NativeValues,
		Notify:    true,
		ConstructorDoc: []string{
			"a *pgxpool.Pool (on which",
			"Update pipelines its transaction) or a *pgx.Conn.",
		},
		UpdateDoc: []string{
			"Update runs fn on the session atomically: in a transaction that locks the row",
			"(SELECT ... FOR UPDATE), so concurrent updates never lose each other's changes.",
		},
		DBTXDoc: "DBTX is what the queries run on: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.",
	}
}
