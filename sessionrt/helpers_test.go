package sessionrt_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/pgtest"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// env is one test's database, traced pool and manager.
type env struct {
	t     testing.TB
	dsn   string
	admin *pgxpool.Pool // untraced, for setup and assertions
	pool  *pgxpool.Pool // traced, used by the manager
	tr    *pgtest.Recorder
	m     *sessionrt.Manager
	logs  *syncBuffer
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnv creates a database with the sessions table and a manager on a
// traced pool.
func newEnv(t testing.TB, cfg sessionrt.Config, mutate ...func(*pgxpool.Config)) *env {
	t.Helper()
	admin, dsn := pgtest.New(t)
	if _, err := admin.Exec(context.Background(), schema); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dsn: dsn, admin: admin, tr: &pgtest.Recorder{}, logs: &syncBuffer{}}
	var mut func(*pgxpool.Config)
	if len(mutate) > 0 {
		mut = mutate[0]
	}
	e.pool = pgtest.TracedPool(t, dsn, e.tr, mut)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m, err := sessionrt.NewManager(e.pool, backend{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	return e
}

// beginOnly hides the pool's Acquire, so the manager runs Update's
// transaction through Pool.Begin instead of pipelining it.
type beginOnly struct{ sessionrt.Pool }

// useBeginOnly replaces the env's manager by one on beginOnly.
func (e *env) useBeginOnly(cfg sessionrt.Config) {
	e.t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m, err := sessionrt.NewManager(beginOnly{e.pool}, backend{}, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.m = m
}

// serve runs h through the middleware with the given session cookie values
// and returns the recorded response.
func (e *env) serve(h http.HandlerFunc, tokens ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, tok := range tokens {
		req.AddCookie(&http.Cookie{Name: e.m.CookieName(), Value: tok})
	}
	w := httptest.NewRecorder()
	e.m.Middleware(h).ServeHTTP(w, req)
	return w
}

// load is Load that fails the test on error.
func (e *env) load(r *http.Request) (*sessionrt.State, *rec) {
	e.t.Helper()
	st, err := e.m.Load(r.Context())
	if err != nil {
		e.t.Errorf("Load: %v", err)
		return nil, nil
	}
	return st, st.Record().(*rec)
}

// create stores a session with the given name and returns its token.
func (e *env) create(name string) string {
	e.t.Helper()
	w := e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.load(r)
		x.SetName(name)
		_, _ = w.Write([]byte("ok"))
	})
	c := sessionCookie(w.Result(), e.m.CookieName())
	if c == nil || c.Value == "" {
		e.t.Fatalf("create: no session cookie in %v", w.Result().Header)
	}
	e.tr.Reset()
	return c.Value
}

// rows counts rows in the sessions table, expired or not.
func (e *env) rows() int {
	e.t.Helper()
	var n int
	if err := e.admin.QueryRow(context.Background(), "SELECT count(*) FROM sessions").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// sessionCookie returns the response's Set-Cookie for name, or nil.
func sessionCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// writes reports the statements in stmts that write.
func writes(stmts []string) []string {
	var out []string
	for _, s := range stmts {
		u := strings.ToUpper(strings.TrimSpace(s))
		if strings.HasPrefix(u, "INSERT") || strings.HasPrefix(u, "UPDATE") || strings.HasPrefix(u, "DELETE") {
			out = append(out, s)
		}
	}
	return out
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newRequest() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }

func newLogger(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// readName returns the name stored in the live session of tok, read through
// the middleware, or "" when tok names no live session.
func (e *env) readName(tok string) string {
	e.t.Helper()
	var name string
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if _, x := e.load(r); x != nil {
			name = x.Name()
		}
	}, tok)
	return name
}
