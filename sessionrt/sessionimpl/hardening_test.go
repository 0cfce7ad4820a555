package sessionimpl_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/internal/lifecycletest"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// upgrade is what a websocket upgrader such as gorilla/websocket's does
// with the ResponseWriter: hijack the connection and write the 101 response
// itself, with the extra header the caller passed (UpgradeHeader's). On a
// failed hijack it answers an error through the ResponseWriter, as gorilla
// does. The runtime's module has no test dependency beyond pgx, so the
// upgrade is written out here.
func upgrade(w http.ResponseWriter, r *http.Request, hdr http.Header) (net.Conn, error) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "not an upgrade", http.StatusBadRequest)
		return nil, errors.New("not an upgrade")
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return nil, err
	}
	var b strings.Builder
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
	_ = hdr.Write(&b)
	b.WriteString("\r\n")
	if _, err := brw.WriteString(b.String()); err == nil {
		err = brw.Flush()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// dialUpgrade sends an upgrade request for path on srv with the jar's
// cookies and returns the response and, after a 101, the connection's
// reader positioned after it.
func dialUpgrade(t *testing.T, srv *httptest.Server, jar http.CookieJar, path string) (*http.Response, *bufio.Reader, net.Conn) {
	t.Helper()
	u, _ := url.Parse(srv.URL + path)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	for _, c := range jar.Cookies(u) {
		req.AddCookie(c)
	}
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	jar.SetCookies(u, resp.Cookies())
	return resp, br, conn
}

// TestHijackUpgrade covers issue 10 item 6 with an upgrade as websocket
// libraries make it (upgrade above): a handler that renews the session and
// upgrades passes UpgradeHeader's header to the upgrader, and the browser
// keeps its login; without it the hijack fails before anything is stored.
func TestHijackUpgrade(t *testing.T) {
	e := newEnv(t, sessionrt.Config{Insecure: true})
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		st.Renew()
		x.SetName("ws user")
		hdr, err := e.M.UpgradeHeader(r.Context())
		if err != nil {
			t.Errorf("UpgradeHeader: %v", err)
			return
		}
		conn, err := upgrade(w, r, hdr)
		if err != nil {
			t.Errorf("Upgrade: %v", err)
			return
		}
		defer conn.Close()
		_, _ = io.WriteString(conn, "hello")
	})
	mux.HandleFunc("/ws-careless", func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("careless")
		_, err := upgrade(w, r, nil)
		if !errors.Is(err, sessionrt.ErrHijackCookie) {
			t.Errorf("Upgrade without UpgradeHeader = %v, want sessionrt.ErrHijackCookie", err)
		}
	})
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		_, _ = io.WriteString(w, x.Name())
	})
	srv := httptest.NewServer(e.M.Middleware(mux))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	tok := e.Create("before")
	u, _ := url.Parse(srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: e.M.CookieName(), Value: tok}})

	resp, br, conn := dialUpgrade(t, srv, jar, "/ws")
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answered %d", resp.StatusCode)
	}
	if msg, err := io.ReadAll(br); err != nil || string(msg) != "hello" {
		t.Fatalf("message %q, %v", msg, err)
	}
	conn.Close()
	if sessionCookie(resp, e.M.CookieName()) == nil {
		t.Fatalf("101 response carries no session cookie: %v", resp.Header)
	}
	r2, err := client.Get(srv.URL + "/me")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if string(b) != "ws user" {
		t.Fatalf("after the upgrade the browser reads %q, want the renewed session", b)
	}

	// Without UpgradeHeader: the hijack fails, nothing is stored by it; the
	// upgrader's error response carries the new session's cookie.
	before := e.Rows()
	jar2, _ := cookiejar.New(nil)
	resp, _, _ = dialUpgrade(t, srv, jar2, "/ws-careless")
	if resp.StatusCode == http.StatusSwitchingProtocols {
		t.Fatal("careless upgrade succeeded")
	}
	if sessionCookie(resp, e.M.CookieName()) == nil {
		t.Fatalf("the error response should carry the session it stored: %v", resp.Header)
	}
	if n := e.Rows(); n != before+1 {
		t.Fatalf("rows = %d, want %d: the session is stored with the response that carries its cookie", n, before+1)
	}
}

