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
// RETURNING. Every statement is prepared once (*sql.Stmt), as sessiongen's
// runtime prepares its own on SQLite, where compiling a statement costs as
// much as running it: the best a hand-written app does. It is the floor of
// the -sqlite modes (floorOf).

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

// floorSQLite serves the floor's endpoints with its prepared statements.
type floorSQLite struct {
	insert, read, readUID, setTheme, del, incr *sql.Stmt
	readField, setField                        [2]*sql.Stmt // counter (field a), qty (field b)
	state                                      *sql.Stmt
}

func newFloorSQLite(ctx context.Context, db *sql.DB) (http.Handler, error) {
	if _, err := db.ExecContext(ctx, floorSQLiteSchema); err != nil {
		return nil, err
	}
	f := &floorSQLite{}
	var errs []error
	prep := func(query string) *sql.Stmt {
		s, err := db.PrepareContext(ctx, query)
		errs = append(errs, err)
		return s
	}
	f.insert = prep("INSERT INTO floor_sessions (token, expires_at, user_id, email) VALUES (?, unixepoch() + 8*3600, ?, ?)")
	f.read = prep("SELECT user_id, email FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()")
	f.readUID = prep("SELECT user_id FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()")
	f.setTheme = prep("UPDATE floor_sessions SET theme = ? WHERE token = ?")
	f.del = prep("DELETE FROM floor_sessions WHERE token = ?")
	f.incr = prep("UPDATE floor_sessions SET counter = counter + 1 WHERE token = ? AND expires_at > unixepoch() RETURNING counter")
	for i, col := range []string{"counter", "qty"} {
		f.readField[i] = prep("SELECT " + col + " FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()")
		f.setField[i] = prep("UPDATE floor_sessions SET " + col + " = ? WHERE token = ?")
	}
	f.state = prep("SELECT counter, qty FROM floor_sessions WHERE token = ? AND expires_at > unixepoch()")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", f.serveLogin)
	mux.HandleFunc("GET /read", f.serveRead)
	mux.HandleFunc("POST /write", f.serveWrite)
	mux.HandleFunc("POST /logout", f.serveLogout)
	mux.HandleFunc("GET /none", none)
	mux.HandleFunc("POST /incr", f.serveIncr)
	mux.HandleFunc("POST /field", f.serveField)
	mux.HandleFunc("GET /state", f.serveState)
	return mux, nil
}

func (f *floorSQLite) serveLogin(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	var raw [32]byte
	rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	_, err := f.insert.ExecContext(r.Context(), tok, uid, emailOf(uid))
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Value: tok, Path: "/", HttpOnly: true, MaxAge: 8 * 3600, SameSite: http.SameSiteLaxMode})
	writeUser(w, uid, emailOf(uid))
}

func (f *floorSQLite) serveRead(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var uid int64
	var email string
	err := f.read.QueryRowContext(r.Context(), tok).Scan(&uid, &email)
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
func (f *floorSQLite) serveWrite(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var uid int64
	err := f.readUID.QueryRowContext(r.Context(), tok).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) || err == nil && uid == 0 {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	if _, err := f.setTheme.ExecContext(r.Context(), r.URL.Query().Get("v"), tok); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (f *floorSQLite) serveLogout(w http.ResponseWriter, r *http.Request) {
	if tok, ok := floorToken(r); ok {
		if _, err := f.del.ExecContext(r.Context(), tok); err != nil {
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Path: "/", MaxAge: -1})
	ok200(w)
}

// incr is the lossless increment at its physical limit: one atomic UPDATE.
func (f *floorSQLite) serveIncr(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var n int64
	err := f.incr.QueryRowContext(r.Context(), tok).Scan(&n)
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
func (f *floorSQLite) serveField(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	col := 0 // counter
	if r.URL.Query().Get("f") == "b" {
		col = 1 // qty
	}
	var n int64
	err := f.readField[col].QueryRowContext(r.Context(), tok).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		unauthorized(w)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	if _, err := f.setField[col].ExecContext(r.Context(), n+1, tok); err != nil {
		fail(w, err)
		return
	}
	ok200(w)
}

func (f *floorSQLite) serveState(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var c, q int64
	err := f.state.QueryRowContext(r.Context(), tok).Scan(&c, &q)
	if err != nil {
		unauthorized(w)
		return
	}
	writeState(w, c, q)
}

// isSQLite reports whether mode runs on SQLite (its name ends in -sqlite).
func isSQLite(mode string) bool { return strings.HasSuffix(mode, "-sqlite") }

// isMySQL reports whether mode runs on MySQL or MariaDB (its name ends in
// -mysql).
func isMySQL(mode string) bool { return strings.HasSuffix(mode, "-mysql") }

// floorOf is the floor a mode is compared with: the floor of its engine,
// floor-sqlite for the -sqlite modes, floor-mysql for the -mysql modes,
// floor for the others.
func floorOf(mode string) string {
	switch {
	case isSQLite(mode):
		return "floor-sqlite"
	case isMySQL(mode):
		return "floor-mysql"
	}
	return "floor"
}

// isFloor reports whether mode is the floor of its engine.
func isFloor(mode string) bool { return mode == floorOf(mode) }
