package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/generator/plan"
)

// runner runs the named queries of a query file on a database/sql handle,
// binding sqlc's named arguments as sqlc's code does.
type runner struct {
	t       testing.TB
	queries map[string]query
	ran     map[string]bool // the queries run so far
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (r runner) q(name string) query {
	r.t.Helper()
	q, ok := r.queries[name]
	if !ok {
		r.t.Fatalf("no query %s", name)
	}
	r.ran[name] = true
	return q
}

// exec runs an :exec or :execrows query and returns the rows it changed.
func (r runner) exec(db execer, name string, args map[string]any) int64 {
	r.t.Helper()
	text, vals := bind(r.t, r.q(name), args)
	res, err := db.ExecContext(context.Background(), text, vals...)
	if err != nil {
		r.t.Fatalf("%s: %v\n%s", name, err, text)
	}
	n, err := res.RowsAffected()
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// rows runs a query and returns its rows, each a column name → value map.
func (r runner) rows(db execer, name string, args map[string]any) []map[string]any {
	r.t.Helper()
	text, vals := bind(r.t, r.q(name), args)
	rows, err := db.QueryContext(context.Background(), text, vals...)
	if err != nil {
		r.t.Fatalf("%s: %v\n%s", name, err, text)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		r.t.Fatal(err)
	}
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			r.t.Fatal(err)
		}
		row := map[string]any{}
		for i, c := range cols {
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		r.t.Fatalf("%s: %v", name, err)
	}
	return out
}

// one runs a :one query; nil for no row.
func (r runner) one(db execer, name string, args map[string]any) map[string]any {
	r.t.Helper()
	rows := r.rows(db, name, args)
	if len(rows) > 1 {
		r.t.Fatalf("%s: %d rows", name, len(rows))
	}
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

// keys is the token_hash column of rows, sorted.
func keys(rows []map[string]any) [][]byte {
	var out [][]byte
	for _, r := range rows {
		out = append(out, r["token_hash"].([]byte))
	}
	slices.SortFunc(out, bytes.Compare)
	return out
}

// i64 reads an integer column as database/sql gives it (MySQL's text
// protocol: []byte; the binary one: int64).
func i64(t testing.TB, v any) int64 {
	t.Helper()
	switch v := v.(type) {
	case int64:
		return v
	case []byte:
		var n int64
		neg := false
		for i, c := range v {
			if i == 0 && c == '-' {
				neg = true
				continue
			}
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n
	}
	t.Fatalf("not an integer: %#v", v)
	return 0
}

func key(c byte) []byte { return bytes.Repeat([]byte{c}, 32) }

// TestServerQueries runs every query of templates/queries_mysql.sql.tmpl
// on a real server against a table the dialect's migration created, and
// checks what each does: the lifecycle, renew, touch, the deletes with
// their Lock queries in a transaction, the reaper, and concurrent Updates
// under FOR UPDATE losing nothing.
func TestServerQueries(t *testing.T) {
	forEachServer(t, func(t *testing.T, d *database) {
		ctx := context.Background()
		w := wantOf(t, testModel("sessions"))
		planned, err := plan.Plan(nil, w, plan.Options{}, Dialect{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := Dialect{}.RenderMigration(planned[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.db.Exec(st.Up[0]); err != nil {
			t.Fatalf("%v\n%s", err, st.Up[0])
		}
		text := renderQueries(t, "queries_mysql.sql.tmpl", newMySQLQueriesData("Session", "sessions", testFields()))
		r := runner{t: t, queries: parseQueries(text), ran: map[string]bool{}}
		defer func() {
			for name := range r.queries {
				if !r.ran[name] && !t.Failed() {
					t.Errorf("query %s did not run", name)
				}
			}
		}()

		const second = int64(time.Second / time.Microsecond)
		payload := map[string]any{
			"user_id": int64(7), "email": "a@example.com", "nick": nil, "admin": int64(1), "score": 2.5, "ratio": nil,
			"cart": `{"tea": 2}`, "prefs": nil, "avatar": []byte{1, 2}, "pubkey": nil, "mfa_at": nil, "seen": int64(-62135596800000000),
			"level": nil, "verified": nil,
		}
		insert := func(k byte, remember bool, absoluteUs, idleUs int64, set map[string]any) {
			t.Helper()
			args := map[string]any{"token_hash": key(k), "remember": remember, "absolute_us": absoluteUs, "idle_us": idleUs}
			for c, v := range payload {
				args[c] = v
			}
			for c, v := range set {
				args[c] = v
			}
			r.exec(d.db, "InsertSession", args)
		}
		insert('a', true, 3600*second, 600*second, nil)

		got := r.one(d.db, "GetSession", map[string]any{"token_hash": key('a'), "touch_us": int64(60 * second)})
		if got == nil {
			t.Fatal("GetSession: no row after InsertSession")
		}
		now := i64(t, got["db_now"])
		if diff := time.Since(time.UnixMicro(now)); diff > 5*time.Second || diff < -5*time.Second {
			t.Errorf("db_now %v is %v from this machine's clock", time.UnixMicro(now), diff)
		}
		if created := i64(t, got["created_at"]); created > now || now-created > 5*second {
			t.Errorf("created_at %d, db_now %d", created, now)
		}
		if exp, abs := i64(t, got["expires_at"]), i64(t, got["absolute_expires_at"]); abs-exp != 3000*second {
			t.Errorf("expires_at %d, absolute_expires_at %d: want idle 600 s of absolute 3600 s", exp, abs)
		}
		if i64(t, got["touch_due"]) != 0 || i64(t, got["remember"]) != 1 {
			t.Errorf("touch_due %v, remember %v", got["touch_due"], got["remember"])
		}
		if string(got["cart"].([]byte)) != `{"tea": 2}` && string(got["cart"].([]byte)) != `{"tea":2}` {
			t.Errorf("cart %q", got["cart"])
		}
		if got["nick"] != nil || !bytes.Equal(got["avatar"].([]byte), []byte{1, 2}) || i64(t, got["seen"]) != -62135596800000000 {
			t.Errorf("payload read back: %v", got)
		}
		if r.one(d.db, "GetSession", map[string]any{"token_hash": key('a'), "touch_us": int64(0)})["touch_due"] == nil {
			t.Error("touch_due is NULL")
		}

		// Update: FOR UPDATE, then Save renewing to b and touching, then
		// the meta, all in one transaction.
		tx, err := d.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
		if err != nil {
			t.Fatal(err)
		}
		if r.one(tx, "GetSessionForUpdate", map[string]any{"token_hash": key('a'), "touch_us": int64(60 * second)}) == nil {
			t.Fatal("GetSessionForUpdate: no row")
		}
		save := map[string]any{"token_hash": key('a'), "new_token_hash": key('b'), "renew": true, "touch": true, "remember": false,
			"absolute_us": int64(7200 * second), "idle_us": int64(900 * second)}
		for c, v := range payload {
			save[c] = v
			save["set_"+c] = false
		}
		save["set_email"], save["email"] = true, "b@example.com"
		save["set_nick"], save["nick"] = true, "bee"
		save["set_cart"], save["cart"] = true, `["x"]`
		if n := r.exec(tx, "SaveSession", save); n != 1 {
			t.Fatalf("SaveSession changed %d rows", n)
		}
		meta := r.one(tx, "GetSessionMeta", map[string]any{"token_hash": key('b')})
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if meta == nil || i64(t, meta["remember"]) != 0 || i64(t, meta["absolute_expires_at"])-i64(t, meta["expires_at"]) != 6300*second {
			t.Errorf("GetSessionMeta after a renew: %v", meta)
		}
		if r.one(d.db, "GetSession", map[string]any{"token_hash": key('a'), "touch_us": int64(0)}) != nil {
			t.Error("the old key still reads the session")
		}
		b := r.one(d.db, "GetSession", map[string]any{"token_hash": key('b'), "touch_us": int64(0)})
		if b == nil || string(b["email"].([]byte)) != "b@example.com" || string(b["nick"].([]byte)) != "bee" || i64(t, b["user_id"]) != 7 {
			t.Fatalf("after Save: %v", b)
		}
		var prev []byte
		if err := d.db.QueryRow("SELECT previous_token_hash FROM sessions WHERE token_hash = ?", key('b')).Scan(&prev); err != nil || !bytes.Equal(prev, key('a')) {
			t.Errorf("previous_token_hash %x, %v: want the key before the renew (MySQL assigns left to right)", prev, err)
		}
		if n := r.one(d.db, "RenewedSession", map[string]any{"grace_us": int64(10 * second), "hashes": [][]byte{key('a')}}); firstInt(t, n) != 1 {
			t.Errorf("RenewedSession: %v", n)
		}
		if n := r.one(d.db, "RenewedSession", map[string]any{"grace_us": int64(10 * second), "hashes": [][]byte(nil)}); firstInt(t, n) != 0 {
			t.Errorf("RenewedSession of no key: %v", n)
		}
		if any := r.one(d.db, "GetAnySession", map[string]any{"touch_us": int64(0), "hashes": [][]byte{key('a'), key('b')}}); any == nil || !bytes.Equal(any["token_hash"].([]byte), key('b')) {
			t.Errorf("GetAnySession: %v", any)
		}

		// Touch, then the meta, in a transaction.
		tx, err = d.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n := r.exec(tx, "TouchSession", map[string]any{"token_hash": key('b'), "grace_us": int64(10 * second), "idle_us": int64(60 * second)}); n != 1 {
			t.Errorf("TouchSession changed %d rows", n)
		}
		meta = r.one(tx, "GetSessionMeta", map[string]any{"token_hash": key('b')})
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if meta == nil || i64(t, meta["expires_at"])-i64(t, meta["last_seen_at"]) != 60*second {
			t.Errorf("GetSessionMeta after a touch: %v", meta)
		}
		// Each field alone, to a value and back (nullable ones to NULL).
		values := map[string]any{"user_id": int64(8), "email": "z@example.com", "nick": "zed", "admin": int64(0), "score": -1.5, "ratio": 0.25,
			"cart": `[1]`, "prefs": `{"a":1}`, "avatar": []byte{9}, "pubkey": []byte{8, 7}, "mfa_at": now, "seen": now, "level": int64(3), "verified": int64(1)}
		for _, f := range testFields() {
			name := "SaveSession" + f.GoName
			if n := r.exec(d.db, name, map[string]any{"token_hash": key('b'), f.Column: values[f.Column]}); n != 1 {
				t.Errorf("%s changed %d rows", name, n)
			}
			got := r.one(d.db, "GetSession", map[string]any{"token_hash": key('b'), "touch_us": int64(0)})[f.Column]
			if b, ok := got.([]byte); ok && (f.SQLType == "bigint" || f.SQLType == "integer" || f.SQLType == "boolean" || f.SQLType == "timestamptz") {
				got = i64(t, b)
			}
			if b, ok := got.([]byte); ok && f.SQLType != "bytea" {
				got = string(b)
			}
			if f.SQLType == "double precision" || f.SQLType == "real" {
				got = fmt.Sprint(got)
			}
			want := values[f.Column]
			if f.SQLType == "double precision" || f.SQLType == "real" {
				want = fmt.Sprint(want)
			}
			if f.SQLType == "jsonb" {
				got = strings.ReplaceAll(got.(string), " ", "")
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: read back %#v, want %#v", name, got, want)
			}
			back := payload[f.Column]
			if f.Column == "email" {
				back = "c@example.com"
			}
			if n := r.exec(d.db, name, map[string]any{"token_hash": key('b'), f.Column: back}); n != 1 {
				t.Errorf("%s back changed %d rows", name, n)
			}
		}
		if n := r.exec(d.db, "SaveSessionEmail", map[string]any{"token_hash": key('a'), "email": "x"}); n != 0 {
			t.Errorf("SaveSessionEmail of a moved key changed %d rows", n)
		}

		// Lists and deletes by an indexed column.
		insert('c', false, 3600*second, 600*second, map[string]any{"email": "c@example.com"})
		insert('d', false, 3600*second, 600*second, map[string]any{"email": "c@example.com"})
		insert('e', false, 3600*second, 600*second, map[string]any{"email": "e@example.com"})
		if l := r.rows(d.db, "ListSessionsByEmail", map[string]any{"email": "c@example.com"}); !slices.EqualFunc(keys(l), [][]byte{key('b'), key('c'), key('d')}, bytes.Equal) {
			t.Errorf("ListSessionsByEmail: %x", keys(l))
		}
		if l := r.rows(d.db, "ListSessionsByEmail", map[string]any{"email": "C@example.com"}); len(l) != 0 {
			t.Errorf("ListSessionsByEmail compares without case (the collation must be utf8mb4_bin): %x", keys(l))
		}
		deleteBy := func(lock, del string, args map[string]any) [][]byte {
			t.Helper()
			tx, err := d.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			locked := keys(r.rows(tx, lock, args))
			if n := r.exec(tx, del, args); n != int64(len(locked)) {
				t.Errorf("%s deleted %d rows, %s locked %d", del, n, lock, len(locked))
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			return locked
		}
		if got := deleteBy("LockOtherSessionsByEmail", "DeleteOtherSessionsByEmail", map[string]any{"email": "c@example.com", "except_token_hash": key('c')}); !slices.EqualFunc(got, [][]byte{key('b'), key('d')}, bytes.Equal) {
			t.Errorf("DeleteOtherSessionsByEmail except c: %x", got)
		}
		// b was renewed away from a: except a keeps b too.
		insert('f', false, 3600*second, 600*second, map[string]any{"email": "c@example.com"})
		r.exec(d.db, "SaveSession", func() map[string]any {
			s := map[string]any{}
			for k, v := range save {
				s[k] = v
			}
			s["token_hash"], s["new_token_hash"], s["set_email"], s["email"], s["set_nick"], s["set_cart"] = key('f'), key('g'), false, "", false, false
			return s
		}())
		if got := deleteBy("LockOtherSessionsByEmail", "DeleteOtherSessionsByEmail", map[string]any{"email": "c@example.com", "except_token_hash": key('f')}); !slices.EqualFunc(got, [][]byte{key('c')}, bytes.Equal) {
			t.Errorf("DeleteOtherSessionsByEmail except f (renewed to g): %x", got)
		}
		if l := r.rows(d.db, "ListSessionsByUserID", map[string]any{"user_id": int64(7)}); !slices.EqualFunc(keys(l), [][]byte{key('e'), key('g')}, bytes.Equal) {
			t.Errorf("ListSessionsByUserID: %x", keys(l))
		}
		if got := deleteBy("LockSessionsByEmail", "DeleteSessionsByEmail", map[string]any{"email": "nobody"}); len(got) != 0 {
			t.Errorf("DeleteSessionsByEmail of nobody: %x", got)
		}
		if got := deleteBy("LockOtherSessionsByUserID", "DeleteOtherSessionsByUserID", map[string]any{"user_id": int64(7), "except_token_hash": nil}); !slices.EqualFunc(got, [][]byte{key('e'), key('g')}, bytes.Equal) {
			t.Errorf("DeleteOtherSessionsByUserID except nothing: %x", got)
		}
		insert('h', false, 3600*second, 600*second, nil)
		if got := deleteBy("LockSessionsByUserID", "DeleteSessionsByUserID", map[string]any{"user_id": int64(7)}); !slices.EqualFunc(got, [][]byte{key('h')}, bytes.Equal) {
			t.Errorf("DeleteSessionsByUserID: %x", got)
		}

		// Delete by the key renewed away from, within the grace.
		insert('i', false, 3600*second, 600*second, nil)
		s := map[string]any{}
		for k, v := range save {
			s[k] = v
		}
		s["token_hash"], s["new_token_hash"], s["set_email"], s["set_nick"], s["set_cart"] = key('i'), key('j'), false, false, false
		r.exec(d.db, "SaveSession", s)
		r.exec(d.db, "DeleteSession", map[string]any{"token_hash": key('i'), "grace_us": int64(10 * second)})
		if c := firstInt(t, r.one(d.db, "CountSessions", nil)); c != 0 {
			t.Errorf("CountSessions after deleting by the old key: %d", c)
		}

		// The reaper: oldest expiry first, in batches.
		for i, k := range []byte("klmn") {
			insert(k, false, 3600*second, -int64(i+1)*second, nil) // expired i+1 seconds ago
		}
		insert('o', false, 3600*second, 600*second, nil)
		if n := r.exec(d.db, "DeleteExpiredSessions", map[string]any{"limit": int32(3)}); n != 3 {
			t.Errorf("DeleteExpiredSessions deleted %d, want the batch of 3", n)
		}
		var left []byte
		if err := d.db.QueryRow("SELECT token_hash FROM sessions WHERE expires_at <= " + NowMicros).Scan(&left); err != nil || !bytes.Equal(left, key('k')) {
			t.Errorf("the expired session left is %x (%v), want the one that expired last (k)", left, err)
		}
		if n := r.exec(d.db, "DeleteExpiredSessions", map[string]any{"limit": int32(3)}); n != 1 {
			t.Errorf("DeleteExpiredSessions deleted %d, want 1", n)
		}
		if c := firstInt(t, r.one(d.db, "CountSessions", nil)); c != 1 {
			t.Errorf("CountSessions: %d, want 1", c)
		}

		// Atomic updates: concurrent Updates of one session (FOR UPDATE,
		// then Save) lose no increment.
		const workers, rounds = 4, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range rounds {
					if err := increment(ctx, d.db, r, key('o')); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := r.one(d.db, "GetSession", map[string]any{"token_hash": key('o'), "touch_us": int64(0)}); i64(t, got["user_id"]) != 7+workers*rounds {
			t.Errorf("user_id after %d concurrent increments: %d", workers*rounds, i64(t, got["user_id"]))
		}
	})
}

// increment is Update: read the row FOR UPDATE, write user_id + 1 with
// SaveSessionUserID, commit.
func increment(ctx context.Context, db *sql.DB, r runner, k []byte) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	text, vals := bind(r.t, r.q("GetSessionForUpdate"), map[string]any{"token_hash": k, "touch_us": int64(0)})
	var n int64
	rows, err := tx.QueryContext(ctx, text, vals...)
	if err != nil {
		return err
	}
	names, _ := rows.Columns()
	if !rows.Next() {
		rows.Close()
		return errors.New("GetSessionForUpdate: no row")
	}
	dest := make([]any, len(names))
	for i, c := range names {
		if c == "user_id" {
			dest[i] = &n
			continue
		}
		dest[i] = new(any)
	}
	if err := rows.Scan(dest...); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	text, vals = bind(r.t, r.q("SaveSessionUserID"), map[string]any{"token_hash": k, "user_id": n + 1})
	if _, err := tx.ExecContext(ctx, text, vals...); err != nil {
		return err
	}
	return tx.Commit()
}

// firstInt is the only column of a one-column row, as an integer.
func firstInt(t testing.TB, row map[string]any) int64 {
	t.Helper()
	if len(row) != 1 {
		t.Fatalf("row %v: want one column", row)
	}
	for _, v := range row {
		return i64(t, v)
	}
	return 0
}

// TestQueryNames: the MySQL query file has every query of SQLite's, with
// the same name, and the kind each needs without RETURNING.
func TestQueryNames(t *testing.T) {
	data := newMySQLQueriesData("Session", "sessions", testFields())
	my := parseQueries(renderQueries(t, "queries_mysql.sql.tmpl", data))
	lite := parseQueries(renderQueries(t, "queries_sqlite.sql.tmpl", data))
	changed := map[string]string{ // SQLite's :one / :many with RETURNING
		"SaveSession": ":execrows", "TouchSession": ":execrows",
		"DeleteSessionsByUserID": ":execrows", "DeleteOtherSessionsByUserID": ":execrows",
		"DeleteSessionsByEmail": ":execrows", "DeleteOtherSessionsByEmail": ":execrows",
	}
	for name, q := range lite {
		m, ok := my[name]
		switch {
		case !ok:
			t.Errorf("query %s is missing", name)
		case changed[name] != "" && m.Kind != changed[name]:
			t.Errorf("query %s is %s, want %s", name, m.Kind, changed[name])
		case changed[name] == "" && m.Kind != q.Kind:
			t.Errorf("query %s is %s, SQLite's %s", name, m.Kind, q.Kind)
		}
		if strings.Contains(m.SQL, "RETURNING") {
			t.Errorf("query %s has RETURNING, which MySQL 8 lacks", name)
		}
	}
	var extra []string
	for name := range my {
		if _, ok := lite[name]; !ok {
			extra = append(extra, name+" "+my[name].Kind)
		}
	}
	slices.Sort(extra)
	want := []string{"GetSessionMeta :one", "LockOtherSessionsByEmail :many", "LockOtherSessionsByUserID :many", "LockSessionsByEmail :many", "LockSessionsByUserID :many"}
	if !slices.Equal(extra, want) {
		t.Errorf("queries SQLite has not: %v, want %v", extra, want)
	}
}
