package sessionimpl

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// MySQL is the MySQL and MariaDB driver over database/sql, with
// github.com/go-sql-driver/mysql registered (the runtime does not import
// it). Update's transaction is BEGIN on one connection, in which the
// backend reads the session with SELECT ... FOR UPDATE: the row stays
// locked until COMMIT, so concurrent updates queue instead of losing each
// other's changes. A lock not granted within the server's
// innodb_lock_wait_timeout, or the store's Config.QueryTimeout, whichever
// is first, answers 503.
//
// The session must run in strict mode (sql_mode with STRICT_TRANS_TABLES
// or STRICT_ALL_TABLES, the default of MySQL 5.7+ and MariaDB 10.2.4+): a
// non-strict server truncates a value that does not fit instead of
// failing, which would lose data silently. The store checks it when it is
// created. Add interpolateParams=true to the DSN: without it the driver
// prepares, runs and closes a server-side statement for every query, three
// round trips instead of one.
func MySQL(db *sql.DB) Driver { return mysqlDriver{db: db} }

// mysqlDriver runs statements on a database/sql pool of MySQL or MariaDB
// connections.
type mysqlDriver struct{ db *sql.DB }

func (d mysqlDriver) conn() Conn { return Conn{sql: retryDB{d.db}} }

// retryDB is a MySQL pool whose single statements run again when InnoDB
// makes them a deadlock's victim: outside a transaction a statement is its
// own, rolled back whole, so running it again is safe. (Two sessions'
// rows locked in opposite orders, a logout against a log-out-everywhere,
// deadlock now and then.) Reads without FOR UPDATE take no locks.
type retryDB struct{ *sql.DB }

// ExecContext runs query, again up to deadlockRetries times in all when it
// is a deadlock's victim.
func (db retryDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	var err error
	for range deadlockRetries {
		if res, err = db.DB.ExecContext(ctx, query, args...); !isDeadlock(err) {
			break
		}
	}
	return res, err
}

// isDeadlock reports InnoDB's ER_LOCK_DEADLOCK (1213), as go-sql-driver
// formats it: the statement's transaction was rolled back whole.
func isDeadlock(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Error 1213")
}

// isNil reports a nil *sql.DB, which NewManager refuses.
func (d mysqlDriver) isNil() bool { return d.db == nil }

// check refuses a pooler setting that means nothing here and a session
// that is not in strict mode.
func (d mysqlDriver) check(cfg sessionrt.Config) error {
	if cfg.TransactionPooler {
		return errors.New("sessionrt: Config.TransactionPooler is for PostgreSQL poolers, not MySQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.QueryTimeout)
	defer cancel()
	var mode string
	if err := d.db.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sessionrt: MySQL: reading sql_mode: %w", err)
	}
	if !strictMode(mode) {
		return fmt.Errorf("sessionrt: MySQL: sql_mode %q is not strict: a value that does not fit would be truncated silently; "+
			"set it on the server or in the DSN (go-sql-driver/mysql: ?sql_mode=%%27STRICT_TRANS_TABLES%%27)", mode)
	}
	return nil
}

// strictMode reports whether an sql_mode makes InnoDB writes fail instead
// of truncating.
func strictMode(mode string) bool {
	for _, m := range strings.Split(strings.ToUpper(mode), ",") {
		if m == "STRICT_TRANS_TABLES" || m == "STRICT_ALL_TABLES" {
			return true
		}
	}
	return false
}

func (d mysqlDriver) listenConfig(sessionrt.Config) (*pgx.ConnConfig, error) {
	return nil, sessionrt.ErrNoCache
}

func (d mysqlDriver) wrap(err error) error {
	if err == nil {
		return nil
	}
	return mysqlError{err}
}

// beginUpdate takes a connection and begins a transaction on it; the
// backend's SELECT ... FOR UPDATE then locks the row.
func (d mysqlDriver) beginUpdate(ctx context.Context, timeout time.Duration) (updateTx, error) {
	return beginOnConn(ctx, d.db, timeout, "BEGIN")
}

// mysqlError is an error from MySQL or MariaDB that knows whether it means
// the database cannot answer now.
type mysqlError struct{ err error }

func (e mysqlError) Error() string { return e.err.Error() }
func (e mysqlError) Unwrap() error { return e.err }

// mysqlUnavailable reports the server errors that mean "not now": a lock
// not granted in time, a deadlock victim, too many connections, a server
// shutting down, a connection or query killed, a statement timeout.
func mysqlUnavailable(code int) bool {
	switch code {
	case 1040, // ER_CON_COUNT_ERROR
		1053, // ER_SERVER_SHUTDOWN
		1205, // ER_LOCK_WAIT_TIMEOUT
		1213, // ER_LOCK_DEADLOCK
		1317, // ER_QUERY_INTERRUPTED
		1927, // ER_CONNECTION_KILLED (MariaDB)
		1969, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
		3024: // ER_QUERY_TIMEOUT (MySQL max_execution_time)
		return true
	}
	return false
}

// Unavailable reports the server errors of mysqlUnavailable, a connection
// the driver found broken (driver.ErrBadConn, go-sql-driver's "invalid
// connection") and what sessionrt.IsUnavailable already knows (timeouts,
// refused or reset connections). It reads the server's error number from
// the message ("Error 1205 (HY000): ..."), so it needs no driver import.
func (e mysqlError) Unavailable() bool {
	msg := e.err.Error()
	if i := strings.Index(msg, "Error "); i >= 0 {
		rest := msg[i+len("Error "):]
		if j := strings.IndexAny(rest, " :"); j > 0 {
			if n, err := strconv.Atoi(rest[:j]); err == nil && mysqlUnavailable(n) {
				return true
			}
		}
	}
	return errors.Is(e.err, driver.ErrBadConn) || strings.Contains(msg, "invalid connection") ||
		strings.Contains(msg, "bad connection") || sessionrt.IsUnavailable(e.err)
}
