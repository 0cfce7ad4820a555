package sessionimpl

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCachedStmts bounds the statements one SQLite driver keeps prepared.
// The generated queries are a fixed set: one string per query, and for the
// queries that take several token keys (sqlc.slice) one per count of keys,
// at most maxCandidates; far fewer than the bound. A query beyond it runs
// unprepared, as every query did before the cache.
const maxCachedStmts = 256

// stmtCache keeps one *sql.Stmt per query string on a database/sql pool:
// database/sql prepares it once on each connection the pool hands it and
// reuses it from then on, where a plain QueryContext prepares and
// finalizes the statement on every call. For SQLite, compiling the
// session's SELECT costs more than running it. A statement stays valid
// when the schema changes: SQLite recompiles a prepared statement whose
// schema changed on its next run.
type stmtCache struct {
	db    *sql.DB
	stmts sync.Map // query string → *sql.Stmt
	n     atomic.Int32
	done  atomic.Bool // close ran: prepare nothing more
}

// stmt returns the prepared statement of query, preparing it on first use,
// or nil when query is to run unprepared: the cache is full or closed, or
// preparing failed (running the query unprepared then returns the error
// as it did before the cache, or succeeds if the failure was transient).
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, ok := c.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	if c.done.Load() || c.n.Load() >= maxCachedStmts {
		return nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := c.stmts.LoadOrStore(query, s); loaded {
		_ = s.Close() // another goroutine prepared it first
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	if c.done.Load() {
		// close ran meanwhile and may have missed s.
		c.stmts.Delete(query)
		_ = s.Close()
		return nil
	}
	return s
}

// close closes the cached statements, when the driver that owns the cache
// is no longer reachable. The statements of a *sql.DB that is closed first
// are closed with it.
func (c *stmtCache) close() {
	c.done.Store(true)
	c.stmts.Range(func(k, v any) bool {
		c.stmts.Delete(k)
		_ = v.(*sql.Stmt).Close()
		return true
	})
}

// preparedSQL is an SQLDB whose statements run prepared: src holds them
// (a SQLite driver's stmtCache for its pool, a reader's own for its
// connection), db runs what src does not prepare. For the pool, src is the
// driver, not its cache alone, so that the cleanup that closes the cache
// cannot run while a Conn is in use.
type preparedSQL struct {
	src interface {
		stmt(ctx context.Context, query string) *sql.Stmt
	}
	db SQLDB
}

// ExecContext runs query as a prepared statement.
func (q preparedSQL) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := q.src.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return q.db.ExecContext(ctx, query, args...)
}

// PrepareContext prepares query; the caller closes the statement.
func (q preparedSQL) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return q.db.PrepareContext(ctx, query)
}

// QueryContext runs query as a prepared statement.
func (q preparedSQL) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := q.src.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return q.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query as a prepared statement.
func (q preparedSQL) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := q.src.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return q.db.QueryRowContext(ctx, query, args...)
}
