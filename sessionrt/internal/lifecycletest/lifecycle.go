package lifecycletest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// Test is one lifecycle test, run once per engine.
type Test struct {
	Name string                         // the subtest's name
	Run  func(t *testing.T, eng Engine) // the test, on one engine
}

// Tests returns the lifecycle tests. Each runs on any engine; a test that
// needs what an engine lacks (a clock it can move, a statement trace)
// skips on it, saying why.
func Tests() []Test {
	return []Test{
		{"ConcurrentUpdates", concurrentUpdates},
		{"UpdateRefreshesRequestRecord", updateRefreshesRequestRecord},
		{"ConcurrentWritersDifferentFields", concurrentWritersDifferentFields},
		{"ReplayIsAnonymous", replayIsAnonymous},
		{"DestroyedNotRevived", destroyedNotRevived},
		{"DestroyThenSet", destroyThenSet},
		{"UpdateWithoutStoredSession", updateWithoutStoredSession},
		{"ExplicitCommit", explicitCommit},
		{"CurrentKey", currentKey},
		{"InsertMeta", insertMeta},
		{"ReadWrite", readWrite},
		{"Expiry", expiry},
		{"Renew", renew},
		{"Destroy", destroy},
		{"ReapAndCount", reapAndCount},
		{"ListDeleteWhere", listDeleteWhere},
		{"HandlerTest", handlerTest},
		{"QueryCounts", queryCounts},
		{"Touch", touch},
		{"LateChange", lateChange},
		{"WriteLeavesExpiryAlone", writeLeavesExpiryAlone},
		{"SaveOneRouting", saveOneRouting},
		{"RenewRace", renewRace},
		{"RenewGraceEnds", renewGraceEnds},
		{"LoginRaceBrowser", loginRaceBrowser},
		{"DuplicateCookies", duplicateCookies},
		{"DuplicateCookiesDestroy", duplicateCookiesDestroy},
		{"UpdatePanicRecovers", updatePanicRecovers},
		{"WriteInsideUpdate", writeInsideUpdate},
		{"UpdateInsertKeepsHandle", updateInsertKeepsHandle},
		{"ReadRequestSendsNoCookie", readRequestSendsNoCookie},
		{"RememberMe", rememberMe},
		{"CookieSelection", cookieSelection},
	}
}

// Run runs every test of Tests on each engine, as subtests named
// <test>/<engine>.
func Run(t *testing.T, engines ...Engine) {
	for _, tc := range Tests() {
		t.Run(tc.Name, func(t *testing.T) {
			for _, eng := range engines {
				t.Run(eng.Name, func(t *testing.T) { tc.Run(t, eng) })
			}
		})
	}
}

// concurrentUpdates runs 32 goroutines × 100 atomic increments, each
// goroutine one request: none is lost.
func concurrentUpdates(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("counter")
	const workers, each = 32, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Serve(func(w http.ResponseWriter, r *http.Request) {
				for j := 0; j < each; j++ {
					err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
						x := rr.(*Rec)
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
	if n := e.Only().Counter; n != workers*each {
		t.Fatalf("counter = %d, want %d", n, workers*each)
	}
}

// updateRefreshesRequestRecord proves that Update absorbs the fresh
// values into the request's loaded record without losing its own changes.
func updateRefreshesRequestRecord(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("changed-locally")
		// Another request changes another field meanwhile.
		e.Serve(func(w http.ResponseWriter, r *http.Request) {
			_, x := e.Load(r)
			x.SetUserID(99)
		}, tok)
		if err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetCounter(5)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if x.Counter() != 5 || x.UserID() != 99 || x.Name() != "changed-locally" {
			t.Errorf("record after Update = %+v", *x)
		}
	}, tok)
	if got := e.Only(); got != (Row{"changed-locally", 5, 99}) {
		t.Fatalf("row = %+v", got)
	}
}

// concurrentWritersDifferentFields proves that two requests changing
// different fields of one session both persist.
func concurrentWritersDifferentFields(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	var loaded, wg sync.WaitGroup
	loaded.Add(2)
	wg.Add(2)
	run := func(set func(x *Rec)) {
		defer wg.Done()
		w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
			_, x := e.Load(r)
			loaded.Done()
			loaded.Wait() // both have read the old row
			set(x)
		}, tok)
		if w.Code != http.StatusOK {
			t.Errorf("status %d", w.Code)
		}
	}
	go run(func(x *Rec) { x.SetName("bob") })
	go run(func(x *Rec) { x.SetUserID(42) })
	wg.Wait()
	if got := e.Only(); got.Name != "bob" || got.ID != 42 {
		t.Fatalf("name=%q user_id=%d, want both writes", got.Name, got.ID)
	}
}

