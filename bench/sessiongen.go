package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// The sessiongen mode serves the example payload (app.Session) through the
// generated typed layer (app.SessionStore) over sessionrt. The sessions
// table comes from the emitted dbmate migrations (app.Migrate).

type sgMode struct{ s *app.SessionStore }

// sessiongenConfig is the configuration of a sessiongen mode: the defaults
// (IdleTimeout 30m, touch throttled to once per TouchInterval = 1m) on plain
// http; touch overrides TouchInterval when non-zero.
func sessiongenConfig(touch time.Duration) sessionrt.Config {
	return sessionrt.Config{
		Insecure:      true,
		TouchInterval: touch,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func newSessiongen(pool *pgxpool.Pool, touch time.Duration) (http.Handler, error) {
	h, _, err := newSessiongenWith(pool, sessiongenConfig(touch))
	return h, err
}

// newSessiongenWith serves the benchmark's endpoints through a store with
// configuration cfg and returns the handler and the store (for the reaper).
func newSessiongenWith(pool *pgxpool.Pool, cfg sessionrt.Config) (http.Handler, *app.SessionStore, error) {
	store, err := app.NewSessionStore(pool, cfg)
	if err != nil {
		return nil, nil, err
	}
	return sessiongenHandler(store), store, nil
}

// newSessiongenCache is the sessiongen mode with the session cache on (up
// to 100,000 sessions) and its listener running until stop.
func newSessiongenCache(pool *pgxpool.Pool) (http.Handler, *app.SessionStore, func(), error) {
	cfg := sessiongenConfig(0)
	cfg.Cache = sessionrt.CacheConfig{MaxEntries: 100_000}
	store, err := app.NewSessionStore(pool, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = store.RunCacheListener(ctx)
	}()
	for deadline := time.Now().Add(10 * time.Second); !store.CacheStats().On; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			return nil, nil, nil, errors.New("the cache listener did not connect")
		}
	}
	return sessiongenHandler(store), store, func() { cancel(); <-done }, nil
}

// sessiongenHandler serves the benchmark's endpoints through store.
func sessiongenHandler(store *app.SessionStore) http.Handler {
	m := &sgMode{s: store}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", m.login)
	mux.HandleFunc("GET /read", m.read)
	mux.HandleFunc("POST /write", m.write)
	mux.HandleFunc("POST /logout", m.logout)
	mux.HandleFunc("GET /none", none)
	mux.HandleFunc("POST /incr", m.incr)
	mux.HandleFunc("POST /field", m.field)
	mux.HandleFunc("GET /state", m.state)
	return store.Middleware(mux)
}

func (m *sgMode) fail(w http.ResponseWriter, r *http.Request, err error) {
	m.s.HandleError(w, r, err)
}

func (m *sgMode) login(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	s, ok := m.s.Load(w, r)
	if !ok {
		return
	}
	s.Renew()
	s.SetUserID(uid)
	s.SetEmail(emailOf(uid))
	s.SetRoles([]string{"user"})
	writeUser(w, uid, emailOf(uid))
}

func (m *sgMode) read(w http.ResponseWriter, r *http.Request) {
	s, ok := m.s.Load(w, r)
	if !ok {
		return
	}
	if s.UserID() == 0 {
		unauthorized(w)
		return
	}
	writeUser(w, s.UserID(), s.Email())
}

func (m *sgMode) write(w http.ResponseWriter, r *http.Request) {
	s, ok := m.s.Load(w, r)
	if !ok {
		return
	}
	if s.UserID() == 0 {
		unauthorized(w)
		return
	}
	s.SetTheme(app.Theme(r.URL.Query().Get("v")))
	ok200(w)
}

func (m *sgMode) logout(w http.ResponseWriter, r *http.Request) {
	if err := m.s.Destroy(r.Context()); err != nil {
		m.fail(w, r, err)
		return
	}
	ok200(w)
}

// incr uses Update: SELECT ... FOR UPDATE in a transaction.
func (m *sgMode) incr(w http.ResponseWriter, r *http.Request) {
	var n int64
	err := m.s.Update(r.Context(), func(s *app.SessionHandle) error {
		if s.UserID() == 0 {
			return errNotLoggedIn
		}
		n = s.Counter() + 1
		s.SetCounter(n)
		return nil
	})
	if errors.Is(err, errNotLoggedIn) || errors.Is(err, sessionrt.ErrSessionGone) {
		unauthorized(w)
		return
	}
	if err != nil {
		m.fail(w, r, err)
		return
	}
	writeCounter(w, n)
}

// field is a plain Load and a setter: only the changed column is written.
func (m *sgMode) field(w http.ResponseWriter, r *http.Request) {
	s, ok := m.s.Load(w, r)
	if !ok {
		return
	}
	if s.UserID() == 0 {
		unauthorized(w)
		return
	}
	if r.URL.Query().Get("f") == "b" {
		s.EditCart(func(c *[]app.CartItem) {
			if len(*c) == 0 {
				*c = []app.CartItem{{SKU: "b"}}
			}
			(*c)[0].Qty++
		})
	} else {
		s.SetCounter(s.Counter() + 1)
	}
	ok200(w)
}

func (m *sgMode) state(w http.ResponseWriter, r *http.Request) {
	s, ok := m.s.Load(w, r)
	if !ok {
		return
	}
	if s.UserID() == 0 {
		unauthorized(w)
		return
	}
	var qty int64
	if c := s.Cart(); len(c) > 0 {
		qty = int64(c[0].Qty)
	}
	writeState(w, s.Counter(), qty)
}

var errNotLoggedIn = errors.New("not logged in")
