package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// counter is a pgx tracer that counts every database round trip a pool
// makes: each Exec, Query and QueryRow (BEGIN, COMMIT and ROLLBACK are Execs
// in pgx, so a transaction is counted honestly), each batch (its statements
// go out in one write and come back after one Sync), and every explicit or
// statement-cache Prepare. A batch whose statements are not in the
// connection's statement cache yet costs one more round trip that pgx does
// not trace (it prepares them in a pipeline of its own); that happens once
// per statement and connection, during the warm-up. It also counts the server transactions the
// statements imply, to cross-check against pg_stat_database.
type counter struct {
	stmts    atomic.Int64 // Exec/Query/QueryRow calls and batches, BEGIN/COMMIT included
	prepares atomic.Int64 // Prepare calls that went to the server
	xacts    atomic.Int64 // statements started outside a transaction (each one is, or begins, one server transaction)
	begins   atomic.Int64
}

// roundTrips is the number of database round trips counted so far.
func (c *counter) roundTrips() int64 { return c.stmts.Load() + c.prepares.Load() }

// cacheListener reports the session cache's listener connection, which
// inherits the pool's tracer: its LISTEN and heartbeats (a SELECT 1 after
// a quiet second) are no request's round trips.
func cacheListener(conn *pgx.Conn) bool {
	return conn != nil && conn.Config().RuntimeParams["application_name"] == "sessionrt cache listener"
}

func (c *counter) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if cacheListener(conn) {
		return ctx
	}
	c.stmts.Add(1)
	if conn.PgConn().TxStatus() == 'I' {
		c.xacts.Add(1)
	}
	if len(data.SQL) >= 5 && strings.EqualFold(data.SQL[:5], "begin") {
		c.begins.Add(1)
	}
	return ctx
}

func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart counts a batch as one round trip.
func (c *counter) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if cacheListener(conn) {
		return ctx
	}
	c.stmts.Add(1)
	if conn.PgConn().TxStatus() == 'I' {
		c.xacts.Add(1)
	}
	if q := data.Batch.QueuedQueries; len(q) > 0 && len(q[0].SQL) >= 5 && strings.EqualFold(q[0].SQL[:5], "begin") {
		c.begins.Add(1)
	}
	return ctx
}

func (c *counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (c *counter) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return ctx
}

func (c *counter) TracePrepareEnd(_ context.Context, conn *pgx.Conn, data pgx.TracePrepareEndData) {
	if !data.AlreadyPrepared && !cacheListener(conn) {
		c.prepares.Add(1)
		if conn.PgConn().TxStatus() == 'I' {
			c.xacts.Add(1) // a Parse/Describe/Sync outside a transaction commits one
		}
	}
}

// dbURL returns base with its database replaced by name.
func dbURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// newPool opens a pool on dsn with the tracer and maxConns connections.
func newPool(ctx context.Context, dsn string, maxConns int32, tr *counter) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = tr
	if maxConns > 0 {
		cfg.MaxConns = maxConns
		cfg.MinConns = maxConns
	}
	// Never ping on acquire: a ping is an unaccounted round trip, and the
	// harness keeps every connection busy.
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// admin runs maintenance statements on the base database.
type admin struct{ conn *pgx.Conn }

func newAdmin(ctx context.Context, dsn string) (*admin, error) {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &admin{conn: c}, nil
}

func (a *admin) close() { a.conn.Close(context.Background()) }

func (a *admin) recreate(ctx context.Context, name string) error {
	if _, err := a.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return err
	}
	_, err := a.conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

func (a *admin) drop(ctx context.Context, name string) error {
	_, err := a.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// xacts returns xact_commit + xact_rollback of database name from
// pg_stat_database, with a fresh statistics snapshot.
func (a *admin) xacts(ctx context.Context, name string) (int64, error) {
	if _, err := a.conn.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
		return 0, err
	}
	var n int64
	err := a.conn.QueryRow(ctx, "SELECT coalesce(xact_commit + xact_rollback, 0) FROM pg_stat_database WHERE datname = $1", name).Scan(&n)
	return n, err
}

// serverVersion returns the PostgreSQL server_version.
func (a *admin) serverVersion(ctx context.Context) string {
	var v string
	if err := a.conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// settle waits for backends that just exited to flush their statistics.
func settle() { time.Sleep(1500 * time.Millisecond) }

func must(err error, what string) {
	if err != nil {
		panic(fmt.Errorf("%s: %w", what, err))
	}
}
