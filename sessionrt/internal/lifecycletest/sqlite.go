package lifecycletest

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// SQLiteInMemory tests the runtime's SQLite driver on in-memory databases
// (journal_mode memory): refused on a pool of more than one connection,
// with a message that says to call db.SetMaxOpenConns(1); accepted on one
// connection, busy_timeout or not; and an Update holding that connection
// does not hang what its function asks of the store: each call fails
// within Config.QueryTimeout, and the Update still commits. open returns a
// fresh in-memory database with an unlimited pool, closed by the test's
// Cleanup. The lifecycle suite itself runs on such a database as the
// engine SQL(name, SQLiteDialect(), open) with the pool limited to one.
func SQLiteInMemory(t *testing.T, open func(t testing.TB) *sql.DB) {
	d := SQLiteDialect()
	t.Run("pool", func(t *testing.T) {
		for _, max := range []int{0, 2, 1} {
			db := open(t)
			db.SetMaxOpenConns(max)
			_, err := sessionimpl.NewManager(sessionimpl.SQLite(db), NewSQLBackend(d, nil), sessionrt.Config{})
			switch {
			case max == 1 && err != nil:
				t.Errorf("one connection: %v", err)
			case max != 1 && (err == nil || !strings.Contains(err.Error(), "db.SetMaxOpenConns(1)")):
				t.Errorf("SetMaxOpenConns(%d): %v, want a refusal that says to call db.SetMaxOpenConns(1)", max, err)
			}
		}
	})
	t.Run("no busy_timeout", func(t *testing.T) {
		db := open(t)
		db.SetMaxOpenConns(1)
		if _, err := db.Exec("PRAGMA busy_timeout = 0"); err != nil {
			t.Fatal(err)
		}
		if _, err := sessionimpl.NewManager(sessionimpl.SQLite(db), NewSQLBackend(d, nil), sessionrt.Config{}); err != nil {
			t.Errorf("one connection without busy_timeout: %v", err)
		}
	})
	t.Run("store calls inside Update", func(t *testing.T) {
		db := open(t)
		db.SetMaxOpenConns(1)
		const timeout = 300 * time.Millisecond
		e := NewSQLEnv(t, sessionrt.Config{QueryTimeout: timeout}, d, db)
		tok, other := e.Create("alice"), e.Create("bob")
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.Serve(func(w http.ResponseWriter, r *http.Request) {
				err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
					rr.(*Rec).SetCounter(1)
					// Each waits for the connection this Update holds.
					// A request's status is 0 for calls outside one.
					calls := []struct {
						name string
						call func() (int, error)
					}{
						{"Count", func() (int, error) { _, err := e.M.Count(r.Context()); return 0, err }},
						{"another request's read", func() (int, error) { return e.request(other, false) }},
						{"another request's Update", func() (int, error) { return e.request(other, true) }},
						{"Reap", func() (int, error) { _, err := e.M.Reap(r.Context(), 10); return 0, err }},
					}
					for _, c := range calls {
						start := time.Now()
						status, err := c.call()
						if d := time.Since(start); d > timeout+time.Second {
							t.Errorf("%s inside Update took %s, QueryTimeout is %s", c.name, d, timeout)
						}
						if !sessionrt.IsUnavailable(err) || (status != 0 && status != http.StatusServiceUnavailable) {
							t.Errorf("%s inside Update: %v (status %d), want an unavailable error (503)", c.name, err, status)
						}
					}
					return nil
				})
				if err != nil {
					t.Errorf("Update: %v", err)
				}
			}, tok)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("an Update whose function uses the store hung")
		}
		if got := e.Live(); len(got) != 2 {
			t.Fatalf("live sessions %+v, want alice and bob", got)
		}
		for _, r := range e.Live() {
			if want := map[string]int64{"alice": 1, "bob": 0}[r.Name]; r.Counter != want {
				t.Errorf("%s's counter = %d, want %d", r.Name, r.Counter, want)
			}
		}
	})
}

