package lifecycletest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// The lifecycle under concurrent requests, duplicate cookies and renewals
// (issue 10), and the cookies a request answers with.

// inFlight starts a request with tok that (with loadFirst) loads its
// session, lets between run while it is suspended, then runs after and
// commits. It returns the recorded response.
func inFlight(e *Env, tok string, loadFirst bool, between func(), after func(w http.ResponseWriter, r *http.Request)) *httptest.ResponseRecorder {
	return e.Serve(func(w http.ResponseWriter, r *http.Request) {
		if loadFirst {
			e.Load(r)
		}
		between()
		after(w, r)
	}, tok)
}

// renewRace covers issue 10 item 1: requests still in flight with the
// token a login renewed away never clear or replace the browser's cookie,
// never reach the renewed session's data, and Destroy with them still ends
// the session.
func renewRace(t *testing.T, eng Engine) {
	for _, loadFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("loaded_before_renew=%v", loadFirst), func(t *testing.T) {
			e := eng.New(t, sessionrt.Config{})
			t1 := e.Create("anon")
			var t2 string
			renew := func() { t2 = e.RenewVia(t1) }

			// A read: anonymous (or the pre-renew view), no Set-Cookie.
			w := inFlight(e, t1, loadFirst, renew, func(w http.ResponseWriter, r *http.Request) {
				_, x := e.Load(r)
				if !loadFirst && x.Name() != "" {
					t.Errorf("read with the renewed-away token sees %q", x.Name())
				}
				_, _ = io.WriteString(w, "ok")
			})
			if w.Code != http.StatusOK || w.Result().Header.Get("Set-Cookie") != "" {
				t.Fatalf("read: %d %v", w.Code, w.Result().Header)
			}
			if got := e.ReadName(t2); got != "anon" {
				t.Fatalf("renewed session reads %q", got)
			}

			// A write: refused with 409 and no Set-Cookie; the renewed row
			// is untouched and no new row appears.
			t1b := e.Create("anon2")
			w = inFlight(e, t1b, loadFirst, func() { t2 = e.RenewVia(t1b) }, func(w http.ResponseWriter, r *http.Request) {
				_, x := e.Load(r)
				x.SetName("stale write")
				_, _ = io.WriteString(w, "ok")
			})
			if w.Code != http.StatusConflict || w.Result().Header.Get("Set-Cookie") != "" {
				t.Fatalf("write: %d %v", w.Code, w.Result().Header)
			}
			if got := e.ReadName(t2); got != "anon2" {
				t.Fatalf("renewed session reads %q after a stale write", got)
			}
			if n := e.Rows(); n != 2 {
				t.Fatalf("rows = %d, want 2", n)
			}

			// Update: sessionrt.ErrSessionRenewed, fn does not run, no Set-Cookie.
			t1c := e.Create("anon3")
			ran := false
			w = inFlight(e, t1c, loadFirst, func() { t2 = e.RenewVia(t1c) }, func(w http.ResponseWriter, r *http.Request) {
				err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
					ran = true
					rr.(*Rec).SetCounter(1)
					return nil
				})
				if !errors.Is(err, sessionrt.ErrSessionRenewed) && !errors.Is(err, sessionrt.ErrSessionGone) {
					t.Errorf("Update = %v, want sessionrt.ErrSessionRenewed", err)
				}
				if !loadFirst && !errors.Is(err, sessionrt.ErrSessionRenewed) {
					t.Errorf("Update = %v, want sessionrt.ErrSessionRenewed", err)
				}
			})
			if !loadFirst && ran {
				t.Error("Update's fn ran on a renewed-away token")
			}
			if w.Result().Header.Get("Set-Cookie") != "" {
				t.Fatalf("Update answered Set-Cookie %v", w.Result().Header)
			}
			if n := e.Rows(); n != 3 {
				t.Fatalf("rows = %d, want 3", n)
			}

			// Destroy: the renewed session ends; the cookie is expired.
			t1d := e.Create("anon4")
			w = inFlight(e, t1d, loadFirst, func() { t2 = e.RenewVia(t1d) }, func(w http.ResponseWriter, r *http.Request) {
				if err := e.M.Destroy(r.Context()); err != nil {
					t.Error(err)
				}
				w.WriteHeader(http.StatusNoContent)
			})
			if c := SessionCookie(w.Result(), e.M.CookieName()); c == nil || c.MaxAge >= 0 {
				t.Fatalf("Destroy did not expire the cookie: %v", w.Result().Header)
			}
			if got := e.ReadName(t2); got != "" {
				t.Fatalf("session lives on under the renewed token after Destroy: %q", got)
			}
		})
	}
}

