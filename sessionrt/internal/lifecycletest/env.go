package lifecycletest

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// Engine makes a test Env on one storage engine.
type Engine struct {
	// Name names the engine's subtests.
	Name string
	// New returns a fresh Env, with an empty sessions table, for one test;
	// its resources are released by the test's Cleanup.
	New func(t testing.TB, cfg sessionrt.Config) *Env
}

// Env is one test's engine and manager, with what the tests assert with.
// The fields of one engine are nil on the others.
type Env struct {
	T    testing.TB           // the test the env was made for
	M    *sessionimpl.Manager // the manager under test
	Logs *SyncBuffer          // the manager's log, at debug level

	// On PostgreSQL: the database, an untraced pool for setup and
	// assertions, and the traced pool the manager uses.
	DSN   string
	Admin *pgxpool.Pool
	Pool  *pgxpool.Pool
	Tr    *sessiontest.Recorder

	// The in-memory engine.
	Mem *sessionimpl.Memory

	// A database/sql engine: the database the manager uses.
	DB *sql.DB

	store storage
}

// storage is what the tests read and change behind the manager's back, on
// one engine.
type storage interface {
	// live returns the payloads of the live sessions.
	live(ctx context.Context) ([]Row, error)
	// metas returns the lifecycles of the live sessions.
	metas(ctx context.Context) ([]sessionrt.Meta, error)
	// rows counts the stored sessions, expired or not (on the in-memory
	// engine, live ones only: its expired rows cannot be seen).
	rows(ctx context.Context) (int, error)
	// clear deletes every stored session.
	clear(ctx context.Context) error
	// backdate sets last_seen_at to lastSeenAgo before now, and expires_at
	// to expiresIn after now (before, if negative), of every session; a
	// zero duration leaves its column alone. It reports false when the
	// engine's clock cannot be moved.
	backdate(ctx context.Context, lastSeenAgo, expiresIn time.Duration) (bool, error)
	// list lists the live sessions of a user, most recently used first:
	// the generated ListBy<Field>.
	list(ctx context.Context, uid int64) ([]sessionimpl.Listed, error)
	// deleteUser deletes the sessions of a user but the one of except (nil:
	// all), and returns their keys: the generated DestroyBy<Field> and
	// DestroyOthersBy<Field>.
	deleteUser(ctx context.Context, uid int64, except []byte) ([][]byte, error)
	// traced reports whether the engine records the statements run for
	// the manager.
	traced() bool
	// trace returns and clears the statements recorded (0, nil when
	// untraced).
	trace() (int, []string)
}

// SyncBuffer is a goroutine-safe log sink.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// NewLogger returns a debug-level text logger writing to w.
func NewLogger(w *SyncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newEnv returns an env whose manager runs on drv and be, logging to the
// env's buffer unless cfg has a logger.
func newEnv(t testing.TB, cfg sessionrt.Config, drv sessionimpl.Driver, be sessionimpl.Backend, st storage) *Env {
	t.Helper()
	e := &Env{T: t, Logs: &SyncBuffer{}, store: st}
	if cfg.Logger == nil {
		cfg.Logger = NewLogger(e.Logs)
	}
	m, err := sessionimpl.NewManager(drv, be, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.M = m
	return e
}

// Serve runs h through the middleware with the given session cookie values
// and returns the recorded response.
func (e *Env) Serve(h http.HandlerFunc, tokens ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, tok := range tokens {
		req.AddCookie(&http.Cookie{Name: e.M.CookieName(), Value: tok})
	}
	w := httptest.NewRecorder()
	e.M.Middleware(h).ServeHTTP(w, req)
	return w
}

// Load is Manager.Load that reports an error to the test.
func (e *Env) Load(r *http.Request) (*sessionimpl.State, *Rec) {
	e.T.Helper()
	st, err := e.M.Load(r.Context())
	if err != nil {
		e.T.Errorf("Load: %v", err)
		return nil, nil
	}
	return st, st.Record().(*Rec)
}

// Create stores a session with the given name and returns its token.
func (e *Env) Create(name string) string {
	e.T.Helper()
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		_, x := e.Load(r)
		x.SetName(name)
		_, _ = w.Write([]byte("ok"))
	})
	c := SessionCookie(w.Result(), e.M.CookieName())
	if c == nil || c.Value == "" {
		e.T.Fatalf("create: no session cookie in %v", w.Result().Header)
	}
	e.Reset()
	return c.Value
}

// ReadName returns the name stored in the live session of tok, read through
// the middleware, or "" when tok names no live session.
func (e *Env) ReadName(tok string) string {
	e.T.Helper()
	var name string
	e.Serve(func(w http.ResponseWriter, r *http.Request) {
		if _, x := e.Load(r); x != nil {
			name = x.Name()
		}
	}, tok)
	return name
}

