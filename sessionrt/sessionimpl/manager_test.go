package sessionimpl_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// TestQueryCounts proves the lazy, frugal paths with the query tracer.
func TestQueryCounts(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	tok := e.create("alice")
	cases := []struct {
		name      string
		token     bool
		h         func(t *testing.T, r *http.Request)
		queries   int
		maxWrites int
		setCookie bool
	}{
		{"untouched with cookie", true, func(*testing.T, *http.Request) {}, 0, 0, false},
		{"untouched without cookie", false, func(*testing.T, *http.Request) {}, 0, 0, false},
		{"load without cookie", false, func(t *testing.T, r *http.Request) {
			st, _ := e.load(r)
			if !st.IsNew() {
				t.Error("want new session")
			}
		}, 0, 0, false},
		{"read only", true, func(t *testing.T, r *http.Request) {
			_, x := e.load(r)
			if x.Name() != "alice" {
				t.Errorf("name = %q", x.Name())
			}
			_, _ = e.m.Load(r.Context()) // cached
		}, 1, 0, false},
		{"field change", true, func(t *testing.T, r *http.Request) {
			_, x := e.load(r)
			x.SetUserID(7)
		}, 2, 1, false},
		{"new session with change", false, func(t *testing.T, r *http.Request) {
			_, x := e.load(r)
			x.SetName("bob")
		}, 1, 1, true},
		{"renew", true, func(t *testing.T, r *http.Request) {
			st, _ := e.load(r)
			st.Renew()
		}, 2, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.tr.Reset()
			var toks []string
			if c.token {
				toks = []string{tok}
			}
			w := e.serve(func(w http.ResponseWriter, r *http.Request) {
				c.h(t, r)
				_, _ = w.Write([]byte("x"))
			}, toks...)
			n, stmts := e.tr.Reset()
			if n != c.queries {
				t.Errorf("queries = %d, want %d: %q", n, c.queries, stmts)
			}
			if got := writes(stmts); len(got) > c.maxWrites {
				t.Errorf("writes = %q, want at most %d", got, c.maxWrites)
			}
			got := sessionCookie(w.Result(), e.m.CookieName())
			if (got != nil) != c.setCookie {
				t.Errorf("Set-Cookie present = %v, want %v", got != nil, c.setCookie)
			}
			if got != nil && c.token {
				tok = got.Value // renewed
			}
		})
	}
}

// TestTouch proves that the idle expiry is extended only when due.
func TestTouch(t *testing.T) {
	e := newEnv(t, sessionrt.Config{TouchInterval: time.Minute})
	tok := e.create("alice")
	read := func() {
		e.serve(func(w http.ResponseWriter, r *http.Request) { e.load(r) }, tok)
	}
	read()
	if n, stmts := e.tr.Reset(); n != 1 {
		t.Fatalf("fresh session: %d queries %q, want 1", n, stmts)
	}
	if _, err := e.admin.Exec(context.Background(), `UPDATE sessions SET last_seen_at = now() - interval '2 minutes', expires_at = now() + interval '5 minutes'`); err != nil {
		t.Fatal(err)
	}
	read()
	n, stmts := e.tr.Reset()
	if n != 2 || len(writes(stmts)) != 1 {
		t.Fatalf("touch due: %d queries %q, want Get+Touch", n, stmts)
	}
	var idle time.Duration
	if err := e.admin.QueryRow(context.Background(), `SELECT extract(epoch FROM expires_at - now())::bigint * 1000000000 FROM sessions`).Scan(&idle); err != nil {
		t.Fatal(err)
	}
	if idle < 29*time.Minute {
		t.Fatalf("idle expiry not extended: %s left", idle)
	}
	read()
	if n, stmts := e.tr.Reset(); n != 1 {
		t.Fatalf("after touch: %d queries %q, want 1", n, stmts)
	}
}

