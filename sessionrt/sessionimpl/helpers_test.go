package sessionimpl_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/internal/lifecycletest"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// The lifecycle tests live in sessionrt/internal/lifecycletest, once for
// every engine; this package runs them on pgx and the in-memory engine (the
// nested module sessionrt/enginetest runs them on SQLite). The other tests
// of this package use the suite's env, record and backends for what only
// one engine has: pgx's pipelining, cache, poolers and clock skew.

// TestLifecycle runs the lifecycle suite on pgx and the in-memory engine.
func TestLifecycle(t *testing.T) {
	lifecycletest.Run(t, lifecycletest.Pgx(), lifecycletest.Memory())
}

// env is the suite's test environment with this package's helpers.
type env struct{ *lifecycletest.Env }

// rec is the hand-written record, backend the hand-written pgx backend.
type (
	rec     = lifecycletest.Rec
	backend = lifecycletest.PgxBackend
)

// schema is the PostgreSQL test table.
const schema = lifecycletest.PgxSchema

// newEnv creates a database with the sessions table and a manager on a
// traced pool; mutate, if given, changes the pool's configuration.
func newEnv(t testing.TB, cfg sessionrt.Config, mutate ...func(*pgxpool.Config)) *env {
	t.Helper()
	var mut func(*pgxpool.Config)
	if len(mutate) > 0 {
		mut = mutate[0]
	}
	return &env{lifecycletest.NewPgxEnv(t, cfg, mut)}
}

// newMemEnv returns an env on a fresh in-memory engine.
func newMemEnv(t testing.TB, cfg sessionrt.Config) *env {
	t.Helper()
	return &env{lifecycletest.NewMemoryEnv(t, cfg)}
}

// beginOnly hides the pool's Acquire, so the manager runs Update's
// transaction through Pool.Begin instead of pipelining it.
type beginOnly struct{ sessionimpl.PgxPool }

// useBeginOnly replaces the env's manager by one on beginOnly.
func (e *env) useBeginOnly(cfg sessionrt.Config) {
	e.T.Helper()
	if cfg.Logger == nil {
		cfg.Logger = newLogger(e.Logs)
	}
	m, err := sessionimpl.NewManager(sessionimpl.Pgx(beginOnly{e.Pool}), backend{}, cfg)
	if err != nil {
		e.T.Fatal(err)
	}
	e.M = m
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer = lifecycletest.SyncBuffer

func sessionCookie(resp *http.Response, name string) *http.Cookie {
	return lifecycletest.SessionCookie(resp, name)
}

func writes(stmts []string) []string { return lifecycletest.Writes(stmts) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newRequest() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }

func newLogger(w *syncBuffer) *slog.Logger { return lifecycletest.NewLogger(w) }
