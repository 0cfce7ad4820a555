package generator

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

const evolveV1 = `package acct

type Visit struct {
	UserID int32 ` + "`session:\"user_id\"`" + `
	Name   string
	Legacy string
	Score  int32
	Tags   []string
}
`

// evolveV2 adds fields (Note, Level), renames Name to FullName with was=,
// widens UserID from int32 to int64 and indexes it, and drops Legacy.
const evolveV2 = `package acct

type Visit struct {
	UserID   int64  ` + "`session:\"user_id,index\"`" + `
	FullName string ` + "`session:\"full_name,was=name\"`" + `
	Score    int32
	Tags     []string
	Note     *string
	Level    int16
}
`

// evolveRead reads the rows written under v1 through the v2 generated
// backend.
const evolveRead = `package acct

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

func TestReadOld(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("E2E_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rec := visitHandleOf(visitBackend{}.New(nil))
	if _, err := (visitBackend{}).Get(ctx, sessionimpl.PgxConn(pool), []byte{1}, false, time.Minute, (*visitRecord)(rec)); err != nil {
		t.Fatal(err)
	}
	if rec.UserID() != 7 || rec.FullName() != "alice" || rec.Score() != 10 || len(rec.Tags()) != 1 || rec.Tags()[0] != "a" || rec.Note() != nil || rec.Level() != 0 {
		t.Errorf("session 1 read through the v2 layer: %+v", rec.v)
	}
	rec2 := visitHandleOf(visitBackend{}.New(nil))
	if _, err := (visitBackend{}).Get(ctx, sessionimpl.PgxConn(pool), []byte{2}, false, time.Minute, (*visitRecord)(rec2)); err != nil {
		t.Fatal(err)
	}
	if rec2.UserID() != -3 || rec2.FullName() != "bob" || rec2.Score() != 20 {
		t.Errorf("session 2 read through the v2 layer: %+v", rec2.v)
	}
}
`