// TestConcurrentUpdates runs 32 goroutines × 100 atomic increments, each
// goroutine one request.
func TestConcurrentUpdates(t *testing.T) { eachEngine(t, testConcurrentUpdates) }

func testConcurrentUpdates(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	tok := e.create("counter")
	const workers, each = 32, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.serve(func(w http.ResponseWriter, r *http.Request) {
				for j := 0; j < each; j++ {
					err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
						x := rr.(*rec)
						x.SetCounter(x.Counter() + 1)
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}, tok)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := e.only().counter; n != workers*each {
		t.Fatalf("counter = %d, want %d", n, workers*each)
	}
}

// TestUpdateRefreshesRequestRecord proves that Update absorbs the fresh
// values into the request's loaded record without losing its own changes.
func TestUpdateRefreshesRequestRecord(t *testing.T) { eachEngine(t, testUpdateRefreshesRequestRecord) }

func testUpdateRefreshesRequestRecord(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	tok := e.create("alice")
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.load(r)
		x.SetName("changed-locally")
		// Another request changes another field meanwhile.
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			_, x := e.load(r)
			x.SetUserID(99)
		}, tok)
		if err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetCounter(5)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if x.Counter() != 5 || x.UserID() != 99 || x.Name() != "changed-locally" {
			t.Errorf("record after Update = %+v", *x)
		}
	}, tok)
	if got := e.only(); got != (row{"changed-locally", 5, 99}) {
		t.Fatalf("row = %+v", got)
	}
}

// TestConcurrentWritersDifferentFields proves that two requests changing
// different fields of one session both persist.
func TestConcurrentWritersDifferentFields(t *testing.T) {
	eachEngine(t, testConcurrentWritersDifferentFields)
}

func testConcurrentWritersDifferentFields(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	tok := e.create("alice")
	var loaded, wg sync.WaitGroup
	loaded.Add(2)
	wg.Add(2)
	run := func(set func(x *rec)) {
		defer wg.Done()
		w := e.serve(func(w http.ResponseWriter, r *http.Request) {
			_, x := e.load(r)
			loaded.Done()
			loaded.Wait() // both have read the old row
			set(x)
		}, tok)
		if w.Code != http.StatusOK {
			t.Errorf("status %d", w.Code)
		}
	}
	go run(func(x *rec) { x.SetName("bob") })
	go run(func(x *rec) { x.SetUserID(42) })
	wg.Wait()
	if got := e.only(); got.name != "bob" || got.id != 42 {
		t.Fatalf("name=%q user_id=%d, want both writes", got.name, got.id)
	}
}

// TestReplayIsAnonymous proves that a dead token is just an anonymous
// request: after Destroy, after Renew, and after expiry (on the in-memory
// engine, TestMemoryExpiry).
func TestReplayIsAnonymous(t *testing.T) { eachEngine(t, testReplayIsAnonymous) }