// replayIsAnonymous proves that a dead token is just an anonymous
// request: after Destroy, after Renew, and after expiry (on the in-memory
// engine, whose clock cannot be moved, expiry).
func replayIsAnonymous(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	cases := []struct {
		name string
		kill func(t *testing.T, tok string)
	}{
		{"destroy", func(t *testing.T, tok string) {
			w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
				if err := e.M.Destroy(r.Context()); err != nil {
					t.Fatal(err)
				}
			}, tok)
			c := SessionCookie(w.Result(), e.M.CookieName())
			if c == nil || c.MaxAge >= 0 {
				t.Fatalf("destroy: cookie not expired: %v", c)
			}
		}},
		{"renew", func(t *testing.T, tok string) {
			w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
				st, _ := e.Load(r)
				st.Renew()
			}, tok)
			c := SessionCookie(w.Result(), e.M.CookieName())
			if c == nil || c.Value == tok || c.Value == "" {
				t.Fatalf("renew: no new token: %v", c)
			}
			// The new token works.
			e.Serve(func(w http.ResponseWriter, r *http.Request) {
				if st, x := e.Load(r); st.IsNew() || x.Name() != "victim" {
					t.Error("renewed token does not load the session")
				}
			}, c.Value)
		}},
		{"expiry", func(t *testing.T, tok string) {
			e.Backdate(t, 0, -time.Second)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.Clear()
			tok := e.Create("victim")
			c.kill(t, tok)
			e.Reset()
			w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
				st, x := e.Load(r)
				if !st.IsNew() || x.Name() != "" {
					t.Errorf("replayed token loaded a session: new=%v name=%q", st.IsNew(), x.Name())
				}
				_, _ = w.Write([]byte("hi"))
			}, tok)
			if n, stmts := e.Reset(); e.Traced() && (n != 1 || len(Writes(stmts)) != 0) {
				t.Errorf("replay: %d queries %q, want one read", n, stmts)
			}
			if c := SessionCookie(w.Result(), e.M.CookieName()); c != nil && c.MaxAge >= 0 {
				t.Errorf("replay set a live cookie: %v", c)
			}
		})
	}
}

// destroyedNotRevived proves that a late write to a session destroyed
// meanwhile fails with sessionrt.ErrSessionGone and never re-creates the row.
func destroyedNotRevived(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	var stErr error
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		// Another request destroys the session meanwhile.
		e.Serve(func(w http.ResponseWriter, r *http.Request) {
			if err := e.M.Destroy(r.Context()); err != nil {
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
	if n := e.Rows(); n != 0 {
		t.Fatalf("rows = %d, want 0", n)
	}

	// Update on a loaded session destroyed meanwhile.
	tok = e.Create("bob")
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		e.Load(r)
		e.Clear()
		err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetCounter(1)
			return nil
		})
		if !errors.Is(err, sessionrt.ErrSessionGone) {
			t.Errorf("Update = %v, want sessionrt.ErrSessionGone", err)
		}
	}, tok)
	if n := e.Rows(); n != 0 {
		t.Fatalf("rows after Update = %d, want 0", n)
	}
}

// destroyThenSet proves that changes after Destroy start a new session
// with a new token in the same request, while the old one stays dead.
func destroyThenSet(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		if err := e.M.Destroy(r.Context()); err != nil {
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
	c := SessionCookie(w.Result(), e.M.CookieName())
	if c == nil || c.MaxAge <= 0 || c.Value == tok {
		t.Fatalf("cookie after Destroy and a change = %v, want a new session's", c)
	}
	if n := e.Rows(); n != 1 {
		t.Fatalf("rows = %d, want 1 (the new session)", n)
	}
	if got := e.ReadName(c.Value); got != "fresh" {
		t.Errorf("new session's name = %q", got)
	}
	if got := e.ReadName(tok); got != "" {
		t.Errorf("old token still reads %q", got)
	}
}

// updateWithoutStoredSession proves that Update inserts a new session
// immediately, and refuses after the response started.
func updateWithoutStoredSession(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		if err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetName("fresh")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n := e.Rows(); n != 1 {
			t.Errorf("rows right after Update = %d, want 1", n)
		}
	})
	if c := SessionCookie(w.Result(), e.M.CookieName()); c == nil || c.Value == "" {
		t.Fatal("no cookie for the inserted session")
	}
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetName("too late")
			return nil
		})
		if !errors.Is(err, sessionrt.ErrResponseStarted) {
			t.Errorf("Update after start = %v, want sessionrt.ErrResponseStarted", err)
		}
	})
	if n := e.Rows(); n != 1 {
		t.Fatalf("rows = %d, want 1", n)
	}
	// Update of a stored session after the response started works.
	tok := e.Create("late-update")
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("started"))
		if err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetCounter(3)
			return nil
		}); err != nil {
			t.Errorf("Update after start on stored session: %v", err)
		}
		if st, _ := e.M.Load(r.Context()); st.Err() != nil {
			t.Errorf("Err() = %v", st.Err())
		}
	}, tok)
	var late []Row
	for _, x := range e.Live() {
		if x.Name == "late-update" {
			late = append(late, x)
		}
	}
	if len(late) != 1 || late[0].Counter != 3 {
		t.Fatalf("late-update sessions = %+v, want one with counter 3", late)
	}
}

