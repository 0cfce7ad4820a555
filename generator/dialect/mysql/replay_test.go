package mysql

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// migrationRenderer is the seam dialect.RenderMigration would call: a
// dialect that renders a whole migration itself.
type migrationRenderer interface {
	RenderMigration(m plan.Migration) (dialect.Statements, error)
}

var _ migrationRenderer = Dialect{}

// modelTable is a sessions table in the model's vocabulary (PostgreSQL's
// types and defaults), as generator.Model.WantedSchema builds it, with a
// payload column of every kind.
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
		{Name: "admin", Type: "boolean", Default: "false"},
		{Name: "email", Type: "text", Default: "''"},
		{Name: "level", Type: "integer", Nullable: true},
	},
		Options:  []schema.Option{{Name: "fillfactor", Value: "90"}},
		Triggers: nil,
		Indexes: []schema.Index{
			{Name: "sessions_expires_at_idx", Columns: []string{schema.ColExpiresAt}},
			{Name: "sessions_previous_token_hash_idx", Columns: []string{schema.ColPreviousTokenHash}, Where: "previous_token_hash IS NOT NULL"},
			{Name: "sessions_user_id_idx", Columns: []string{"user_id"}},
			{Name: "sessions_email_idx", Columns: []string{"email"}},
		}}
	t.Columns = append(t.Columns, extra...)
	return t
}

// migrationFile is a planned migration as the generator would write it
// for MySQL: one statement per section (RenderMigration), outside a
// transaction.
func migrationFile(t testing.TB, m plan.Migration, n int) schema.MigrationFile {
	t.Helper()
	st, err := Dialect{}.RenderMigration(m)
	if err != nil {
		t.Fatalf("migration %s: %v", m.Name, err)
	}
	for _, s := range [][]string{st.Up, st.Down} {
		if len(s) > 1 {
			t.Fatalf("migration %s: %d statements in a section, want one: %q", m.Name, len(s), s)
		}
	}
	data := schema.GeneratedHeader + "\n-- migrate:up transaction:false\n" + strings.Join(st.Up, "\n") + "\n\n-- migrate:down transaction:false\n" + strings.Join(st.Down, "\n") + "\n"
	return schema.MigrationFile{Name: fmt.Sprintf("%014d_%s.sql", n, m.Name), Data: []byte(data)}
}

// migrate plans cur → want with the MySQL dialect and returns the
// migration files, named from n on.
func migrate(t testing.TB, cur, want *schema.TableSchema, opt plan.Options, n int) []schema.MigrationFile {
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
		files = append(files, migrationFile(t, pm, n+i))
	}
	return files
}

func replay(t testing.TB, files []schema.MigrationFile) *schema.TableSchema {
	t.Helper()
	r, err := Dialect{}.Replay(files)
	if err != nil {
		t.Fatal(err)
	}
	return r.Tables["sessions"]
}

func wantOf(t testing.TB, model *schema.TableSchema) *schema.TableSchema {
	t.Helper()
	w, err := Dialect{}.Want(model)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// evolution is a sequence of wanted tables, each planned from the replay
// of the migrations before it: the same steps the MariaDB test applies to
// a server.
type evolution struct {
	name  string
	model *schema.TableSchema
	opt   plan.Options
}

// evolutions: columns added (one JSON with its Go type, one with an
// expression default, one indexed), one renamed; then a column dropped
// with AllowDrop (an indexed one: its index first) and an index dropped.
func evolutions() []evolution {
	next := modelTable(schema.Column{Name: "prefs", Type: "jsonb", Default: "'null'::jsonb", GoType: "Prefs"},
		schema.Column{Name: "visits", Type: "bigint", Default: "0"},
		schema.Column{Name: "motto", Type: "text", Default: "''"})
	next.Columns[9].Name = "nickname"
	next.Indexes = append(next.Indexes, schema.Index{Name: "sessions_visits_idx", Columns: []string{"visits"}})

	last := next.Clone()
	last.Columns = append(last.Columns[:8], last.Columns[9:]...)                     // no user_id
	last.Indexes = []schema.Index{last.Indexes[0], last.Indexes[1], last.Indexes[3]} // user_id's goes with it, visits' alone
	return []evolution{
		{"create", modelTable(), plan.Options{}},
		{"evolve", next, plan.Options{Renames: map[string]string{"nickname": "nick"}}},
		{"drop", last, plan.Options{AllowDrop: true}},
	}
}

// TestReplayRoundTrip: plan → render → replay gives back the wanted table,
// and planning again from it gives nothing, at every step of the
// evolutions.
func TestReplayRoundTrip(t *testing.T) {
	var files []schema.MigrationFile
	var cur *schema.TableSchema
	for i, ev := range evolutions() {
		files = append(files, migrate(t, cur, ev.model, ev.opt, 10*i+1)...)
		got := replay(t, files)
		if want := wantOf(t, ev.model); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: replayed:\n%+v\nwant:\n%+v\nfiles:\n%s", ev.name, got, want, dump(files))
		}
		if again := migrate(t, got, ev.model, plan.Options{AllowDrop: ev.opt.AllowDrop}, 100); len(again) != 0 {
			t.Fatalf("%s: a second plan gives %d migrations: %s", ev.name, len(again), again[0].Data)
		}
		cur = got
	}
}

