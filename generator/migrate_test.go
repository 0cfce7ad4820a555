package generator

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres"
	"github.com/jackc/pgx/v5"
)

// baseWant is the wanted table of a small payload.
func baseWant(fields ...Field) *TableSchema {
	if fields == nil {
		fields = []Field{
			{Column: "user_id", SQLType: "bigint", Default: "0"},
			{Column: "name", SQLType: "text", Default: "''"},
			{Column: "age", SQLType: "integer", Default: "0"},
			{Column: "cart", SQLType: "jsonb", Default: "'null'::jsonb"},
			{Column: "avatar", SQLType: "bytea", Default: "''::bytea"},
			{Column: "seen", SQLType: "timestamptz", Default: "'0001-01-01 00:00:00+00'::timestamptz"},
			{Column: "admin", SQLType: "boolean", Default: "false"},
			{Column: "score", SQLType: "real", Default: "0"},
			{Column: "nick", SQLType: "text", Nullable: true},
		}
	}
	m := &Model{Table: "sessions", Fields: fields}
	return m.WantedSchema()
}

func baseFields() []Field { return slices.Clone(fieldsForTest(baseWant())) }

// fieldsForTest turns the payload columns of a wanted table back into fields.
func fieldsForTest(t *TableSchema) []Field {
	var fs []Field
	for _, c := range t.Columns[len(lifecycleColumns()):] {
		f := Field{Column: c.Name, SQLType: c.Type, Nullable: c.Nullable, Default: c.Default}
		for _, x := range t.Indexes {
			if x.Columns[0] == c.Name {
				f.Index = true
			}
		}
		fs = append(fs, f)
	}
	return fs
}

func withField(fs []Field, col string, f func(*Field)) []Field {
	fs = slices.Clone(fs)
	for i := range fs {
		if fs[i].Column == col {
			f(&fs[i])
		}
	}
	return fs
}

func withoutField(fs []Field, col string) []Field {
	return slices.DeleteFunc(slices.Clone(fs), func(f Field) bool { return f.Column == col })
}

type planCase struct {
	name   string
	cur    *TableSchema // nil: no table
	want   *TableSchema
	opt    PlanOptions
	errs   []string // substrings of the error; none: success
	golden bool
}

