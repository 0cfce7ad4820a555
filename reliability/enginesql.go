package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect/mysql"
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

// mysqlSeq is a derived table of the integers 1..n in column i: MySQL 8
// and MariaDB cap a recursive CTE's depth (cte_max_recursion_depth,
// max_recursive_iterations: 1000 by default), so the numbers are cross
// joins of the ten digits.
func mysqlSeq(n int) string {
	const digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	expr, from := "1", ""
	for k, p := 0, 1; k == 0 || p < n; k, p = k+1, p*10 {
		expr += fmt.Sprintf(" + %d * d%d.d", p, k)
		if from != "" {
			from += " CROSS JOIN "
		}
		from += fmt.Sprintf("%s d%d", digits, k)
	}
	return fmt.Sprintf("(SELECT i FROM (SELECT %s AS i FROM %s) all_i WHERE i <= %d)", expr, from, n)
}

// fillMySQL inserts rows live sessions of the example's table, in
// transactions of up to 100,000 rows. Their keys are the row numbers in
// order (as fillSQLite's): InnoDB clusters the table on its primary key,
// and random keys would make every insert a random write into a table
// larger than the default 128 MiB buffer pool (a million rows: 3m56s with
// SHA-256 keys, 25 s in order, on the 2-core machine).
func fillMySQL(ctx context.Context, db *sql.DB, rows int) error {
	const batch = 100_000
	for off := 0; off < rows; off += batch {
		n := min(batch, rows-off)
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, user_id, email, roles, cart, theme, counter)
			SELECT UNHEX(LPAD(HEX(s.i + %[1]d), 64, '0')), %[2]s + 3600000000, %[2]s + 28800000000, 1000 + (s.i + %[1]d) %% 5000,
				CONCAT('user', s.i + %[1]d, '@example.com'), '["user"]', '[{"sku":"x","qty":1}]', 'dark', s.i + %[1]d
			FROM %[3]s s`, off, mysql.NowMicros, mysqlSeq(n))); err != nil {
			return err
		}
	}
	_, err := db.ExecContext(ctx, "ANALYZE TABLE sessions")
	return err
}

// indexValidMySQL reports whether the index exists, holds its columns
// whole (MariaDB silently makes a prefix index of a LONGTEXT column, where
// MySQL refuses it) and CHECK TABLE finds the table and its indexes sound.
func indexValidMySQL(ctx context.Context, db *sql.DB, name string) (bool, error) {
	var n, prefix int
	if err := db.QueryRowContext(ctx, `SELECT count(*), count(SUB_PART) FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sessions' AND INDEX_NAME = ?`, name).Scan(&n, &prefix); err != nil || n == 0 {
		return false, err
	}
	if prefix > 0 {
		return false, fmt.Errorf("index %s holds a prefix of %d of its columns, not the whole values", name, prefix)
	}
	rows, err := db.QueryContext(ctx, "CHECK TABLE sessions")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	ok := false
	for rows.Next() {
		var table, op, typ, text string
		if err := rows.Scan(&table, &op, &typ, &text); err != nil {
			return false, err
		}
		switch {
		case typ == "status" && text == "OK":
			ok = true
		case typ == "error":
			return false, fmt.Errorf("CHECK TABLE: %s", text)
		}
	}
	return ok, rows.Err()
}

// mysqlColumn is a column of the sessions table as information_schema
// describes it.
type mysqlColumn struct{ Name, DataType, ColumnType string }

// mysqlColumns are the columns of the sessions table, in order.
func mysqlColumns(ctx context.Context, db *sql.DB) ([]mysqlColumn, error) {
	rows, err := db.QueryContext(ctx, `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sessions' ORDER BY ORDINAL_POSITION`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []mysqlColumn
	for rows.Next() {
		var c mysqlColumn
		if err := rows.Scan(&c.Name, &c.DataType, &c.ColumnType); err != nil {
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

// liveRowsMySQL inserts n live sessions with a non-default value in every
// payload column: BIGINT holds integers and times, TINYINT(1) booleans,
// and every string column JSON text (MariaDB's JSON is LONGTEXT with a
// json_valid CHECK, which information_schema reports as longtext).
func liveRowsMySQL(ctx context.Context, db *sql.DB, n int) error {
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (token_hash, expires_at, absolute_expires_at)
		SELECT UNHEX(SHA2(s.i, 256)), `+mysql.NowMicros+` + 3600000000, `+mysql.NowMicros+` + 28800000000 FROM `+mysqlSeq(n)+` s`); err != nil {
		return err
	}
	cols, err := mysqlColumns(ctx, db)
	if err != nil {
		return err
	}
	var sets []string
	for _, c := range cols {
		if payloadSkip(c.Name) {
			continue
		}
		b := "ASCII(token_hash)" // the hash's first byte
		var v string
		switch c.DataType {
		case "bigint", "int", "mediumint", "smallint":
			v = b
		case "tinyint":
			v = b + " % 2"
		case "double", "float", "decimal":
			v = b + " / 4.0"
		case "longtext", "mediumtext", "text", "varchar", "json":
			v = "JSON_ARRAY(JSON_OBJECT('sku', HEX(token_hash), 'qty', " + b + "))"
		case "longblob", "mediumblob", "blob", "binary", "varbinary":
			v = "token_hash"
		default:
			continue
		}
		sets = append(sets, mysqlIdent(c.Name)+" = "+v)
	}
	if len(sets) == 0 {
		return nil
	}
	_, err = db.ExecContext(ctx, "UPDATE sessions SET "+strings.Join(sets, ", "))
	return err
}

// snapshotMySQL reads every row as column -> "Go type: value" (binary
// strings in hex), keyed by token.
func snapshotMySQL(ctx context.Context, db *sql.DB) (map[string]map[string]string, error) {
	cols, err := mysqlColumns(ctx, db)
	if err != nil {
		return nil, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = mysqlIdent(c.Name)
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
				s = "bytes: " + string(b)
				if strings.Contains(c.DataType, "binary") || strings.Contains(c.DataType, "blob") {
					s = "binary: " + hex.EncodeToString(b)
				}
			}
			row[c.Name] = s
			if c.Name == "token_hash" {
				if b, ok := v.([]byte); ok {
					key = hex.EncodeToString(b)
				}
			}
		}
		if key == "" {
			return nil, fmt.Errorf("a row without a token_hash: %v", row)
		}
		out[key] = row
	}
	return out, rows.Err()
}