func dump(files []schema.MigrationFile) string {
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "== %s\n%s", f.Name, f.Data)
	}
	return b.String()
}

// TestReplayRename: renaming the table renames its indexes; the replay
// follows, and the down section renames them back.
func TestReplayRename(t *testing.T) {
	files := migrate(t, nil, modelTable(), plan.Options{}, 1)
	cur := replay(t, files)
	m, next, err := plan.Rename(cur, "web_sessions", Dialect{})
	if err != nil {
		t.Fatal(err)
	}
	f := migrationFile(t, m, 2)
	r, err := Dialect{}.Replay(append(files, f))
	if err != nil {
		t.Fatalf("%v\n%s", err, f.Data)
	}
	if got := r.Tables["web_sessions"]; !reflect.DeepEqual(got, next) {
		t.Fatalf("replayed:\n%+v\nwant:\n%+v\n%s", got, next, f.Data)
	}
	if r.LastGenerated["web_sessions"] != f.Name {
		t.Errorf("LastGenerated %v", r.LastGenerated)
	}
	if !strings.Contains(string(f.Data), "RENAME INDEX sessions_user_id_idx TO web_sessions_user_id_idx") {
		t.Errorf("the rename does not rename the indexes:\n%s", f.Data)
	}
}

// TestReplayForeign: a migration of the user's own marks what it adds
// foreign; Go type lines follow renames; errors name the file and line.
func TestReplayForeign(t *testing.T) {
	files := migrate(t, nil, modelTable(), plan.Options{}, 1)
	files = append(files, schema.MigrationFile{Name: "00000000000005_mine.sql", Data: []byte(`-- migrate:up
ALTER TABLE sessions ADD COLUMN note TEXT AFTER nick, ADD INDEX mine_idx (nick(10), note(10));
ALTER TABLE sessions ADD CONSTRAINT uniq_user UNIQUE (user_id, score), ADD CHECK (score >= 0);
CREATE INDEX ON_score ON sessions (score);
INSERT INTO sessions (token_hash, expires_at, absolute_expires_at) VALUES (x'00', 1, 1);
-- migrate:down
`)})
	got := replay(t, files)
	if i := schema.ColIndex(got, "note"); i != schema.ColIndex(got, "nick")+1 || !got.Columns[i].Foreign {
		t.Errorf("column note is not foreign after nick: %+v", got.Columns)
	}
	var names []string
	for _, o := range got.Foreign {
		names = append(names, o.Kind+" "+o.Name+" "+strings.Join(o.Columns, ",")+" "+o.File)
	}
	want := []string{
		"index mine_idx nick,note 00000000000005_mine.sql",
		"constraint uniq_user user_id,score 00000000000005_mine.sql",
		"constraint sessions_chk_1 score 00000000000005_mine.sql",
		"index ON_score score 00000000000005_mine.sql",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("foreign objects\n%q\nwant\n%q", names, want)
	}
	r, err := Dialect{}.Replay(files)
	if err != nil {
		t.Fatal(err)
	}
	if r.LastGenerated["sessions"] != files[0].Name {
		t.Errorf("LastGenerated %q, want %q", r.LastGenerated["sessions"], files[0].Name)
	}

	// A user's rename of the table and of a JSON column carries the Go type.
	files = append(files, schema.MigrationFile{Name: "00000000000006_mine.sql", Data: []byte("-- migrate:up\nRENAME TABLE sessions TO s2;\nALTER TABLE s2 RENAME COLUMN cart TO basket;\n")})
	r, err = Dialect{}.Replay(files)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Tables["s2"].Columns[schema.ColIndex(r.Tables["s2"], "basket")]; c.GoType != "[]Item" {
		t.Errorf("renamed JSON column: %+v", c)
	}

	for _, c := range []struct{ sql, want string }{
		{"CREATE TABLE a (b BIGINT);\n\nALTER TABLE nope ADD COLUMN c TEXT;\n", "x.sql:4: ALTER TABLE nope"}, // no such table (the section starts on line 2)
		{"CREATE TABLE a (b BIGINT);\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.b = 1;\n", "x.sql:3: MySQL syntax TiDB's parser does not take"},
		{"CREATE TABLE a (b BIGINT);\nALTER TABLE a DROP COLUMN c;\n", "x.sql:3: ALTER TABLE a: table a has no column c"},
	} {
		_, err := Dialect{}.Replay([]schema.MigrationFile{{Name: "x.sql", Data: []byte("-- migrate:up\n" + c.sql)}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.sql, err, c.want)
		}
	}
}

func TestCanonicalDefault(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"NULL":                 "",
		"(0)":                  "0",
		" ( ( 'a  b' ) ) ":     "'a  b'",
		"_utf8mb4'x'":          "'x'",
		"-62135596800000000":   ZeroTimeMicros,
		"(" + DefaultNow + ")": DefaultNow,
		"floor(unix_timestamp()*1000000+microsecond(now(6)))": DefaultNow,
	} {
		got, err := Dialect{}.CanonicalDefault(in)
		if err != nil || got != want {
			t.Errorf("CanonicalDefault(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := (Dialect{}).CanonicalDefault("1, 2"); err == nil {
		t.Error("two expressions: no error")
	}
}