func testReplayIsAnonymous(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	cases := []struct {
		name string
		kill func(t *testing.T, tok string)
	}{
		{"destroy", func(t *testing.T, tok string) {
			w := e.serve(func(w http.ResponseWriter, r *http.Request) {
				if err := e.m.Destroy(r.Context()); err != nil {
					t.Fatal(err)
				}
			}, tok)
			c := sessionCookie(w.Result(), e.m.CookieName())
			if c == nil || c.MaxAge >= 0 {
				t.Fatalf("destroy: cookie not expired: %v", c)
			}
		}},
		{"renew", func(t *testing.T, tok string) {
			w := e.serve(func(w http.ResponseWriter, r *http.Request) {
				st, _ := e.load(r)
				st.Renew()
			}, tok)
			c := sessionCookie(w.Result(), e.m.CookieName())
			if c == nil || c.Value == tok || c.Value == "" {
				t.Fatalf("renew: no new token: %v", c)
			}
			// The new token works.
			e.serve(func(w http.ResponseWriter, r *http.Request) {
				if st, x := e.load(r); st.IsNew() || x.Name() != "victim" {
					t.Error("renewed token does not load the session")
				}
			}, c.Value)
		}},
		{"expiry", func(t *testing.T, tok string) {
			if e.mem != nil {
				t.Skip("the in-memory engine's clock cannot be moved; see TestMemoryExpiry")
			}
			if _, err := e.admin.Exec(context.Background(), "UPDATE sessions SET expires_at = now() - interval '1 second'"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.clear()
			tok := e.create("victim")
			c.kill(t, tok)
			e.reset()
			w := e.serve(func(w http.ResponseWriter, r *http.Request) {
				st, x := e.load(r)
				if !st.IsNew() || x.Name() != "" {
					t.Errorf("replayed token loaded a session: new=%v name=%q", st.IsNew(), x.Name())
				}
				_, _ = w.Write([]byte("hi"))
			}, tok)
			if n, stmts := e.reset(); e.tr != nil && (n != 1 || len(writes(stmts)) != 0) {
				t.Errorf("replay: %d queries %q, want one read", n, stmts)
			}
			if c := sessionCookie(w.Result(), e.m.CookieName()); c != nil && c.MaxAge >= 0 {
				t.Errorf("replay set a live cookie: %v", c)
			}
		})
	}
}

// TestDestroyedNotRevived proves that a late write to a session destroyed
// meanwhile fails with sessionrt.ErrSessionGone and never re-creates the row.
func TestDestroyedNotRevived(t *testing.T) { eachEngine(t, testDestroyedNotRevived) }

func testDestroyedNotRevived(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	tok := e.create("alice")
	var stErr error
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		// Another request destroys the session meanwhile.
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			if err := e.m.Destroy(r.Context()); err != nil {
				t.Fatal(err)
			}
		}, tok)
		x.SetName("late")
		n, err := w.Write([]byte("handler output"))
		if n != 0 || !errors.Is(err, sessionrt.ErrCommitFailed) {
			t.Errorf("Write after failed commit = %d, %v", n, err)
		}
		stErr = st.Err()
	}, tok)
	if w.Code != http.StatusConflict {
		t.Errorf("status = %d, want 409", w.Code)
	}
	if strings.Contains(w.Body.String(), "handler output") {
		t.Error("handler output reached the client after a failed commit")
	}
	if !errors.Is(stErr, sessionrt.ErrSessionGone) {
		t.Errorf("Err() = %v, want sessionrt.ErrSessionGone", stErr)
	}
	if c := w.Result().Header.Get("Set-Cookie"); c != "" {
		t.Errorf("gone session answered with Set-Cookie %q; the browser may hold a renewed token", c)
	}
	if n := e.rows(); n != 0 {
		t.Fatalf("rows = %d, want 0", n)
	}

	// Update on a loaded session destroyed meanwhile.
	tok = e.create("bob")
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		e.load(r)
		e.clear()
		err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetCounter(1)
			return nil
		})
		if !errors.Is(err, sessionrt.ErrSessionGone) {
			t.Errorf("Update = %v, want sessionrt.ErrSessionGone", err)
		}
	}, tok)
	if n := e.rows(); n != 0 {
		t.Fatalf("rows after Update = %d, want 0", n)
	}
}

// TestDestroyThenSet proves that changes after Destroy start a new session
// with a new token in the same request, while the old one stays dead.
func TestDestroyThenSet(t *testing.T) { eachEngine(t, testDestroyThenSet) }

func testDestroyThenSet(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	tok := e.create("alice")
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		if err := e.m.Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
		if x.Name() != "" {
			t.Errorf("Name after Destroy = %q, want it empty", x.Name())
		}
		x.SetName("fresh")
		_, _ = w.Write([]byte("bye"))
		if err := st.Err(); err != nil {
			t.Errorf("Err() = %v", err)
		}
	}, tok)
	c := sessionCookie(w.Result(), e.m.CookieName())
	if c == nil || c.MaxAge <= 0 || c.Value == tok {
		t.Fatalf("cookie after Destroy and a change = %v, want a new session's", c)
	}
	if n := e.rows(); n != 1 {
		t.Fatalf("rows = %d, want 1 (the new session)", n)
	}
	if got := e.readName(c.Value); got != "fresh" {
		t.Errorf("new session's name = %q", got)
	}
	if got := e.readName(tok); got != "" {
		t.Errorf("old token still reads %q", got)
	}
}

