package sessionimpl_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// TestStreamingFlush proves that the middleware does not buffer: the client
// reads the first chunk, with the session cookie, before the handler ends.
func TestStreamingFlush(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	release := make(chan struct{})
	srv := httptest.NewServer(e.M.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("streamer")
		_, _ = io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
			t.Error("client never read the first chunk")
		}
		_, _ = io.WriteString(w, "second\n")
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if sessionCookie(resp, e.M.CookieName()) == nil {
		t.Error("no session cookie on the streamed response")
	}
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first chunk = %q, %v", line, err)
	}
	close(release)
	rest, _ := io.ReadAll(br)
	if string(rest) != "second\n" {
		t.Fatalf("rest = %q", rest)
	}
	if n := e.Rows(); n != 1 {
		t.Fatalf("rows = %d", n)
	}
}

// TestResponseController proves that http.ResponseController reaches the
// underlying writer through the wrapper: Flush, SetWriteDeadline, Hijack.
func TestResponseController(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	srv := httptest.NewServer(e.M.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName(r.URL.Path)
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		switch r.URL.Path {
		case "/flush":
			_, _ = io.WriteString(w, "a")
			if err := rc.Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
		case "/hijack":
			hdr, err := e.M.UpgradeHeader(r.Context())
			if err != nil {
				t.Errorf("UpgradeHeader: %v", err)
				return
			}
			conn, buf, err := rc.Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			defer conn.Close()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n")
			_ = hdr.Write(buf)
			_, _ = buf.WriteString("\r\nhijacked")
			_ = buf.Flush()
		}
	})))
	defer srv.Close()
	for _, path := range []string{"/flush", "/hijack"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/hijack" && string(body) != "hijacked" {
			t.Errorf("hijack body = %q", body)
		}
	}
	if n := e.Rows(); n != 2 {
		t.Fatalf("rows = %d, want 2 (commit runs before flush and hijack)", n)
	}
}

// TestInformationalPassesThrough proves that a 1xx status does not commit:
// the client sees the 103, and the final response carries the cookie of a
// change made after it.
func TestInformationalPassesThrough(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	srv := httptest.NewServer(e.M.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, x := e.Load(r)
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		x.SetName("after hints")
		if st.Err() != nil {
			t.Errorf("Err after 103 = %v", st.Err())
		}
		_, _ = w.Write([]byte("ok"))
	})))
	defer srv.Close()
	got1xx := 0
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, _ textproto.MIMEHeader) error { got1xx = code; return nil },
	}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got1xx != http.StatusEarlyHints {
		t.Errorf("1xx seen by the client = %d", got1xx)
	}
	if sessionCookie(resp, e.M.CookieName()) == nil || e.Rows() != 1 {
		t.Fatal("change after 103 was not committed")
	}
}

// TestHandlerWritesNothing proves the commit after the handler returns, and
// the error handler's answer when that commit fails.
func TestHandlerWritesNothing(t *testing.T) {
	e := newEnv(t, sessionrt.Config{MaxPayloadBytes: 4})
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("ok")
	})
	if w.Code != http.StatusOK || sessionCookie(w.Result(), e.M.CookieName()) == nil {
		t.Fatalf("silent handler: %d %v", w.Code, w.Result().Header)
	}
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("far too long")
	})
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("failed silent commit: status %d", w.Code)
	}
}

// TestPayloadTooLarge proves 413 without any database statement.
func TestPayloadTooLarge(t *testing.T) {
	e := newEnv(t, sessionrt.Config{MaxPayloadBytes: 16})
	e.Tr.Reset()
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName(strings.Repeat("x", 100))
		w.Header().Set("Content-Type", "application/json")
		if _, err := w.Write([]byte(`{"secret":1}`)); !errors.Is(err, sessionrt.ErrCommitFailed) {
			t.Errorf("Write = %v, want sessionrt.ErrCommitFailed", err)
		}
	})
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", w.Code)
	}
	if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Header().Get("Content-Type"), "json") {
		t.Errorf("handler output leaked: %q %v", w.Body.String(), w.Header())
	}
	if n, stmts := e.Tr.Reset(); n != 0 {
		t.Errorf("queries = %d %q, want 0", n, stmts)
	}
	if n := e.Rows(); n != 0 {
		t.Errorf("rows = %d", n)
	}
	// Also through Update.
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		err := e.M.Update(r.Context(), func(rr sessionimpl.Record) error {
			rr.(*rec).SetName(strings.Repeat("y", 100))
			return nil
		})
		if !errors.Is(err, sessionrt.ErrPayloadTooLarge) {
			t.Errorf("Update = %v", err)
		}
	})
}

