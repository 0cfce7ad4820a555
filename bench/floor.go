package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The floor mode uses no session library: the cookie token is the primary
// key of a plain table, a read is exactly one SELECT by primary key and a
// change one UPDATE. It is the physical limit of a database-backed session.

const floorSchema = `
CREATE TABLE floor_sessions (
    token text PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    user_id bigint NOT NULL DEFAULT 0,
    email text NOT NULL DEFAULT '',
    theme text NOT NULL DEFAULT '',
    counter bigint NOT NULL DEFAULT 0,
    qty bigint NOT NULL DEFAULT 0
)`

const floorCookie = "sid"

// floor-idle is an optional diagnostic variant: an indexed expires_at that
// every change also extends (an idle timeout maintained on each write, as
// sessiongen's SaveSession does). Such an UPDATE changes an indexed column,
// so PostgreSQL cannot make it a HOT update.
const floorIdleSchema = `CREATE INDEX floor_sessions_expires_at_idx ON floor_sessions (expires_at)`

type floor struct {
	pool                          *pgxpool.Pool
	updTheme, updIncr, updA, updB string
}

func newFloor(ctx context.Context, pool *pgxpool.Pool, idle bool) (http.Handler, error) {
	if _, err := pool.Exec(ctx, floorSchema); err != nil {
		return nil, err
	}
	f := &floor{pool: pool}
	set := ""
	if idle {
		if _, err := pool.Exec(ctx, floorIdleSchema); err != nil {
			return nil, err
		}
		set = ", expires_at = now() + interval '30 minutes'"
	}
	f.updTheme = "UPDATE floor_sessions SET theme = $2" + set + " WHERE token = $1"
	f.updIncr = "UPDATE floor_sessions SET counter = counter + 1" + set + " WHERE token = $1 AND expires_at > now() RETURNING counter"
	f.updA = "UPDATE floor_sessions SET counter = $2" + set + " WHERE token = $1"
	f.updB = "UPDATE floor_sessions SET qty = $2" + set + " WHERE token = $1"
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", f.login)
	mux.HandleFunc("GET /read", f.read)
	mux.HandleFunc("POST /write", f.write)
	mux.HandleFunc("POST /logout", f.logout)
	mux.HandleFunc("GET /none", none)
	mux.HandleFunc("POST /incr", f.incr)
	mux.HandleFunc("POST /field", f.field)
	mux.HandleFunc("GET /state", f.state)
	return mux, nil
}

func floorToken(r *http.Request) (string, bool) {
	c, err := r.Cookie(floorCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	return c.Value, true
}

func (f *floor) login(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	var raw [32]byte
	rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	_, err := f.pool.Exec(r.Context(), "INSERT INTO floor_sessions (token, expires_at, user_id, email) VALUES ($1, now() + interval '8 hours', $2, $3)",
		tok, uid, emailOf(uid))
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Value: tok, Path: "/", HttpOnly: true, MaxAge: 8 * 3600, SameSite: http.SameSiteLaxMode})
	writeUser(w, uid, emailOf(uid))
}

func (f *floor) read(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var uid int64
	var email string
	err := f.pool.QueryRow(r.Context(), "SELECT user_id, email FROM floor_sessions WHERE token = $1 AND expires_at > now()", tok).Scan(&uid, &email)
	if errors.Is(err, pgx.ErrNoRows) || uid == 0 {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeUser(w, uid, email)
}

// write reads the session (is the visitor logged in?) then changes one field.
func (f *floor) write(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var uid int64
	err := f.pool.QueryRow(r.Context(), "SELECT user_id FROM floor_sessions WHERE token = $1 AND expires_at > now()", tok).Scan(&uid)
	if errors.Is(err, pgx.ErrNoRows) || uid == 0 {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	if _, err := f.pool.Exec(r.Context(), f.updTheme, tok, r.URL.Query().Get("v")); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (f *floor) logout(w http.ResponseWriter, r *http.Request) {
	if tok, ok := floorToken(r); ok {
		if _, err := f.pool.Exec(r.Context(), "DELETE FROM floor_sessions WHERE token = $1", tok); err != nil {
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Path: "/", MaxAge: -1})
	ok200(w)
}

// incr is the lossless increment at its physical limit: one atomic UPDATE.
func (f *floor) incr(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var n int64
	err := f.pool.QueryRow(r.Context(), f.updIncr, tok).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeCounter(w, n)
}

// field reads the session, then writes the one column it changed.
func (f *floor) field(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	sel, upd := "SELECT counter FROM floor_sessions WHERE token = $1 AND expires_at > now()", f.updA
	if r.URL.Query().Get("f") == "b" {
		sel, upd = "SELECT qty FROM floor_sessions WHERE token = $1 AND expires_at > now()", f.updB
	}
	var n int64
	err := f.pool.QueryRow(r.Context(), sel, tok).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	if _, err := f.pool.Exec(r.Context(), upd, tok, n+1); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (f *floor) state(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var c, q int64
	err := f.pool.QueryRow(r.Context(), "SELECT counter, qty FROM floor_sessions WHERE token = $1 AND expires_at > now()", tok).Scan(&c, &q)
	if err != nil {
		unauthorized(w)
		return
	}
	writeState(w, c, q)
}
