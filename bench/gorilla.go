package main

import (
	"context"
	"encoding/gob"
	"net/http"
	"slices"
	"strconv"

	"github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
)

// The gorilla mode uses github.com/gorilla/sessions with pgStore, a
// PostgreSQL store of the pgstore design (see gorillastore.go), used the way
// the gorilla/sessions README shows: store.Get, change Values, session.Save
// before writing the response.

const gorillaCookie = "session-name"

// gorillaHashKey is a fixed HMAC key so that runs are reproducible.
var gorillaHashKey = []byte("sessiongen-bench-gorilla-hash-key-0123456789abcdef-0123456789abcd")

func init() {
	gob.Register([]string{})
	gob.Register(app.CartItem{})
}

type gorillaMode struct{ store *pgStore }

func newGorilla(ctx context.Context, pool *pgxpool.Pool) (http.Handler, error) {
	store, err := newPGStore(ctx, pool, gorillaHashKey)
	if err != nil {
		return nil, err
	}
	m := &gorillaMode{store: store}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", m.login)
	mux.HandleFunc("GET /read", m.read)
	mux.HandleFunc("POST /write", m.write)
	mux.HandleFunc("POST /logout", m.logout)
	mux.HandleFunc("GET /none", none)
	mux.HandleFunc("POST /incr", m.incr)
	mux.HandleFunc("POST /field", m.field)
	mux.HandleFunc("GET /state", m.state)
	return mux, nil
}

// session returns the request's session and its user id (0: not logged in).
func (m *gorillaMode) session(w http.ResponseWriter, r *http.Request) (*sessions.Session, int64, bool) {
	s, err := m.store.Get(r, gorillaCookie)
	if err != nil {
		fail(w, err)
		return nil, 0, false
	}
	uid, _ := s.Values["user_id"].(int64)
	return s, uid, true
}

// login starts a new session (gorilla has no renew: a new session gets a new ID).
func (m *gorillaMode) login(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	s, err := m.store.New(r, gorillaCookie)
	if err != nil {
		fail(w, err)
		return
	}
	if !s.IsNew {
		// Renew: drop the old row, store the values under a new ID.
		if err := m.store.destroy(r.Context(), s); err != nil {
			fail(w, err)
			return
		}
		s.ID, s.IsNew = "", true
	}
	s.Values["user_id"] = uid
	s.Values["email"] = emailOf(uid)
	s.Values["roles"] = []string{"user"}
	if err := s.Save(r, w); err != nil {
		fail(w, err)
		return
	}
	writeUser(w, uid, emailOf(uid))
}

func (m *gorillaMode) read(w http.ResponseWriter, r *http.Request) {
	s, uid, ok := m.session(w, r)
	if !ok {
		return
	}
	if uid == 0 {
		unauthorized(w)
		return
	}
	email, _ := s.Values["email"].(string)
	writeUser(w, uid, email)
}

func (m *gorillaMode) write(w http.ResponseWriter, r *http.Request) {
	s, uid, ok := m.session(w, r)
	if !ok {
		return
	}
	if uid == 0 {
		unauthorized(w)
		return
	}
	s.Values["theme"] = r.URL.Query().Get("v")
	if err := s.Save(r, w); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (m *gorillaMode) logout(w http.ResponseWriter, r *http.Request) {
	s, _, ok := m.session(w, r)
	if !ok {
		return
	}
	s.Options.MaxAge = -1
	if err := s.Save(r, w); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (m *gorillaMode) incr(w http.ResponseWriter, r *http.Request) {
	s, uid, ok := m.session(w, r)
	if !ok {
		return
	}
	if uid == 0 {
		unauthorized(w)
		return
	}
	n, _ := s.Values["counter"].(int64)
	n++
	s.Values["counter"] = n
	if err := s.Save(r, w); err != nil {
		fail(w, err)
		return
	}
	writeCounter(w, n)
}

func (m *gorillaMode) field(w http.ResponseWriter, r *http.Request) {
	s, uid, ok := m.session(w, r)
	if !ok {
		return
	}
	if uid == 0 {
		unauthorized(w)
		return
	}
	if r.URL.Query().Get("f") == "b" {
		cart, _ := s.Values["cart"].([]app.CartItem)
		cart = slices.Clone(cart)
		if len(cart) == 0 {
			cart = []app.CartItem{{SKU: "b"}}
		}
		cart[0].Qty++
		s.Values["cart"] = cart
	} else {
		n, _ := s.Values["counter"].(int64)
		s.Values["counter"] = n + 1
	}
	if err := s.Save(r, w); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (m *gorillaMode) state(w http.ResponseWriter, r *http.Request) {
	s, uid, ok := m.session(w, r)
	if !ok {
		return
	}
	if uid == 0 {
		unauthorized(w)
		return
	}
	n, _ := s.Values["counter"].(int64)
	var qty int64
	if cart, _ := s.Values["cart"].([]app.CartItem); len(cart) > 0 {
		qty = int64(cart[0].Qty)
	}
	writeState(w, n, qty)
}