// TestUnavailable503 proves 503 when the database cannot be reached.
func TestUnavailable503(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	logs := &syncBuffer{}
	m, err := sessionimpl.NewManager(sessionimpl.Pgx(pool), backend{}, sessionrt.Config{Logger: newLogger(logs)})
	if err != nil {
		t.Fatal(err)
	}
	// Commit path: a new session cannot be inserted.
	w := newRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := m.Load(r.Context())
		if err != nil {
			t.Fatal(err)
		}
		st.Record().(*rec).SetName("x")
		_, _ = w.Write([]byte("body"))
	})).ServeHTTP(w, newRequest())
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "127.0.0.1") {
		t.Errorf("insert: %d %q, want a bare 503", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "status=503") {
		t.Errorf("not logged: %s", logs.String())
	}
	// Load path: the handler hands the error to HandleError.
	req := newRequest()
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: strings.Repeat("A", 43)})
	w = newRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := m.Load(r.Context()); err != nil {
			if !sessionrt.IsUnavailable(err) {
				t.Errorf("sessionrt.IsUnavailable(%v) = false", err)
			}
			m.HandleError(w, r, err)
		}
	})).ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("load: %d, want 503", w.Code)
	}
}

// TestQueryTimeout503 proves that a statement exceeding QueryTimeout (here
// blocked by a row lock) answers 503 and leaves the request usable.
func TestQueryTimeout503(t *testing.T) {
	e := newEnv(t, sessionrt.Config{QueryTimeout: 200 * time.Millisecond})
	tok := e.Create("alice")
	ctx := context.Background()
	tx, err := e.Admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM sessions FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r) // plain reads are not blocked
		x.SetUserID(1)    // the UPDATE at commit waits for the lock
		_, _ = w.Write([]byte("x"))
	}, tok)
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", w.Code)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		err := e.M.Update(r.Context(), func(sessionimpl.Record) error { return nil })
		if !sessionrt.IsUnavailable(err) {
			t.Errorf("Update under lock = %v, want unavailable", err)
		}
	}, tok)
}

// TestKilledConnection terminates the pool's backend in the middle of a
// request: the response is a clean 5xx and the next request recovers.
func TestKilledConnection(t *testing.T) {
	e := newEnv(t, sessionrt.Config{}, func(c *pgxpool.Config) {
		c.MaxConns = 1
		c.ConnConfig.RuntimeParams["application_name"] = "victim"
	})
	tok := e.Create("alice")
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		var n int
		if err := e.Admin.QueryRow(r.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
			AND application_name = 'victim'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("terminated %d backends, want 1", n)
		}
		x.SetUserID(9)
		_, _ = w.Write([]byte("should not be seen"))
	}, tok)
	if w.Code < 500 || strings.Contains(w.Body.String(), "should not") {
		t.Fatalf("killed connection: %d %q", w.Code, w.Body.String())
	}
	t.Logf("killed connection answered %d %q", w.Code, strings.TrimSpace(w.Body.String()))
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetUserID(10)
		_, _ = w.Write([]byte("ok"))
	}, tok)
	if w.Code != http.StatusOK {
		t.Fatalf("next request: %d %q", w.Code, w.Body.String())
	}
	var uid int64
	if err := e.Admin.QueryRow(context.Background(), "SELECT user_id FROM sessions").Scan(&uid); err != nil || uid != 10 {
		t.Fatalf("user_id = %d %v", uid, err)
	}
}

// unavailableErr is an engine's error that knows its own meaning.
type unavailableErr bool

func (e unavailableErr) Error() string     { return "engine error" }
func (e unavailableErr) Unavailable() bool { return bool(e) }

