package app_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// TestSaveEachFieldAlone changes one field per request, for every field of
// the example payload (scalar, named, nullable, jsonb), and checks that the
// generated single-column UPDATE ran and stored exactly that change: the
// value reads back in a later request and no other field moved.
func TestSaveEachFieldAlone(t *testing.T) {
	dsn := sessiontest.NewDB(t)
	if err := app.Migrate(dsn, io.Discard); err != nil {
		t.Fatal(err)
	}
	log := &sessiontest.Recorder{}
	pool := sessiontest.TracedPool(t, dsn, log, nil)
	store, err := app.NewSessionStore(pool, sessionrt.Config{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	var cookie *http.Cookie
	run := func(fn func(s *app.SessionHandle)) {
		t.Helper()
		h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := store.FromContext(r.Context())
			if err != nil {
				t.Errorf("Load: %v", err)
				return
			}
			fn(s)
			if err := store.Commit(r.Context()); err != nil {
				t.Errorf("Commit: %v", err)
			}
		}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			cookie = c
		}
	}
	read := func() app.Session {
		t.Helper()
		var v app.Session
		run(func(s *app.SessionHandle) {
			v = app.Session{UserID: s.UserID(), Email: s.Email(), Roles: s.Roles(), Cart: s.Cart(),
				Theme: s.Theme(), MFAAt: s.MFAAt(), Counter: s.Counter(), Notice: s.Notice()}
		})
		return v
	}

	at := time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC)
	want := app.Session{UserID: 1, Email: "a@example.com", Roles: []string{"user"},
		Cart: []app.CartItem{{SKU: "a", Qty: 1}}, Theme: "light", MFAAt: &at, Counter: 1}
	run(func(s *app.SessionHandle) {
		s.SetUserID(want.UserID)
		s.SetEmail(want.Email)
		s.SetRoles(want.Roles)
		s.SetCart(want.Cart)
		s.SetTheme(want.Theme)
		s.SetMFAAt(want.MFAAt)
		s.SetCounter(want.Counter)
	})

	later := at.Add(time.Hour)
	tests := []struct {
		column string
		set    func(s *app.SessionHandle)
		apply  func(v *app.Session)
	}{
		{"user_id", func(s *app.SessionHandle) { s.SetUserID(2) }, func(v *app.Session) { v.UserID = 2 }},
		{"email", func(s *app.SessionHandle) { s.SetEmail("b@example.com") }, func(v *app.Session) { v.Email = "b@example.com" }},
		{"roles", func(s *app.SessionHandle) { s.SetRoles([]string{"user", "admin"}) }, func(v *app.Session) { v.Roles = []string{"user", "admin"} }},
		{"cart", func(s *app.SessionHandle) { s.EditCart(func(c *[]app.CartItem) { (*c)[0].Qty = 3 }) }, func(v *app.Session) { v.Cart = []app.CartItem{{SKU: "a", Qty: 3}} }},
		{"theme", func(s *app.SessionHandle) { s.SetTheme("dark") }, func(v *app.Session) { v.Theme = "dark" }},
		{"mfa_at", func(s *app.SessionHandle) { s.SetMFAAt(&later) }, func(v *app.Session) { v.MFAAt = &later }},
		{"mfa_at", func(s *app.SessionHandle) { s.SetMFAAt(nil) }, func(v *app.Session) { v.MFAAt = nil }},
		{"counter", func(s *app.SessionHandle) { s.SetCounter(s.Counter() + 1) }, func(v *app.Session) { v.Counter++ }},
		{"notice", func(s *app.SessionHandle) { s.SetNotice("saved") }, func(v *app.Session) { v.Notice = "saved" }},
		{"notice", func(s *app.SessionHandle) { s.PopNotice() }, func(v *app.Session) { v.Notice = "" }},
	}
	for _, tc := range tests {
		log.Reset()
		run(tc.set)
		_, stmts := log.Reset()
		var updates []string
		for _, q := range stmts {
			if strings.Contains(q, "UPDATE") {
				updates = append(updates, q)
			}
		}
		if len(updates) != 1 || !strings.Contains(updates[0], "SET "+tc.column+" = $1") || strings.Contains(updates[0], "CASE") {
			t.Errorf("%s: updates %q, want one single-column UPDATE of %s", tc.column, updates, tc.column)
		}
		tc.apply(&want)
		got := read()
		if got.MFAAt != nil && want.MFAAt != nil && got.MFAAt.Equal(*want.MFAAt) {
			got.MFAAt = want.MFAAt
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after changing %s alone:\n got %+v\nwant %+v", tc.column, got, want)
		}
	}
}