// renewGraceEnds proves that a renewed-away token is recognised only for
// RenewGrace: afterwards a write with it starts a new session as any
// unknown token does, and the pre-login token never reads the session.
func renewGraceEnds(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{RenewGrace: 300 * time.Millisecond})
	t1 := e.Create("anon")
	t2 := e.RenewVia(t1)
	if got := e.ReadName(t1); got != "" {
		t.Fatalf("pre-login token reads %q", got)
	}
	time.Sleep(400 * time.Millisecond)
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("new visitor")
	}, t1)
	c := SessionCookie(w.Result(), e.M.CookieName())
	if c == nil || c.MaxAge <= 0 || c.Value == t1 || c.Value == t2 {
		t.Fatalf("write after the grace: %d %v", w.Code, w.Result().Header)
	}
	if got := e.ReadName(t2); got != "anon" {
		t.Fatalf("renewed session reads %q", got)
	}
}

// loginRaceBrowser reproduces the measurement: a browser-like
// client (one cookie jar) polls with 4 concurrent reads while it logs in;
// after every 200 login it must be logged in. Before the fix, the polls
// that carried the old token expired the cookie in most logins.
func loginRaceBrowser(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{Insecure: true})
	mux := http.NewServeMux()
	mux.HandleFunc("/poll", func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		time.Sleep(5 * time.Millisecond) // in flight across the login
		_, _ = io.WriteString(w, x.Name())
	})
	mux.HandleFunc("/visit", func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("anonymous")
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		st.Renew()
		x.SetName(r.URL.Query().Get("user"))
	})
	srv := httptest.NewServer(e.M.Middleware(mux))
	defer srv.Close()

	for i := range 20 {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		get := func(path string) (int, string) {
			resp, err := c.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		get("/visit")
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						get("/poll")
					}
				}
			})
		}
		time.Sleep(10 * time.Millisecond)
		user := "user" + strconv.Itoa(i)
		if code, _ := get("/login?user=" + user); code != http.StatusOK {
			t.Fatalf("login %d: status %d", i, code)
		}
		time.Sleep(20 * time.Millisecond) // polls sent before the login answer arrive after it
		close(stop)
		wg.Wait()
		if _, name := get("/poll"); name != user {
			u, _ := url.Parse(srv.URL)
			t.Fatalf("login %d: after a 200 login the browser reads %q, cookies %v", i, name, jar.Cookies(u))
		}
	}
}

// duplicateCookies covers issue 10 item 4: with several cookies of the
// session's name, the live one is used whatever its position, in one query,
// and no cookie is cleared because another of the name was stale.
func duplicateCookies(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{Insecure: true})
	stale := e.Create("stale")
	e.Clear()
	live := e.Create("live")
	malformed := "not-a-token"
	for _, order := range [][]string{{stale, live}, {live, stale}, {malformed, stale, live}} {
		e.Reset()
		w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
			_, x := e.Load(r)
			if x.Name() != "live" {
				t.Errorf("cookies %d: loaded %q, want live", len(order), x.Name())
			}
			x.SetName("live")
		}, order...)
		if c := w.Result().Header.Get("Set-Cookie"); c != "" {
			t.Fatalf("Set-Cookie %q with a stale duplicate", c)
		}
		if n, _ := e.Reset(); e.Traced() && n != 2 { // one SELECT for all candidates, one UPDATE
			t.Fatalf("round trips = %d, want 2", n)
		}
	}
	// Two live sessions: the most recently used one wins, and writes go to
	// it. SQLite's clock counts milliseconds: sessions created within the
	// same one tie.
	time.Sleep(2 * time.Millisecond)
	other := e.Create("other")
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		if x.Name() != "other" {
			t.Errorf("loaded %q, want the most recently used (other)", x.Name())
		}
		x.SetName("other2")
	}, live, other)
	if e.ReadName(other) != "other2" || e.ReadName(live) != "live" {
		t.Fatal("write went to the wrong session")
	}
	// Only stale or malformed cookies: anonymous, nothing cleared.
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) { e.Load(r) }, stale, malformed)
	if c := w.Result().Header.Get("Set-Cookie"); c != "" {
		t.Fatalf("Set-Cookie %q for stale cookies", c)
	}
}