// request serves one request with tok that reads its session, or with
// update increments its counter, and returns the response's status and the
// error the store returned.
func (e *Env) request(tok string, update bool) (int, error) {
	var err error
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		if update {
			err = e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
				rr.(*Rec).SetCounter(rr.(*Rec).Counter() + 1)
				return nil
			})
		} else {
			_, err = e.M.Load(r.Context())
		}
		if err != nil {
			e.M.HandleError(w, r, err)
		}
	}, tok)
	return w.Code, err
}

// SQLiteReaders tests the connections a Manager sets aside for its reads
// on a SQLite file (open returns one in WAL mode with a busy_timeout, its
// pool unlimited): how many it takes from pools of each size, that a read
// is served by one while the rest of the pool is taken and an Update then
// fails within QueryTimeout, and that a reader whose read failed is closed
// and replaced.
func SQLiteReaders(t *testing.T, open func(t testing.TB) *sql.DB) {
	d := SQLiteDialect()
	// env returns a store on a fresh file whose pool is limited to max
	// connections (0: no limit), with one session, read once: a serial
	// read sets aside one reader at most.
	env := func(t *testing.T, max int, cfg sessionrt.Config) (*Env, *sql.DB, string) {
		db := open(t)
		db.SetMaxOpenConns(max)
		e := NewSQLEnv(t, cfg, d, db)
		tok := e.Create("alice")
		for range 3 {
			if status, err := e.request(tok, false); err != nil || status != http.StatusOK {
				t.Fatalf("read: %v (status %d)", err, status)
			}
		}
		return e, db, tok
	}
	t.Run("how many", func(t *testing.T) {
		for _, c := range []struct{ max, want int }{{0, 1}, {8, 1}, {4, 1}, {3, 0}, {1, 0}} {
			_, db, _ := env(t, c.max, sessionrt.Config{})
			if got := db.Stats().InUse; got != c.want {
				t.Errorf("pool of %d: %d connections set aside after serial reads, want %d", c.max, got, c.want)
			}
		}
	})
	t.Run("pool taken", func(t *testing.T) {
		const timeout = 300 * time.Millisecond
		e, db, tok := env(t, 8, sessionrt.Config{QueryTimeout: timeout})
		ctx := context.Background()
		var held []*sql.Conn
		for db.Stats().InUse < 8 {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		start := time.Now()
		if status, err := e.request(tok, false); err != nil || status != http.StatusOK {
			t.Errorf("read with the rest of the pool taken: %v (status %d), want 200 from the reader", err, status)
		}
		status, err := e.request(tok, true)
		if !sessionrt.IsUnavailable(err) || status != http.StatusServiceUnavailable {
			t.Errorf("Update with the pool taken: %v (status %d), want unavailable (503)", err, status)
		}
		if d := time.Since(start); d > timeout+time.Second {
			t.Errorf("read and Update took %s, QueryTimeout is %s", d, timeout)
		}
		for _, c := range held {
			_ = c.Close()
		}
		if status, err := e.request(tok, true); err != nil || status != http.StatusOK {
			t.Errorf("Update once the pool is free: %v (status %d)", err, status)
		}
	})
	t.Run("failed read", func(t *testing.T) {
		e, db, tok := env(t, 0, sessionrt.Config{})
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "ALTER TABLE sessions RENAME TO sessions_away"); err != nil {
			t.Fatal(err)
		}
		if status, err := e.request(tok, false); err == nil || status < 500 {
			t.Errorf("read with the table gone: %v (status %d), want an error (5xx)", err, status)
		}
		if got := db.Stats().InUse; got != 0 {
			t.Errorf("%d connections set aside after a failed read, want the reader closed", got)
		}
		if _, err := db.ExecContext(ctx, "ALTER TABLE sessions_away RENAME TO sessions"); err != nil {
			t.Fatal(err)
		}
		if status, err := e.request(tok, false); err != nil || status != http.StatusOK {
			t.Errorf("read with the table back: %v (status %d)", err, status)
		}
		if got := db.Stats().InUse; got != 1 {
			t.Errorf("%d connections set aside after the table came back, want a new reader", got)
		}
	})
}
