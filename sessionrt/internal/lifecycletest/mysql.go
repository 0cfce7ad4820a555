package lifecycletest

import "github.com/sessiongen/sessiongen/sessionrt/sessionimpl"

// mysqlNow is sessiongen's MySQL clock: the server's time in microseconds
// since the Unix epoch, independent of the session's time_zone.
const mysqlNow = `CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)`

// MySQLDialect is MySQL 8 or MariaDB 10.6+ through go-sql-driver/mysql, on
// the runtime's sessionimpl.MySQL: the table as sessiongen generates it for
// MySQL (BIGINT microsecond times, BINARY(32) keys, no partial index), its
// clock, SELECT ... FOR UPDATE in Update, no RETURNING, the reaper's
// DELETE ... ORDER BY ... LIMIT. SQLBackend reads "not found" from the
// affected rows: open the database with clientFoundRows=true, so that an
// UPDATE writing the values a row has counts it (the generated backend
// reads the live row instead).
func MySQLDialect() SQLDialect {
	return SQLDialect{
		Name:   "mysql",
		Driver: sessionimpl.MySQL,
		Schema: []string{`CREATE TABLE sessions (
	token_hash BINARY(32) NOT NULL PRIMARY KEY,
	created_at BIGINT NOT NULL DEFAULT (FLOOR(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)))),
	last_seen_at BIGINT NOT NULL DEFAULT (FLOOR(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)))),
	expires_at BIGINT NOT NULL,
	absolute_expires_at BIGINT NOT NULL,
	remember TINYINT(1) NOT NULL DEFAULT 0,
	previous_token_hash BINARY(32),
	renewed_at BIGINT,
	counter BIGINT NOT NULL DEFAULT 0,
	name VARCHAR(255) NOT NULL DEFAULT '',
	user_id BIGINT NOT NULL DEFAULT 0,
	INDEX sessions_expires_at_idx (expires_at),
	INDEX sessions_user_id_idx (user_id),
	INDEX sessions_previous_token_hash_idx (previous_token_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`},
		Now:           mysqlNow,
		Least:         "LEAST",
		ForUpdate:     " FOR UPDATE",
		Returning:     false,
		DeleteExpired: `DELETE FROM sessions WHERE expires_at <= {now} ORDER BY expires_at LIMIT ?`,
	}
}