// TestUpdateWithoutStoredSession proves that Update inserts a new session
// immediately, and refuses after the response started.
func TestUpdateWithoutStoredSession(t *testing.T) { eachEngine(t, testUpdateWithoutStoredSession) }

func testUpdateWithoutStoredSession(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetName("fresh")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n := e.rows(); n != 1 {
			t.Errorf("rows right after Update = %d, want 1", n)
		}
	})
	if c := sessionCookie(w.Result(), e.m.CookieName()); c == nil || c.Value == "" {
		t.Fatal("no cookie for the inserted session")
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetName("too late")
			return nil
		})
		if !errors.Is(err, sessionrt.ErrResponseStarted) {
			t.Errorf("Update after start = %v, want sessionrt.ErrResponseStarted", err)
		}
	})
	if n := e.rows(); n != 1 {
		t.Fatalf("rows = %d, want 1", n)
	}
	// Update of a stored session after the response started works.
	tok := e.create("late-update")
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("started"))
		if err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetCounter(3)
			return nil
		}); err != nil {
			t.Errorf("Update after start on stored session: %v", err)
		}
		if st, _ := e.m.Load(r.Context()); st.Err() != nil {
			t.Errorf("Err() = %v", st.Err())
		}
	}, tok)
	var late []row
	for _, x := range e.live() {
		if x.name == "late-update" {
			late = append(late, x)
		}
	}
	if len(late) != 1 || late[0].counter != 3 {
		t.Fatalf("late-update sessions = %+v, want one with counter 3", late)
	}
}

// TestLateChange proves that a setter after WriteHeader is reported by Err
// and logged once with the field name and a hash prefix, never the token.
func TestLateChange(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	tok := e.create("alice")
	var err error
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		w.WriteHeader(http.StatusOK)
		x.SetUserID(1)
		x.SetUserID(2)
		err = st.Err()
	}, tok)
	if !errors.Is(err, sessionrt.ErrResponseStarted) || !strings.Contains(err.Error(), "UserID") {
		t.Fatalf("Err() = %v", err)
	}
	logs := e.logs.String()
	if strings.Count(logs, "UserID") != 1 || strings.Count(logs, "level=ERROR") != 1 {
		t.Errorf("want one error log naming UserID, got:\n%s", logs)
	}
	if strings.Contains(logs, tok) {
		t.Error("token in the log")
	}
	var uid int64
	if err := e.admin.QueryRow(context.Background(), "SELECT user_id FROM sessions").Scan(&uid); err != nil || uid != 0 {
		t.Fatalf("late change was written: %d %v", uid, err)
	}
}

// TestExplicitCommit proves that Commit saves early and that changes made
// afterwards, before the response, are saved too.
func TestExplicitCommit(t *testing.T) { eachEngine(t, testExplicitCommit) }

func testExplicitCommit(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.load(r)
		x.SetName("early")
		if err := e.m.Commit(r.Context()); err != nil {
			t.Fatal(err)
		}
		if n := e.rows(); n != 1 {
			t.Errorf("rows after Commit = %d", n)
		}
		x.SetUserID(5)
	})
	if c := sessionCookie(w.Result(), e.m.CookieName()); c == nil {
		t.Fatal("no cookie")
	}
	if got := e.only(); got.id != 5 || got.name != "early" {
		t.Fatalf("stored %+v, want early, user 5", got)
	}
	if n, err := e.m.Count(context.Background()); err != nil || n != 1 {
		t.Fatalf("Count = %d, %v", n, err)
	}
}

