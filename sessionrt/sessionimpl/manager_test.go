package sessionimpl_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// The lifecycle tests that run on every engine are in
// sessionrt/internal/lifecycletest (TestLifecycle); these are specific to
// one engine.

// TestNoMiddleware covers sessionrt.ErrNoMiddleware: every per-request
// method called with a context the middleware did not make.
func TestNoMiddleware(t *testing.T) {
	e := newMemEnv(t, sessionrt.Config{})
	ctx := context.Background()
	if _, err := e.M.Load(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Load = %v", err)
	}
	if err := e.M.Update(ctx, func(sessionimpl.Record) error { return nil }); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Update = %v", err)
	}
	if err := e.M.Commit(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Commit = %v", err)
	}
	if err := e.M.Destroy(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Destroy = %v", err)
	}
	if _, err := e.M.UpgradeHeader(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("UpgradeHeader = %v", err)
	}
}

// TestUpdateTransaction runs Update on both kinds of transaction: pipelined
// on a pool connection (BEGIN with the SELECT, COMMIT with the UPDATE) and,
// for pools that cannot hand out a connection, Pool.Begin. Both keep every
// increment, and a failed UPDATE commits nothing and leaves no connection in
// a transaction.
func TestUpdateTransaction(t *testing.T) {
	cases := []struct {
		name           string
		beginOnly      bool
		change, nochng []string // round trips, by their first words
	}{
		{"pipelined", false,
			[]string{"begin; SELECT", "UPDATE"},
			[]string{"begin; SELECT", "commit"}},
		{"Pool.Begin", true,
			[]string{"begin", "SELECT", "UPDATE", "commit"},
			[]string{"begin", "SELECT", "commit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sessionrt.Config{})
			if c.beginOnly {
				e.useBeginOnly(sessionrt.Config{})
			}
			tok := e.Create("alice")
			ctx := context.Background()
			update := func(fn func(x *rec)) (err error) {
				e.Serve(func(w http.ResponseWriter, r *http.Request) {
					err = e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
						fn(rr.(*rec))
						return nil
					})
				}, tok)
				return err
			}
			trips := func(want []string) []string {
				t.Helper()
				n, stmts := e.Tr.Reset()
				ok := n == len(want)
				for i := 0; ok && i < n; i++ {
					ok = strings.HasPrefix(stmts[i], want[i])
				}
				if !ok {
					t.Errorf("round trips %q, want %q", stmts, want)
				}
				return stmts
			}

			// Round trips with and without a change.
			if err := update(func(x *rec) { x.SetCounter(x.Counter() + 1) }); err != nil {
				t.Fatal(err)
			}
			if stmts := trips(c.change); !c.beginOnly && (len(stmts) != 2 || !strings.HasSuffix(stmts[1], "; commit")) {
				t.Errorf("COMMIT did not ride with the UPDATE: %q", stmts)
			}
			if err := update(func(x *rec) {}); err != nil {
				t.Fatal(err)
			}
			trips(c.nochng)

			// A failing UPDATE: nothing stored, no connection left in a
			// transaction, and the next Update works.
			if _, err := e.Admin.Exec(ctx, `
CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.name = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$;
CREATE TRIGGER refuse_boom BEFORE UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_boom();`); err != nil {
				t.Fatal(err)
			}
			err := update(func(x *rec) { x.SetName("boom"); x.SetCounter(1000) })
			if err == nil || !strings.Contains(err.Error(), "boom refused") || sessionrt.StatusCode(err) != http.StatusInternalServerError {
				t.Errorf("failing UPDATE: err %v (status %d), want the trigger's error as a 500", err, sessionrt.StatusCode(err))
			}
			var inTx int
			if err := e.Admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&inTx); err != nil || inTx != 0 {
				t.Errorf("connections idle in a transaction: %d (%v)", inTx, err)
			}

			// Concurrent increments on top of the 1 so far.
			const workers, each = 8, 50
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range each {
						if err := update(func(x *rec) { x.SetCounter(x.Counter() + 1) }); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			var name string
			var counter int64
			if err := e.Admin.QueryRow(ctx, `SELECT name, counter FROM sessions`).Scan(&name, &counter); err != nil {
				t.Fatal(err)
			}
			if name != "alice" || counter != 1+workers*each {
				t.Errorf("stored %q, %d; want alice, %d", name, counter, 1+workers*each)
			}
		})
	}
}