// RenewVia renews tok's session in a request of its own and returns the
// new token.
func (e *Env) RenewVia(tok string) string {
	e.T.Helper()
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		st, _ := e.Load(r)
		st.Renew()
	}, tok)
	c := SessionCookie(w.Result(), e.M.CookieName())
	if c == nil || c.Value == "" || c.Value == tok {
		e.T.Fatalf("renew: no new token: %v", c)
	}
	return c.Value
}

// DestroyVia destroys tok's session in a request of its own and reports
// whether the response expired the cookie.
func (e *Env) DestroyVia(tok string) bool {
	e.T.Helper()
	w := e.Serve(func(w http.ResponseWriter, r *http.Request) {
		if err := e.M.Destroy(r.Context()); err != nil {
			e.T.Errorf("Destroy: %v", err)
		}
	}, tok)
	c := SessionCookie(w.Result(), e.M.CookieName())
	return c != nil && c.MaxAge < 0
}

// Count is Manager.Count that fails the test on error.
func (e *Env) Count() int64 {
	e.T.Helper()
	n, err := e.M.Count(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return n
}

// Live returns the payloads of the live sessions, in no particular order,
// read behind the manager's back.
func (e *Env) Live() []Row {
	e.T.Helper()
	rows, err := e.store.live(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return rows
}

// Only returns the payload of the only live session.
func (e *Env) Only() Row {
	e.T.Helper()
	rows := e.Live()
	if len(rows) != 1 {
		e.T.Fatalf("%d live sessions, want 1: %+v", len(rows), rows)
	}
	return rows[0]
}

// OnlyMeta returns the stored lifecycle of the only live session.
func (e *Env) OnlyMeta() sessionrt.Meta {
	e.T.Helper()
	ms, err := e.store.metas(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	if len(ms) != 1 {
		e.T.Fatalf("%d live sessions, want 1", len(ms))
	}
	return ms[0]
}

// Rows counts the stored sessions, expired or not (on the in-memory
// engine, live sessions only).
func (e *Env) Rows() int {
	e.T.Helper()
	n, err := e.store.rows(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return n
}

// Clear deletes every stored session behind the manager's back.
func (e *Env) Clear() {
	e.T.Helper()
	if err := e.store.clear(context.Background()); err != nil {
		e.T.Fatal(err)
	}
}

// Backdate moves every stored session's clock by the database's: its
// last_seen_at to lastSeenAgo before now and its expires_at to expiresIn
// from now (negative: in the past), a zero duration leaving the column
// alone. On an engine whose clock cannot be moved (the in-memory engine's
// is the process clock) it skips t, the calling test.
func (e *Env) Backdate(t testing.TB, lastSeenAgo, expiresIn time.Duration) {
	t.Helper()
	ok, err := e.store.backdate(context.Background(), lastSeenAgo, expiresIn)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skip("the engine's clock cannot be moved")
	}
}

// List lists the live sessions of user uid as the generated
// ListByUserID would, most recently used first.
func (e *Env) List(uid int64) []sessionimpl.Listed {
	e.T.Helper()
	l, err := e.store.list(context.Background(), uid)
	if err != nil {
		e.T.Fatal(err)
	}
	return l
}

// DeleteUser deletes the sessions of user uid but the one of except (nil:
// all) as the generated DestroyOthersByUserID and DestroyByUserID would,
// and returns their keys.
func (e *Env) DeleteUser(uid int64, except []byte) [][]byte {
	e.T.Helper()
	keys, err := e.store.deleteUser(context.Background(), uid, except)
	if err != nil {
		e.T.Fatal(err)
	}
	return keys
}

// Traced reports whether the engine records the statements it runs for
// the manager.
func (e *Env) Traced() bool { return e.store.traced() }

// Reset returns and clears the statements run for the manager since the
// last Reset: the round trips of the traced pool on PostgreSQL, the
// backend's statements on a database/sql engine, none on the in-memory
// engine (0, nil).
func (e *Env) Reset() (int, []string) { return e.store.trace() }

// SessionCookie returns the response's Set-Cookie for name, or nil.
func SessionCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Writes returns the statements in stmts that write.
func Writes(stmts []string) []string {
	var out []string
	for _, s := range stmts {
		u := strings.ToUpper(strings.TrimSpace(s))
		if strings.HasPrefix(u, "INSERT") || strings.HasPrefix(u, "UPDATE") || strings.HasPrefix(u, "DELETE") {
			out = append(out, s)
		}
	}
	return out
}