// TestDescribeAndForget covers Describe.Current and ForgetIfCurrent.
func TestDescribeAndForget(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	tok := e.create("alice")
	e.create("other")
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		e.load(r)
		rows, err := e.pool.Query(r.Context(), "SELECT token_hash, created_at, last_seen_at, expires_at FROM sessions")
		if err != nil {
			t.Fatal(err)
		}
		current := 0
		for rows.Next() {
			var h []byte
			var c, l, x time.Time
			if err := rows.Scan(&h, &c, &l, &x); err != nil {
				t.Fatal(err)
			}
			info := e.m.Describe(r.Context(), h, c, l, x)
			if len(info.ID) != 16 {
				t.Errorf("ID = %q", info.ID)
			}
			if info.Current {
				current++
			}
		}
		if current != 1 {
			t.Errorf("current sessions = %d, want 1", current)
		}
		// Generated DestroyByName("alice") ran; the request's session matches.
		rows, err = e.pool.Query(r.Context(), "DELETE FROM sessions WHERE name = 'alice' RETURNING token_hash")
		if err != nil {
			t.Fatal(err)
		}
		deleted, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatal(err)
		}
		e.m.ForgetIfCurrent(r.Context(), deleted)
		_, x := e.load(r)
		if x.Name() != "" {
			t.Errorf("Name after ForgetIfCurrent = %q", x.Name())
		}
	}, tok)
	if w.Code != http.StatusOK {
		t.Errorf("status %d", w.Code)
	}
	if c := sessionCookie(w.Result(), e.m.CookieName()); c == nil || c.MaxAge >= 0 {
		t.Errorf("cookie not expired: %v", c)
	}
	if n := e.rows(); n != 1 {
		t.Errorf("rows = %d, want 1", n)
	}
}

// TestCurrentKey covers the hook DestroyOthersBy<Field> uses: the key of
// the request's stored session, loading it first; nil without one.
func TestCurrentKey(t *testing.T) { eachEngine(t, testCurrentKey) }

func testCurrentKey(t *testing.T, eng engine) {
	e := eng.env(t, sessionrt.Config{})
	tok := e.create("alice")
	if key, err := e.m.CurrentKey(context.Background()); key != nil || err != nil {
		t.Fatalf("CurrentKey without middleware = %x, %v", key, err)
	}
	isCurrent := func(r *http.Request, key []byte) bool {
		return e.m.Describe(r.Context(), key, time.Time{}, time.Time{}, time.Time{}).Current
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		// Not loaded yet: CurrentKey loads the session.
		key, err := e.m.CurrentKey(r.Context())
		if err != nil || len(key) != 32 || !isCurrent(r, key) {
			t.Errorf("CurrentKey = %x, %v; want the stored session's key", key, err)
		}
		if _, x := e.load(r); x == nil || x.Name() != "alice" {
			t.Error("the session CurrentKey loaded is not the request's")
		}
		clear(key) // a copy: the request's key is unchanged
		if again, _ := e.m.CurrentKey(r.Context()); !isCurrent(r, again) {
			t.Error("changing the returned key changed the request's")
		}
		if err := e.m.Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
		if key, err := e.m.CurrentKey(r.Context()); key != nil || err != nil {
			t.Errorf("CurrentKey after Destroy = %x, %v; want none", key, err)
		}
	}, tok)
	for name, toks := range map[string][]string{"anonymous": nil, "unknown token": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}} {
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			if key, err := e.m.CurrentKey(r.Context()); key != nil || err != nil {
				t.Errorf("%s: CurrentKey = %x, %v; want none", name, key, err)
			}
		}, toks...)
	}
}

