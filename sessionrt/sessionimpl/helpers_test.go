package sessionimpl_test

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

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// env is one test's engine and manager: a database with a traced pool, or
// the in-memory engine (mem set; admin, pool and tr nil).
type env struct {
	t     testing.TB
	dsn   string
	admin *pgxpool.Pool // untraced, for setup and assertions
	pool  *pgxpool.Pool // traced, used by the manager
	tr    *sessiontest.Recorder
	mem   *sessionimpl.Memory
	m     *sessionimpl.Manager
	logs  *syncBuffer
}

// engine makes a test env on one storage engine.
type engine struct {
	name string
	env  func(t testing.TB, cfg sessionrt.Config) *env
}

// engines are the engines lifecycle tests run on.
var engines = []engine{
	{"pgx", func(t testing.TB, cfg sessionrt.Config) *env { return newEnv(t, cfg) }},
	{"memory", newMemEnv},
}

// eachEngine runs fn as a subtest per engine.
func eachEngine(t *testing.T, fn func(t *testing.T, eng engine)) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) { fn(t, eng) })
	}
}

// newMemEnv returns an env on a fresh in-memory engine.
func newMemEnv(t testing.TB, cfg sessionrt.Config) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}}
	e.mem = sessionimpl.NewMemory(backend{}.New)
	if cfg.Logger == nil {
		cfg.Logger = newLogger(e.logs)
	}
	m, err := sessionimpl.NewManager(e.mem, e.mem, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	return e
}

// row is the payload of one stored session.
type row struct {
	name        string
	counter, id int64
}

// live returns the payloads of the live sessions, in no particular order.
func (e *env) live() []row {
	e.t.Helper()
	var out []row
	if e.mem != nil {
		e.mem.List(func(r sessionimpl.Record) bool {
			x := r.(*rec)
			out = append(out, row{x.name, x.counter, x.userID})
			return false
		})
		return out
	}
	rs, err := e.admin.Query(context.Background(), "SELECT name, counter, user_id FROM sessions WHERE expires_at > now()")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.name, &r.counter, &r.id); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// only returns the payload of the only live session.
func (e *env) only() row {
	e.t.Helper()
	rows := e.live()
	if len(rows) != 1 {
		e.t.Fatalf("%d live sessions, want 1: %+v", len(rows), rows)
	}
	return rows[0]
}

// reset returns and clears the round trips the traced pool made (0, nil
// on the in-memory engine).
func (e *env) reset() (int, []string) {
	if e.tr == nil {
		return 0, nil
	}
	return e.tr.Reset()
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
	admin, dsn := sessiontest.New(t)
	if _, err := admin.Exec(context.Background(), schema); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dsn: dsn, admin: admin, tr: &sessiontest.Recorder{}, logs: &syncBuffer{}}
	var mut func(*pgxpool.Config)
	if len(mutate) > 0 {
		mut = mutate[0]
	}
	e.pool = sessiontest.TracedPool(t, dsn, e.tr, mut)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m, err := sessionimpl.NewManager(sessionimpl.Pgx(e.pool), backend{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	return e
}

// beginOnly hides the pool's Acquire, so the manager runs Update's
// transaction through Pool.Begin instead of pipelining it.
type beginOnly struct{ sessionimpl.PgxPool }

// useBeginOnly replaces the env's manager by one on beginOnly.
func (e *env) useBeginOnly(cfg sessionrt.Config) {
	e.t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m, err := sessionimpl.NewManager(sessionimpl.Pgx(beginOnly{e.pool}), backend{}, cfg)
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
func (e *env) load(r *http.Request) (*sessionimpl.State, *rec) {
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
	e.reset()
	return c.Value
}

// rows counts rows in the sessions table, expired or not (on the
// in-memory engine, live sessions only).
func (e *env) rows() int {
	e.t.Helper()
	if e.mem != nil {
		return len(e.live())
	}
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

// clear deletes every stored session behind the manager's back.
func (e *env) clear() {
	e.t.Helper()
	if e.mem != nil {
		e.mem.DeleteWhere(func(sessionimpl.Record) bool { return true }, nil)
		return
	}
	if _, err := e.admin.Exec(context.Background(), "DELETE FROM sessions"); err != nil {
		e.t.Fatal(err)
	}
}