// updatePanicRecovers proves that a panic in Update's function is an
// ordinary handler panic: net/http recovers it and the server goes on (it
// was a fatal "unlock of unlocked mutex").
func updatePanicRecovers(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{Insecure: true})
	tok := e.Create("alice")
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		_ = e.M.Update(r.Context(), func(sessionimpl.Record) error { panic("boom") })
	})
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		_, _ = io.WriteString(w, x.Name())
	})
	srv := httptest.NewUnstartedServer(e.M.Middleware(mux))
	srv.Config.ErrorLog = nil
	srv.Start()
	defer srv.Close()
	get := func(path string) (string, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: e.M.CookieName(), Value: tok})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}
	if _, err := get("/panic"); err == nil {
		t.Fatal("the panicking request got a response")
	}
	if got, err := get("/me"); err != nil || got != "alice" {
		t.Fatalf("after the panic: %q, %v", got, err)
	}
}

// writeInsideUpdate proves that Commit and Destroy inside Update's
// function fail at once with sessionrt.ErrInUpdate instead of waiting QueryTimeout for
// the row the Update locked, and that the Update still commits.
func writeInsideUpdate(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{QueryTimeout: 2 * time.Second})
	tok := e.Create("alice")
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("pending")
		err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetCounter(1)
			start := time.Now()
			if err := e.M.Commit(r.Context()); !errors.Is(err, sessionrt.ErrInUpdate) {
				t.Errorf("Commit inside Update = %v", err)
			}
			if err := e.M.Destroy(r.Context()); !errors.Is(err, sessionrt.ErrInUpdate) {
				t.Errorf("Destroy inside Update = %v", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("writes inside Update waited %v", d)
			}
			return nil
		})
		if err != nil {
			t.Errorf("Update = %v", err)
		}
	}, tok)
	if got := e.Only(); got.Counter != 1 || got.Name != "pending" {
		t.Fatalf("stored %+v, want counter 1, name pending", got)
	}
}

// updateInsertKeepsHandle proves that the handle a handler loaded keeps
// working after Update creates the session: it reads what Update stored, and
// later changes through it are saved.
func updateInsertKeepsHandle(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		if err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*Rec).SetCounter(5)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if x.Counter() != 5 {
			t.Errorf("the loaded handle reads counter %d after Update, want 5", x.Counter())
		}
		x.SetName("after update")
	})
	c := SessionCookie(w.Result(), e.M.CookieName())
	if c == nil {
		t.Fatal("no cookie")
	}
	if got := e.Only(); got.Counter != 5 || got.Name != "after update" {
		t.Fatalf("stored %+v, want counter 5, name after update", got)
	}
}

// duplicateCookiesDestroy proves that logout with several session
// cookies ends every session they name.
func duplicateCookiesDestroy(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{Insecure: true})
	old := e.Create("old-user")
	cur := e.Create("current")
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		e.Load(r)
		if err := e.M.Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
	}, cur, old)
	if n := e.Rows(); n != 0 {
		t.Fatalf("rows after logout = %d, want 0", n)
	}
}

