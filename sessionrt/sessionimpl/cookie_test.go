package sessionimpl_test

import (
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
