package main

import (
	"context"
	"encoding/gob"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
)

// The scs mode uses github.com/alexedwards/scs/v2 with its pgxstore,
// configured as their READMEs say: scs.New(), Store = pgxstore.New(pool),
// LoadAndSave middleware, the README's sessions table. The scs-idle mode
// additionally sets IdleTimeout (30m, sessiongen's default), which makes
// scs write the session back on every request that loaded one.

const scsSchema = `
CREATE TABLE sessions (
	token TEXT PRIMARY KEY,
	data BYTEA NOT NULL,
	expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);`

func init() {
	gob.Register([]app.CartItem{})
}

type scsMode struct{ sm *scs.SessionManager }

func newSCS(ctx context.Context, pool *pgxpool.Pool, idle time.Duration) (http.Handler, func(), error) {
	if _, err := pool.Exec(ctx, scsSchema); err != nil {
		return nil, nil, err
	}
	sm := scs.New()
	store := pgxstore.New(pool)
	sm.Store = store
	sm.IdleTimeout = idle
	sm.Cookie.Secure = false
	m := &scsMode{sm: sm}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", m.login)
	mux.HandleFunc("GET /read", m.read)
	mux.HandleFunc("POST /write", m.write)
	mux.HandleFunc("POST /logout", m.logout)
	mux.HandleFunc("GET /none", none)
	mux.HandleFunc("POST /incr", m.incr)
	mux.HandleFunc("POST /field", m.field)
	mux.HandleFunc("GET /state", m.state)
	return sm.LoadAndSave(mux), store.StopCleanup, nil
}

func (m *scsMode) login(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	if err := m.sm.RenewToken(r.Context()); err != nil {
		fail(w, err)
		return
	}
	m.sm.Put(r.Context(), "user_id", uid)
	m.sm.Put(r.Context(), "email", emailOf(uid))
	m.sm.Put(r.Context(), "roles", []string{"user"})
	writeUser(w, uid, emailOf(uid))
}

func (m *scsMode) read(w http.ResponseWriter, r *http.Request) {
	uid := m.sm.GetInt64(r.Context(), "user_id")
	if uid == 0 {
		unauthorized(w)
		return
	}
	writeUser(w, uid, m.sm.GetString(r.Context(), "email"))
}

func (m *scsMode) write(w http.ResponseWriter, r *http.Request) {
	if m.sm.GetInt64(r.Context(), "user_id") == 0 {
		unauthorized(w)
		return
	}
	m.sm.Put(r.Context(), "theme", r.URL.Query().Get("v"))
	ok200(w)
}

func (m *scsMode) logout(w http.ResponseWriter, r *http.Request) {
	if err := m.sm.Destroy(r.Context()); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

// incr is the natural get/put the scs README shows.
func (m *scsMode) incr(w http.ResponseWriter, r *http.Request) {
	if m.sm.GetInt64(r.Context(), "user_id") == 0 {
		unauthorized(w)
		return
	}
	n := m.sm.GetInt64(r.Context(), "counter") + 1
	m.sm.Put(r.Context(), "counter", n)
	writeCounter(w, n)
}

func (m *scsMode) field(w http.ResponseWriter, r *http.Request) {
	if m.sm.GetInt64(r.Context(), "user_id") == 0 {
		unauthorized(w)
		return
	}
	if r.URL.Query().Get("f") == "b" {
		cart, _ := m.sm.Get(r.Context(), "cart").([]app.CartItem)
		cart = slices.Clone(cart)
		if len(cart) == 0 {
			cart = []app.CartItem{{SKU: "b"}}
		}
		cart[0].Qty++
		m.sm.Put(r.Context(), "cart", cart)
	} else {
		m.sm.Put(r.Context(), "counter", m.sm.GetInt64(r.Context(), "counter")+1)
	}
	ok200(w)
}

func (m *scsMode) state(w http.ResponseWriter, r *http.Request) {
	if m.sm.GetInt64(r.Context(), "user_id") == 0 {
		unauthorized(w)
		return
	}
	var qty int64
	if cart, _ := m.sm.Get(r.Context(), "cart").([]app.CartItem); len(cart) > 0 {
		qty = int64(cart[0].Qty)
	}
	writeState(w, m.sm.GetInt64(r.Context(), "counter"), qty)
}