// TestNoMiddleware covers sessionrt.ErrNoMiddleware: every per-request
// method called with a context the middleware did not make.
func TestNoMiddleware(t *testing.T) {
	e := newMemEnv(t, sessionrt.Config{})
	ctx := context.Background()
	if _, err := e.m.Load(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Load = %v", err)
	}
	if err := e.m.Update(ctx, func(sessionimpl.Record) error { return nil }); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Update = %v", err)
	}
	if err := e.m.Commit(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Commit = %v", err)
	}
	if err := e.m.Destroy(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("Destroy = %v", err)
	}
	if _, err := e.m.UpgradeHeader(ctx); !errors.Is(err, sessionrt.ErrNoMiddleware) {
		t.Errorf("UpgradeHeader = %v", err)
	}
}

// TestHandlerWithoutDatabase shows a handler unit test without a database:
// the in-memory engine, a logged-in client made with Manager.Create, and
// the handler run through the middleware.
func TestHandlerWithoutDatabase(t *testing.T) {
	e := newMemEnv(t, sessionrt.Config{})
	handler := func(w http.ResponseWriter, r *http.Request) {
		st, err := e.m.Load(r.Context())
		if err != nil {
			e.m.HandleError(w, r, err)
			return
		}
		x := st.Record().(*rec)
		if err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetCounter(rr.(*rec).Counter() + 1)
			return nil
		}); err != nil {
			e.m.HandleError(w, r, err)
			return
		}
		_, _ = w.Write([]byte(x.Name()))
	}
	c, err := e.m.Create(context.Background(), func(rr sessionimpl.Record) { rr.(*rec).SetName("tester") })
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != e.m.CookieName() || !c.Secure || !c.HttpOnly || c.Path != "/" || c.MaxAge != int(sessionrt.DefaultLifetime/time.Second) {
		t.Errorf("Create cookie = %+v", c)
	}
	for i := 1; i <= 2; i++ {
		req := newRequest()
		req.AddCookie(c)
		rw := newRecorder()
		e.m.Middleware(http.HandlerFunc(handler)).ServeHTTP(rw, req)
		if rw.Code != http.StatusOK || rw.Body.String() != "tester" || rw.Header().Get("Set-Cookie") != "" {
			t.Fatalf("request %d: %d %q %v", i, rw.Code, rw.Body, rw.Header())
		}
		if got := e.only(); got.counter != int64(i) || got.name != "tester" {
			t.Fatalf("request %d: stored %+v", i, got)
		}
	}
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := e.m.Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
	}, c.Value)
	if gone := sessionCookie(w.Result(), e.m.CookieName()); gone == nil || gone.MaxAge >= 0 {
		t.Errorf("Destroy: cookie not expired: %v", gone)
	}
	if n := e.rows(); n != 0 {
		t.Errorf("%d sessions after Destroy", n)
	}
}

// TestWriteLeavesExpiryAlone: a write within TouchInterval does not move
// last_seen_at or the indexed expires_at (so PostgreSQL can update the row
// in place); a write when a touch is due refreshes both in the same UPDATE.
func TestWriteLeavesExpiryAlone(t *testing.T) {
	e := newEnv(t, sessionrt.Config{TouchInterval: time.Minute})
	tok := e.create("alice")
	stamps := func() (seen, exp time.Time) {
		t.Helper()
		if err := e.admin.QueryRow(context.Background(), `SELECT last_seen_at, expires_at FROM sessions`).Scan(&seen, &exp); err != nil {
			t.Fatal(err)
		}
		return seen, exp
	}
	write := func(name string) {
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			_, x := e.load(r)
			x.SetName(name)
		}, tok)
	}
	seen0, exp0 := stamps()
	write("bob")
	seen1, exp1 := stamps()
	e.tr.Reset()
	if !seen1.Equal(seen0) || !exp1.Equal(exp0) {
		t.Fatalf("write within TouchInterval moved last_seen_at %s→%s, expires_at %s→%s", seen0, seen1, exp0, exp1)
	}
	if _, err := e.admin.Exec(context.Background(), `UPDATE sessions SET last_seen_at = now() - interval '2 minutes', expires_at = now() + interval '5 minutes'`); err != nil {
		t.Fatal(err)
	}
	write("carol")
	if n, stmts := e.tr.Reset(); n != 2 || len(writes(stmts)) != 1 {
		t.Fatalf("write with a touch due: %d queries %q, want Get+Save", n, stmts)
	}
	seen2, exp2 := stamps()
	if time.Since(seen2) > time.Minute || time.Until(exp2) < 29*time.Minute {
		t.Fatalf("write with a touch due did not refresh: last_seen_at %s, expires_at %s", seen2, exp2)
	}
}