func planCases() []planCase {
	base := baseWant()
	fs := baseFields()
	pos := map[string]string{"age": "session.go:12: field Age", "nick": "session.go:14: field Nick", "title": "session.go:9: field Title", "name": "session.go:9: field Name"}
	return []planCase{
		{name: "create", want: base, golden: true},
		{name: "create_indexed", want: baseWant(withField(fs, "user_id", func(f *Field) { f.Index = true })...), golden: true},
		{name: "unchanged", cur: base, want: base},
		{name: "add_column", cur: base, want: baseWant(append(fs, Field{Column: "theme", SQLType: "text", Default: "''"}, Field{Column: "parent", SQLType: "bigint", Nullable: true})...), golden: true},
		{name: "rename", cur: base, want: baseWant(withField(fs, "name", func(f *Field) { f.Column = "title" })...), opt: PlanOptions{Renames: map[string]string{"title": "name"}}, golden: true},
		{name: "rename_applied", cur: baseWant(withField(fs, "name", func(f *Field) { f.Column = "title" })...), want: baseWant(withField(fs, "name", func(f *Field) { f.Column = "title" })...), opt: PlanOptions{Renames: map[string]string{"title": "name"}}},
		{name: "rename_unknown", cur: base, want: baseWant(withField(fs, "name", func(f *Field) { f.Column = "title" })...), opt: PlanOptions{Renames: map[string]string{"title": "nom"}, Positions: pos},
			errs: []string{"session.go:9: field Title: was=nom: table sessions has neither column nom nor column title", "column name is in the table sessions but no field maps to it"}},
		{name: "rename_conflict", cur: base, want: baseWant(append(withField(fs, "name", func(f *Field) { f.Column = "title" }), Field{Column: "name", SQLType: "text", Default: "''"})...), opt: PlanOptions{Renames: map[string]string{"title": "name"}, Positions: pos},
			errs: []string{"session.go:9: field Title: was=name renames column name to title, but another field still maps to column name"}},
		{name: "widen", cur: base, want: baseWant(withField(withField(fs, "age", func(f *Field) { f.SQLType = "bigint" }), "score", func(f *Field) { f.SQLType = "double precision" })...), golden: true},
		{name: "narrow", cur: base, want: baseWant(withField(fs, "user_id", func(f *Field) { f.SQLType = "integer" })...),
			errs: []string{"column user_id: column user_id would change type from bigint to integer in table sessions; that is a narrowing", "add a new field"}},
		{name: "text_to_number", cur: base, want: baseWant(withField(fs, "name", func(f *Field) { f.SQLType = "bigint"; f.Default = "0" })...), opt: PlanOptions{Positions: pos},
			errs: []string{"session.go:9: field Name: column name would change type from text to bigint", "cannot be converted safely", "write a manual migration"}},
		{name: "to_jsonb", cur: base, want: baseWant(withField(fs, "age", func(f *Field) { f.SQLType = "jsonb"; f.Default = "'null'::jsonb" })...), opt: PlanOptions{Positions: pos},
			errs: []string{"session.go:12: field Age: column age would change type from integer to jsonb", "not valid JSON"}},
		{name: "make_nullable", cur: base, want: baseWant(withField(fs, "age", func(f *Field) { f.Nullable = true; f.Default = "" })...), golden: true},
		{name: "make_not_null", cur: base, want: baseWant(withField(fs, "nick", func(f *Field) { f.Nullable = false; f.Default = "''" })...), opt: PlanOptions{Positions: pos},
			errs: []string{"session.go:14: field Nick: column nick is nullable in table sessions but the field is not a pointer", "Keep the field a pointer"}},
		{name: "add_not_null_without_default", cur: base, want: baseWant(append(fs, Field{Column: "x", SQLType: "text"})...),
			errs: []string{"column x: column x is NOT NULL without a default"}},
		{name: "change_default", cur: base, want: baseWant(withField(fs, "age", func(f *Field) { f.Default = "18" })...), golden: true},
		{name: "equivalent_default", cur: base, want: baseWant(withField(fs, "avatar", func(f *Field) { f.Default = `'\x'::bytea` })...)},
		{name: "drop_refused", cur: base, want: baseWant(withoutField(withoutField(fs, "age"), "nick")...),
			errs: []string{"column age is in the table sessions but no field maps to it: if you renamed its field, tag the field with was=age; otherwise rerun with -allow-drop to drop it (its data is lost), or add the field back", "column nick is in the table"}},
		{name: "drop_allowed", cur: baseWant(withField(fs, "age", func(f *Field) { f.Index = true })...), want: baseWant(withoutField(fs, "age")...), opt: PlanOptions{AllowDrop: true}, golden: true},
		{name: "add_index", cur: base, want: baseWant(withField(fs, "name", func(f *Field) { f.Index = true })...), golden: true},
		{name: "drop_index", cur: baseWant(withField(fs, "name", func(f *Field) { f.Index = true })...), want: base, golden: true},
		{name: "renamed_keeps_index", cur: baseWant(withField(fs, "name", func(f *Field) { f.Index = true })...), want: baseWant(withField(fs, "name", func(f *Field) { f.Column = "title"; f.Index = true })...), opt: PlanOptions{Renames: map[string]string{"title": "name"}}, golden: true},
		{name: "index_name_taken", cur: renamedIndex(baseWant(withField(fs, "name", func(f *Field) { f.Column = "title"; f.Index = true })...), "sessions_title_idx", "sessions_name_idx"), want: baseWant(append(withField(fs, "name", func(f *Field) { f.Column = "title"; f.Index = true }), Field{Column: "name", SQLType: "text", Default: "''", Index: true})...), golden: true},
		{name: "everything", cur: baseWant(withField(fs, "user_id", func(f *Field) { f.Index = true })...),
			want: baseWant(append(withoutField(withField(withField(fs, "name", func(f *Field) { f.Column = "title" }), "age", func(f *Field) { f.SQLType = "bigint"; f.Index = true }), "admin"), Field{Column: "theme", SQLType: "text", Default: "''"})...),
			opt:  PlanOptions{AllowDrop: true, Renames: map[string]string{"title": "name"}}, golden: true},
	}
}

