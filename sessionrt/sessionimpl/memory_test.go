package sessionimpl_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// Tests of the in-memory engine (sessionimpl.NewMemory) through the
// Manager and the middleware. The lifecycle tests that take an engine
// (eachEngine) run on it too; these cover what needs its clock or its
// listing methods.

// all matches every record.
func all(sessionimpl.Record) bool { return true }

// lastSeen returns the last use of the only live session, as stored.
func (e *env) lastSeen() sessionrt.Meta {
	e.t.Helper()
	l := e.mem.List(all)
	if len(l) != 1 {
		e.t.Fatalf("%d live sessions, want 1", len(l))
	}
	return l[0].Meta
}

// renewVia renews tok's session in a request of its own and returns the
// new token.
func (e *env) renewVia(tok string) string {
	e.t.Helper()
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, _ := e.load(r)
		st.Renew()
	}, tok)
	c := sessionCookie(w.Result(), e.m.CookieName())
	if c == nil || c.Value == "" || c.Value == tok {
		e.t.Fatalf("renew: no new token: %v", c)
	}
	return c.Value
}

// destroyVia destroys tok's session in a request of its own and reports
// whether the response expired the cookie.
func (e *env) destroyVia(tok string) bool {
	e.t.Helper()
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := e.m.Destroy(r.Context()); err != nil {
			e.t.Errorf("Destroy: %v", err)
		}
	}, tok)
	c := sessionCookie(w.Result(), e.m.CookieName())
	return c != nil && c.MaxAge < 0
}

// count is Manager.Count that fails the test on error.
func (e *env) count() int64 {
	e.t.Helper()
	n, err := e.m.Count(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestMemoryReadWrite: a session is created, read and written through the
// middleware; the record the engine holds is a copy the request cannot
// change behind its back.
func TestMemoryReadWrite(t *testing.T) {
	e := newMemEnv(t, sessionrt.Config{})
	tok := e.create("alice")
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		if st.IsNew() || x.Name() != "alice" {
			t.Errorf("loaded new=%v name=%q", st.IsNew(), x.Name())
		}
		x.SetUserID(7)
		x.SetCounter(2)
	}, tok)
	if c := sessionCookie(w.Result(), e.m.CookieName()); c != nil {
		t.Errorf("a write to a stored session set a cookie: %v", c)
	}
	if got := e.only(); got != (row{"alice", 2, 7}) {
		t.Fatalf("stored %+v", got)
	}
	// A change not committed (the handler's record after the commit) is
	// not stored.
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.load(r)
		_, _ = w.Write([]byte("started"))
		x.SetName("late")
	}, tok)
	if got := e.readName(tok); got != "alice" {
		t.Fatalf("name after a late change = %q", got)
	}
	if n := e.count(); n != 1 {
		t.Fatalf("Count = %d", n)
	}
}