// explicitCommit proves that Commit saves early and that changes made
// afterwards, before the response, are saved too.
func explicitCommit(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("early")
		if err := e.M.Commit(r.Context()); err != nil {
			t.Fatal(err)
		}
		if n := e.Rows(); n != 1 {
			t.Errorf("rows after Commit = %d", n)
		}
		x.SetUserID(5)
	})
	if c := SessionCookie(w.Result(), e.M.CookieName()); c == nil {
		t.Fatal("no cookie")
	}
	if got := e.Only(); got.ID != 5 || got.Name != "early" {
		t.Fatalf("stored %+v, want early, user 5", got)
	}
	if n, err := e.M.Count(context.Background()); err != nil || n != 1 {
		t.Fatalf("Count = %d, %v", n, err)
	}
}

// currentKey covers the hook DestroyOthersBy<Field> uses: the key of the
// request's stored session, loading it first; nil without one.
func currentKey(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	if key, err := e.M.CurrentKey(context.Background()); key != nil || err != nil {
		t.Fatalf("CurrentKey without middleware = %x, %v", key, err)
	}
	isCurrent := func(r *http.Request, key []byte) bool {
		return e.M.Describe(r.Context(), key, time.Time{}, time.Time{}, time.Time{}).Current
	}
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		// Not loaded yet: CurrentKey loads the session.
		key, err := e.M.CurrentKey(r.Context())
		if err != nil || len(key) != 32 || !isCurrent(r, key) {
			t.Errorf("CurrentKey = %x, %v; want the stored session's key", key, err)
		}
		if _, x := e.Load(r); x == nil || x.Name() != "alice" {
			t.Error("the session CurrentKey loaded is not the request's")
		}
		clear(key) // a copy: the request's key is unchanged
		if again, _ := e.M.CurrentKey(r.Context()); !isCurrent(r, again) {
			t.Error("changing the returned key changed the request's")
		}
		if err := e.M.Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
		if key, err := e.M.CurrentKey(r.Context()); key != nil || err != nil {
			t.Errorf("CurrentKey after Destroy = %x, %v; want none", key, err)
		}
	}, tok)
	for name, toks := range map[string][]string{"anonymous": nil, "unknown token": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}} {
		e.Serve(func(w http.ResponseWriter, r *http.Request) {
			if key, err := e.M.CurrentKey(r.Context()); key != nil || err != nil {
				t.Errorf("%s: CurrentKey = %x, %v; want none", name, key, err)
			}
		}, toks...)
	}
}

// insertMeta: the lifecycle a new session reports in its own request
// (computed by the runtime, the INSERT returns no columns) agrees with what
// the database stored, which the next request reads.
func insertMeta(t *testing.T, eng Engine) {
	cfg := sessionrt.Config{IdleTimeout: 20 * time.Minute, Lifetime: 2 * time.Hour}
	e := eng.New(t, cfg)
	var first, second sessionrt.Meta
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		x.SetName("alice")
		if err := e.M.Commit(r.Context()); err != nil {
			t.Error(err)
		}
		first = st.Meta()
	})
	tok := SessionCookie(w.Result(), e.M.CookieName()).Value
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, _ := e.Load(r)
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

// readWrite: a session is created, read and written through the
// middleware; a change after the response started is not stored.
func readWrite(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		if st.IsNew() || x.Name() != "alice" {
			t.Errorf("loaded new=%v name=%q", st.IsNew(), x.Name())
		}
		x.SetUserID(7)
		x.SetCounter(2)
	}, tok)
	if c := SessionCookie(w.Result(), e.M.CookieName()); c != nil {
		t.Errorf("a write to a stored session set a cookie: %v", c)
	}
	if got := e.Only(); got != (Row{"alice", 2, 7}) {
		t.Fatalf("stored %+v", got)
	}
	// A change not committed (the handler's record after the commit) is
	// not stored.
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		_, _ = w.Write([]byte("started"))
		x.SetName("late")
	}, tok)
	if got := e.ReadName(tok); got != "alice" {
		t.Fatalf("name after a late change = %q", got)
	}
	if n := e.Count(); n != 1 {
		t.Fatalf("Count = %d", n)
	}
}