// TestSaveOneRouting checks which statement a write uses: one changed field
// with no touch due and no renew is a single-column UPDATE that keeps the
// lifecycle as read; two fields, a due touch or a renew go through the full
// Save; a single-column write to a session deleted meanwhile is
// sessionrt.ErrSessionGone, never an insert.
func TestSaveOneRouting(t *testing.T) {
	e := newEnv(t, sessionrt.Config{TouchInterval: time.Minute})
	tok := e.create("alice")
	single := func(stmts []string) bool {
		w := writes(stmts)
		return len(w) == 1 && strings.Contains(w[0], "SET name = $2") && !strings.Contains(w[0], "CASE")
	}
	tests := []struct {
		name       string
		before     string // SQL run first, on the admin pool
		change     func(st *sessionimpl.State, x *rec)
		wantSingle bool
	}{
		{"one field", "", func(_ *sessionimpl.State, x *rec) { x.SetName("bob") }, true},
		{"two fields", "", func(_ *sessionimpl.State, x *rec) { x.SetName("carol"); x.SetCounter(7) }, false},
		{"one field, touch due", `UPDATE sessions SET last_seen_at = now() - interval '2 minutes'`,
			func(_ *sessionimpl.State, x *rec) { x.SetName("dave") }, false},
		{"one field and renew", "", func(st *sessionimpl.State, x *rec) { x.SetName("erin"); st.Renew() }, false},
	}
	for _, tc := range tests {
		if tc.before != "" {
			if _, err := e.admin.Exec(context.Background(), tc.before); err != nil {
				t.Fatal(err)
			}
		}
		e.tr.Reset()
		var before, after sessionrt.Meta
		w := e.serve(func(w http.ResponseWriter, r *http.Request) {
			st, x := e.load(r)
			before = st.Meta()
			tc.change(st, x)
			if err := e.m.Commit(r.Context()); err != nil {
				t.Errorf("%s: commit: %v", tc.name, err)
			}
			after = st.Meta()
		}, tok)
		_, stmts := e.tr.Reset()
		if got := single(stmts); got != tc.wantSingle {
			t.Errorf("%s: single-column UPDATE %v, want %v; statements %q", tc.name, got, tc.wantSingle, stmts)
		}
		if tc.wantSingle && after != before {
			t.Errorf("%s: lifecycle changed by a single-column write: %+v → %+v", tc.name, before, after)
		}
		if c := sessionCookie(w.Result(), e.m.CookieName()); c != nil && c.Value != "" {
			tok = c.Value // renewed
		}
	}
	var name string
	var counter int64
	if err := e.admin.QueryRow(context.Background(), `SELECT name, counter FROM sessions`).Scan(&name, &counter); err != nil {
		t.Fatal(err)
	}
	if name != "erin" || counter != 7 {
		t.Fatalf("stored name %q counter %d, want erin 7", name, counter)
	}

	// Update: one field changed inside the FOR UPDATE transaction is the
	// single-column UPDATE too.
	e.tr.Reset()
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		err := e.m.Update(r.Context(), func(x sessionimpl.Record) error {
			x.(*rec).SetCounter(x.(*rec).Counter() + 1)
			return nil
		})
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	}, tok)
	if _, stmts := e.tr.Reset(); len(writes(stmts)) != 1 || !strings.Contains(writes(stmts)[0], "SET counter = $2") {
		t.Errorf("Update of one field: statements %q, want one single-column UPDATE", stmts)
	}
	if err := e.admin.QueryRow(context.Background(), `SELECT counter FROM sessions`).Scan(&counter); err != nil || counter != 8 {
		t.Fatalf("counter after Update: %d, %v; want 8", counter, err)
	}

	// Deleted between the load and the single-column write.
	var commitErr error
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.load(r)
		_ = x.Name()
		if _, err := e.admin.Exec(context.Background(), `DELETE FROM sessions`); err != nil {
			t.Error(err)
		}
		x.SetName("mallory")
		commitErr = e.m.Commit(r.Context())
	}, tok)
	if !errors.Is(commitErr, sessionrt.ErrSessionGone) {
		t.Fatalf("single-column write to a deleted session: %v, want sessionrt.ErrSessionGone", commitErr)
	}
	if n := e.rows(); n != 0 {
		t.Fatalf("%d rows after writing to a deleted session, want 0", n)
	}
}

