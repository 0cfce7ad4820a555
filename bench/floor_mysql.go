package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
)

// The floor-mysql mode is the floor on MySQL or MariaDB: the same plain
// table (the cookie token is its primary key, expires_at in Unix seconds)
// in a database of its own on the -mysql server, opened as the example
// opens it (app.MySQLDSN: go-sql-driver/mysql, interpolateParams, strict
// sql_mode), and the same minimal statements through database/sql, each
// one round trip: a read is one SELECT by primary key, a change one
// UPDATE. MySQL has no RETURNING, so the increment is one atomic
// UPDATE ... SET counter = LAST_INSERT_ID(counter + 1): the server sends
// the new value back in the UPDATE's own OK packet (the last insert id,
// which go-sql-driver/mysql returns as Result.LastInsertId, per
// connection), the idiom the MySQL and MariaDB manuals give for counters.
// An UPDATE followed by a SELECT would cost a second round trip and, in
// autocommit, could read another request's increment; SELECT ... FOR
// UPDATE in a transaction costs four (what sessiongen's Update does, since
// it runs arbitrary Go code on the row).
//
// Every statement is prepared once (*sql.Stmt: a server-side prepared
// statement, prepared again on each connection of the pool the first time
// it runs there, then executed in one round trip with the binary
// protocol). interpolateParams makes an unprepared query one round trip
// too, but the server parses it every time: on this machine a prepared
// read served about 1.1 to 1.6 times the interpolated one's rate (5 of 6
// alternating one-second windows, 32 goroutines on 8 connections), so the
// prepared floor is the best a hand-written app does. sessiongen's runtime
// does not prepare on MySQL. It is the floor of the -mysql modes
// (floorOf).

const floorMySQLSchema = `
CREATE TABLE floor_sessions (
    token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    user_id BIGINT NOT NULL DEFAULT 0,
    email VARCHAR(255) NOT NULL DEFAULT '',
    theme VARCHAR(64) NOT NULL DEFAULT '',
    counter BIGINT NOT NULL DEFAULT 0,
    qty BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`

// floorMySQL serves the floor's endpoints with its prepared statements.
type floorMySQL struct {
	insert, read, readUID, setTheme, del, incr *sql.Stmt
	readField, setField                        [2]*sql.Stmt // counter (field a), qty (field b)
	state                                      *sql.Stmt
}

func newFloorMySQL(ctx context.Context, db *sql.DB) (http.Handler, error) {
	if _, err := db.ExecContext(ctx, floorMySQLSchema); err != nil {
		return nil, err
	}
	f := &floorMySQL{}
	var errs []error
	prep := func(query string) *sql.Stmt {
		s, err := db.PrepareContext(ctx, query)
		errs = append(errs, err)
		return s
	}
	f.insert = prep("INSERT INTO floor_sessions (token, expires_at, user_id, email) VALUES (?, UNIX_TIMESTAMP() + 8*3600, ?, ?)")
	f.read = prep("SELECT user_id, email FROM floor_sessions WHERE token = ? AND expires_at > UNIX_TIMESTAMP()")
	f.readUID = prep("SELECT user_id FROM floor_sessions WHERE token = ? AND expires_at > UNIX_TIMESTAMP()")
	f.setTheme = prep("UPDATE floor_sessions SET theme = ? WHERE token = ?")
	f.del = prep("DELETE FROM floor_sessions WHERE token = ?")
	f.incr = prep("UPDATE floor_sessions SET counter = LAST_INSERT_ID(counter + 1) WHERE token = ? AND expires_at > UNIX_TIMESTAMP()")
	for i, col := range []string{"counter", "qty"} {
		f.readField[i] = prep("SELECT " + col + " FROM floor_sessions WHERE token = ? AND expires_at > UNIX_TIMESTAMP()")
		f.setField[i] = prep("UPDATE floor_sessions SET " + col + " = ? WHERE token = ?")
	}
	f.state = prep("SELECT counter, qty FROM floor_sessions WHERE token = ? AND expires_at > UNIX_TIMESTAMP()")
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

func (f *floorMySQL) serveLogin(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.URL.Query().Get("uid"), 10, 64)
	var raw [32]byte
	rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	if _, err := f.insert.ExecContext(r.Context(), tok, uid, emailOf(uid)); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Value: tok, Path: "/", HttpOnly: true, MaxAge: 8 * 3600, SameSite: http.SameSiteLaxMode})
	writeUser(w, uid, emailOf(uid))
}

func (f *floorMySQL) serveRead(w http.ResponseWriter, r *http.Request) {
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

// serveWrite reads the session (is the visitor logged in?) then changes
// one field.
func (f *floorMySQL) serveWrite(w http.ResponseWriter, r *http.Request) {
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

func (f *floorMySQL) serveLogout(w http.ResponseWriter, r *http.Request) {
	if tok, ok := floorToken(r); ok {
		if _, err := f.del.ExecContext(r.Context(), tok); err != nil {
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: floorCookie, Path: "/", MaxAge: -1})
	ok200(w)
}

// serveIncr is the lossless increment at its physical limit on MySQL: one
// atomic UPDATE that hands the new value back as the last insert id.
func (f *floorMySQL) serveIncr(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	res, err := f.incr.ExecContext(r.Context(), tok)
	if err != nil {
		fail(w, err)
		return
	}
	rows, err := res.RowsAffected()
	if err != nil {
		fail(w, err)
		return
	}
	if rows == 0 {
		unauthorized(w)
		return
	}
	n, err := res.LastInsertId()
	if err != nil {
		fail(w, err)
		return
	}
	writeCounter(w, n)
}

// serveField reads the session, then writes the one column it changed.
func (f *floorMySQL) serveField(w http.ResponseWriter, r *http.Request) {
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

func (f *floorMySQL) serveState(w http.ResponseWriter, r *http.Request) {
	tok, ok := floorToken(r)
	if !ok {
		unauthorized(w)
		return
	}
	var c, q int64
	if err := f.state.QueryRowContext(r.Context(), tok).Scan(&c, &q); err != nil {
		unauthorized(w)
		return
	}
	writeState(w, c, q)
}