// expiry: idle expiry, the throttled touch that extends it, and the
// absolute lifetime no touch extends, in real time (the database clock is
// the process clock on every engine tested).
func expiry(t *testing.T, eng Engine) {
	const idle, touch = 200 * time.Millisecond, 50 * time.Millisecond
	t.Run("idle", func(t *testing.T) {
		e := eng.New(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: touch, Lifetime: time.Hour})
		tok := e.Create("alice")
		meta := e.OnlyMeta()
		if d := meta.ExpiresAt.Sub(meta.LastSeenAt); d != idle {
			t.Errorf("idle expiry %s after the last use, want %s", d, idle)
		}
		time.Sleep(idle + 50*time.Millisecond)
		if got := e.ReadName(tok); got != "" {
			t.Fatalf("idle session still reads %q", got)
		}
		if n := e.Count(); n != 0 {
			t.Fatalf("Count = %d after idle expiry", n)
		}
		// A write with the expired cookie starts a new session; the old
		// one is not revived.
		w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
			st, x := e.Load(r)
			if !st.IsNew() || x.Name() != "" {
				t.Errorf("expired session loaded: new=%v name=%q", st.IsNew(), x.Name())
			}
			x.SetName("bob")
		}, tok)
		c := SessionCookie(w.Result(), e.M.CookieName())
		if c == nil || c.Value == tok {
			t.Fatalf("write after expiry: cookie %v, want a new session's", c)
		}
		if got := e.ReadName(tok); got != "" {
			t.Fatalf("expired token reads %q after a write", got)
		}
	})
	t.Run("throttled touch", func(t *testing.T) {
		e := eng.New(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: touch, Lifetime: time.Hour})
		tok := e.Create("alice")
		created := e.OnlyMeta()
		// A read within TouchInterval does not touch.
		e.ReadName(tok)
		if got := e.OnlyMeta(); got != created {
			t.Fatalf("read within TouchInterval moved the lifecycle: %+v → %+v", created, got)
		}
		// Reads when a touch is due keep the session alive past the idle
		// timeout, each moving the idle expiry.
		start := time.Now()
		prev := created
		for time.Since(start) < 3*idle {
			time.Sleep(touch + 20*time.Millisecond)
			if got := e.ReadName(tok); got != "alice" {
				t.Fatalf("after %s of reads: name %q, want the session kept alive", time.Since(start), got)
			}
			m := e.OnlyMeta()
			if !m.LastSeenAt.After(prev.LastSeenAt) || m.ExpiresAt.Sub(m.LastSeenAt) != idle {
				t.Fatalf("due touch: %+v → %+v", prev, m)
			}
			prev = m
		}
		if m := e.OnlyMeta(); m.CreatedAt != created.CreatedAt || m.AbsoluteExpiresAt != created.AbsoluteExpiresAt {
			t.Fatalf("touch moved created or absolute expiry: %+v → %+v", created, m)
		}
	})
	t.Run("absolute", func(t *testing.T) {
		const lifetime = 3 * idle
		e := eng.New(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: touch, Lifetime: lifetime})
		tok := e.Create("alice")
		created := e.OnlyMeta()
		if d := created.AbsoluteExpiresAt.Sub(created.CreatedAt); d != lifetime {
			t.Fatalf("absolute expiry %s after creation, want %s", d, lifetime)
		}
		for {
			time.Sleep(touch + 10*time.Millisecond)
			before := time.Now()
			alive := e.ReadName(tok) == "alice"
			if !alive {
				if before.Before(created.AbsoluteExpiresAt.Add(-idle / 2)) {
					t.Fatalf("session ended %s before its absolute expiry", created.AbsoluteExpiresAt.Sub(before))
				}
				break
			}
			if before.After(created.AbsoluteExpiresAt) {
				t.Fatalf("session alive %s after its absolute expiry", before.Sub(created.AbsoluteExpiresAt))
			}
			if m := e.OnlyMeta(); m.ExpiresAt.After(m.AbsoluteExpiresAt) {
				t.Fatalf("idle expiry %s beyond the absolute %s", m.ExpiresAt, m.AbsoluteExpiresAt)
			}
		}
		if n := e.Count(); n != 0 {
			t.Fatalf("Count = %d after the absolute expiry", n)
		}
	})
}