// TestTimeoutHandler covers issue 10 item 7: http.TimeoutHandler inside or
// outside Middleware, run under -race. A handler still running after the
// timeout changes its session: nothing races, the late change is reported
// and not saved.
func TestTimeoutHandler(t *testing.T) {
	for _, nesting := range []string{"middleware(timeout(h))", "timeout(middleware(h))"} {
		t.Run(nesting, func(t *testing.T) {
			e := newEnv(t, sessionrt.Config{})
			tok := e.Create("alice")
			var wg sync.WaitGroup
			var lateErr atomic.Value
			wg.Add(1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer wg.Done()
				st, x := e.Load(r)
				x.SetCounter(1)
				<-r.Context().Done() // the timeout fired
				time.Sleep(20 * time.Millisecond)
				st.Renew()
				x.SetName("late")
				x.SetUserID(7)
				_, _ = io.WriteString(w, "too late")
				if err := st.Err(); err != nil {
					lateErr.Store(err)
				}
			})
			var srv http.Handler
			if nesting == "middleware(timeout(h))" {
				srv = e.M.Middleware(http.TimeoutHandler(h, 30*time.Millisecond, "timeout"))
			} else {
				srv = http.TimeoutHandler(e.M.Middleware(h), 30*time.Millisecond, "timeout")
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.AddCookie(&http.Cookie{Name: e.M.CookieName(), Value: tok})
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			wg.Wait()
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d", rec.Code)
			}
			if rec.Result().Header.Get("Set-Cookie") != "" {
				t.Fatalf("timeout answered Set-Cookie")
			}
			err, _ := lateErr.Load().(error)
			switch {
			case nesting == "middleware(timeout(h))" && !(errors.Is(err, sessionrt.ErrResponseStarted) && strings.Contains(err.Error(), "Name")):
				t.Fatalf("late change not reported: %v", err)
			case nesting == "timeout(middleware(h))" && !errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("unsaved change after the deadline not reported: %v", err)
			}
			if got := e.ReadName(tok); got != "alice" {
				t.Fatalf("stored name = %q, want alice (late change not saved)", got)
			}
			var uid int64
			if err := e.Admin.QueryRow(context.Background(), "SELECT user_id FROM sessions WHERE name = 'alice'").Scan(&uid); err != nil || uid != 0 {
				t.Fatalf("user_id = %d, %v: a privilege change was saved without its renew", uid, err)
			}
		})
	}
}

// newSkewedEnv is newEnv on a database whose clock runs skew ahead of the
// app's (negative: behind): now() resolves to skew.now() through the
// search_path, for the statements and the column defaults.
func newSkewedEnv(t *testing.T, cfg sessionrt.Config, skew time.Duration) *env {
	t.Helper()
	admin, dsn := sessiontest.New(t)
	ctx := context.Background()
	fn := fmt.Sprintf(`CREATE SCHEMA skew;
CREATE FUNCTION skew.now() RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT pg_catalog.now() + interval '%d microseconds' $$;`, skew.Microseconds())
	if _, err := admin.Exec(ctx, fn); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, strings.ReplaceAll(schema, "DEFAULT now()", "DEFAULT skew.now()")); err != nil {
		t.Fatal(err)
	}
	return &env{lifecycletest.PgxEnvOn(t, cfg, admin, dsn, func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["search_path"] = "skew, pg_catalog, public"
	})}
}

// TestSkew covers issue 10 item 8: with the database clock 29.5 minutes
// ahead of or behind the app's, reads touch at most once per TouchInterval
// and keep an active session alive, because "touch due" is decided by the
// database clock. Before, a database ahead never touched (the session
// expired while in use) and one behind touched on every read.
func TestSkew(t *testing.T) {
	for _, skew := range []time.Duration{29*time.Minute + 30*time.Second, -(29*time.Minute + 30*time.Second)} {
		t.Run(fmt.Sprintf("db_clock_%+v", skew), func(t *testing.T) {
			e := newSkewedEnv(t, sessionrt.Config{IdleTimeout: 1500 * time.Millisecond, TouchInterval: 500 * time.Millisecond}, skew)
			var skewed bool
			if err := e.Pool.QueryRow(context.Background(), "SELECT abs(extract(epoch FROM now() - statement_timestamp())) > 60").Scan(&skewed); err != nil || !skewed {
				t.Fatalf("the database clock is not skewed: %v", err)
			}
			tok := e.Create("alice")
			reads, touches := 0, 0
			for end := time.Now().Add(2500 * time.Millisecond); time.Now().Before(end); reads++ {
				if got := e.ReadName(tok); got != "alice" {
					t.Fatalf("read %d: session ended while in use (read %q)", reads, got)
				}
				_, stmts := e.Tr.Reset()
				touches += len(writes(stmts))
				time.Sleep(150 * time.Millisecond)
			}
			t.Logf("%d reads, %d touches", reads, touches)
			if touches < 2 || touches > reads/2 {
				t.Fatalf("%d touches in %d reads over 2.5 s with a 500 ms TouchInterval", touches, reads)
			}
		})
	}
}

// TestHijackUpgradeHeaderUnused proves that a cookie handed out by
// UpgradeHeader still goes out with the ordinary response when the upgrade
// does not happen: a renew is never lost.
func TestHijackUpgradeHeaderUnused(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	tok := e.Create("alice")
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, _ := e.Load(r)
		st.Renew()
		if _, err := e.M.UpgradeHeader(r.Context()); err != nil {
			t.Fatal(err)
		}
		http.Error(w, "bad origin", http.StatusForbidden) // the upgrade is refused
	}, tok)
	c := sessionCookie(w.Result(), e.M.CookieName())
	if w.Code != http.StatusForbidden || c == nil || c.Value == tok {
		t.Fatalf("refused upgrade: %d, cookie %v", w.Code, c)
	}
	if got := e.ReadName(c.Value); got != "alice" {
		t.Fatalf("renewed token reads %q", got)
	}
}
