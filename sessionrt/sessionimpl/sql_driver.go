package sessionimpl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// SQLDB is sqlc's database/sql DBTX: *sql.DB, *sql.Conn and *sql.Tx have it.
type SQLDB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SQLConn returns the Conn of a database/sql handle, for tools and tests
// that call a generated Backend directly.
func SQLConn(db SQLDB) Conn { return Conn{sql: db} }

// SQLite is the SQLite driver over database/sql, with any SQLite driver
// registered with it (mattn/go-sqlite3, modernc.org/sqlite,
// ncruces/go-sqlite3). Update's transaction is BEGIN IMMEDIATE on one
// connection, so it takes the write lock before it reads and concurrent
// updates queue on busy_timeout instead of failing. A database file must
// run in WAL mode with a busy_timeout, set in the DSN; the driver checks
// both when the store is created. Statements on the pool run prepared: each
// query string is prepared once per connection and kept (stmtCache) until
// db is closed or the driver is no longer reachable. The session's read
// runs on a connection each store sets aside from the pool for reads, with
// no cancel channel (readers: up to one per CPU, at most a quarter of a
// limited pool, none on a pool of fewer than four connections); db.Stats
// counts them in use.
//
// An in-memory database (":memory:", journal_mode memory), for handler
// tests, lives in the connection that opened it: every other connection of
// the pool would have an empty database of its own. It is accepted on a
// pool of exactly one connection, db.SetMaxOpenConns(1), and needs no
// busy_timeout; keep the pool's idle settings (no SetMaxIdleConns(0),
// SetConnMaxLifetime or SetConnMaxIdleTime), since closing that connection
// ends the database. Requests then take turns on the connection, and a
// statement that waits for it longer than Config.QueryTimeout fails (503):
// so does a store call made inside an Update's function, which holds the
// connection until it commits.
func SQLite(db *sql.DB) Driver {
	d := &sqliteDriver{db: db, stmts: &stmtCache{db: db}}
	if db != nil {
		runtime.AddCleanup(d, (*stmtCache).close, d.stmts)
	}
	return d
}

// sqliteDriver runs statements on a database/sql pool of SQLite connections.
type sqliteDriver struct {
	db    *sql.DB
	stmts *stmtCache // the pool's prepared statements
}

func (d *sqliteDriver) conn() Conn { return Conn{sql: preparedSQL{src: d, db: d.db}} }

// stmt returns the pool's prepared statement of query (stmtCache.stmt).
func (d *sqliteDriver) stmt(ctx context.Context, query string) *sql.Stmt {
	return d.stmts.stmt(ctx, query)
}

// readers sets connections aside for a Manager's reads (readers).
func (d *sqliteDriver) readers(cfg sessionrt.Config) *readers {
	return newReaders(d.db, cfg.QueryTimeout, runtime.GOMAXPROCS(0))
}

// isNil reports a nil *sql.DB, which NewManager refuses.
func (d *sqliteDriver) isNil() bool { return d.db == nil }

// check refuses a database without WAL or busy_timeout: without them
// concurrent writers fail with SQLITE_BUSY at once. An in-memory database
// (journal_mode memory) is accepted on a pool of one connection only: every
// connection of a larger pool would have a database of its own; with one,
// no other connection can hold the lock, so busy_timeout does not matter.
// It also refuses TransactionPooler, which means nothing for an embedded
// database.
func (d *sqliteDriver) check(cfg sessionrt.Config) error {
	if cfg.TransactionPooler {
		return errors.New("sessionrt: Config.TransactionPooler is for PostgreSQL poolers, not SQLite")
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.QueryTimeout)
	defer cancel()
	c, err := d.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sessionrt: SQLite: %w", err)
	}
	defer func() { _ = c.Close() }()
	var mode string
	var busy int64
	if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sessionrt: SQLite: reading journal_mode: %w", err)
	}
	if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return fmt.Errorf("sessionrt: SQLite: reading busy_timeout: %w", err)
	}
	if strings.EqualFold(mode, "memory") {
		if n := d.db.Stats().MaxOpenConnections; n != 1 {
			limit := "no limit"
			if n > 1 {
				limit = fmt.Sprintf("up to %d", n)
			}
			return fmt.Errorf("sessionrt: SQLite: an in-memory database (journal_mode memory) needs a pool of one connection, "+
				"since every other connection has an empty database of its own: call db.SetMaxOpenConns(1) (the pool has %s)", limit)
		}
		return nil
	}
	var errs []error
	if !strings.EqualFold(mode, "wal") {
		errs = append(errs, fmt.Errorf("journal_mode is %s, want wal", mode))
	}
	if busy <= 0 {
		errs = append(errs, errors.New("busy_timeout is 0"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sessionrt: SQLite: %w: set both in the DSN for every connection "+
			"(mattn/go-sqlite3: ?_journal_mode=WAL&_busy_timeout=5000; modernc.org/sqlite and ncruces/go-sqlite3: "+
			"?_pragma=journal_mode(wal)&_pragma=busy_timeout(5000))", err)
	}
	return nil
}

func (d *sqliteDriver) listenConfig(sessionrt.Config) (*pgx.ConnConfig, error) {
	return nil, sessionrt.ErrNoCache
}

func (d *sqliteDriver) wrap(err error) error {
	if err == nil {
		return nil
	}
	return sqliteError{err}
}

// beginUpdate takes a connection and the write lock (BEGIN IMMEDIATE).
// SQLite is in the process: COMMIT's answer is final, so no outcome is
// ever unknown; a connection whose ROLLBACK failed may still hold the
// write lock, and is closed rather than block every writer (sqlTx.end).
func (d *sqliteDriver) beginUpdate(ctx context.Context, timeout time.Duration) (updateTx, error) {
	return beginOnConn(ctx, d.db, timeout, "BEGIN IMMEDIATE")
}

// sqliteError is an error from SQLite that knows whether it means the
// database cannot answer now.
type sqliteError struct{ err error }

func (e sqliteError) Error() string { return e.err.Error() }
func (e sqliteError) Unwrap() error { return e.err }

// Unavailable reports SQLITE_BUSY and SQLITE_LOCKED (the write lock was not
// free within busy_timeout), timeouts, and the generic I/O error
// (SQLITE_IOERR). It reads the message, which every SQLite driver carries
// (SQLite's own sqlite3_errstr text), so it needs none of them.
func (e sqliteError) Unavailable() bool {
	msg := strings.ToLower(e.err.Error())
	for _, s := range []string{"database is locked", "database table is locked", "sqlite_busy", "disk i/o error"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return sessionrt.IsUnavailable(e.err)
}
