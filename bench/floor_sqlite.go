package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// The floor-sqlite mode is the floor on SQLite: the same plain table (the
// cookie token is its primary key, expires_at in Unix seconds) in a SQLite
// file opened like the example's (mattn/go-sqlite3, WAL, busy_timeout), and
// the same minimal statements through database/sql: a read is one SELECT by
// primary key, a change one UPDATE, an increment one atomic UPDATE …
// RETURNING. It is the floor of the -sqlite modes (floorOf).

const floorSQLiteSchema = `
CREATE TABLE floor_sessions (
    token TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL,
    user_id INTEGER NOT NULL DEFAULT 0,
    email TEXT NOT NULL DEFAULT '',
    theme TEXT NOT NULL DEFAULT '',
    counter INTEGER NOT NULL DEFAULT 0,
    qty INTEGER NOT NULL DEFAULT 0
)`

type floorSQLite struct{ db *sql.DB }

func newFloorSQLite(ctx context.Context, db *sql.DB) (http.Handler, error) {
	if _, err := db.ExecContext(ctx, floorSQLiteSchema); err != nil {
		return nil, err
	}
	f := &floorSQLite{db: db}
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

func (f *floorSQLite) login(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	var raw [32]byte
	rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	_, err := f.db.ExecContext(r.Context(), "INSERT INTO floor_sessions (token, expires_at, user_id, email) VALUES (?, unixepoch() + 8*3600, ?, ?)",
		tok, uid, emailOf(uid))
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Value: tok, Path: "/", HttpOnly: true, MaxAge: 8 * 3600, SameSite: http.SameSiteLaxMode})
	writeUser(w, uid, emailOf(uid))
}

func (f *floorSQLite) read(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var uid int64
	var email string
	err := f.db.QueryRowContext(r.Context(), "SELECT user_id, email FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()", tok).Scan(&uid, &email)
	if errors.Is(err, sql.ErrNoRows) || err == nil && uid == 0 {
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
func (f *floorSQLite) write(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var uid int64
	err := f.db.QueryRowContext(r.Context(), "SELECT user_id FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()", tok).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) || err == nil && uid == 0 {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	if _, err := f.db.ExecContext(r.Context(), "UPDATE floor_sessions SET theme = ? WHERE token = ?", r.URL.Query().Get("v"), tok); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (f *floorSQLite) logout(w http.ResponseWriter, r *http.Request) {
	if tok, ok := floorToken(r); ok {
		if _, err := f.db.ExecContext(r.Context(), "DELETE FROM floor_sessions WHERE token = ?", tok); err != nil {
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Path: "/", MaxAge: -1})
	ok200(w)
}

// incr is the lossless increment at its physical limit: one atomic UPDATE.
func (f *floorSQLite) incr(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var n int64
	err := f.db.QueryRowContext(r.Context(), "UPDATE floor_sessions SET counter = counter + 1 WHERE token = ? AND expires_at > unixepoch() RETURNING counter", tok).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
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
func (f *floorSQLite) field(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	col := "counter"
	if r.URL.Query().Get("f") == "b" {
		col = "qty"
	}
	var n int64
	err := f.db.QueryRowContext(r.Context(), "SELECT "+col+" FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()", tok).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	if _, err := f.db.ExecContext(r.Context(), "UPDATE floor_sessions SET "+col+" = ? WHERE token = ?", n+1, tok); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (f *floorSQLite) state(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var c, q int64
	err := f.db.QueryRowContext(r.Context(), "SELECT counter, qty FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()", tok).Scan(&c, &q)
	if err != nil {
		unauthorized(w)
		return
	}
	writeState(w, c, q)
}

// isSQLite reports whether mode runs on SQLite (its name ends in -sqlite).
func isSQLite(mode string) bool { return strings.HasSuffix(mode, "-sqlite") }

// floorOf is the floor a mode is compared with: the floor of its engine,
// floor-sqlite for the -sqlite modes, floor for the others.
func floorOf(mode string) string {
	if isSQLite(mode) {
		return "floor-sqlite"
	}
	return "floor"
}

// isFloor reports whether mode is the floor of its engine.
func isFloor(mode string) bool { return mode == floorOf(mode) }