// renew: after a renew the old token reads as anonymous within RenewGrace,
// a write that loaded with it fails with sessionrt.ErrSessionRenewed, a new
// session is not started with it (the response would replace the
// browser's renewed cookie), and Destroy with it ends the renewed session.
// After the grace it is just an unknown token.
func renew(t *testing.T, eng Engine) {
	const grace = 300 * time.Millisecond
	e := eng.New(t, sessionrt.Config{RenewGrace: grace})
	old := e.Create("alice")
	var cur string
	var late error
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		cur = e.RenewVia(old) // a login in a concurrent request
		x.SetName("late")
		_, _ = w.Write([]byte("handler output"))
		late = st.Err()
	}, old)
	if !errors.Is(late, sessionrt.ErrSessionRenewed) || w.Code != http.StatusConflict {
		t.Fatalf("write with the renewed-away token: %v (status %d), want sessionrt.ErrSessionRenewed", late, w.Code)
	}
	if c := w.Result().Header.Get("Set-Cookie"); c != "" {
		t.Errorf("renewed-away request set a cookie: %q", c)
	}
	if got := e.ReadName(cur); got != "alice" {
		t.Fatalf("renewed token reads %q", got)
	}
	if got := e.ReadName(old); got != "" {
		t.Fatalf("old token reads %q", got)
	}
	// New sessions and Updates with the old token are refused.
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		if !st.IsNew() {
			t.Error("old token loaded a session")
		}
		x.SetName("mallory")
		if err := e.M.Commit(r.Context()); !errors.Is(err, sessionrt.ErrSessionRenewed) {
			t.Errorf("new session with the old token: %v", err)
		}
		err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetCounter(1)
			return nil
		})
		if !errors.Is(err, sessionrt.ErrSessionRenewed) {
			t.Errorf("Update with the old token: %v", err)
		}
	}, old)
	if n := e.Count(); n != 1 {
		t.Fatalf("Count = %d, want 1", n)
	}
	// Logout with the old token ends the renewed session.
	if !e.DestroyVia(old) {
		t.Error("Destroy with the old token did not expire the cookie")
	}
	if got := e.ReadName(cur); got != "" {
		t.Fatalf("renewed session survived Destroy with the old token: %q", got)
	}

	// After the grace the old token is unknown: a write starts a new
	// session and Destroy with it leaves the renewed one alone.
	old = e.Create("bob")
	cur = e.RenewVia(old)
	time.Sleep(grace + 50*time.Millisecond)
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("carol")
	}, old)
	if c := SessionCookie(w.Result(), e.M.CookieName()); c == nil || c.Value == old || c.Value == cur {
		t.Fatalf("write with an old token after the grace: cookie %v, want a new session's", c)
	}
	e.DestroyVia(old)
	if got := e.ReadName(cur); got != "bob" {
		t.Fatalf("Destroy with a token renewed away long ago ended the session: %q", got)
	}
}

// destroy: after Destroy the old cookie is anonymous, a change with it
// starts a new session under a new token, and a request that loaded before
// the Destroy cannot bring the session back.
func destroy(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	var late error
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		if !e.DestroyVia(tok) {
			t.Error("Destroy did not expire the cookie")
		}
		x.SetCounter(1)
		late = e.M.Commit(r.Context())
	}, tok)
	if !errors.Is(late, sessionrt.ErrSessionGone) {
		t.Fatalf("write to a destroyed session: %v, want sessionrt.ErrSessionGone", late)
	}
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		if !st.IsNew() || x.Name() != "" || x.Counter() != 0 {
			t.Errorf("destroyed session loaded: new=%v %+v", st.IsNew(), x.row())
		}
		x.SetName("bob")
	}, tok)
	c := SessionCookie(w.Result(), e.M.CookieName())
	if c == nil || c.Value == tok || c.MaxAge <= 0 {
		t.Fatalf("change with a destroyed cookie: %v, want a new session's cookie", c)
	}
	if got := e.ReadName(tok); got != "" {
		t.Fatalf("destroyed token reads %q", got)
	}
	if got := e.Only(); got != (Row{Name: "bob"}) {
		t.Fatalf("stored %+v, want only the new session", got)
	}
}

// reapAndCount: Count sees live sessions only; Reap deletes the expired
// ones in batches and reports how many; RunReaper reaps at once and stops
// with its context.
func reapAndCount(t *testing.T, eng Engine) {
	const idle = 100 * time.Millisecond
	e := eng.New(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: idle / 4, Lifetime: time.Hour})
	for range 5 {
		e.Create("old")
	}
	if n := e.Count(); n != 5 {
		t.Fatalf("Count = %d, want 5", n)
	}
	time.Sleep(idle + 50*time.Millisecond)
	e.Create("new")
	e.Create("new")
	if n := e.Count(); n != 2 {
		t.Fatalf("Count = %d after expiry, want 2", n)
	}
	ctx := context.Background()
	if n, err := e.M.Reap(ctx, 2); err != nil || n != 5 {
		t.Fatalf("Reap = %d, %v; want 5", n, err)
	}
	if n, err := e.M.Reap(ctx, 0); err != nil || n != 0 {
		t.Fatalf("second Reap = %d, %v; want 0", n, err)
	}
	if n := e.Count(); n != 2 {
		t.Fatalf("Count = %d after Reap, want 2", n)
	}
	if n := e.Rows(); n != 2 {
		t.Fatalf("%d rows after Reap, want the 2 live ones", n)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.M.Reap(cancelled, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Reap with a done context = %v", err)
	}
	// RunReaper reaps the 2 once they expire, and logs how many it
	// deleted: the test deletes nothing itself.
	time.Sleep(idle + 50*time.Millisecond)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { e.M.RunReaper(rctx, time.Hour, 10); close(done) }()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(e.Logs.String(), `reaped expired sessions" deleted=2`); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("RunReaper did not reap; log:\n%s", e.Logs)
		}
	}
	stop()
	<-done
	if n := e.Rows(); n != 0 {
		t.Fatalf("%d rows after RunReaper, want 0", n)
	}
}

