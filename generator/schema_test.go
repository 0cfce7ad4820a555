package generator

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadMigrations(t *testing.T) {
	files, err := ReadMigrations(filepath.Join(t.TempDir(), "missing"))
	if err != nil || len(files) != 0 {
		t.Fatalf("missing dir: %v, %v", files, err)
	}
	dir := t.TempDir()
	for _, n := range []string{"20260102000000_b.sql", "20260101000000_a.sql", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "x.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err = ReadMigrations(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		if string(f.Data) != f.Name {
			t.Errorf("%s: data %q", f.Name, f.Data)
		}
	}
	if want := []string{"20260101000000_a.sql", "20260102000000_b.sql"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
}

func TestCanonicalDefault(t *testing.T) {
	// The strings the type mapper emits are fixed points.
	for _, s := range []string{"0", "''", "false", "'null'::jsonb", "''::bytea", "'0001-01-01 00:00:00+00'::timestamptz", "now()", "-1", "'a''b'", ""} {
		got, err := CanonicalDefault(s)
		if err != nil || got != s {
			t.Errorf("CanonicalDefault(%q) = %q, %v; want a fixed point", s, got, err)
		}
	}
	for in, want := range map[string]string{
		`'\x'::bytea`:              "''::bytea",
		`E'\\x'::bytea`:            "''::bytea",
		"''::pg_catalog.bytea":     "''::bytea",
		"(0)":                      "0",
		"FALSE":                    "false",
		"'f'::boolean":             "false",
		"NOW()":                    "now()",
		"'null'::pg_catalog.jsonb": "'null'::jsonb",
		"'0001-01-01 00:00:00+00'::timestamp with time zone": "'0001-01-01 00:00:00+00'::timestamptz",
		"0::int8":           "0::bigint",
		"CAST(0 AS bigint)": "0::bigint",
	} {
		got, err := CanonicalDefault(in)
		if err != nil || got != want {
			t.Errorf("CanonicalDefault(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"1 +", "1; SELECT 2", "x FROM y"} {
		if got, err := CanonicalDefault(bad); err == nil {
			t.Errorf("CanonicalDefault(%q) = %q, want an error", bad, got)
		}
	}
}

// mig builds a migration file whose up section is up.
func mig(name, up string) MigrationFile {
	return MigrationFile{Name: name, Data: []byte(GeneratedHeader + "\n-- migrate:up\n" + up + "\n\n-- migrate:down\nDROP TABLE nothing_to_see;\n")}
}

const createSQL = `CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    n int8 NOT NULL DEFAULT 0,
    s text NOT NULL DEFAULT '',
    b bool NOT NULL DEFAULT FALSE,
    j jsonb NOT NULL DEFAULT 'null'::jsonb,
    y bytea NOT NULL DEFAULT '\x'::bytea,
    ts timestamp with time zone NOT NULL DEFAULT now(),
    p pg_catalog.int4,
    f float8 NULL,
    r float4,
    sm smallint DEFAULT 0
);`

func createdSchema() *TableSchema {
	return &TableSchema{Name: "sessions", Columns: []Column{
		{Name: "token_hash", Type: "bytea"},
		{Name: "n", Type: "bigint", Default: "0"},
		{Name: "s", Type: "text", Default: "''"},
		{Name: "b", Type: "boolean", Default: "false"},
		{Name: "j", Type: "jsonb", Default: "'null'::jsonb"},
		{Name: "y", Type: "bytea", Default: "''::bytea"},
		{Name: "ts", Type: "timestamptz", Default: "now()"},
		{Name: "p", Type: "integer", Nullable: true},
		{Name: "f", Type: "double precision", Nullable: true},
		{Name: "r", Type: "real", Nullable: true},
		{Name: "sm", Type: "smallint", Nullable: true, Default: "0"},
	}}
}

func TestReplay(t *testing.T) {
	type edit func(*TableSchema) *TableSchema
	cols := func(f func(c []Column) []Column) edit {
		return func(s *TableSchema) *TableSchema { s.Columns = f(s.Columns); return s }
	}
	setCol := func(name string, f func(*Column)) edit {
		return func(s *TableSchema) *TableSchema {
			for i := range s.Columns {
				if s.Columns[i].Name == name {
					f(&s.Columns[i])
				}
			}
			return s
		}
	}
	idx := func(ix ...Index) edit {
		return func(s *TableSchema) *TableSchema { s.Indexes = ix; return s }
	}
	tests := []struct {
		name  string
		files []MigrationFile
		want  []edit // applied to createdSchema(); nil want with wantNil
		nil   bool
		err   string
	}{
		{name: "no files", nil: true},
		{name: "create", files: []MigrationFile{mig("1_a.sql", createSQL)}},
		{name: "other tables ignored", files: []MigrationFile{mig("1_a.sql", createSQL+`
CREATE TABLE users (id int PRIMARY KEY);
ALTER TABLE users ADD COLUMN x text;
CREATE INDEX ON users (x);
DROP TABLE users;
CREATE TABLE other.sessions (a int);
ALTER TABLE other.sessions DROP COLUMN a;
INSERT INTO sessions (token_hash) VALUES ('\x00');`)}},
		{name: "only the up section", files: []MigrationFile{{Name: "1_a.sql", Data: []byte(GeneratedHeader + "\nDROP TABLE sessions;\n-- migrate:up transaction:false\n" + createSQL + "\n-- migrate:down transaction:false\nDROP TABLE sessions;\nthis is not SQL\n")}}},
		{name: "file order", files: []MigrationFile{mig("2_b.sql", "ALTER TABLE sessions DROP COLUMN sm;"), mig("1_a.sql", createSQL)},
			want: []edit{cols(func(c []Column) []Column { return c[:len(c)-1] })}},
		{name: "add column", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", "ALTER TABLE sessions ADD COLUMN x bigint NOT NULL DEFAULT 0, ADD COLUMN IF NOT EXISTS y text; ALTER TABLE public.sessions ADD COLUMN z jsonb;")},
			want: []edit{cols(func(c []Column) []Column {
				return append(c, Column{Name: "x", Type: "bigint", Default: "0"}, Column{Name: "z", Type: "jsonb", Nullable: true})
			})}},
		{name: "drop column drops its index", files: []MigrationFile{mig("1_a.sql", createSQL+"\nCREATE INDEX sessions_n_idx ON sessions (n); CREATE INDEX sessions_s_idx ON sessions (s);"), mig("2_b.sql", "ALTER TABLE sessions DROP COLUMN n, DROP COLUMN IF EXISTS nope;")},
			want: []edit{cols(func(c []Column) []Column { return append(c[:1:1], c[2:]...) }), idx(Index{Name: "sessions_s_idx", Columns: []string{"s"}})}},
		{name: "rename column follows index", files: []MigrationFile{mig("1_a.sql", createSQL+"\nCREATE INDEX sessions_n_idx ON sessions (n);"), mig("2_b.sql", "ALTER TABLE sessions RENAME COLUMN n TO count;")},
			want: []edit{setCol("n", func(c *Column) { c.Name = "count" }), idx(Index{Name: "sessions_n_idx", Columns: []string{"count"}})}},
		{name: "alter type", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", "ALTER TABLE sessions ALTER COLUMN p TYPE bigint USING p::bigint; ALTER TABLE sessions ALTER COLUMN r SET DATA TYPE double precision;")},
			want: []edit{setCol("p", func(c *Column) { c.Type = "bigint" }), setCol("r", func(c *Column) { c.Type = "double precision" })}},
		{name: "defaults and not null", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", `ALTER TABLE sessions ALTER COLUMN n DROP NOT NULL;
ALTER TABLE sessions ALTER COLUMN n DROP DEFAULT;
ALTER TABLE sessions ALTER COLUMN p SET DEFAULT 7, ALTER COLUMN p SET NOT NULL;`)},
			want: []edit{setCol("n", func(c *Column) { c.Nullable = true; c.Default = "" }), setCol("p", func(c *Column) { c.Nullable = false; c.Default = "7" })}},
		{name: "rename table to", files: []MigrationFile{mig("1_a.sql", strings.Replace(createSQL, "sessions", "old_sessions", 1)+"\nCREATE INDEX ON old_sessions (n);"), mig("2_b.sql", "ALTER TABLE old_sessions RENAME TO sessions;")},
			want: []edit{idx(Index{Name: "old_sessions_n_idx", Columns: []string{"n"}})}},
		{name: "rename table away", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", "ALTER TABLE sessions RENAME TO sessions_old;")}, nil: true},
		{name: "indexes", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", `CREATE INDEX a_idx ON sessions (n);
CREATE INDEX CONCURRENTLY IF NOT EXISTS b_idx ON sessions (s);
CREATE INDEX IF NOT EXISTS b_idx ON sessions (b);
CREATE INDEX ON sessions (p, f);
CREATE UNIQUE INDEX ON sessions (ts);
CREATE INDEX c_idx ON sessions (b);
DROP INDEX c_idx;
DROP INDEX CONCURRENTLY IF EXISTS c_idx;
DROP INDEX IF EXISTS no_such_idx;
ALTER INDEX a_idx RENAME TO a2_idx;`)},
			want: []edit{idx(Index{Name: "a2_idx", Columns: []string{"n"}}, Index{Name: "b_idx", Columns: []string{"s"}}, Index{Name: "sessions_p_f_idx", Columns: []string{"p", "f"}}, Index{Name: "sessions_ts_key", Columns: []string{"ts"}})}},
		{name: "drop table", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", "DROP TABLE IF EXISTS users, sessions;")}, nil: true},
		{name: "drop and recreate", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", "DROP TABLE sessions; CREATE TABLE sessions (token_hash bytea, PRIMARY KEY (token_hash), x text);")},
			want: []edit{func(*TableSchema) *TableSchema {
				return &TableSchema{Name: "sessions", Columns: []Column{{Name: "token_hash", Type: "bytea"}, {Name: "x", Type: "text", Nullable: true}}}
			}}},
		{name: "parse error", files: []MigrationFile{mig("1_a.sql", createSQL), {Name: "2_b.sql", Data: []byte("-- header\n\n-- migrate:up\nALTER TABLE sessions\n  ADD COLUMN x int,\n  ADD COLUMN y inte ger;\n-- migrate:down\n")}},
			err: "2_b.sql:6: syntax error at or near \"ger\""},
		{name: "parse error at end", files: []MigrationFile{{Name: "2_b.sql", Data: []byte("-- migrate:up\nCREATE TABLE sessions (\n\n-- migrate:down\n")}},
			err: "2_b.sql:"},
		{name: "missing column", files: []MigrationFile{mig("1_a.sql", createSQL), mig("2_b.sql", "SELECT 1;\nALTER TABLE sessions DROP COLUMN nope;")},
			err: "2_b.sql:4: column nope of table sessions does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Replay(tt.files, "sessions")
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err = %v, want prefix %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.nil {
				if got != nil {
					t.Fatalf("got %+v, want nil", got)
				}
				return
			}
			want := createdSchema()
			for _, e := range tt.want {
				want = e(want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}
