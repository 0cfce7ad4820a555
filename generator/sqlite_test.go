package generator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/sessiongen/sessiongen/generator/dialect"
)

const sqliteV1 = `package app

// Item is a cart line.
type Item struct{ SKU string }

// Session is the payload.
type Session struct {
	UserID int64 ´session:",index"´
	Name   string
	Cart   []Item
}
`

// applySQLite applies the up sections of the migrations in dir to conn
// (dbmate's sqlite driver needs cgo, so the test applies them itself).
func applySQLite(t *testing.T, conn *sqlite3.Conn, dir string, names []string) {
	t.Helper()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range dialect.UpSections(string(data)) {
			if err := conn.Exec(sec); err != nil {
				t.Fatalf("applying %s: %v", name, err)
			}
		}
	}
}

// columns reads PRAGMA table_info as "name type notnull default" lines.
func columns(t *testing.T, conn *sqlite3.Conn, table string) []string {
	t.Helper()
	st, _, err := conn.Prepare("SELECT name, type, \"notnull\", coalesce(dflt_value, '') FROM pragma_table_info('" + table + "') ORDER BY cid")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []string
	for st.Step() {
		out = append(out, fmt.Sprintf("%s %s %d %s", st.ColumnText(0), st.ColumnText(1), st.ColumnInt64(2), st.ColumnText(3)))
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSQLiteEndToEnd generates a fresh module with -engine sqlite, applies
// the migration to a real SQLite, runs the generated queries' SQL there,
// checks that a second run changes nothing, adds a field with both
// engines (exactly one new migration per engine) and checks the refusals.
func TestSQLiteEndToEnd(t *testing.T) {
	mod := newModule(t, "example.com/lite", map[string]string{"app/session.go": tick(sqliteV1)})
	dir := filepath.Join(mod, "app")
	o := Options{Dir: dir, Type: "Session", Engines: []string{"sqlite"}, Now: fixedNow}
	out, _ := generateAndWrite(t, o)
	if want := "[20260102030405_create_sessions.sql]"; fmt.Sprint(out.NewMigrations) != want {
		t.Fatalf("migrations %v, want %s", out.NewMigrations, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "session_gen.go")); err != nil {
		t.Errorf("SQLite alone generated no typed layer: %v", err)
	}
	if out, err := goCmd(t, mod, nil, "vet", "./..."); err != nil {
		t.Fatalf("go vet of the sqlite package: %v\n%s", err, out)
	}

	conn, err := sqlite3.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	schemaDir := filepath.Join(mod, "schema")
	applySQLite(t, conn, schemaDir, out.NewMigrations)
	got := columns(t, conn, "sessions")
	want := []string{
		"token_hash BLOB 1 ",
		"created_at INTEGER 1 CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)",
		"last_seen_at INTEGER 1 CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)",
		"expires_at INTEGER 1 ", "absolute_expires_at INTEGER 1 ", "remember INTEGER 1 0",
		"previous_token_hash BLOB 0 ", "renewed_at INTEGER 0 ",
		"user_id INTEGER 1 0", "name TEXT 1 ''", "cart TEXT 1 'null'",
	}
	if !slices.Equal(got, want) {
		t.Errorf("table_info:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	queries, err := os.ReadFile(filepath.Join(mod, "queries", "sessions.sql"))
	if err != nil {
		t.Fatal(err)
	}
	testSQLiteQueries(t, conn, string(queries))

	// A second run changes nothing.
	again, err := Generate(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if diff, err := again.Check(again.Root); err != nil || diff != "" || len(again.NewMigrations) != 0 {
		t.Fatalf("second run: %v, new %v, diff:\n%s", err, again.NewMigrations, diff)
	}

	// Adding PostgreSQL to a one-engine layout: refused with the moves.
	both := o
	both.Engines = []string{"sqlite,postgresql"}
	_, err = Generate(context.Background(), both)
	if err == nil || !strings.Contains(err.Error(), "git mv schema/20260102030405_create_sessions.sql schema/sqlite/") || !strings.Contains(err.Error(), "mkdir -p schema/sqlite") {
		t.Fatalf("adding an engine over the one-engine layout: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(schemaDir, "sqlite"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(schemaDir, "20260102030405_create_sessions.sql"), filepath.Join(schemaDir, "sqlite", "20260102030405_create_sessions.sql")); err != nil {
		t.Fatal(err)
	}
	t2 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	both.Now = nowAt(t2)
	out, _ = generateAndWrite(t, both)
	if want := "[20260301000000_create_sessions.sql]"; fmt.Sprint(out.NewMigrations) != want {
		t.Errorf("with postgresql added, migrations %v, want %s (the PostgreSQL table)", out.NewMigrations, want)
	}
	for _, gone := range []string{"queries/sessions.sql", "app/sessiondb/sessions.sql.go"} {
		if _, err := os.Stat(filepath.Join(mod, gone)); err == nil {
			t.Errorf("%s of the one-engine layout is still there", gone)
		}
	}
	if config, _ := os.ReadFile(filepath.Join(mod, "sqlc.yaml")); strings.Count(string(config), "- name:") != 2 || !strings.Contains(string(config), "name: sessions_sqlite") {
		t.Errorf("sqlc.yaml:\n%s", config)
	}
	if again, err := Generate(context.Background(), both); err != nil || len(again.NewMigrations) != 0 {
		t.Fatalf("second run with both engines: %v, new %v", err, again.NewMigrations)
	} else if diff, err := again.Check(again.Root); err != nil || diff != "" {
		t.Fatalf("second run with both engines: %v, diff:\n%s", err, diff)
	}

	// An added field: exactly one new migration per engine.
	writeFile(t, filepath.Join(dir, "session.go"), strings.Replace(tick(sqliteV1), "\tCart   []Item\n", "\tCart   []Item\n\tTheme  *string\n", 1))
	both.Now = nowAt(t2.Add(time.Hour))
	out, _ = generateAndWrite(t, both)
	if want := "[20260301010000_alter_sessions.sql 20260301010000_alter_sessions.sql]"; fmt.Sprint(out.NewMigrations) != want {
		t.Fatalf("added field: migrations %v, want %s", out.NewMigrations, want)
	}
	lite, err := os.ReadFile(filepath.Join(schemaDir, "sqlite", "20260301010000_alter_sessions.sql"))
	if err != nil || !strings.Contains(string(lite), "ALTER TABLE sessions ADD COLUMN theme TEXT;") {
		t.Fatalf("sqlite alter: %v\n%s", err, lite)
	}
	applySQLite(t, conn, filepath.Join(schemaDir, "sqlite"), []string{"20260301010000_alter_sessions.sql"})
	if cols := columns(t, conn, "sessions"); cols[len(cols)-1] != "theme TEXT 0 " {
		t.Errorf("after the alter, last column %q", cols[len(cols)-1])
	}

	// Refusals: a removed field without -allow-drop, and a NOT NULL change
	// SQLite cannot make in place.
	writeFile(t, filepath.Join(dir, "session.go"), strings.Replace(tick(sqliteV1), "\tName   string\n", "", 1))
	if _, err := Generate(context.Background(), both); err == nil || !strings.Contains(err.Error(), "rerun with -allow-drop") {
		t.Errorf("dropped field: %v", err)
	}
	writeFile(t, filepath.Join(dir, "session.go"), strings.Replace(tick(sqliteV1), "\tName   string\n", "\tName   *string\n\tTheme  *string\n", 1))
	if _, err := Generate(context.Background(), both); err == nil || !strings.Contains(err.Error(), "SQLite cannot change a column's NOT NULL or default in place") {
		t.Errorf("NOT NULL dropped: %v", err)
	}
}

// argRE finds sqlc's parameter functions.
var argRE = regexp.MustCompile(`sqlc\.n?arg\((\w+)\)|sqlc\.slice\((\w+)\)`)

// testSQLiteQueries runs the SQL of the generated queries on conn, with
// sqlc's parameters bound by name, and checks their semantics: expiry,
// touch, renew with its grace, delete following a renewal, batches of
// expired rows.
func testSQLiteQueries(t *testing.T, conn *sqlite3.Conn, file string) {
	t.Helper()
	queries := map[string]string{}
	for _, part := range strings.Split(file, "-- name: ")[1:] {
		name, body, _ := strings.Cut(part, " ")
		_, body, _ = strings.Cut(body, "\n")
		if i := strings.Index(body, ";\n"); i >= 0 {
			body = body[:i]
		}
		queries[name] = argRE.ReplaceAllString(body, ":$1$2")
	}
	for _, name := range []string{"GetSession", "GetSessionForUpdate", "GetAnySession", "RenewedSession", "InsertSession", "SaveSession",
		"SaveSessionName", "TouchSession", "DeleteSession", "DeleteExpiredSessions", "CountSessions", "ListSessionsByUserID",
		"DeleteSessionsByUserID", "DeleteOtherSessionsByUserID"} {
		if queries[name] == "" {
			t.Fatalf("no query %s in:\n%s", name, file)
		}
	}
	// run executes a query and returns its rows as strings.
	run := func(name string, args map[string]any) [][]string {
		t.Helper()
		st, _, err := conn.Prepare(queries[name])
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, queries[name])
		}
		defer st.Close()
		for k, v := range args {
			i := st.BindIndex(":" + k)
			if i == 0 {
				continue
			}
			switch v := v.(type) {
			case int:
				err = st.BindInt64(i, int64(v))
			case bool:
				err = st.BindBool(i, v)
			case string:
				err = st.BindText(i, v)
			case []byte:
				err = st.BindBlob(i, v)
			case nil:
				err = st.BindNull(i)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		var rows [][]string
		for st.Step() {
			var row []string
			for c := range st.ColumnCount() {
				row = append(row, st.ColumnText(c))
			}
			rows = append(rows, row)
		}
		if err := st.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rows
	}
	const hour = int(time.Hour / time.Microsecond)
	insert := func(key string, idle int) {
		run("InsertSession", map[string]any{"token_hash": []byte(key), "remember": true, "absolute_us": 2 * hour, "idle_us": idle,
			"user_id": 7, "name": "n", "cart": "[]"})
	}
	insert("a", hour)
	insert("b", hour)
	insert("gone", -1) // already expired
	if rows := run("CountSessions", nil); rows[0][0] != "2" {
		t.Errorf("CountSessions = %v, want 2", rows)
	}
	// The reads select NOT NULL columns as expressions, which have no
	// declared type: mattn/go-sqlite3 copies and lowercases a declared
	// type per column on every query.
	for _, name := range []string{"GetSession", "GetSessionForUpdate", "GetAnySession"} {
		st, _, err := conn.Prepare(queries[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range st.ColumnCount() {
			switch col := st.ColumnName(i); col {
			case "created_at", "last_seen_at", "expires_at", "absolute_expires_at", "remember", "user_id", "name", "cart":
				if typ := st.ColumnDeclType(i); typ != "" {
					t.Errorf("%s: column %s has declared type %s, want an expression", name, col, typ)
				}
			}
		}
		st.Close()
	}
	get := run("GetSession", map[string]any{"token_hash": []byte("a")})
	if len(get) != 1 || get[0][5] != "1" {
		t.Fatalf("GetSession a = %v, want one row, remember 1", get)
	}
	// The backend computes whether a touch is due from db_now and
	// last_seen_at: both by SQLite's clock, as integers of the same unit.
	dbNow, created, lastSeen, expires := get[0][0], get[0][1], get[0][2], get[0][3]
	now, err := strconv.ParseInt(dbNow, 10, 64)
	if err != nil {
		t.Fatalf("db_now %q: %v", dbNow, err)
	}
	seen, err := strconv.ParseInt(lastSeen, 10, 64)
	if err != nil {
		t.Fatalf("last_seen_at %q: %v", lastSeen, err)
	}
	if len(dbNow) < 16 || created > dbNow || expires <= dbNow || seen > now || seen <= now-int64(hour) {
		t.Errorf("db_now %s, created_at %s, last_seen_at %s, expires_at %s", dbNow, created, lastSeen, expires)
	}
	if rows := run("GetSession", map[string]any{"token_hash": []byte("gone")}); len(rows) != 0 {
		t.Errorf("expired session read: %v", rows)
	}
	// Renew a to a2, writing only the name.
	saved := run("SaveSession", map[string]any{"token_hash": []byte("a"), "new_token_hash": []byte("a2"), "renew": true, "remember": false,
		"absolute_us": 2 * hour, "touch": true, "idle_us": hour, "set_name": true, "name": "renamed", "set_user_id": false, "user_id": 99,
		"set_cart": false, "cart": "x"})
	if len(saved) != 1 || saved[0][4] != "0" {
		t.Fatalf("SaveSession = %v", saved)
	}
	row := run("GetSession", map[string]any{"token_hash": []byte("a2")})
	if len(row) != 1 || row[0][6] != "7" || row[0][7] != "renamed" || row[0][8] != "[]" {
		t.Fatalf("after the save, a2 = %v (want user_id 7, name renamed, cart [])", row)
	}
	if rows := run("RenewedSession", map[string]any{"hashes": []byte("a"), "grace_us": hour}); rows[0][0] != "1" {
		t.Errorf("RenewedSession(a) = %v, want true", rows)
	}
	if rows := run("GetAnySession", map[string]any{"hashes": []byte("a2")}); len(rows) != 1 || rows[0][0] != "a2" {
		t.Errorf("GetAnySession = %v", rows)
	}
	if rows := run("SaveSessionName", map[string]any{"token_hash": []byte("a2"), "name": "one"}); len(rows) != 0 {
		t.Errorf("SaveSessionName rows %v", rows)
	}
	if rows := run("TouchSession", map[string]any{"token_hash": []byte("a2"), "idle_us": hour, "grace_us": hour}); len(rows) != 1 {
		t.Errorf("TouchSession = %v", rows)
	}
	if rows := run("ListSessionsByUserID", map[string]any{"user_id": 7}); len(rows) != 2 {
		t.Errorf("ListSessionsByUserID = %v, want a2 and b", rows)
	}
	// Delete with the old key follows the renewal within the grace.
	run("DeleteSession", map[string]any{"token_hash": []byte("a"), "grace_us": hour})
	if rows := run("GetSession", map[string]any{"token_hash": []byte("a2")}); len(rows) != 0 {
		t.Errorf("a2 survived the delete of the key it was renewed from: %v", rows)
	}
	if rows := run("DeleteOtherSessionsByUserID", map[string]any{"user_id": 7, "except_token_hash": []byte("b")}); len(rows) != 1 || rows[0][0] != "gone" {
		t.Errorf("DeleteOtherSessionsByUserID = %v, want [gone]", rows)
	}
	insert("old1", -1)
	insert("old2", -1)
	insert("old3", -1)
	if rows := run("DeleteExpiredSessions", map[string]any{"batch": 2}); len(rows) != 0 || conn.Changes() != 2 {
		t.Errorf("DeleteExpiredSessions deleted %d, want a batch of 2", conn.Changes())
	}
	if rows := run("DeleteSessionsByUserID", map[string]any{"user_id": 7}); len(rows) != 2 {
		t.Errorf("DeleteSessionsByUserID = %v, want b and the last expired one", rows)
	}
}