// TestMemoryExpiry: idle expiry, the throttled touch that extends it, and
// the absolute lifetime no touch extends.
func TestMemoryExpiry(t *testing.T) {
	const idle, touch = 200 * time.Millisecond, 50 * time.Millisecond
	t.Run("idle", func(t *testing.T) {
		e := newMemEnv(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: touch, Lifetime: time.Hour})
		tok := e.create("alice")
		meta := e.lastSeen()
		if d := meta.ExpiresAt.Sub(meta.LastSeenAt); d != idle {
			t.Errorf("idle expiry %s after the last use, want %s", d, idle)
		}
		time.Sleep(idle + 50*time.Millisecond)
		if got := e.readName(tok); got != "" {
			t.Fatalf("idle session still reads %q", got)
		}
		if n := e.count(); n != 0 {
			t.Fatalf("Count = %d after idle expiry", n)
		}
		// A write with the expired cookie starts a new session; the old
		// one is not revived.
		w := e.serve(func(w http.ResponseWriter, r *http.Request) {
			st, x := e.load(r)
			if !st.IsNew() || x.Name() != "" {
				t.Errorf("expired session loaded: new=%v name=%q", st.IsNew(), x.Name())
			}
			x.SetName("bob")
		}, tok)
		c := sessionCookie(w.Result(), e.m.CookieName())
		if c == nil || c.Value == tok {
			t.Fatalf("write after expiry: cookie %v, want a new session's", c)
		}
		if got := e.readName(tok); got != "" {
			t.Fatalf("expired token reads %q after a write", got)
		}
	})
	t.Run("throttled touch", func(t *testing.T) {
		e := newMemEnv(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: touch, Lifetime: time.Hour})
		tok := e.create("alice")
		created := e.lastSeen()
		// A read within TouchInterval does not touch.
		e.readName(tok)
		if got := e.lastSeen(); got != created {
			t.Fatalf("read within TouchInterval moved the lifecycle: %+v → %+v", created, got)
		}
		// Reads when a touch is due keep the session alive past the idle
		// timeout, each moving the idle expiry.
		start := time.Now()
		prev := created
		for time.Since(start) < 3*idle {
			time.Sleep(touch + 20*time.Millisecond)
			if got := e.readName(tok); got != "alice" {
				t.Fatalf("after %s of reads: name %q, want the session kept alive", time.Since(start), got)
			}
			m := e.lastSeen()
			if !m.LastSeenAt.After(prev.LastSeenAt) || m.ExpiresAt.Sub(m.LastSeenAt) != idle {
				t.Fatalf("due touch: %+v → %+v", prev, m)
			}
			prev = m
		}
		if m := e.lastSeen(); m.CreatedAt != created.CreatedAt || m.AbsoluteExpiresAt != created.AbsoluteExpiresAt {
			t.Fatalf("touch moved created or absolute expiry: %+v → %+v", created, m)
		}
	})
	t.Run("absolute", func(t *testing.T) {
		const lifetime = 3 * idle
		e := newMemEnv(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: touch, Lifetime: lifetime})
		tok := e.create("alice")
		created := e.lastSeen()
		if d := created.AbsoluteExpiresAt.Sub(created.CreatedAt); d != lifetime {
			t.Fatalf("absolute expiry %s after creation, want %s", d, lifetime)
		}
		for {
			time.Sleep(touch + 10*time.Millisecond)
			before := time.Now()
			alive := e.readName(tok) == "alice"
			if !alive {
				if before.Before(created.AbsoluteExpiresAt.Add(-idle / 2)) {
					t.Fatalf("session ended %s before its absolute expiry", created.AbsoluteExpiresAt.Sub(before))
				}
				break
			}
			if before.After(created.AbsoluteExpiresAt) {
				t.Fatalf("session alive %s after its absolute expiry", before.Sub(created.AbsoluteExpiresAt))
			}
			if m := e.lastSeen(); m.ExpiresAt.After(m.AbsoluteExpiresAt) {
				t.Fatalf("idle expiry %s beyond the absolute %s", m.ExpiresAt, m.AbsoluteExpiresAt)
			}
		}
		// A write to it fails; it is not revived.
		if n := e.count(); n != 0 {
			t.Fatalf("Count = %d after the absolute expiry", n)
		}
	})
}

// TestMemoryRenew: after a renew the old token reads as anonymous within
// RenewGrace, a write that loaded with it fails with
// sessionrt.ErrSessionRenewed, a new session is not started with it (the
// response would replace the browser's renewed cookie), and Destroy with
// it ends the renewed session. After the grace it is just an unknown token.
func TestMemoryRenew(t *testing.T) {
	const grace = 300 * time.Millisecond
	e := newMemEnv(t, sessionrt.Config{RenewGrace: grace})
	old := e.create("alice")
	var cur string
	var late error
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		cur = e.renewVia(old) // a login in a concurrent request
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
	if got := e.readName(cur); got != "alice" {
		t.Fatalf("renewed token reads %q", got)
	}
	if got := e.readName(old); got != "" {
		t.Fatalf("old token reads %q", got)
	}
	// New sessions and Updates with the old token are refused.
	w = e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		if !st.IsNew() {
			t.Error("old token loaded a session")
		}
		x.SetName("mallory")
		if err := e.m.Commit(r.Context()); !errors.Is(err, sessionrt.ErrSessionRenewed) {
			t.Errorf("new session with the old token: %v", err)
		}
		err := e.m.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetCounter(1)
			return nil
		})
		if !errors.Is(err, sessionrt.ErrSessionRenewed) {
			t.Errorf("Update with the old token: %v", err)
		}
	}, old)
	if n := e.count(); n != 1 {
		t.Fatalf("Count = %d, want 1", n)
	}
	// Logout with the old token ends the renewed session.
	if !e.destroyVia(old) {
		t.Error("Destroy with the old token did not expire the cookie")
	}
	if got := e.readName(cur); got != "" {
		t.Fatalf("renewed session survived Destroy with the old token: %q", got)
	}

	// After the grace the old token is unknown: a write starts a new
	// session and Destroy with it leaves the renewed one alone.
	old = e.create("bob")
	cur = e.renewVia(old)
	time.Sleep(grace + 50*time.Millisecond)
	w = e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.load(r)
		x.SetName("carol")
	}, old)
	if c := sessionCookie(w.Result(), e.m.CookieName()); c == nil || c.Value == old || c.Value == cur {
		t.Fatalf("write with an old token after the grace: cookie %v, want a new session's", c)
	}
	e.destroyVia(old)
	if got := e.readName(cur); got != "bob" {
		t.Fatalf("Destroy with a token renewed away long ago ended the session: %q", got)
	}
}

