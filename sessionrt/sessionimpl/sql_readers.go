package sessionimpl

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"time"
)

// readers lends the SQLite connections a Manager sets aside from the
// application's pool for the session's read (Backend.Get outside Update,
// the one statement of most requests). A statement on a reader runs with a
// context that has no cancel channel. With one, which every net/http
// request has, database/sql starts a goroutine per query to watch it and
// mattn/go-sqlite3 another per row, and handing the row between goroutines
// costs more than SQLite's work for the read.
//
// What the context bounded stays bounded. There is no wait for a
// connection: a reader is lent only when one is idle, otherwise the read
// runs on the pool with QueryTimeout as every other statement does. And a
// read in WAL mode, which the driver requires of a file, waits for no lock:
// writers do not block it. What is left of a SQLite statement's waits,
// the busy handler of the rare cases WAL still has (a connection in
// exclusive locking mode, recovery after a crash), is bounded by the DSN's
// busy_timeout, as it is on the pool: mattn/go-sqlite3 cannot interrupt
// SQLite's busy handler either, it waits for the statement.
//
// A Manager sets aside at most one reader per CPU (GOMAXPROCS), and on a
// pool with a limit (db.SetMaxOpenConns) at most a quarter of it: none on
// a pool of fewer than four connections, such as the one connection of an
// in-memory database. It takes a connection only when the pool has one
// idle, so setting readers aside never makes anything wait. The pool's
// statistics count readers as in use. A reader whose statement fails is
// closed, not reused; the readers go back to the pool when the Manager is
// no longer reachable (until then they also outlive db.Close, which closes
// only the pool's idle connections, and keep answering reads).
type readers struct {
	db      *sql.DB
	timeout time.Duration // QueryTimeout: the bound of taking a connection
	max     int32         // readers at most, before the pool's own limit
	idle    chan *reader  // readers not lent
	n       atomic.Int32  // readers set aside, lent or idle
	closed  atomic.Bool
}

// reader is one connection set aside, with the statements prepared on it.
// It is used by one read at a time.
type reader struct {
	c     *sql.Conn
	stmts map[string]*sql.Stmt
	conn  Conn // what a read on r runs on: c, its statements prepared
}

// newReaders returns the readers of a Manager with QueryTimeout timeout,
// at most n (at least one).
func newReaders(db *sql.DB, timeout time.Duration, n int) *readers {
	n = max(n, 1)
	return &readers{db: db, timeout: timeout, max: int32(n), idle: make(chan *reader, n)}
}

// take lends an idle reader, setting one aside first when none is idle
// and the limits allow it, or returns nil: the read then runs on the pool.
// A nil *readers lends none.
func (p *readers) take(ctx context.Context) *reader {
	if p == nil {
		return nil
	}
	select {
	case r := <-p.idle:
		return r
	default:
	}
	return p.add(ctx)
}

// give takes back r after a statement that returned err: an error that is
// not ErrNotFound closes the reader, since its connection may be what
// failed.
func (p *readers) give(r *reader, err error) {
	if err != nil && !errors.Is(err, ErrNotFound) {
		p.drop(r, false)
		return
	}
	select {
	case p.idle <- r:
	default: // not reached: idle holds every reader
		p.drop(r, true)
		return
	}
	if p.closed.Load() {
		p.drain() // close ran meanwhile and may have missed r
	}
}

// add sets aside a new reader when fewer than the limit are and the pool
// has an idle connection.
func (p *readers) add(ctx context.Context) *reader {
	if p.closed.Load() {
		return nil
	}
	limit := p.limit()
	for {
		n := p.n.Load()
		if n >= limit {
			return nil
		}
		if p.n.CompareAndSwap(n, n+1) {
			break
		}
	}
	r, err := p.open(ctx)
	if err != nil {
		p.n.Add(-1)
		return nil
	}
	return r
}

// limit is how many readers the pool can spare now: none while it has no
// idle connection, else p.max, and within a quarter of its limit.
func (p *readers) limit() int32 {
	s := p.db.Stats()
	switch {
	case s.Idle == 0:
		return 0
	case s.MaxOpenConnections > 0:
		return min(p.max, int32(s.MaxOpenConnections/4))
	}
	return p.max
}

// open takes a connection from the pool.
func (p *readers) open(ctx context.Context) (*reader, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	c, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	r := &reader{c: c, stmts: map[string]*sql.Stmt{}}
	r.conn = Conn{sql: preparedSQL{src: r, db: c}}
	return r, nil
}

// drop closes r's statements and gives its connection back to the pool
// when healthy; otherwise the connection is closed.
func (p *readers) drop(r *reader, healthy bool) {
	defer p.n.Add(-1)
	for _, s := range r.stmts {
		_ = s.Close()
	}
	if !healthy {
		discardConn(r.c)
		return
	}
	_ = r.c.Close()
}

// drain gives back every idle reader.
func (p *readers) drain() {
	for {
		select {
		case r := <-p.idle:
			p.drop(r, true)
		default:
			return
		}
	}
}

// close gives the readers back to the pool and sets no more aside: a
// reader lent now goes back when its read ends.
func (p *readers) close() {
	p.closed.Store(true)
	p.drain()
}

// stmt returns the statement of query prepared on r's connection,
// preparing it on first use, or nil when query is to run unprepared (see
// stmtCache.stmt).
func (r *reader) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, ok := r.stmts[query]; ok {
		return s
	}
	if len(r.stmts) >= maxCachedStmts {
		return nil
	}
	s, err := r.c.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	r.stmts[query] = s
	return s
}