// listDeleteWhere drives the engine's listing and deleting by a field the
// way the generated ListBy<Field>, DestroyOthersBy<Field> and
// DestroyBy<Field> do, with Describe, CurrentKey and ForgetIfCurrent.
func listDeleteWhere(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	ctx := context.Background()
	login := func(uid int64, name string) string {
		c, err := e.M.Create(ctx, func(r sessionimpl.Record) {
			r.(*Rec).SetUserID(uid)
			r.(*Rec).SetName(name)
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct last-use times
		return c.Value
	}
	a1, a2 := login(7, "a1"), login(7, "a2")
	b := login(8, "b")

	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		listed := e.List(7)
		if len(listed) != 2 {
			t.Fatalf("List = %d sessions, want 2", len(listed))
		}
		var infos []sessionrt.Info
		for _, l := range listed {
			infos = append(infos, e.M.Describe(r.Context(), l.Hash, l.Meta.CreatedAt, l.Meta.LastSeenAt, l.Meta.ExpiresAt))
		}
		// Most recently used first: a2, then the request's own a1.
		if infos[0].Current || !infos[1].Current || !infos[0].LastSeenAt.After(infos[1].LastSeenAt) || len(infos[0].ID) != 16 {
			t.Errorf("infos = %+v", infos)
		}
		key, err := e.M.CurrentKey(r.Context())
		if err != nil || key == nil {
			t.Fatalf("CurrentKey = %x, %v", key, err)
		}
		deleted := e.DeleteUser(7, key) // DestroyOthersByUserID
		if len(deleted) != 1 || !bytes.Equal(deleted[0], listed[0].Hash) {
			t.Errorf("DestroyOthersByUserID deleted %x, want a2's key", deleted)
		}
		e.M.ForgetIfCurrent(r.Context(), deleted)
		if _, x := e.Load(r); x.Name() != "a1" {
			t.Errorf("the request's own session was forgotten: %q", x.Name())
		}
	}, a1)
	if e.ReadName(a2) != "" || e.ReadName(a1) != "a1" || e.ReadName(b) != "b" {
		t.Fatalf("after DestroyOthers: a1 %q a2 %q b %q", e.ReadName(a1), e.ReadName(a2), e.ReadName(b))
	}

	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		e.Load(r)
		deleted := e.DeleteUser(7, nil) // DestroyByUserID
		e.M.ForgetIfCurrent(r.Context(), deleted)
		if _, x := e.Load(r); x.Name() != "" {
			t.Errorf("Name after ForgetIfCurrent = %q", x.Name())
		}
	}, a1)
	if w.Code != http.StatusOK {
		t.Errorf("status %d", w.Code)
	}
	if c := SessionCookie(w.Result(), e.M.CookieName()); c == nil || c.MaxAge >= 0 {
		t.Errorf("cookie not expired after the request's session was deleted: %v", c)
	}
	if got := e.Only(); got.Name != "b" {
		t.Fatalf("left %+v, want b only", got)
	}
	if l := e.List(7); len(l) != 0 {
		t.Fatalf("List after DestroyByUserID = %d sessions", len(l))
	}
}

// handlerTest shows a handler unit test: a logged-in client made with
// Manager.Create, and the handler run through the middleware, twice, then
// a logout.
func handlerTest(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	handler := func(w http.ResponseWriter, r *http.Request) {
		st, err := e.M.Load(r.Context())
		if err != nil {
			e.M.HandleError(w, r, err)
			return
		}
		x := st.Record().(*Rec)
		if err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetCounter(rr.(*Rec).Counter() + 1)
			return nil
		}); err != nil {
			e.M.HandleError(w, r, err)
			return
		}
		_, _ = w.Write([]byte(x.Name()))
	}
	c, err := e.M.Create(context.Background(), func(rr sessionimpl.Record) { rr.(*Rec).SetName("tester") })
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != e.M.CookieName() || !c.Secure || !c.HttpOnly || c.Path != "/" || c.MaxAge != int(sessionrt.DefaultLifetime/time.Second) {
		t.Errorf("Create cookie = %+v", c)
	}
	for i := 1; i <= 2; i++ {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(c)
		rw := httptest.NewRecorder()
		e.M.Middleware(http.HandlerFunc(handler)).ServeHTTP(rw, req)
		if rw.Code != http.StatusOK || rw.Body.String() != "tester" || rw.Header().Get("Set-Cookie") != "" {
			t.Fatalf("request %d: %d %q %v", i, rw.Code, rw.Body, rw.Header())
		}
		if got := e.Only(); got.Counter != int64(i) || got.Name != "tester" {
			t.Fatalf("request %d: stored %+v", i, got)
		}
	}
	if !e.DestroyVia(c.Value) {
		t.Error("Destroy: cookie not expired")
	}
	if n := e.Rows(); n != 0 {
		t.Errorf("%d sessions after Destroy", n)
	}
}