// TestMemoryDestroy: after Destroy the old cookie is anonymous, a change
// with it starts a new session under a new token, and a request that
// loaded before the Destroy cannot bring the session back.
func TestMemoryDestroy(t *testing.T) {
	e := newMemEnv(t, sessionrt.Config{})
	tok := e.create("alice")
	var late error
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.load(r)
		if !e.destroyVia(tok) {
			t.Error("Destroy did not expire the cookie")
		}
		x.SetCounter(1)
		late = e.m.Commit(r.Context())
	}, tok)
	if !errors.Is(late, sessionrt.ErrSessionGone) {
		t.Fatalf("write to a destroyed session: %v, want sessionrt.ErrSessionGone", late)
	}
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.load(r)
		if !st.IsNew() || x.Name() != "" || x.Counter() != 0 {
			t.Errorf("destroyed session loaded: new=%v %+v", st.IsNew(), *x)
		}
		x.SetName("bob")
	}, tok)
	c := sessionCookie(w.Result(), e.m.CookieName())
	if c == nil || c.Value == tok || c.MaxAge <= 0 {
		t.Fatalf("change with a destroyed cookie: %v, want a new session's cookie", c)
	}
	if got := e.readName(tok); got != "" {
		t.Fatalf("destroyed token reads %q", got)
	}
	if got := e.only(); got != (row{name: "bob"}) {
		t.Fatalf("stored %+v, want only the new session", got)
	}
}

// TestMemoryReapAndCount: Count sees live sessions only; Reap deletes the
// expired ones in batches and reports how many.
func TestMemoryReapAndCount(t *testing.T) {
	const idle = 100 * time.Millisecond
	e := newMemEnv(t, sessionrt.Config{IdleTimeout: idle, TouchInterval: idle / 4, Lifetime: time.Hour})
	for range 5 {
		e.create("old")
	}
	if n := e.count(); n != 5 {
		t.Fatalf("Count = %d, want 5", n)
	}
	time.Sleep(idle + 50*time.Millisecond)
	e.create("new")
	e.create("new")
	if n := e.count(); n != 2 {
		t.Fatalf("Count = %d after expiry, want 2", n)
	}
	ctx := context.Background()
	if n, err := e.m.Reap(ctx, 2); err != nil || n != 5 {
		t.Fatalf("Reap = %d, %v; want 5", n, err)
	}
	if n, err := e.m.Reap(ctx, 0); err != nil || n != 0 {
		t.Fatalf("second Reap = %d, %v; want 0", n, err)
	}
	if n := e.count(); n != 2 {
		t.Fatalf("Count = %d after Reap, want 2", n)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.m.Reap(cancelled, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Reap with a done context = %v", err)
	}
	// RunReaper reaps right away and stops with its context.
	time.Sleep(idle + 50*time.Millisecond)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { e.m.RunReaper(rctx, time.Hour, 10); close(done) }()
	for deadline := time.Now().Add(5 * time.Second); len(e.mem.List(all)) != 0 || e.rawReap() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("RunReaper did not reap")
		}
	}
	stop()
	<-done
}

