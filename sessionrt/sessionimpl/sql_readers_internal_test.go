package sessionimpl

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// TestReaders checks the connections a Manager sets aside for its reads on
// a real database/sql pool (PostgreSQL through pgx's database/sql driver:
// readers use database/sql only, and this module links no SQLite): the
// limits by pool size and idle connections, reuse, a reader that saw an
// error closed, close giving every reader back, and the cleanup of an
// unreachable Manager. The SQLite side, reads served while the rest of
// the pool is taken, is lifecycletest.SQLiteReaders.
func TestReaders(t *testing.T) {
	_, dsn := sessiontest.New(t)
	open := func(t *testing.T, max int) *sql.DB {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		db.SetMaxOpenConns(max)
		db.SetMaxIdleConns(max + 8)
		if err := db.PingContext(context.Background()); err != nil { // one idle connection
			t.Fatal(err)
		}
		return db
	}
	ctx := context.Background()
	query := func(t *testing.T, r *reader) error {
		t.Helper()
		var n int
		return r.conn.SQL().QueryRowContext(ctx, "SELECT $1::int + 1", 1).Scan(&n)
	}

	t.Run("limits", func(t *testing.T) {
		for _, c := range []struct{ max, want int }{{0, 3}, {12, 3}, {8, 2}, {4, 1}, {3, 0}, {1, 0}} {
			db := open(t, c.max)
			p := newReaders(db, time.Second, 3)
			var lent []*reader
			for range 5 {
				if r := p.take(ctx); r != nil {
					lent = append(lent, r)
				}
				if db.Stats().Idle == 0 && db.Stats().OpenConnections < max(c.max, 5) {
					_ = db.PingContext(ctx) // an idle connection for the next one
				}
			}
			if len(lent) != c.want {
				t.Errorf("pool of %d: %d readers lent at once, want %d", c.max, len(lent), c.want)
			}
			for _, r := range lent {
				p.give(r, nil)
			}
			if int(p.n.Load()) != c.want || len(p.idle) != c.want {
				t.Errorf("pool of %d: %d readers, %d idle after they came back, want %d", c.max, p.n.Load(), len(p.idle), c.want)
			}
			p.close()
		}
	})

	t.Run("no idle connection", func(t *testing.T) {
		db := open(t, 0)
		c, err := db.Conn(ctx) // the one idle connection
		if err != nil {
			t.Fatal(err)
		}
		p := newReaders(db, time.Second, 2)
		if r := p.take(ctx); r != nil {
			t.Error("a reader was set aside while the pool had no idle connection")
		}
		_ = c.Close()
		if r := p.take(ctx); r == nil {
			t.Error("no reader with an idle connection in the pool")
		}
		p.close()
	})

	t.Run("reuse, error, close", func(t *testing.T) {
		db := open(t, 0)
		p := newReaders(db, time.Second, 2)
		r := p.take(ctx)
		if r == nil {
			t.Fatal("no reader")
		}
		for range 3 {
			if err := query(t, r); err != nil {
				t.Fatal(err)
			}
		}
		if len(r.stmts) != 1 {
			t.Errorf("%d statements prepared on the reader for one query, want 1", len(r.stmts))
		}
		p.give(r, ErrNotFound) // no row: the reader is fine
		if again := p.take(ctx); again != r {
			t.Error("an idle reader was not reused")
		}
		p.give(r, errors.New("connection broke"))
		if p.n.Load() != 0 || db.Stats().InUse != 0 {
			t.Errorf("after an error: %d readers, %d connections in use, want the reader closed", p.n.Load(), db.Stats().InUse)
		}

		_ = db.PingContext(ctx)
		a := p.take(ctx)
		_ = db.PingContext(ctx)
		b := p.take(ctx)
		if a == nil || b == nil {
			t.Fatal("no readers")
		}
		p.give(a, nil)
		p.close()
		if p.n.Load() != 1 || db.Stats().InUse != 1 {
			t.Errorf("after close: %d readers, %d in use, want only the lent one", p.n.Load(), db.Stats().InUse)
		}
		if err := query(t, b); err != nil {
			t.Errorf("a reader lent before close: %v", err)
		}
		p.give(b, nil)
		if p.n.Load() != 0 || db.Stats().InUse != 0 || p.take(ctx) != nil {
			t.Errorf("after close and the last read: %d readers, %d in use, or a reader lent", p.n.Load(), db.Stats().InUse)
		}
	})

	t.Run("cleanup", func(t *testing.T) {
		db := open(t, 0)
		m := &Manager{drv: SQLite(db)}
		m.cfg.QueryTimeout = time.Second
		m.attachReaders()
		p := m.readers
		p.give(p.take(ctx), nil)
		if db.Stats().InUse != 1 {
			t.Fatalf("%d connections in use, want the reader", db.Stats().InUse)
		}
		m = nil
		for i := 0; i < 100 && db.Stats().InUse != 0; i++ {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		if n := db.Stats().InUse; n != 0 {
			t.Fatalf("%d connections still in use after the Manager became unreachable", n)
		}
	})
}