// TestPayloadLimitCountsTheRow proves that MaxPayloadBytes bounds what the
// row holds, not only what one request changes: fields written in earlier
// requests count, whether this request decoded them or not, and so does a
// jsonb field saved earlier in the same request.
func TestPayloadLimitCountsTheRow(t *testing.T) {
	dsn := sessiontest.NewDB(t)
	if err := app.Migrate(dsn, io.Discard); err != nil {
		t.Fatal(err)
	}
	pool := sessiontest.TracedPool(t, dsn, nil, nil)
	store, err := app.NewSessionStore(pool, sessionrt.Config{Insecure: true, MaxPayloadBytes: 300})
	if err != nil {
		t.Fatal(err)
	}
	var cookie *http.Cookie
	run := func(fn func(r *http.Request, s *app.SessionHandle)) int {
		t.Helper()
		h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := store.FromContext(r.Context())
			if err != nil {
				t.Errorf("Load: %v", err)
				return
			}
			fn(r, s)
		}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			cookie = c
		}
		return rec.Code
	}
	cart := []app.CartItem{{SKU: strings.Repeat("c", 150), Qty: 1}} // about 170 bytes of JSON
	email := strings.Repeat("e", 100)

	if code := run(func(_ *http.Request, s *app.SessionHandle) { s.SetCart(cart) }); code != http.StatusOK {
		t.Fatalf("cart alone: %d", code)
	}
	steps := []struct {
		name string
		fn   func(r *http.Request, s *app.SessionHandle)
		want int
	}{
		{"stored cart not decoded + email", func(_ *http.Request, s *app.SessionHandle) { s.SetEmail(email + email) }, http.StatusRequestEntityTooLarge},
		{"stored cart decoded + email", func(_ *http.Request, s *app.SessionHandle) { _ = s.Cart(); s.SetEmail(email + email) }, http.StatusRequestEntityTooLarge},
		{"email that fits", func(_ *http.Request, s *app.SessionHandle) { s.SetEmail(email) }, http.StatusOK},
		{"stored email + second cart", func(_ *http.Request, s *app.SessionHandle) { s.SetCart(append(cart, cart...)) }, http.StatusRequestEntityTooLarge},
		{"cart shrunk, then email grown in the same request", func(r *http.Request, s *app.SessionHandle) {
			s.SetCart(nil)
			if err := store.Commit(r.Context()); err != nil {
				t.Errorf("commit of the smaller cart: %v", err)
			}
			s.SetEmail(email + email)
		}, http.StatusOK},
		{"cart again over the limit", func(_ *http.Request, s *app.SessionHandle) { s.SetCart(cart) }, http.StatusRequestEntityTooLarge},
	}
	for _, st := range steps {
		if code := run(st.fn); code != st.want {
			t.Errorf("%s: status %d, want %d", st.name, code, st.want)
		}
	}
	var email2 string
	var cartLen int
	if err := pool.QueryRow(context.Background(), `SELECT email, octet_length(cart::text) FROM sessions`).Scan(&email2, &cartLen); err != nil {
		t.Fatal(err)
	}
	if email2 != email+email || cartLen > 4 {
		t.Errorf("stored email of %d bytes and cart of %d, want %d and an empty cart", len(email2), cartLen, 2*len(email))
	}
}