// renamedIndex renames an index of t, as a column rename leaves it.
func renamedIndex(t *TableSchema, from, to string) *TableSchema {
	for i := range t.Indexes {
		if t.Indexes[i].Name == from {
			t.Indexes[i].Name = to
		}
	}
	return t
}

func TestPlan(t *testing.T) {
	for _, tc := range planCases() {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Plan(tc.cur, tc.want, tc.opt)
			if len(tc.errs) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", tc.errs)
				}
				for _, s := range tc.errs {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q\ndoes not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.golden {
				if len(ms) != 0 {
					t.Fatalf("want no migration, got %+v", ms)
				}
				return
			}
			if len(ms) == 0 {
				t.Fatal("no migrations")
			}
			var got strings.Builder
			for i, m := range ms {
				if len(m.Up) == 0 || len(m.Up) != len(m.Down) && !strings.HasPrefix(m.Name, "create_") {
					t.Errorf("%s: %d up, %d down statements", m.Name, len(m.Up), len(m.Down))
				}
				if m.NoTransaction && len(m.Up) != 1 {
					t.Errorf("%s: non-transactional migration with %d statements", m.Name, len(m.Up))
				}
				b, err := RenderMigration(m)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&got, "==> %s <==\n", MigrationFileName(time.Date(2026, 11, 26, 0, 15, i, 0, time.UTC), m.Name))
				got.Write(b)
			}
			compareGolden(t, filepath.Join("testdata", "migrate", tc.name+".sql"), got.String())
			// Determinism.
			again, _ := Plan(tc.cur, tc.want, tc.opt)
			if !reflect.DeepEqual(ms, again) {
				t.Error("Plan is not deterministic")
			}
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// files renders ms as migration files, starting one second after prev.
func files(t *testing.T, prev []MigrationFile, ms []Migration) []MigrationFile {
	t.Helper()
	ts := NextTimestamp(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), prev)
	out := slices.Clone(prev)
	for i, m := range ms {
		b, err := RenderMigration(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, MigrationFile{Name: MigrationFileName(ts.Add(time.Duration(i)*time.Second), m.Name), Data: b})
	}
	return out
}

// sameSchema compares tables as PostgreSQL would: columns by name (order
// aside), canonical defaults, indexes by column list (names aside).
func sameSchema(a, b *TableSchema) string {
	norm := func(s *TableSchema) string {
		var cols, idx []string
		for _, c := range s.Columns {
			d, err := CanonicalDefault(c.Default)
			if err != nil {
				d = "?" + c.Default
			}
			cols = append(cols, fmt.Sprintf("%s %s null=%v default=%s", c.Name, c.Type, c.Nullable, d))
		}
		for _, x := range s.Indexes {
			idx = append(idx, strings.Join(x.Columns, ","))
		}
		slices.Sort(cols)
		slices.Sort(idx)
		return s.Name + "\n" + strings.Join(cols, "\n") + "\nindexes " + strings.Join(idx, " ")
	}
	if na, nb := norm(a), norm(b); na != nb {
		return fmt.Sprintf("replayed:\n%s\nwanted:\n%s", na, nb)
	}
	return ""
}