// TestIsUnavailable classifies errors without knowing the engine: the
// standard library's network and timeout errors, and errors that say so
// themselves. A bare *pgconn.PgError means nothing to package sessionrt;
// the manager wraps pgx's errors (TestPgxErrorWrap, TestLockTimeout503).
func TestIsUnavailable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{sessionimpl.ErrNotFound, false},
		{context.DeadlineExceeded, true},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{io.ErrUnexpectedEOF, true},
		{unavailableErr(true), true},
		{fmt.Errorf("wrapped: %w", unavailableErr(true)), true},
		{unavailableErr(false), false},
		// The engine's answer wins over a timeout it wraps.
		{fmt.Errorf("%w: %w", unavailableErr(false), context.DeadlineExceeded), false},
		{&pgconn.PgError{Code: "57P01"}, false},
	}
	for _, c := range cases {
		if got := sessionrt.IsUnavailable(c.err); got != c.want {
			t.Errorf("sessionrt.IsUnavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestLockTimeout503: PostgreSQL's own "unavailable" answer (here
// lock_not_available, 55P03, from lock_timeout) reaches the handler wrapped
// so that sessionrt.StatusCode answers 503 and errors.As still finds the
// *pgconn.PgError; a PostgreSQL error that is a bug stays a 500.
func TestLockTimeout503(t *testing.T) {
	e := newEnv(t, sessionrt.Config{}, func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["lock_timeout"] = "50ms"
	})
	tok := e.Create("alice")
	ctx := context.Background()
	tx, err := e.Admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM sessions FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	var upd error
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		upd = e.M.Update(r.Context(), func(sessionimpl.Record) error { return nil })
		if upd != nil {
			e.M.HandleError(w, r, upd)
		}
	}, tok)
	var pgErr *pgconn.PgError
	if !errors.As(upd, &pgErr) || pgErr.Code != "55P03" || !sessionrt.IsUnavailable(upd) || w.Code != http.StatusServiceUnavailable {
		t.Fatalf("Update under a held lock: %v (status %d), want 55P03 as a 503", upd, w.Code)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// A constraint violation is a bug, not an outage.
	if _, err := e.Admin.Exec(ctx, `ALTER TABLE sessions ADD CONSTRAINT short_name CHECK (length(name) < 10)`); err != nil {
		t.Fatal(err)
	}
	var commit error
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("far too long a name")
		commit = e.M.Commit(r.Context())
	}, tok)
	if !errors.As(commit, &pgErr) || pgErr.Code != "23514" || sessionrt.IsUnavailable(commit) || sessionrt.StatusCode(commit) != http.StatusInternalServerError {
		t.Fatalf("check violation: %v, want 23514 as a 500", commit)
	}
}

// TestCommitErrorIsTheHandlers proves that an error the handler saw from
// Commit is the handler's to answer: the commit before the response does
// not retry the write, and the error handler does not replace the
// handler's own response (issue 17 item 8).
func TestCommitErrorIsTheHandlers(t *testing.T) {
	e := newEnv(t, sessionrt.Config{MaxPayloadBytes: 10})
	tok := e.Create("alice")
	e.Tr.Reset()
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("a name longer than ten bytes")
		err := e.M.Commit(r.Context())
		if !errors.Is(err, sessionrt.ErrPayloadTooLarge) {
			t.Errorf("Commit = %v", err)
		}
		http.Error(w, "name too long", http.StatusUnprocessableEntity)
	}, tok)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "name too long") {
		t.Fatalf("response %d %q, want the handler's 422", w.Code, w.Body.String())
	}
	if n, stmts := e.Tr.Reset(); len(writes(stmts)) != 0 {
		t.Fatalf("the failed write was retried: %d statements %q", n, stmts)
	}
	// A later successful Commit hands the response back to the middleware.
	w = e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName("too long for the limit")
		if err := e.M.Commit(r.Context()); err == nil {
			t.Error("Commit succeeded")
		}
		x.SetName("bob")
		if err := e.M.Commit(r.Context()); err != nil {
			t.Errorf("second Commit = %v", err)
		}
		_, _ = io.WriteString(w, "ok")
	}, tok)
	if w.Code != http.StatusOK || e.ReadName(tok) != "bob" {
		t.Fatalf("response %d, name %q", w.Code, e.ReadName(tok))
	}
}