// rawReap runs the engine's DeleteExpired directly: 0 once nothing expired
// is left.
func (e *env) rawReap() int64 {
	n, err := e.mem.DeleteExpired(context.Background(), sessionimpl.Conn{}, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestMemoryListDeleteWhere drives List and DeleteWhere the way the
// generated ListBy<Field> and DestroyOthersBy<Field>/DestroyBy<Field> of
// the in-memory engine do, with Describe, CurrentKey and ForgetIfCurrent.
func TestMemoryListDeleteWhere(t *testing.T) {
	e := newMemEnv(t, sessionrt.Config{})
	ctx := context.Background()
	login := func(uid int64, name string) string {
		c, err := e.m.Create(ctx, func(r sessionimpl.Record) {
			r.(*rec).SetUserID(uid)
			r.(*rec).SetName(name)
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct last-use times
		return c.Value
	}
	byUser := func(uid int64) func(sessionimpl.Record) bool {
		return func(r sessionimpl.Record) bool { return r.(*rec).UserID() == uid }
	}
	a1, a2 := login(7, "a1"), login(7, "a2")
	b := login(8, "b")

	e.serve(func(w http.ResponseWriter, r *http.Request) {
		listed := e.mem.List(byUser(7))
		if len(listed) != 2 {
			t.Fatalf("List = %d sessions, want 2", len(listed))
		}
		var infos []sessionrt.Info
		for _, l := range listed {
			infos = append(infos, e.m.Describe(r.Context(), l.Hash, l.Meta.CreatedAt, l.Meta.LastSeenAt, l.Meta.ExpiresAt))
		}
		// Most recently used first: a2, then the request's own a1.
		if infos[0].Current || !infos[1].Current || !infos[0].LastSeenAt.After(infos[1].LastSeenAt) || len(infos[0].ID) != 16 {
			t.Errorf("infos = %+v", infos)
		}
		key, err := e.m.CurrentKey(r.Context())
		if err != nil || key == nil {
			t.Fatalf("CurrentKey = %x, %v", key, err)
		}
		deleted := e.mem.DeleteWhere(byUser(7), key) // DestroyOthersByUserID
		if len(deleted) != 1 || !bytes.Equal(deleted[0], listed[0].Hash) {
			t.Errorf("DeleteWhere = %x, want a2's key", deleted)
		}
		e.m.ForgetIfCurrent(r.Context(), deleted)
		if _, x := e.load(r); x.Name() != "a1" {
			t.Errorf("the request's own session was forgotten: %q", x.Name())
		}
	}, a1)
	if e.readName(a2) != "" || e.readName(a1) != "a1" || e.readName(b) != "b" {
		t.Fatalf("after DestroyOthers: a1 %q a2 %q b %q", e.readName(a1), e.readName(a2), e.readName(b))
	}

	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		e.load(r)
		deleted := e.mem.DeleteWhere(byUser(7), nil) // DestroyByUserID
		e.m.ForgetIfCurrent(r.Context(), deleted)
		if _, x := e.load(r); x.Name() != "" {
			t.Errorf("Name after ForgetIfCurrent = %q", x.Name())
		}
	}, a1)
	if c := sessionCookie(w.Result(), e.m.CookieName()); c == nil || c.MaxAge >= 0 {
		t.Errorf("cookie not expired after the request's session was deleted: %v", c)
	}
	if got := e.only(); got.name != "b" {
		t.Fatalf("left %+v, want b only", got)
	}
	if l := e.mem.List(byUser(7)); len(l) != 0 {
		t.Fatalf("List after DeleteWhere = %d sessions", len(l))
	}
}

// TestMemoryNoCache: the in-memory engine has no cache; asking for one
// fails at start with sessionrt.ErrNoCache.
func TestMemoryNoCache(t *testing.T) {
	mem := sessionimpl.NewMemory(backend{}.New)
	cfg := sessionrt.Config{Cache: sessionrt.CacheConfig{MaxEntries: 10}}
	if _, err := sessionimpl.NewManager(mem, backend{}, cfg); !errors.Is(err, sessionrt.ErrNoCache) {
		t.Fatalf("NewManager with a cache on the in-memory engine = %v, want sessionrt.ErrNoCache", err)
	}
	e := newMemEnv(t, sessionrt.Config{})
	if err := e.m.RunCacheListener(context.Background()); err == nil {
		t.Fatal("RunCacheListener without a cache returned nil")
	}
	if s := e.m.CacheStats(); s != (sessionrt.CacheStats{}) {
		t.Fatalf("CacheStats = %+v", s)
	}
}