// TestRoundTrip checks that replaying the rendered migrations gives the
// wanted table back, and that planning again has nothing to do.
func TestRoundTrip(t *testing.T) {
	for _, tc := range planCases() {
		if len(tc.errs) > 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			var fs []MigrationFile
			if tc.cur != nil {
				ms, err := Plan(nil, tc.cur, PlanOptions{})
				if err != nil {
					t.Fatal(err)
				}
				fs = files(t, nil, ms)
			}
			ms, err := Plan(tc.cur, tc.want, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			fs = files(t, fs, ms)
			got, err := Replay(fs, "sessions")
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("no table after replay")
			}
			if d := sameSchema(got, tc.want); d != "" {
				t.Fatal(d)
			}
			if again, err := Plan(got, tc.want, tc.opt); err != nil || len(again) != 0 {
				t.Fatalf("plan after replay: %+v, %v", again, err)
			}
		})
	}
}

func TestRenderMigration(t *testing.T) {
	got, err := RenderMigration(Migration{Name: "x", Up: []string{"A;", "B;"}, Down: []string{"C;"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "-- Code generated by sessiongen. Review before applying; never edit after it is applied.\n-- migrate:up\nA;\nB;\n\n-- migrate:down\nC;\n"
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	got, err = RenderMigration(Migration{Name: "x", NoTransaction: true, Up: []string{"A;"}, Down: []string{"C;"}})
	if err != nil {
		t.Fatal(err)
	}
	want = "-- Code generated by sessiongen. Review before applying; never edit after it is applied.\n-- migrate:up transaction:false\nA;\n\n-- migrate:down transaction:false\nC;\n"
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if _, err := RenderMigration(Migration{Name: "x", Up: []string{"A;"}}); err == nil {
		t.Error("empty down: no error")
	}
}

func TestMigrationFileName(t *testing.T) {
	ts := time.Date(2026, 11, 26, 1, 15, 0, 999, time.FixedZone("x", 3600))
	if got, want := MigrationFileName(ts, "create_sessions"), "20261126001500_create_sessions.sql"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNextTimestamp(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 15, 0, 500, time.UTC)
	sec := now.Truncate(time.Second)
	for _, tt := range []struct {
		files []string
		want  time.Time
	}{
		{nil, sec},
		{[]string{"20261126001459_a.sql", "notes.sql", "1_x.sql"}, sec},
		{[]string{"20261126001500_a.sql"}, sec.Add(time.Second)},
		{[]string{"20261126001510_a.sql", "20261126001505_b.sql"}, sec.Add(11 * time.Second)},
	} {
		var fs []MigrationFile
		for _, n := range tt.files {
			fs = append(fs, MigrationFile{Name: n})
		}
		if got := NextTimestamp(now, fs); !got.Equal(tt.want) {
			t.Errorf("%v: got %v, want %v", tt.files, got, tt.want)
		}
	}
}

// TestPostgres applies the migrations of a series of model changes to a real
// PostgreSQL with dbmate, checking up, down and up again at each step and
// that rows written before each step survive.
func TestPostgres(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	if err != nil {
		t.Fatalf("PostgreSQL at 127.0.0.1:5432 (user postgres, db test) is needed: %v", err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	dbName := fmt.Sprintf("sessiongen_migrate_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+dbName); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, _ := url.Parse("postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable")
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	dir := t.TempDir()
	db := dbmate.New(u)
	db.MigrationsDir = []string{dir}
	db.AutoDumpSchema = false
	db.Log = io.Discard

	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	query := func(sql string) string {
		t.Helper()
		var s string
		if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return s
	}
	// catalog reads the table from PostgreSQL (defaults aside).
	catalog := func() string {
		return query(`SELECT coalesce((SELECT string_agg(a.attname || ' ' || replace(format_type(a.atttypid, a.atttypmod), 'timestamp with time zone', 'timestamptz') || ' null=' || (NOT a.attnotnull)::text, E'\n' ORDER BY a.attname)
			FROM pg_attribute a WHERE a.attrelid = 'sessions'::regclass AND a.attnum > 0 AND NOT a.attisdropped), '') || E'\nindexes ' ||
			coalesce((SELECT string_agg(x, ' ' ORDER BY x) FROM (SELECT string_agg(a.attname, ',' ORDER BY k.ord) AS x FROM pg_index i
				CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
				JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
				WHERE i.indrelid = 'sessions'::regclass AND NOT i.indisprimary AND i.indisvalid GROUP BY i.indexrelid) s), '')`)
	}
	replayed := func() *TableSchema {
		fs, err := ReadMigrations(dir)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Replay(fs, "sessions")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	fromSchema := func(s *TableSchema) string {
		var cols, idx []string
		for _, c := range s.Columns {
			cols = append(cols, fmt.Sprintf("%s %s null=%v", c.Name, c.Type, c.Nullable))
		}
		for _, x := range s.Indexes {
			idx = append(idx, strings.Join(x.Columns, ","))
		}
		slices.Sort(cols)
		slices.Sort(idx)
		return strings.Join(cols, "\n") + "\nindexes " + strings.Join(idx, " ")
	}

	fs := baseFields()
	step := func(name string, want *TableSchema, opt PlanOptions, check func()) {
		t.Helper()
		cur := replayed()
		ms, err := Plan(cur, want, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ms) == 0 {
			t.Fatalf("%s: no migrations", name)
		}
		existing, _ := ReadMigrations(dir)
		for _, f := range files(t, existing, ms)[len(existing):] {
			if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		before := ""
		if cur != nil {
			before = catalog()
		}
		if err := db.Migrate(); err != nil {
			t.Fatalf("%s: up: %v", name, err)
		}
		after := catalog()
		if got, want := after, fromSchema(replayed()); got != want {
			t.Fatalf("%s: database has\n%s\nreplay says\n%s", name, got, want)
		}
		check()
		for range ms {
			if err := db.Rollback(); err != nil {
				t.Fatalf("%s: down: %v", name, err)
			}
		}
		if cur == nil {
			if n := query("SELECT count(*)::text FROM pg_class WHERE relname = 'sessions'"); n != "0" {
				t.Fatalf("%s: table left after down", name)
			}
		} else if got := catalog(); got != before {
			t.Fatalf("%s: after down the table is\n%s\nwant\n%s", name, got, before)
		}
		if err := db.Migrate(); err != nil {
			t.Fatalf("%s: up again: %v", name, err)
		}
		if got := catalog(); got != after {
			t.Fatalf("%s: after up again\n%s\nwant\n%s", name, got, after)
		}
		check()
		if again, err := Plan(replayed(), want, opt); err != nil || len(again) != 0 {
			t.Fatalf("%s: plan after apply: %+v, %v", name, again, err)
		}
	}

	step("create", baseWant(fs...), PlanOptions{}, func() {})
	exec(`INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, user_id, name, age) VALUES ('\x01', now(), now(), 7, 'ann', 41)`)

	fs = append(fs, Field{Column: "theme", SQLType: "text", Default: "''"}, Field{Column: "parent", SQLType: "bigint", Nullable: true})
	step("add column", baseWant(fs...), PlanOptions{}, func() {
		if got := query(`SELECT name || '/' || theme || '/' || coalesce(parent::text, 'NULL') FROM sessions`); got != "ann//NULL" {
			t.Fatalf("row: %s", got)
		}
	})

	fs = withField(fs, "name", func(f *Field) { f.Column = "title" })
	step("rename", baseWant(fs...), PlanOptions{Renames: map[string]string{"title": "name"}}, func() {
		if got := query(`SELECT title FROM sessions`); got != "ann" {
			t.Fatalf("title: %s", got)
		}
	})

	fs = withField(fs, "age", func(f *Field) { f.SQLType = "bigint" })
	step("widen", baseWant(fs...), PlanOptions{}, func() {
		if got := query(`SELECT age::text || ' ' || pg_typeof(age)::text FROM sessions`); got != "41 bigint" {
			t.Fatalf("age: %s", got)
		}
	})

	fs = withField(withField(fs, "title", func(f *Field) { f.Index = true }), "user_id", func(f *Field) { f.Index = true })
	step("add indexes", baseWant(fs...), PlanOptions{}, func() {
		if got := query(`SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'sessions'`); got != "sessions_expires_at_idx sessions_pkey sessions_previous_token_hash_idx sessions_title_idx sessions_user_id_idx" {
			t.Fatalf("indexes: %s", got)
		}
	})

	fs = withField(fs, "user_id", func(f *Field) { f.Index = false })
	step("drop index", baseWant(fs...), PlanOptions{}, func() {})

	fs = withField(fs, "theme", func(f *Field) { f.Nullable = true; f.Default = "" })
	step("make nullable", baseWant(fs...), PlanOptions{}, func() {
		exec(`INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, theme) VALUES ('\x02', now(), now(), NULL) ON CONFLICT DO NOTHING`)
	})
	exec(`DELETE FROM sessions WHERE token_hash = '\x02'`)

	fs = withoutField(fs, "title")
	step("drop column", baseWant(fs...), PlanOptions{AllowDrop: true}, func() {
		if got := query(`SELECT user_id::text || ' ' || age::text FROM sessions`); got != "7 41" {
			t.Fatalf("row: %s", got)
		}
	})
	exec(`UPDATE sessions SET age = 5000000000`)
	if got := query(`SELECT age::text FROM sessions`); got != "5000000000" {
		t.Fatalf("age: %s", got)
	}
}

// TestStorageOptions covers the storage parameters docs/SCALE.md measured:
// a new table gets them in its CREATE TABLE, an older one gets one
// ALTER TABLE ... SET migration for the parameters it lacks, a value the
// user set in a migration of their own is kept, and replay reads WITH,
// SET and RESET.
func TestStorageOptions(t *testing.T) {
	want := baseWant()
	create, err := Plan(nil, want, PlanOptions{})
	if err != nil || len(create) != 1 || !strings.Contains(create[0].Up[1], ") WITH (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.01,") {
		t.Fatalf("create: %v %+v", err, create)
	}
	replay := func(sql string) *TableSchema {
		t.Helper()
		cur, err := Replay([]MigrationFile{{Name: "20260101000000_user.sql", Data: []byte("-- migrate:up\n" + sql + "\n-- migrate:down\n")}}, "sessions")
		if err != nil {
			t.Fatal(err)
		}
		return cur
	}
	up, _ := strings.CutPrefix(create[0].Up[1], "")
	if got := replay(up).Options; !reflect.DeepEqual(got, storageOptions()) {
		t.Fatalf("replayed WITH options %v, want %v", got, storageOptions())
	}
	plain := strings.Replace(up, create[0].Up[1][strings.Index(create[0].Up[1], " WITH ("):], ";", 1)
	cases := []struct {
		name, extra string
		wantSet     string // "" for no migration
	}{
		{"table without them", "", "ALTER TABLE sessions SET (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);"},
		{"user set fillfactor", "ALTER TABLE sessions SET (fillfactor = 70);", "ALTER TABLE sessions SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);"},
		{"all set", "ALTER TABLE sessions SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 50, autovacuum_vacuum_insert_scale_factor = 0.2, autovacuum_analyze_scale_factor = 0.1);", ""},
		{"reset by the user", "ALTER TABLE sessions SET (fillfactor = 70); ALTER TABLE sessions RESET (fillfactor);", "ALTER TABLE sessions SET (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);"},
	}
	for _, c := range cases {
		cur := replay(plain + "\n" + c.extra)
		all, err := Plan(cur, want, PlanOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := slices.DeleteFunc(all, func(m Migration) bool { return m.Name != "storage_sessions" })
		switch {
		case c.wantSet == "" && len(got) != 0:
			t.Errorf("%s: unexpected migration %+v", c.name, got)
		case c.wantSet != "" && (len(got) != 1 || got[0].Up[1] != c.wantSet || !strings.HasPrefix(got[0].Down[0], "ALTER TABLE sessions RESET (")):
			t.Errorf("%s: got %+v, want up %q", c.name, got, c.wantSet)
		}
	}
}