// storeEnv is a generated store on a fresh, migrated database with a
// statement recorder, driven one request at a time.
type storeEnv struct {
	t     *testing.T
	store *app.SessionStore
	log   *sessiontest.Recorder
}

func newStoreEnv(t *testing.T, cfg sessionrt.Config) *storeEnv {
	t.Helper()
	dsn := sessiontest.NewDB(t)
	if err := app.Migrate(dsn, io.Discard); err != nil {
		t.Fatal(err)
	}
	e := &storeEnv{t: t, log: &sessiontest.Recorder{}}
	store, err := app.NewSessionStore(sessiontest.TracedPool(t, dsn, e.log, nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.store = store
	return e
}

// do serves one request carrying cookie (nil: none) whose handler loads
// the session and runs fn, and returns the response.
func (e *storeEnv) do(cookie *http.Cookie, fn func(ctx context.Context, s *app.SessionHandle)) *http.Response {
	e.t.Helper()
	h := e.store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := e.store.FromContext(r.Context())
		if err != nil {
			e.t.Errorf("Load: %v", err)
			return
		}
		fn(r.Context(), s)
		_, _ = io.WriteString(w, "ok")
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// cookieOf returns the session cookie a response set, or keep when it set
// none.
func cookieOf(resp *http.Response, keep *http.Cookie) *http.Cookie {
	for _, c := range resp.Cookies() {
		return c
	}
	return keep
}

// read returns every field of the session cookie names.
func (e *storeEnv) read(cookie *http.Cookie) app.Session {
	var v app.Session
	e.do(cookie, func(_ context.Context, s *app.SessionHandle) {
		v = app.Session{UserID: s.UserID(), Email: s.Email(), Roles: s.Roles(), Cart: s.Cart(), Theme: s.Theme(), MFAAt: s.MFAAt(), Counter: s.Counter(), Notice: s.Notice()}
	})
	return v
}

// TestResetWithRenew proves that Reset with Renew is one UPDATE: every
// field back to its zero value, the new key, and the old key dead.
func TestResetWithRenew(t *testing.T) {
	e := newStoreEnv(t, sessionrt.Config{Insecure: true})
	at := time.Now()
	old := cookieOf(e.do(nil, func(_ context.Context, s *app.SessionHandle) {
		s.SetUserID(1)
		s.SetCart([]app.CartItem{{SKU: "a", Qty: 1}})
		s.SetTheme("dark")
		s.SetMFAAt(&at)
		s.SetCounter(5)
	}), nil)
	e.log.Reset()
	renewed := cookieOf(e.do(old, func(_ context.Context, s *app.SessionHandle) {
		s.Renew()
		s.Reset()
		s.SetUserID(2)
	}), old)
	if _, stmts := e.log.Reset(); len(stmts) != 2 || !strings.HasPrefix(strings.TrimSpace(stmts[1]), "-- name: SaveSession :one") {
		t.Fatalf("statements = %q, want the SELECT and one SaveSession", stmts)
	}
	if renewed.Value == old.Value {
		t.Fatal("no new token")
	}
	if got := e.read(renewed); !reflect.DeepEqual(got, app.Session{UserID: 2}) {
		t.Fatalf("after Reset and SetUserID: %+v", got)
	}
	if e.read(old).UserID != 0 {
		t.Fatal("the pre-renew token still reads the session")
	}
}

// TestInvalidValues covers issue 17 item 9: a value its column cannot
// store exactly (NUL or invalid UTF-8 in text, invalid UTF-8 in jsonb) is
// refused by the setter and reported by Err, where the handler can act;
// the request's other changes are saved and the response is the
// handler's. In Update, such a value fails the whole function.
func TestInvalidValues(t *testing.T) {
	e := newStoreEnv(t, sessionrt.Config{Insecure: true})
	cookie := cookieOf(e.do(nil, func(_ context.Context, s *app.SessionHandle) { s.SetEmail("ok@example.com") }), nil)
	for _, c := range []struct {
		name, field string
		set         func(s *app.SessionHandle)
	}{
		{"NUL in text", "Email", func(s *app.SessionHandle) { s.SetEmail("a\x00b") }},
		{"invalid UTF-8 in text", "Email", func(s *app.SessionHandle) { s.SetEmail("\xff") }},
		{"invalid UTF-8 in a named text type", "Theme", func(s *app.SessionHandle) { s.SetTheme("\xfe") }},
		{"invalid UTF-8 in jsonb", "Cart", func(s *app.SessionHandle) { s.SetCart([]app.CartItem{{SKU: "\xff", Qty: 1}}) }},
		{"NUL in jsonb", "Roles", func(s *app.SessionHandle) { s.SetRoles([]string{"a\x00"}) }},
		{"Edit to an invalid value", "Cart", func(s *app.SessionHandle) {
			s.EditCart(func(c *[]app.CartItem) { *c = append(*c, app.CartItem{SKU: "\xc3", Qty: 1}) })
		}},
	} {
		var counter int64
		resp := e.do(cookie, func(_ context.Context, s *app.SessionHandle) {
			counter = s.Counter() + 1
			s.SetCounter(counter)
			c.set(s)
			err := s.Err()
			if !errors.Is(err, sessionrt.ErrInvalidValue) || !strings.Contains(err.Error(), c.field) {
				t.Errorf("%s: Err() = %v", c.name, err)
			}
		})
		got := e.read(cookie)
		if resp.StatusCode != http.StatusOK || got.Counter != counter || got.Email != "ok@example.com" || len(got.Cart) != 0 || len(got.Roles) != 0 || got.Theme != "" {
			t.Fatalf("%s: response %d, stored %+v", c.name, resp.StatusCode, got)
		}
	}
	// In Update the whole function fails and nothing is written.
	e.do(cookie, func(ctx context.Context, _ *app.SessionHandle) {
		err := e.store.Update(ctx, func(s *app.SessionHandle) error {
			s.SetCounter(1000)
			s.SetEmail("bad\x00")
			return nil
		})
		if !errors.Is(err, sessionrt.ErrInvalidValue) {
			t.Errorf("Update = %v, want ErrInvalidValue", err)
		}
	})
	if e.read(cookie).Counter == 1000 {
		t.Error("Update with an invalid value saved its other changes")
	}
}

// TestDestroyByComparesStoredRows proves that DestroyBy<Field> forgets the
// request's session only when its stored row was among the deleted ones,
// not when its unsaved value matches: a login that ends the user's other
// sessions in the same request stays logged in.
func TestDestroyByComparesStoredRows(t *testing.T) {
	e := newStoreEnv(t, sessionrt.Config{Insecure: true})
	other := cookieOf(e.do(nil, func(_ context.Context, s *app.SessionHandle) { s.SetUserID(7) }), nil)
	anon := cookieOf(e.do(nil, func(_ context.Context, s *app.SessionHandle) { s.SetTheme("dark") }), nil)
	resp := e.do(anon, func(ctx context.Context, s *app.SessionHandle) {
		s.Renew()
		s.SetUserID(7)
		n, err := e.store.DestroyByUserID(ctx, 7) // "log out my other devices" at login
		if err != nil || n != 1 {
			t.Errorf("DestroyByUserID = %d, %v; want 1 (the other device)", n, err)
		}
	})
	c := cookieOf(resp, nil)
	if c == nil || c.MaxAge <= 0 {
		t.Fatalf("the login was thrown away: %v", resp.Header)
	}
	if uid := e.read(c).UserID; uid != 7 {
		t.Fatalf("after login and DestroyByUserID the session reads user %d", uid)
	}
	if e.read(other).UserID != 0 {
		t.Fatal("the other device's session survived DestroyByUserID")
	}
}

// TestPopFlash covers issue 11 item 10 at the statement level: PopNotice
// returns the notice once and its clear is one single-column UPDATE saved
// with the response; popping the empty notice writes nothing, and so does
// popping it in a request of an anonymous visitor (no session is created).
// In Update the pop is atomic with the function's other changes.
func TestPopFlash(t *testing.T) {
	e := newStoreEnv(t, sessionrt.Config{Insecure: true})
	if c := cookieOf(e.do(nil, func(_ context.Context, s *app.SessionHandle) {
		if got := s.PopNotice(); got != "" {
			t.Errorf("anonymous PopNotice = %q", got)
		}
	}), nil); c != nil {
		t.Fatalf("popping an anonymous empty notice created a session: %v", c)
	}
	cookie := cookieOf(e.do(nil, func(_ context.Context, s *app.SessionHandle) { s.SetNotice("hello") }), nil)
	updates := func() []string {
		_, stmts := e.log.Reset()
		var out []string
		for _, q := range stmts {
			if strings.Contains(q, "UPDATE") || strings.Contains(q, "INSERT") {
				out = append(out, q)
			}
		}
		return out
	}
	pop := func() string {
		var got string
		e.do(cookie, func(_ context.Context, s *app.SessionHandle) {
			got = s.PopNotice()
			if s.Notice() != "" {
				t.Errorf("Notice() after PopNotice = %q", s.Notice())
			}
		})
		return got
	}
	e.log.Reset()
	if got := pop(); got != "hello" {
		t.Fatalf("first PopNotice = %q, want hello", got)
	}
	if u := updates(); len(u) != 1 || !strings.Contains(u[0], "SET notice = $1") || strings.Contains(u[0], "CASE") {
		t.Fatalf("updates of the first pop %q, want one single-column UPDATE of notice", u)
	}
	for range 2 {
		if got := pop(); got != "" {
			t.Fatalf("the notice was shown twice: %q", got)
		}
		if u := updates(); len(u) != 0 {
			t.Fatalf("popping the empty notice wrote: %q", u)
		}
	}
	// Set and popped in one request: nothing left, nothing written but the
	// row's notice stays empty.
	e.do(cookie, func(_ context.Context, s *app.SessionHandle) {
		s.SetNotice("twice")
		if got := s.PopNotice(); got != "twice" {
			t.Errorf("PopNotice after SetNotice = %q", got)
		}
	})
	if got := e.read(cookie).Notice; got != "" {
		t.Fatalf("stored notice after set and pop in one request: %q", got)
	}
	// In Update: the pop and the function's other changes are one write.
	e.do(cookie, func(_ context.Context, s *app.SessionHandle) { s.SetNotice("in update") })
	e.do(cookie, func(ctx context.Context, _ *app.SessionHandle) {
		var got string
		if err := e.store.Update(ctx, func(s *app.SessionHandle) error {
			got = s.PopNotice()
			s.SetCounter(s.Counter() + 1)
			return nil
		}); err != nil || got != "in update" {
			t.Errorf("Update: PopNotice = %q, err %v", got, err)
		}
	})
	if got := e.read(cookie); got.Notice != "" || got.Counter != 1 {
		t.Fatalf("after the pop in Update: %+v", got)
	}
}

// TestDestroyOthersBy covers issue 11 item 9 at the statement level: one
// DELETE that keeps the request's stored session, also when the handler
// has not loaded it yet; a request without a stored session deletes every
// match; the keys it deleted are gone from the cache; a session renewed
// away from the request's key by a concurrent request of the same browser
// is kept as well.
func TestDestroyOthersBy(t *testing.T) {
	e := newStoreEnv(t, sessionrt.Config{Insecure: true, Cache: sessionrt.CacheConfig{MaxEntries: 100}})
	login := func(uid int64) *http.Cookie {
		return cookieOf(e.do(nil, func(_ context.Context, s *app.SessionHandle) { s.SetUserID(uid) }), nil)
	}
	a1, a2, a3, b := login(7), login(7), login(7), login(8)
	for _, c := range []*http.Cookie{a1, a2, a3, b} {
		e.read(c) // cached
	}
	// The handler calls DestroyOthersBy before it loads the session.
	h := e.store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.log.Reset()
		n, err := e.store.DestroyOthersByUserID(r.Context(), 7)
		if err != nil || n != 2 {
			t.Errorf("DestroyOthersByUserID = %d, %v; want 2", n, err)
		}
		_, stmts := e.log.Reset()
		var deletes []string
		for _, q := range stmts {
			if strings.Contains(q, "DELETE") {
				deletes = append(deletes, q)
			}
		}
		if len(deletes) != 1 || !strings.Contains(deletes[0], "DeleteOtherSessionsByUserID") {
			t.Errorf("statements %q, want one DeleteOtherSessionsByUserID", stmts)
		}
		if s, err := e.store.FromContext(r.Context()); err != nil || s.UserID() != 7 || s.IsNew() {
			t.Errorf("the request's own session after DestroyOthersByUserID: %v", err)
		}
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(a1)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if len(rec.Result().Cookies()) != 0 {
		t.Fatalf("DestroyOthersBy touched the current cookie: %v", rec.Result().Cookies())
	}
	if e.read(a1).UserID != 7 || e.read(b).UserID != 8 {
		t.Fatal("DestroyOthersByUserID ended the current session or another user's")
	}
	for _, c := range []*http.Cookie{a2, a3} {
		if e.read(c).UserID != 0 {
			t.Fatal("another session of the user survived DestroyOthersByUserID (or was served from the cache)")
		}
	}

	// A request without a stored session keeps none.
	a4 := login(7)
	e.do(nil, func(ctx context.Context, s *app.SessionHandle) {
		if n, err := e.store.DestroyOthersByUserID(ctx, 7); err != nil || n != 2 {
			t.Errorf("anonymous DestroyOthersByUserID = %d, %v; want 2", n, err)
		}
	})
	if e.read(a1).UserID != 0 || e.read(a4).UserID != 0 {
		t.Fatal("an anonymous DestroyOthersByUserID kept a session")
	}

	// A concurrent request of the same browser renews the session away from
	// the key the request loaded: the renewed row is the browser's own.
	c1, other := login(9), login(9)
	var renewed *http.Cookie
	e.do(c1, func(ctx context.Context, s *app.SessionHandle) {
		renewed = cookieOf(e.do(c1, func(_ context.Context, s *app.SessionHandle) { s.Renew() }), nil)
		if n, err := e.store.DestroyOthersByUserID(ctx, 9); err != nil || n != 1 {
			t.Errorf("DestroyOthersByUserID racing a renew = %d, %v; want 1", n, err)
		}
	})
	if renewed == nil || renewed.Value == c1.Value {
		t.Fatal("the concurrent renew issued no new token")
	}
	if e.read(renewed).UserID != 9 {
		t.Fatal("DestroyOthersByUserID deleted the session renewed away from the request's key")
	}
	if e.read(other).UserID != 0 {
		t.Fatal("the other session survived")
	}
}

// TestStorageParameters proves the emitted migrations give the sessions
// table the storage parameters docs/SCALE.md recommends.
func TestStorageParameters(t *testing.T) {
	dsn := sessiontest.NewDB(t)
	if err := app.Migrate(dsn, io.Discard); err != nil {
		t.Fatal(err)
	}
	pool := sessiontest.TracedPool(t, dsn, &sessiontest.Recorder{}, nil)
	var opts []string
	if err := pool.QueryRow(context.Background(), "SELECT reloptions FROM pg_class WHERE relname = 'sessions'").Scan(&opts); err != nil {
		t.Fatal(err)
	}
	want := []string{"fillfactor=90", "autovacuum_vacuum_scale_factor=0.01", "autovacuum_vacuum_threshold=1000", "autovacuum_vacuum_insert_scale_factor=0.01", "autovacuum_analyze_scale_factor=0.02"}
	if !reflect.DeepEqual(opts, want) {
		t.Fatalf("reloptions %v, want %v", opts, want)
	}
}