// untraced skips t on an engine that records no statements.
func untraced(t *testing.T, e *Env) {
	t.Helper()
	if !e.Traced() {
		t.Skip("the engine records no statements")
	}
}

// queryCounts proves the lazy, frugal paths with the statement trace.
func queryCounts(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	untraced(t, e)
	tok := e.Create("alice")
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
			st, _ := e.Load(r)
			if !st.IsNew() {
				t.Error("want new session")
			}
		}, 0, 0, false},
		{"read only", true, func(t *testing.T, r *http.Request) {
			_, x := e.Load(r)
			if x.Name() != "alice" {
				t.Errorf("name = %q", x.Name())
			}
			_, _ = e.M.Load(r.Context()) // cached
		}, 1, 0, false},
		{"field change", true, func(t *testing.T, r *http.Request) {
			_, x := e.Load(r)
			x.SetUserID(7)
		}, 2, 1, false},
		{"new session with change", false, func(t *testing.T, r *http.Request) {
			_, x := e.Load(r)
			x.SetName("bob")
		}, 1, 1, true},
		{"renew", true, func(t *testing.T, r *http.Request) {
			st, _ := e.Load(r)
			st.Renew()
		}, 2, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.Reset()
			var toks []string
			if c.token {
				toks = []string{tok}
			}
			w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
				c.h(t, r)
				_, _ = w.Write([]byte("x"))
			}, toks...)
			n, stmts := e.Reset()
			if n != c.queries {
				t.Errorf("queries = %d, want %d: %q", n, c.queries, stmts)
			}
			if got := Writes(stmts); len(got) > c.maxWrites {
				t.Errorf("writes = %q, want at most %d", got, c.maxWrites)
			}
			got := SessionCookie(w.Result(), e.M.CookieName())
			if (got != nil) != c.setCookie {
				t.Errorf("Set-Cookie present = %v, want %v", got != nil, c.setCookie)
			}
			if got != nil && c.token {
				tok = got.Value // renewed
			}
		})
	}
}

// touch proves that the idle expiry is extended only when due.
func touch(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{TouchInterval: time.Minute})
	untraced(t, e)
	tok := e.Create("alice")
	e.ReadName(tok)
	if n, stmts := e.Reset(); n != 1 {
		t.Fatalf("fresh session: %d queries %q, want 1", n, stmts)
	}
	e.Backdate(t, 2*time.Minute, 5*time.Minute)
	e.ReadName(tok)
	n, stmts := e.Reset()
	if n != 2 || len(Writes(stmts)) != 1 {
		t.Fatalf("touch due: %d queries %q, want Get+Touch", n, stmts)
	}
	if idle := time.Until(e.OnlyMeta().ExpiresAt); idle < 29*time.Minute {
		t.Fatalf("idle expiry not extended: %s left", idle)
	}
	e.ReadName(tok)
	if n, stmts := e.Reset(); n != 1 {
		t.Fatalf("after touch: %d queries %q, want 1", n, stmts)
	}
}

// lateChange proves that a setter after WriteHeader is reported by Err
// and logged once with the field name and a hash prefix, never the token.
func lateChange(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	var err error
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		w.WriteHeader(http.StatusOK)
		x.SetUserID(1)
		x.SetUserID(2)
		err = st.Err()
	}, tok)
	if !errors.Is(err, sessionrt.ErrResponseStarted) || !strings.Contains(err.Error(), "UserID") {
		t.Fatalf("Err() = %v", err)
	}
	logs := e.Logs.String()
	if strings.Count(logs, "UserID") != 1 || strings.Count(logs, "level=ERROR") != 1 {
		t.Errorf("want one error log naming UserID, got:\n%s", logs)
	}
	if strings.Contains(logs, tok) {
		t.Error("token in the log")
	}
	if got := e.Only(); got.ID != 0 {
		t.Fatalf("late change was written: %+v", got)
	}
}