// readRequestSendsNoCookie proves that a read-only request sets no
// cookie, but its response is marked private, since it may depend on the
// session; and that a stale cookie is left alone (issue 10, items 1 and 3).
func readRequestSendsNoCookie(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) { e.Load(r); _, _ = w.Write([]byte("x")) }, tok)
	h := w.Result().Header
	if h.Get("Set-Cookie") != "" || h.Get("Vary") != "Cookie" || h.Get("Cache-Control") != `private, no-cache="Set-Cookie"` {
		t.Fatalf("read request headers: %v", h)
	}
	// A handler that keeps its own stricter Cache-Control keeps it.
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) {
		e.Load(r)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("x"))
	}, tok)
	if h := w.Result().Header; h.Get("Cache-Control") != "no-store" || h.Get("Vary") != "Cookie" {
		t.Fatalf("no-store response headers: %v", h)
	}
	// A handler that never loads the session adds nothing.
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("x")) }, tok)
	if h := w.Result().Header; h.Get("Vary") != "" || h.Get("Cache-Control") != "" {
		t.Fatalf("untouched request headers: %v", h)
	}
	// A stale cookie is not expired: it may be a login's renewed-away token
	// whose browser already holds the new one.
	e.Clear()
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) { e.Load(r); _, _ = w.Write([]byte("x")) }, tok)
	if c := w.Result().Header.Get("Set-Cookie"); c != "" {
		t.Fatalf("stale cookie answered with Set-Cookie %q", c)
	}
}

// rememberMe proves that SetRememberMe renews the token and switches to
// the remember lifetimes in the database and the cookie.
func rememberMe(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		x.SetUserID(1)
		st.SetRememberMe(true)
	}, tok)
	ck := SessionCookie(w.Result(), e.M.CookieName())
	if ck == nil || ck.Value == tok {
		t.Fatalf("no renewed cookie: %v", ck)
	}
	if d := time.Duration(ck.MaxAge) * time.Second; d < 30*24*time.Hour-time.Minute {
		t.Errorf("Max-Age = %s, want 30 days", d)
	}
	m, got := e.OnlyMeta(), e.Only()
	idle, abs := time.Until(m.ExpiresAt), time.Until(m.AbsoluteExpiresAt)
	if !m.Remember || got.ID != 1 || idle < 7*24*time.Hour-time.Minute || idle > 7*24*time.Hour || abs < 30*24*time.Hour-time.Minute {
		t.Fatalf("stored: remember=%v uid=%d idle=%s abs=%s", m.Remember, got.ID, idle, abs)
	}
	// The old token is dead, the new one carries remember-me.
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		if st, _ := e.Load(r); !st.IsNew() {
			t.Error("old token still works")
		}
	}, tok)
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		if st, _ := e.Load(r); st.IsNew() || !st.Meta().Remember {
			t.Error("new token lost remember-me")
		}
	}, ck.Value)
}

// cookieSelection proves that the first well-formed cookie of the name
// is used and malformed ones are ignored without a query.
func cookieSelection(t *testing.T, eng Engine) {
	e := eng.New(t, sessionrt.Config{})
	tok := e.Create("alice")
	name := e.M.CookieName()
	cases := []struct {
		header  string
		queries int
		found   bool
	}{
		{name + "=garbage; " + name + "=" + tok, 1, true},
		{name + "=" + tok + "; " + name + "=" + strings.Repeat("A", 43), 1, true},
		{name + `="` + tok + `"`, 1, true},
		{"session=" + tok, 0, false}, // wrong name (no __Host- prefix)
		{name + "=" + tok[:42], 0, false},
		{name + "=" + tok + "=", 0, false},
		{name + "=" + tok[:42] + "B", 0, false}, // non-canonical trailing bits (B = 1)
		{name + "=" + strings.Repeat("+", 43), 0, false},
		{name + "=" + tok[:20] + "\n" + tok[21:], 0, false},
		{" \t" + name + "=" + tok + "\t ", 1, true},
		{"\v" + name + "=" + tok, 0, false}, // \v is not whitespace in a Cookie header (found by FuzzCookie)
		{name + "\f=" + tok, 0, false},
	}
	for _, c := range cases {
		e.Reset()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", c.header)
		w := httptest.NewRecorder()
		e.M.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st, x := e.Load(r)
			if found := !st.IsNew() && x.Name() == "alice"; found != c.found {
				t.Errorf("%q: found = %v", c.header, found)
			}
		})).ServeHTTP(w, req)
		if n, stmts := e.Reset(); e.Traced() && n != c.queries {
			t.Errorf("%q: %d queries %q, want %d", c.header, n, stmts, c.queries)
		}
	}
}
