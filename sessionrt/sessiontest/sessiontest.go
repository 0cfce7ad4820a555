// Package sessiontest helps test applications built on sessiongen against a
// real PostgreSQL: New and NewDB give each test a fresh, uniquely named
// database that is dropped when the test ends, and Recorder is a pgx tracer
// that records the statements a pool sends.
//
// The server is the one at the URL in SESSIONGEN_TEST_DATABASE_URL, by
// default
//
//	postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// An unreachable server fails the test: nothing is skipped.
package sessiontest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvURL names the environment variable with the admin connection URL.
const EnvURL = "SESSIONGEN_TEST_DATABASE_URL"

// DefaultURL is the admin connection URL used when EnvURL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// AdminURL returns the admin connection URL.
func AdminURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// NewDB creates a fresh database and returns its connection URL. The
// database is dropped (WITH (FORCE)) when the test ends.
func NewDB(t testing.TB) string {
	t.Helper()
	admin := AdminURL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("sessiontest: PostgreSQL is required and unreachable at %s (set %s): %v", redact(admin), EnvURL, err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sessiongen_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("sessiontest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("sessiontest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("sessiontest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("sessiontest: %s is not a URL: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// New creates a fresh database and returns a pool on it and its connection
// URL. Pool and database are closed and dropped when the test ends.
func New(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	dsn := NewDB(t)
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatalf("sessiontest: connect to test database: %v", err)
	}
	t.Cleanup(pool.Close) // runs before the drop registered by NewDB
	if err := pool.Ping(context.Background()); err != nil {
		t.Fatalf("sessiontest: ping test database: %v", err)
	}
	return pool, dsn
}

// redact hides a password in a connection URL.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Recorder is a pgx.QueryTracer and pgx.BatchTracer that records the SQL of
// every round trip a pool makes, for tests that check which statements (and
// how many round trips) a code path sends. A batch is one entry: its
// statements joined by "; ". (A batch with statements the connection has not
// prepared yet costs one more round trip, which pgx does not trace.)
type Recorder struct {
	mu    sync.Mutex
	stmts []string
}

// TraceQueryStart records the statement.
func (r *Recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = append(r.stmts, d.SQL)
	return ctx
}

// TraceQueryEnd does nothing.
func (r *Recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart records the batch as one round trip.
func (r *Recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	sqls := make([]string, len(d.Batch.QueuedQueries))
	for i, q := range d.Batch.QueuedQueries {
		sqls[i] = q.SQL
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = append(r.stmts, strings.Join(sqls, "; "))
	return ctx
}

// TraceBatchQuery does nothing.
func (r *Recorder) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd does nothing.
func (r *Recorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// Reset returns the number and SQL of the round trips recorded since the
// last Reset, and starts over.
func (r *Recorder) Reset() (int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stmts
	r.stmts = nil
	return len(s), s
}

// TracedPool opens a pool on dsn with tracer (nil: none) and mutate (nil:
// none) applied to its configuration; it is closed when the test ends.
func TracedPool(tb testing.TB, dsn string, tracer pgx.QueryTracer, mutate func(*pgxpool.Config)) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		tb.Fatalf("sessiontest: %v", err)
	}
	if tracer != nil {
		cfg.ConnConfig.Tracer = tracer
	}
	if mutate != nil {
		mutate(cfg)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("sessiontest: connect: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}