// writeLeavesExpiryAlone: a write within TouchInterval does not move
// last_seen_at or the indexed expires_at (so PostgreSQL can update the row
// in place); a write when a touch is due refreshes both in the same UPDATE.
func writeLeavesExpiryAlone(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{TouchInterval: time.Minute})
	untraced(t, e)
	tok := e.Create("alice")
	write := func(name string) {
		e.Serve(func(w http.ResponseWriter, r *http.Request) {
			_, x := e.Load(r)
			x.SetName(name)
		}, tok)
	}
	m0 := e.OnlyMeta()
	write("bob")
	m1 := e.OnlyMeta()
	e.Reset()
	if !m1.LastSeenAt.Equal(m0.LastSeenAt) || !m1.ExpiresAt.Equal(m0.ExpiresAt) {
		t.Fatalf("write within TouchInterval moved last_seen_at %s→%s, expires_at %s→%s", m0.LastSeenAt, m1.LastSeenAt, m0.ExpiresAt, m1.ExpiresAt)
	}
	e.Backdate(t, 2*time.Minute, 5*time.Minute)
	write("carol")
	if n, stmts := e.Reset(); n != 2 || len(Writes(stmts)) != 1 {
		t.Fatalf("write with a touch due: %d queries %q, want Get+Save", n, stmts)
	}
	m2 := e.OnlyMeta()
	if time.Since(m2.LastSeenAt) > time.Minute || time.Until(m2.ExpiresAt) < 29*time.Minute {
		t.Fatalf("write with a touch due did not refresh: last_seen_at %s, expires_at %s", m2.LastSeenAt, m2.ExpiresAt)
	}
}

// singleColumn reports whether stmts hold one write, the single-column
// UPDATE of col that SaveOne runs (the full Save also sets remember).
func singleColumn(stmts []string, col string) bool {
	w := Writes(stmts)
	return len(w) == 1 && strings.Contains(w[0], "SET "+col+" = ") && !strings.Contains(w[0], "remember")
}

// saveOneRouting checks which statement a write uses: one changed field
// with no touch due and no renew is a single-column UPDATE that keeps the
// lifecycle as read; two fields, a due touch or a renew go through the
// full Save; a single-column write to a session deleted meanwhile is
// sessionrt.ErrSessionGone, never an insert.
func saveOneRouting(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{TouchInterval: time.Minute})
	untraced(t, e)
	tok := e.Create("alice")
	tests := []struct {
		name       string
		touchDue   bool // last_seen_at moved back first
		change     func(st *sessionimpl.State, x *Rec)
		wantSingle bool
	}{
		{"one field", false, func(_ *sessionimpl.State, x *Rec) { x.SetName("bob") }, true},
		{"two fields", false, func(_ *sessionimpl.State, x *Rec) { x.SetName("carol"); x.SetCounter(7) }, false},
		{"one field, touch due", true, func(_ *sessionimpl.State, x *Rec) { x.SetName("dave") }, false},
		{"one field and renew", false, func(st *sessionimpl.State, x *Rec) { x.SetName("erin"); st.Renew() }, false},
	}
	for _, tc := range tests {
		if tc.touchDue {
			e.Backdate(t, 2*time.Minute, 0)
		}
		e.Reset()
		var before, after sessionrt.Meta
		w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
			st, x := e.Load(r)
			before = st.Meta()
			tc.change(st, x)
			if err := e.M.Commit(r.Context()); err != nil {
				t.Errorf("%s: commit: %v", tc.name, err)
			}
			after = st.Meta()
		}, tok)
		_, stmts := e.Reset()
		if got := singleColumn(stmts, "name"); got != tc.wantSingle {
			t.Errorf("%s: single-column UPDATE %v, want %v; statements %q", tc.name, got, tc.wantSingle, stmts)
		}
		if tc.wantSingle && after != before {
			t.Errorf("%s: lifecycle changed by a single-column write: %+v → %+v", tc.name, before, after)
		}
		if c := SessionCookie(w.Result(), e.M.CookieName()); c != nil && c.Value != "" {
			tok = c.Value // renewed
		}
	}
	if got := e.Only(); got.Name != "erin" || got.Counter != 7 {
		t.Fatalf("stored %+v, want erin 7", got)
	}

	// Update: one field changed inside the transaction that reads the row
	// for update is the single-column UPDATE too.
	e.Reset()
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		err := e.M.Update(r.Context(), func(x sessionimpl.Record) error {
			x.(*Rec).SetCounter(x.(*Rec).Counter() + 1)
			return nil
		})
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	}, tok)
	if _, stmts := e.Reset(); !singleColumn(stmts, "counter") {
		t.Errorf("Update of one field: statements %q, want one single-column UPDATE", stmts)
	}
	if got := e.Only(); got.Counter != 8 {
		t.Fatalf("counter after Update: %d, want 8", got.Counter)
	}

	// Deleted between the load and the single-column write.
	var commitErr error
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		_ = x.Name()
		e.Clear()
		x.SetName("mallory")
		commitErr = e.M.Commit(r.Context())
	}, tok)
	if !errors.Is(commitErr, sessionrt.ErrSessionGone) {
		t.Fatalf("single-column write to a deleted session: %v, want sessionrt.ErrSessionGone", commitErr)
	}
	if n := e.Rows(); n != 0 {
		t.Fatalf("%d rows after writing to a deleted session, want 0", n)
	}
}