// TestInsertMeta: the lifecycle a new session reports in its own request
// (computed by the runtime, the INSERT returns no columns) agrees with what
// the database stored, which the next request reads.
func TestInsertMeta(t *testing.T) { eachEngine(t, testInsertMeta) }

func testInsertMeta(t *testing.T, eng engine) {
	cfg := sessionrt.Config{IdleTimeout: 20 * time.Minute, Lifetime: 2 * time.Hour}
	e := eng.env(t, cfg)
	var first, second sessionrt.Meta
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		x.SetName("alice")
		if err := e.m.Commit(r.Context()); err != nil {
			t.Error(err)
		}
		first = st.Meta()
	})
	tok := sessionCookie(w.Result(), e.m.CookieName()).Value
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, _ := e.load(r)
		second = st.Meta()
	}, tok)
	near := func(name string, a, b time.Time) {
		if d := a.Sub(b); d < -time.Second || d > time.Second {
			t.Errorf("%s: in the creating request %s, stored %s", name, a, b)
		}
	}
	near("created_at", first.CreatedAt, second.CreatedAt)
	near("last_seen_at", first.LastSeenAt, second.LastSeenAt)
	near("expires_at", first.ExpiresAt, second.ExpiresAt)
	near("absolute_expires_at", first.AbsoluteExpiresAt, second.AbsoluteExpiresAt)
	if d := first.ExpiresAt.Sub(first.CreatedAt); d != 20*time.Minute {
		t.Errorf("idle expiry %s after creation, want 20m", d)
	}
	if d := first.AbsoluteExpiresAt.Sub(first.CreatedAt); d != 2*time.Hour {
		t.Errorf("absolute expiry %s after creation, want 2h", d)
	}
	if first.Remember || second.Remember {
		t.Error("remember set without SetRememberMe")
	}
	if c := first.CreatedAt; c != c.Round(0).Truncate(time.Microsecond) {
		t.Errorf("created_at %v is not in the database's form (microseconds, no monotonic reading)", c)
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
			tok := e.create("alice")
			ctx := context.Background()
			update := func(fn func(x *rec)) (err error) {
				e.serve(func(w http.ResponseWriter, r *http.Request) {
					err = e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
						fn(rr.(*rec))
						return nil
					})
				}, tok)
				return err
			}
			trips := func(want []string) []string {
				t.Helper()
				n, stmts := e.tr.Reset()
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
			if _, err := e.admin.Exec(ctx, `
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
			if err := e.admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&inTx); err != nil || inTx != 0 {
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
			if err := e.admin.QueryRow(ctx, `SELECT name, counter FROM sessions`).Scan(&name, &counter); err != nil {
				t.Fatal(err)
			}
			if name != "alice" || counter != 1+workers*each {
				t.Errorf("stored %q, %d; want alice, %d", name, counter, 1+workers*each)
			}
		})
	}
}