// TestEvolve walks a payload through a second version: new migrations
// appear beside the untouched first one, dbmate applies and rolls them back,
// the sessions stored under v1 keep their data, and a rerun emits nothing.
// Data-losing changes are refused with explanations.
func TestEvolve(t *testing.T) {
	ctx := context.Background()
	mod := newModule(t, "example.com/evolve", map[string]string{"acct/visit.go": evolveV1})
	dir := filepath.Join(mod, "acct")
	schemaDir := filepath.Join(mod, "schema")
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

	// v1
	out1, _ := generateAndWrite(t, Options{Dir: dir, Type: "Visit", Now: nowAt(t1)})
	if want := []string{"20260101000000_create_visits.sql"}; fmt.Sprint(out1.NewMigrations) != fmt.Sprint(want) {
		t.Fatalf("v1 migrations %v, want %v", out1.NewMigrations, want)
	}
	dsn := sessiontest.NewDB(t)
	db := newDBMate(t, dsn, schemaDir)
	if err := db.Migrate(); err != nil {
		t.Fatalf("migrate v1: %v", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO visits (token_hash, expires_at, absolute_expires_at, user_id, name, legacy, score, tags) VALUES
		('\x01', now() + interval '1 hour', now() + interval '2 hours', 7, 'alice', 'old1', 10, '["a"]'),
		('\x02', now() + interval '1 hour', now() + interval '2 hours', -3, 'bob', 'old2', 20, '[]')`)
	v1Schema := snapshot(t, schemaDir)

	// v2
	writeFile(t, filepath.Join(dir, "visit.go"), evolveV2)
	out2, wrote := generateAndWrite(t, Options{Dir: dir, Type: "Visit", Now: nowAt(t2), AllowDrop: true})
	wantNew := []string{"20260201000000_alter_visits.sql", "20260201000001_index_visits_user_id.sql"}
	if fmt.Sprint(out2.NewMigrations) != fmt.Sprint(wantNew) {
		t.Fatalf("v2 migrations %v, want %v", out2.NewMigrations, wantNew)
	}
	v2Schema := snapshot(t, schemaDir)
	for name, data := range v1Schema {
		if !bytes.Equal(v2Schema[name], data) {
			t.Errorf("v1 migration %s changed:\n%s", name, unifiedDiff(string(data), string(v2Schema[name])))
		}
	}
	if len(v2Schema) != len(v1Schema)+2 {
		t.Errorf("schema dir has %d files after v2, want %d", len(v2Schema), len(v1Schema)+2)
	}
	for _, p := range wrote {
		if filepath.Dir(p) == schemaDir && strings.Contains(p, "create_visits") {
			t.Errorf("Write rewrote the applied migration %s", p)
		}
	}
	alter := string(v2Schema[wantNew[0]])
	for _, w := range []string{
		"ALTER TABLE visits RENAME COLUMN name TO full_name;",
		"ALTER TABLE visits ALTER COLUMN user_id TYPE bigint USING user_id::bigint;",
		"ALTER TABLE visits ADD COLUMN note text;",
		"ALTER TABLE visits ADD COLUMN level smallint NOT NULL DEFAULT 0;",
		"ALTER TABLE visits DROP COLUMN legacy;",
	} {
		if !strings.Contains(alter, w) {
			t.Errorf("alter migration lacks %q:\n%s", w, alter)
		}
	}
	index := string(v2Schema[wantNew[1]])
	if !strings.Contains(index, "-- migrate:up transaction:false") || !strings.Contains(index, "CREATE INDEX CONCURRENTLY IF NOT EXISTS visits_user_id_idx ON visits (user_id);") {
		t.Errorf("index migration:\n%s", index)
	}
	if err := db.Migrate(); err != nil {
		t.Fatalf("migrate v2: %v", err)
	}
	checkV2 := func(step string) {
		t.Helper()
		rows, err := conn.Query(ctx, "SELECT user_id, full_name, score, tags::text, note, level FROM visits ORDER BY token_hash")
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		var got []string
		for rows.Next() {
			var (
				uid        int64
				name, tags string
				score      int32
				note       *string
				level      int16
			)
			if err := rows.Scan(&uid, &name, &score, &tags, &note, &level); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			got = append(got, fmt.Sprintf("%d %s %d %s %v %d", uid, name, score, tags, note, level))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := []string{`7 alice 10 ["a"] <nil> 0`, `-3 bob 20 [] <nil> 0`}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: rows %q, want %q", step, got, want)
		}
		if typ := columnType(t, conn, "user_id"); typ != "bigint" {
			t.Errorf("%s: user_id is %s, want bigint", step, typ)
		}
		if columnType(t, conn, "legacy") != "" || columnType(t, conn, "name") != "" {
			t.Errorf("%s: columns legacy/name still exist", step)
		}
		if !hasIndex(t, conn, "visits_user_id_idx") {
			t.Errorf("%s: index visits_user_id_idx missing", step)
		}
	}
	checkV2("after v2 migrate")

	// Roll back each new migration, newest first.
	if err := db.Rollback(); err != nil {
		t.Fatalf("rollback index migration: %v", err)
	}
	if hasIndex(t, conn, "visits_user_id_idx") {
		t.Error("index survived the rollback of its migration")
	}
	if err := db.Rollback(); err != nil {
		t.Fatalf("rollback alter migration: %v", err)
	}
	if typ := columnType(t, conn, "user_id"); typ != "integer" {
		t.Errorf("after rollback user_id is %s, want integer", typ)
	}
	for _, c := range []string{"name", "legacy"} {
		if columnType(t, conn, c) == "" {
			t.Errorf("after rollback column %s is missing", c)
		}
	}
	for _, c := range []string{"full_name", "note", "level"} {
		if columnType(t, conn, c) != "" {
			t.Errorf("after rollback column %s still exists", c)
		}
	}
	var names string
	if err := conn.QueryRow(ctx, "SELECT string_agg(name, ',' ORDER BY token_hash) FROM visits").Scan(&names); err != nil || names != "alice,bob" {
		t.Errorf("after rollback names = %q, %v; want alice,bob", names, err)
	}
	if err := db.Migrate(); err != nil {
		t.Fatalf("migrate v2 again: %v", err)
	}
	checkV2("after rollback and migrate")

	// The v2 generated layer reads the sessions stored under v1.
	writeFile(t, filepath.Join(dir, "read_test.go"), evolveRead)
	if out, err := goCmd(t, mod, []string{"E2E_DATABASE_URL=" + dsn}, "test", "-count=1", "-run", "^TestReadOld$", "-v", "./acct"); err != nil || !strings.Contains(out, "--- PASS: TestReadOld") {
		t.Fatalf("reading v1 sessions through the v2 layer: %v\n%s", err, out)
	}

	// A rerun emits nothing new.
	before := snapshot(t, mod)
	out3, wrote := generateAndWrite(t, Options{Dir: dir, Type: "Visit", Now: nowAt(t2.Add(time.Hour)), AllowDrop: true})
	if len(out3.NewMigrations) != 0 || len(wrote) != 0 {
		t.Errorf("rerun: new migrations %v, wrote %v; want none", out3.NewMigrations, wrote)
	}
	if d := diffSnapshots(before, snapshot(t, mod)); d != "" {
		t.Errorf("rerun changed files:\n%s", d)
	}
	if diff, err := out3.Check(mod); err != nil || diff != "" {
		t.Errorf("Check after rerun = %q, %v; want no diff", diff, err)
	}

	// Refused changes: nothing is generated, nothing written.
	file := filepath.Join(dir, "visit.go")
	for _, c := range []struct {
		name, src string
		allowDrop bool
		want      []string
	}{
		{
			name: "drop without AllowDrop",
			src:  strings.Replace(evolveV2, "\tScore    int32\n", "", 1),
			want: []string{"column score is in the table visits but no field maps to it: if you renamed its field, tag the field with was=score; otherwise rerun with -allow-drop to drop it (its data is lost), or add the field back"},
		},
		{
			name:      "narrowing int64 to int32",
			src:       strings.Replace(evolveV2, "UserID   int64 ", "UserID   int32 ", 1),
			allowDrop: true,
			want: []string{
				fmt.Sprintf("%s:4: field UserID: column user_id would change type from bigint to integer in table visits; that is a narrowing (or lossy) conversion: existing values may not fit", file),
				"Keep the field's old type",
			},
		},
		{
			name:      "nullable to NOT NULL",
			src:       strings.Replace(evolveV2, "Note     *string", "Note     string", 1),
			allowDrop: true,
			want:      []string{fmt.Sprintf("%s:8: field Note: column note is nullable in table visits but the field is not a pointer", file)},
		},
		{
			name:      "scalar to jsonb",
			src:       strings.Replace(evolveV2, "Level    int16", "Level    []int16", 1),
			allowDrop: true,
			want:      []string{fmt.Sprintf("%s:9: field Level: column level would change type from smallint to jsonb in table visits", file)},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			writeFile(t, file, c.src)
			defer writeFile(t, file, evolveV2)
			before := snapshot(t, mod)
			_, err := Generate(ctx, Options{Dir: dir, Type: "Visit", Now: nowAt(t2.Add(2 * time.Hour)), AllowDrop: c.allowDrop})
			if err == nil {
				t.Fatal("Generate succeeded; want a refusal")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%s", w, err)
				}
			}
			if d := diffSnapshots(before, snapshot(t, mod)); d != "" {
				t.Errorf("a refused run changed files:\n%s", d)
			}
		})
	}
}

// columnType is the data type of a column of visits, "" if it is missing.
func columnType(t *testing.T, conn *pgx.Conn, col string) string {
	t.Helper()
	var typ string
	err := conn.QueryRow(context.Background(), "SELECT data_type FROM information_schema.columns WHERE table_name = 'visits' AND column_name = $1", col).Scan(&typ)
	if err == pgx.ErrNoRows {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

func hasIndex(t *testing.T, conn *pgx.Conn, name string) bool {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_indexes WHERE indexname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}
