package sessionimpl_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// TestCookieAttributes checks the Set-Cookie and cache headers of a new
// session under several configurations.
func TestCookieAttributes(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name       string
		cfg        sessionrt.Config
		remember   bool
		preset     http.Header // headers the handler sets
		cookieName string
		secure     bool
		maxAge     time.Duration // 0: no Max-Age
		sameSite   http.SameSite
		cache      string
		vary       []string
	}{
		{name: "defaults", cookieName: "__Host-session", secure: true, maxAge: 8 * time.Hour,
			sameSite: http.SameSiteLaxMode, cache: `private, no-cache="Set-Cookie"`, vary: []string{"Cookie"}},
		{name: "insecure", cfg: sessionrt.Config{Insecure: true, CookieName: "sid"}, cookieName: "sid", maxAge: 8 * time.Hour,
			sameSite: http.SameSiteLaxMode, cache: `private, no-cache="Set-Cookie"`, vary: []string{"Cookie"}},
		{name: "domain drops host prefix", cfg: sessionrt.Config{Domain: "example.com", SameSite: http.SameSiteStrictMode},
			cookieName: "session", secure: true, maxAge: 8 * time.Hour, sameSite: http.SameSiteStrictMode,
			cache: `private, no-cache="Set-Cookie"`, vary: []string{"Cookie"}},
		{name: "browser session", cfg: sessionrt.Config{BrowserSession: true}, cookieName: "__Host-session", secure: true,
			sameSite: http.SameSiteLaxMode, cache: `private, no-cache="Set-Cookie"`, vary: []string{"Cookie"}},
		{name: "browser session with remember-me", cfg: sessionrt.Config{BrowserSession: true}, remember: true,
			cookieName: "__Host-session", secure: true, maxAge: 30 * day, sameSite: http.SameSiteLaxMode,
			cache: `private, no-cache="Set-Cookie"`, vary: []string{"Cookie"}},
		{name: "existing cache-control and vary", preset: http.Header{"Cache-Control": {"public, max-age=60"}, "Vary": {"Accept-Encoding"}},
			cookieName: "__Host-session", secure: true, maxAge: 8 * time.Hour, sameSite: http.SameSiteLaxMode,
			cache: "private, max-age=60", vary: []string{"Accept-Encoding", "Cookie"}},
		{name: "no-store kept", preset: http.Header{"Cache-Control": {"no-store"}, "Vary": {"cookie"}},
			cookieName: "__Host-session", secure: true, maxAge: 8 * time.Hour, sameSite: http.SameSiteLaxMode,
			cache: "no-store", vary: []string{"cookie"}},
	}
	e := newEnv(t, sessionrt.Config{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Logger = newLogger(e.Logs)
			m, err := sessionimpl.NewManager(sessionimpl.Pgx(e.Pool), backend{}, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if m.CookieName() != c.cookieName {
				t.Errorf("CookieName() = %q, want %q", m.CookieName(), c.cookieName)
			}
			w := newRecorder()
			m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				st, err := m.Load(r.Context())
				if err != nil {
					t.Fatal(err)
				}
				st.Record().(*rec).SetName("n")
				if c.remember {
					st.SetRememberMe(true)
				}
				for k, v := range c.preset {
					w.Header()[k] = v
				}
				_, _ = w.Write([]byte("ok"))
			})).ServeHTTP(w, newRequest())
			resp := w.Result()
			ck := sessionCookie(resp, c.cookieName)
			if ck == nil {
				t.Fatalf("no cookie %q in %v", c.cookieName, resp.Header["Set-Cookie"])
			}
			if len(ck.Value) != 43 || ck.Secure != c.secure || !ck.HttpOnly || ck.SameSite != c.sameSite || ck.Path != "/" {
				t.Errorf("cookie = %+v", ck)
			}
			raw := resp.Header.Get("Set-Cookie")
			if c.maxAge == 0 {
				if strings.Contains(raw, "Max-Age") || strings.Contains(raw, "Expires") {
					t.Errorf("browser-session cookie is persistent: %s", raw)
				}
			} else if got := time.Duration(ck.MaxAge) * time.Second; got < c.maxAge-5*time.Second || got > c.maxAge+time.Second {
				t.Errorf("Max-Age = %s, want %s", got, c.maxAge)
			}
			if got := resp.Header.Get("Cache-Control"); got != c.cache {
				t.Errorf("Cache-Control = %q, want %q", got, c.cache)
			}
			if got := resp.Header.Values("Vary"); strings.Join(got, "|") != strings.Join(c.vary, "|") {
				t.Errorf("Vary = %q, want %q", got, c.vary)
			}
		})
	}
}

// TestReadRequestSendsNoCookie proves that a read-only request sets no
// cookie, but its response is marked private, since it may depend on the
// session; and that a stale cookie is left alone (issue 10, items 1 and 3).
func TestReadRequestSendsNoCookie(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
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
	if _, err := e.Admin.Exec(context.Background(), "DELETE FROM sessions"); err != nil {
		t.Fatal(err)
	}
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) { e.Load(r); _, _ = w.Write([]byte("x")) }, tok)
	if c := w.Result().Header.Get("Set-Cookie"); c != "" {
		t.Fatalf("stale cookie answered with Set-Cookie %q", c)
	}
}

// TestRememberMe proves that SetRememberMe renews the token and switches to
// the remember lifetimes in the database and the cookie.
func TestRememberMe(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	tok := e.Create("alice")
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		x.SetUserID(1)
		st.SetRememberMe(true)
	}, tok)
	ck := sessionCookie(w.Result(), e.M.CookieName())
	if ck == nil || ck.Value == tok {
		t.Fatalf("no renewed cookie: %v", ck)
	}
	if d := time.Duration(ck.MaxAge) * time.Second; d < 30*24*time.Hour-time.Minute {
		t.Errorf("Max-Age = %s, want 30 days", d)
	}
	var remember bool
	var idle, abs time.Duration
	var uid int64
	if err := e.Admin.QueryRow(context.Background(), `SELECT remember, user_id,
		extract(epoch FROM expires_at - now())::bigint * 1000000000, extract(epoch FROM absolute_expires_at - now())::bigint * 1000000000
		FROM sessions`).Scan(&remember, &uid, &idle, &abs); err != nil {
		t.Fatal(err)
	}
	if !remember || uid != 1 || idle < 7*24*time.Hour-time.Minute || idle > 7*24*time.Hour || abs < 30*24*time.Hour-time.Minute {
		t.Fatalf("row: remember=%v uid=%d idle=%s abs=%s", remember, uid, idle, abs)
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

// TestCookieSelection proves that the first well-formed cookie of the name
// is used and malformed ones are ignored without a query.
func TestCookieSelection(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
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
		e.Tr.Reset()
		req := newRequest()
		req.Header.Set("Cookie", c.header)
		w := newRecorder()
		e.M.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st, x := e.Load(r)
			if found := !st.IsNew() && x.Name() == "alice"; found != c.found {
				t.Errorf("%q: found = %v", c.header, found)
			}
		})).ServeHTTP(w, req)
		if n, stmts := e.Tr.Reset(); n != c.queries {
			t.Errorf("%q: %d queries %q, want %d", c.header, n, stmts, c.queries)
		}
	}
}
