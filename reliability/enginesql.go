package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect/sqlite"
)

// The statements the schema runs (corpus, index) send on their own
// connection, one function per engine: the rest of the suite speaks HTTP to
// the example.

// payloadSkip reports the columns liveRows leaves as inserted: the key
// and the runtime's own columns.
func payloadSkip(col string) bool {
	switch col {
	case "token_hash", "created_at", "last_seen_at", "expires_at", "absolute_expires_at", "remember":
		return true
	}
	return false
}

// fillPostgres inserts rows live sessions of the example's table.
func fillPostgres(ctx context.Context, db *sql.DB, rows int) error {
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, user_id, email, roles, cart, theme, counter)
		SELECT sha256(int8send(i)), now() + interval '1 hour', now() + interval '8 hours', 1000 + i % 5000,
			'user' || i || '@example.com', '["user"]', '[{"sku":"x","qty":1}]', 'dark', i
		FROM generate_series(1, $1) i`, rows); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, "VACUUM ANALYZE sessions")
	return err
}

// fillSQLite inserts rows live sessions of the example's table.
func fillSQLite(ctx context.Context, db *sql.DB, rows int) error {
	if _, err := db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, user_id, email, roles, cart, theme, counter)
		SELECT unhex(printf('%064x', i)), `+sqlite.NowMicros+` + 3600000000, `+sqlite.NowMicros+` + 28800000000, 1000 + i % 5000,
			'user' || i || '@example.com', '["user"]', '[{"sku":"x","qty":1}]', 'dark', i
		FROM n`, rows); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, "ANALYZE")
	return err
}

// indexValidPostgres reports whether the index exists and is valid (a
// failed CREATE INDEX CONCURRENTLY leaves an invalid one).
func indexValidPostgres(ctx context.Context, db *sql.DB, name string) (bool, error) {
	var valid bool
	err := db.QueryRowContext(ctx, `SELECT indisvalid FROM pg_index WHERE indexrelid = $1::regclass`, name).Scan(&valid)
	return valid, err
}

// indexValidSQLite reports whether the index exists and passes SQLite's
// integrity check of the table.
func indexValidSQLite(ctx context.Context, db *sql.DB, name string) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&n); err != nil || n == 0 {
		return false, err
	}
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check(sessions)`).Scan(&ok); err != nil {
		return false, err
	}
	return ok == "ok", nil
}

// liveRowsPostgres inserts n live sessions with a non-default value in
// every payload column.
func liveRowsPostgres(ctx context.Context, db *sql.DB, n int) error {
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (token_hash, expires_at, absolute_expires_at)
		SELECT sha256(int8send(i)), now() + interval '1 hour', now() + interval '8 hours' FROM generate_series(1, $1) i`, n); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_name = 'sessions' AND table_schema = current_schema()`)
	if err != nil {
		return err
	}
	var sets []string
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			rows.Close()
			return err
		}
		if payloadSkip(col) {
			continue
		}
		b := "get_byte(token_hash, 0)"
		var v string
		switch typ {
		case "bigint", "integer", "smallint":
			v = b
		case "real", "double precision":
			v = b + " / 4.0"
		case "text":
			v = "encode(token_hash, 'hex')"
		case "boolean":
			v = b + " % 2 = 0"
		case "bytea":
			v = "token_hash"
		case "jsonb":
			v = "jsonb_build_array(jsonb_build_object('sku', encode(token_hash, 'hex'), 'qty', " + b + "))"
		case "timestamp with time zone":
			v = "timestamptz '2026-01-01' + " + b + " * interval '1 minute'"
		default:
			continue
		}
		sets = append(sets, col+" = "+v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(sets) == 0 {
		return nil
	}
	_, err = db.ExecContext(ctx, "UPDATE sessions SET "+strings.Join(sets, ", "))
	return err
}

// liveRowsSQLite inserts n live sessions with a non-default value in
// every payload column (INTEGER holds integers, booleans and times, TEXT
// strings and JSON).
func liveRowsSQLite(ctx context.Context, db *sql.DB, n int) error {
	if _, err := db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO sessions (token_hash, expires_at, absolute_expires_at)
		SELECT unhex(printf('%08x%056x', (i * 2654435761) % 4294967296, i)), `+sqlite.NowMicros+` + 3600000000, `+sqlite.NowMicros+` + 28800000000 FROM n`, n); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT name, type FROM pragma_table_info('sessions')`)
	if err != nil {
		return err
	}
	var sets []string
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			rows.Close()
			return err
		}
		if payloadSkip(col) {
			continue
		}
		b := "(rowid % 256)"
		var v string
		switch strings.ToUpper(typ) {
		case sqlite.TypeInteger:
			v = b
		case sqlite.TypeReal:
			v = b + " / 4.0"
		case sqlite.TypeText:
			v = "json_array(json_object('sku', hex(token_hash), 'qty', " + b + "))"
		case sqlite.TypeBlob:
			v = "token_hash"
		default:
			continue
		}
		sets = append(sets, col+" = "+v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(sets) == 0 {
		return nil
	}
	_, err = db.ExecContext(ctx, "UPDATE sessions SET "+strings.Join(sets, ", "))
	return err
}

// snapshotPostgres reads every row as column -> JSON value, keyed by token.
func snapshotPostgres(ctx context.Context, db *sql.DB) (map[string]map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT encode(token_hash, 'hex'), to_jsonb(s)::text FROM sessions s`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var k, j string
		if err := rows.Scan(&k, &j); err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(j), &m); err != nil {
			return nil, err
		}
		row := map[string]string{}
		for c, v := range m {
			row[c] = string(v)
		}
		out[k] = row
	}
	return out, rows.Err()
}

// snapshotSQLite reads every row as column -> "Go type: value", keyed by
// token. It names the columns it read from pragma_table_info rather than
// SELECT *: a connection that prepares SELECT * after another connection
// changed the table expands * from its cached schema, and the statement's
// columns change when SQLite re-prepares it at the first step.
func snapshotSQLite(ctx context.Context, db *sql.DB) (map[string]map[string]string, error) {
	cols, err := sqliteColumns(ctx, db)
	if err != nil {
		return nil, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
	}
	rows, err := db.QueryContext(ctx, "SELECT "+strings.Join(quoted, ", ")+" FROM sessions")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := map[string]string{}
		var key string
		for i, c := range cols {
			v := vals[i]
			s := fmt.Sprintf("%T: %v", v, v)
			if b, ok := v.([]byte); ok {
				s = "blob: " + hex.EncodeToString(b)
			}
			row[c] = s
			if c == "token_hash" {
				if b, ok := v.([]byte); ok {
					key = hex.EncodeToString(b)
				}
			}
		}
		if key == "" {
			return nil, fmt.Errorf("a row without a token_hash blob: %v", row)
		}
		out[key] = row
	}
	return out, rows.Err()
}

// sqliteColumns are the columns of the sessions table, in order.
func sqliteColumns(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info('sessions') ORDER BY cid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no table sessions")
	}
	return cols, nil
}
