package sqlite

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// modelTable is a sessions table in the model's vocabulary (PostgreSQL's
// types and defaults), as generator.Model.WantedSchema builds it.
func modelTable(extra ...schema.Column) *schema.TableSchema {
	t := &schema.TableSchema{Name: "sessions", Columns: []schema.Column{
		{Name: schema.ColTokenHash, Type: "bytea"},
		{Name: schema.ColCreatedAt, Type: "timestamptz", Default: "now()"},
		{Name: schema.ColLastSeenAt, Type: "timestamptz", Default: "now()"},
		{Name: schema.ColExpiresAt, Type: "timestamptz"},
		{Name: schema.ColAbsoluteExpiresAt, Type: "timestamptz"},
		{Name: schema.ColRemember, Type: "boolean", Default: "false"},
		{Name: schema.ColPreviousTokenHash, Type: "bytea", Nullable: true},
		{Name: schema.ColRenewedAt, Type: "timestamptz", Nullable: true},
		{Name: "user_id", Type: "bigint", Default: "0"},
		{Name: "nick", Type: "text", Nullable: true},
		{Name: "cart", Type: "jsonb", Default: "'null'::jsonb", GoType: "[]Item"},
		{Name: "seen", Type: "timestamptz", Default: "'0001-01-01 00:00:00+00'::timestamptz"},
		{Name: "avatar", Type: "bytea", Default: "''::bytea"},
		{Name: "score", Type: "double precision", Default: "0"},
	},
		Options:  []schema.Option{{Name: "fillfactor", Value: "90"}},
		Triggers: schema.EvictTriggers("sessions"),
		Indexes: []schema.Index{
			{Name: "sessions_expires_at_idx", Columns: []string{schema.ColExpiresAt}},
			{Name: "sessions_previous_token_hash_idx", Columns: []string{schema.ColPreviousTokenHash}, Where: "previous_token_hash IS NOT NULL"},
			{Name: "sessions_user_id_idx", Columns: []string{"user_id"}},
		}}
	t.Columns = append(t.Columns, extra...)
	return t
}

// migrate plans cur → want with the SQLite dialect and returns the
// migration files, named from n on.
func migrate(t *testing.T, cur, want *schema.TableSchema, opt plan.Options, n int) []schema.MigrationFile {
	t.Helper()
	d := Dialect{}
	w, err := d.Want(want)
	if err != nil {
		t.Fatal(err)
	}
	planned, err := plan.Plan(cur, w, opt, d)
	if err != nil {
		t.Fatal(err)
	}
	var files []schema.MigrationFile
	for i, pm := range planned {
		st, err := dialect.RenderMigration(d, pm)
		if err != nil {
			t.Fatal(err)
		}
		data := schema.GeneratedHeader + "\n-- migrate:up\n" + strings.Join(st.Up, "\n") + "\n\n-- migrate:down\n" + strings.Join(st.Down, "\n") + "\n"
		files = append(files, schema.MigrationFile{Name: fmt.Sprintf("%014d_%s.sql", n+i, pm.Name), Data: []byte(data)})
	}
	return files
}

func replay(t *testing.T, files []schema.MigrationFile) *schema.TableSchema {
	t.Helper()
	r, err := Dialect{}.Replay(files)
	if err != nil {
		t.Fatal(err)
	}
	return r.Tables["sessions"]
}

// TestReplayRoundTrip: plan → render → replay gives back the wanted table,
// and planning again from it gives nothing.
func TestReplayRoundTrip(t *testing.T) {
	want, _ := Dialect{}.Want(modelTable())
	files := migrate(t, nil, modelTable(), plan.Options{}, 1)
	got := replay(t, files)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("replayed:\n%+v\nwant:\n%+v", got, want)
	}
	if again := migrate(t, got, modelTable(), plan.Options{}, 10); len(again) != 0 {
		t.Fatalf("a second plan gives %d migrations: %s", len(again), again[0].Data)
	}

	// Evolution: a column added (with its Go type), one renamed, an index
	// added, one dropped.
	next := modelTable(schema.Column{Name: "prefs", Type: "jsonb", Default: "'null'::jsonb", GoType: "Prefs"})
	next.Columns[9].Name = "nickname"
	next.Indexes = append(next.Indexes[:2], schema.Index{Name: "sessions_nickname_idx", Columns: []string{"nickname"}})
	files = append(files, migrate(t, got, next, plan.Options{Renames: map[string]string{"nickname": "nick"}}, 10)...)
	got = replay(t, files)
	want, _ = Dialect{}.Want(next)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after evolution, replayed:\n%+v\nwant:\n%+v", got, want)
	}
	if again := migrate(t, got, next, plan.Options{}, 20); len(again) != 0 {
		t.Fatalf("a second plan gives %d migrations: %s", len(again), again[0].Data)
	}

	// Columns dropped with AllowDrop (an indexed one: its index first).
	last := modelTable()
	last.Columns = append(last.Columns[:8], last.Columns[9:]...) // no user_id
	last.Indexes = last.Indexes[:2]
	last.Columns[8].Name = "nickname"
	files = append(files, migrate(t, got, last, plan.Options{AllowDrop: true}, 30)...)
	got = replay(t, files)
	want, _ = Dialect{}.Want(last)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after the drop, replayed:\n%+v\nwant:\n%+v", got, want)
	}
}

// TestReplayForeign: a migration of the user's own marks what it adds
// foreign; errors name the file and line.
func TestReplayForeign(t *testing.T) {
	files := migrate(t, nil, modelTable(), plan.Options{}, 1)
	files = append(files, schema.MigrationFile{Name: "00000000000005_mine.sql", Data: []byte("-- migrate:up\nALTER TABLE sessions ADD COLUMN note TEXT;\nCREATE INDEX mine_idx ON sessions (nick, note);\n-- migrate:down\n")})
	got := replay(t, files)
	if c := got.Columns[schema.ColIndex(got, "note")]; !c.Foreign {
		t.Errorf("column note is not foreign: %+v", c)
	}
	if len(got.Foreign) != 1 || got.Foreign[0].Name != "mine_idx" || got.Foreign[0].File != "00000000000005_mine.sql" {
		t.Errorf("foreign objects %+v", got.Foreign)
	}
	r, err := Dialect{}.Replay(files)
	if err != nil {
		t.Fatal(err)
	}
	if r.LastGenerated["sessions"] != files[0].Name {
		t.Errorf("LastGenerated %q, want %q", r.LastGenerated["sessions"], files[0].Name)
	}
	_, err = Dialect{}.Replay([]schema.MigrationFile{{Name: "x.sql", Data: []byte("-- migrate:up\nCREATE TABLE a (b INTEGER);\n\nALTER TABLE nope ADD COLUMN c TEXT;\n")}})
	if err == nil || !strings.Contains(err.Error(), "x.sql:4:") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("error %v, want one naming x.sql:4 and table nope", err)
	}
}

func TestCanonicalDefault(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"(0)":                         "0",
		" ( ( 'a  b' ) ) ":            "'a  b'",
		"(1) + (2)":                   "(1) + (2)",
		"(" + NowMicros + ")":         NowMicros,
		"X''":                         "X''",
		"CAST(ROUND(x)\n AS INTEGER)": "CAST(ROUND(x) AS INTEGER)",
	} {
		got, err := Dialect{}.CanonicalDefault(in)
		if err != nil || got != want {
			t.Errorf("CanonicalDefault(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
