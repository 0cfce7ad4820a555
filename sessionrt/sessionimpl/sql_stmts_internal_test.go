package sessionimpl

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx": a real engine for the engine-independent cache

	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// TestStmtCache checks the prepared-statement cache of the database/sql
// driver on a real database (PostgreSQL through pgx's database/sql driver;
// the cache does not depend on the engine, and this module links no SQLite):
// one statement per query string, a query whose preparation fails runs
// unprepared and is cached once it prepares, at most maxCachedStmts
// statements, and after close nothing is cached and queries still run.
func TestStmtCache(t *testing.T) {
	_, dsn := sessiontest.New(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	c := &stmtCache{db: db}
	d := &sqliteDriver{db: db, stmts: c}
	q := preparedSQL{src: d, db: db}
	one := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}

	if one("SELECT $1::int + 1", 41) != 42 || one("SELECT $1::int + 1", 1) != 2 {
		t.Fatal("wrong answers")
	}
	if s1, s2 := c.stmt(ctx, "SELECT $1::int + 1"), c.stmt(ctx, "SELECT $1::int + 1"); s1 == nil || s1 != s2 || c.n.Load() != 1 {
		t.Fatalf("one query string: statements %p %p, %d cached, want one statement", s1, s2, c.n.Load())
	}

	// A statement that cannot be prepared yet runs unprepared, with the
	// engine's error, and is not cached; once it prepares, it is.
	const missing = "SELECT count(*)::int FROM later"
	if err := q.QueryRowContext(ctx, missing).Scan(new(int)); err == nil || !strings.Contains(err.Error(), "later") {
		t.Fatalf("query on a missing table: %v", err)
	}
	if _, ok := c.stmts.Load(missing); ok {
		t.Fatal("a statement that failed to prepare was cached")
	}
	if _, err := q.ExecContext(ctx, "CREATE TABLE later (v int)"); err != nil {
		t.Fatal(err)
	}
	if one(missing) != 0 {
		t.Fatal("wrong count")
	}
	if _, ok := c.stmts.Load(missing); !ok {
		t.Fatal("a statement that prepares was not cached")
	}

	// The bound: further query strings run unprepared.
	for i := c.n.Load(); i < maxCachedStmts+3; i++ {
		if got := one(fmt.Sprintf("SELECT $1::int + %d", i), 1); got != int(i)+1 {
			t.Fatalf("query %d: %d", i, got)
		}
	}
	if n := c.n.Load(); n != maxCachedStmts {
		t.Fatalf("%d statements cached, want the bound %d", n, maxCachedStmts)
	}

	// close: the statements are closed, nothing more is cached, queries
	// still run.
	s := c.stmt(ctx, missing)
	c.close()
	if err := s.QueryRowContext(ctx).Scan(new(int)); err == nil {
		t.Fatal("a cached statement still runs after close")
	}
	if one(missing) != 0 || c.stmt(ctx, "SELECT 1") != nil {
		t.Fatal("after close: wrong count, or a statement was cached")
	}
	n := 0
	c.stmts.Range(func(any, any) bool { n++; return true })
	if n != 0 {
		t.Fatalf("%d statements left after close", n)
	}
}

// TestStmtCacheCleanup checks that the statements of a driver that is no
// longer reachable are closed (runtime.AddCleanup), while its *sql.DB
// lives on.
func TestStmtCacheCleanup(t *testing.T) {
	_, dsn := sessiontest.New(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	c := SQLite(db).(*sqliteDriver).stmts // the driver itself is dropped here
	s := c.stmt(ctx, "SELECT 1")
	if s == nil {
		t.Fatal("nothing prepared")
	}
	for i := 0; i < 100 && !c.done.Load(); i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if !c.done.Load() {
		t.Fatal("the cache of an unreachable driver was not closed")
	}
	if err := s.QueryRowContext(ctx).Scan(new(int)); err == nil {
		t.Fatal("a statement of an unreachable driver still runs")
	}
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("the *sql.DB was closed too: %v", err)
	}
}
