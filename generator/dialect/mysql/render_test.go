package mysql

import (
	"slices"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

func TestRender(t *testing.T) {
	userID := schema.Column{Name: "user_id", Type: TypeBigint, Default: "0"}
	cart := schema.Column{Name: "cart", Type: TypeJSON, Default: "'null'", GoType: "[]Item"}
	cases := []struct {
		name string
		op   plan.Operation
		want []string // nil: renders nothing
		err  string   // substring of the error; "": none
	}{
		{"create", plan.CreateTable{Table: &schema.TableSchema{Name: "sessions", Options: []schema.Option{{Name: "fillfactor", Value: "90"}}, Columns: []schema.Column{
			{Name: schema.ColTokenHash, Type: TypeTokenHash}, {Name: "nick", Type: TypeText, Nullable: true}, cart}}},
			[]string{"CREATE TABLE sessions (\n    token_hash BINARY(32) NOT NULL PRIMARY KEY,\n    nick LONGTEXT,\n    cart JSON NOT NULL DEFAULT ('null')\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n" +
				"-- sessiongen: Go type of sessions.cart: []Item"}, ""},
		{"add column", plan.AddColumn{Table: "sessions", Column: userID}, []string{"ALTER TABLE sessions ADD COLUMN user_id BIGINT NOT NULL DEFAULT 0, ALGORITHM=INSTANT;"}, ""},
		{"add nullable column", plan.AddColumn{Table: "sessions", Column: schema.Column{Name: "nick", Type: TypeText, Nullable: true}}, []string{"ALTER TABLE sessions ADD COLUMN nick LONGTEXT, ALGORITHM=INSTANT;"}, ""},
		{"add column with an expression default: online", plan.AddColumn{Table: "sessions", Column: cart},
			[]string{"ALTER TABLE sessions ADD COLUMN cart JSON NOT NULL DEFAULT ('null'), ALGORITHM=INPLACE, LOCK=NONE;\n-- sessiongen: Go type of sessions.cart: []Item"}, ""},
		{"add column with the clock: a copy", plan.AddColumn{Table: "sessions", Column: schema.Column{Name: "at", Type: TypeBigint, Default: DefaultNow}},
			[]string{"-- Column at's default is not deterministic, so MySQL copies the table to add it, blocking writes meanwhile.\nALTER TABLE sessions ADD COLUMN at BIGINT NOT NULL DEFAULT (" + DefaultNow + "), ALGORITHM=COPY, LOCK=SHARED;"}, ""},
		{"re-add column", plan.AddColumn{Table: "sessions", Column: userID, Readd: true}, []string{"-- Re-adds column user_id with its default: the dropped data is not restored.\nALTER TABLE sessions ADD COLUMN user_id BIGINT NOT NULL DEFAULT 0, ALGORITHM=INSTANT;"}, ""},
		{"rename column", plan.RenameColumn{Table: "sessions", From: "uid", To: "user_id"}, []string{"ALTER TABLE sessions RENAME COLUMN uid TO user_id, ALGORITHM=INSTANT;"}, ""},
		{"widen: a no-op", plan.WidenColumn{Table: "sessions", Column: "n", From: "integer", To: "bigint"}, nil, ""},
		{"create index", plan.AddIndex{Table: "sessions", Index: schema.Index{Name: "sessions_user_id_idx", Columns: []string{"user_id"}}, Concurrently: true},
			[]string{"ALTER TABLE sessions ADD INDEX sessions_user_id_idx (user_id), ALGORITHM=INPLACE, LOCK=NONE;"}, ""},
		{"drop index: no table", plan.DropIndex{Name: "sessions_user_id_idx", Concurrently: true}, nil, "RenderMigration"},
		{"rename index: no table", plan.RenameIndex{From: "a", To: "b"}, nil, "RenderMigration"},
		{"drop column", plan.DropColumn{Table: "sessions", Column: "legacy", Lossy: true}, []string{"-- Drops column legacy: its data is lost.\nALTER TABLE sessions DROP COLUMN legacy, ALGORITHM=INSTANT;"}, ""},
		{"drop the key", plan.DropColumn{Table: "sessions", Column: schema.ColTokenHash}, nil, "primary key"},
		{"drop not null", plan.DropNotNull{Table: "sessions", Column: "n"}, nil, "MODIFY COLUMN"},
		{"set not null", plan.SetNotNull{Table: "sessions", Column: "n"}, nil, "MODIFY COLUMN"},
		{"set default", plan.SetDefault{Table: "sessions", Column: "n", Default: "1"}, []string{"ALTER TABLE sessions ALTER COLUMN n SET DEFAULT 1, ALGORITHM=INSTANT;"}, ""},
		{"set string default", plan.SetDefault{Table: "sessions", Column: "s", Default: "''"}, []string{"ALTER TABLE sessions ALTER COLUMN s SET DEFAULT (''), ALGORITHM=INSTANT;"}, ""},
		{"set default, fill nulls", plan.SetDefault{Table: "sessions", Column: "n", Default: "1", FillNulls: true}, nil, "UPDATE"},
		{"drop default", plan.DropDefault{Table: "sessions", Column: "n"}, []string{"ALTER TABLE sessions ALTER COLUMN n DROP DEFAULT, ALGORITHM=INSTANT;"}, ""},
		{"record a Go type", plan.RecordGoType{Table: "sessions", Column: "cart", GoType: "Cart", Previous: "[]Item", Explain: true},
			[]string{"-- Column cart now holds Go type Cart instead of []Item (tag retype).\n" + noop + "\n-- sessiongen: Go type of sessions.cart: Cart"}, ""},
		{"storage options", plan.SetStorageOptions{Table: "sessions", Options: []schema.Option{{Name: "fillfactor", Value: "90"}}}, nil, ""},
		{"primary key follows", plan.RenamePrimaryKey{From: "a", To: "b"}, nil, ""},
		{"evict triggers", plan.CreateEvictTriggers{Table: "sessions"}, nil, "PostgreSQL only"},
		{"rename table", plan.RenameTable{From: "a", To: "b"}, []string{"ALTER TABLE a RENAME TO b, ALGORITHM=INPLACE, LOCK=NONE;"}, ""},
		{"drop table", plan.DropTable{Table: "a"}, []string{"DROP TABLE a;"}, ""},
	}
	for _, c := range cases {
		got, err := Dialect{}.Render(c.op)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !slices.Equal(got, c.want):
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// TestRenderMigration: each section of a migration is one statement; the
// ALGORITHM is the one every clause allows; what one statement cannot do
// is refused.
func TestRenderMigration(t *testing.T) {
	add := func(name, typ, def string) plan.Operation {
		return plan.AddColumn{Table: "sessions", Column: schema.Column{Name: name, Type: typ, Default: def}}
	}
	cases := []struct {
		name     string
		m        plan.Migration
		up, down string // "": none
		err      string
	}{
		{"instant clauses stay instant", plan.Migration{
			Up:   []plan.Operation{plan.RenameColumn{Table: "sessions", From: "a", To: "b"}, add("n", TypeBigint, "0")},
			Down: []plan.Operation{plan.DropColumn{Table: "sessions", Column: "n"}, plan.RenameColumn{Table: "sessions", From: "b", To: "a"}}},
			"ALTER TABLE sessions\n    RENAME COLUMN a TO b,\n    ADD COLUMN n BIGINT NOT NULL DEFAULT 0,\n    ALGORITHM=INSTANT;",
			"ALTER TABLE sessions\n    DROP COLUMN n,\n    RENAME COLUMN b TO a,\n    ALGORITHM=INSTANT;", ""},
		{"one online clause makes the statement online", plan.Migration{
			Up: []plan.Operation{add("n", TypeBigint, "0"), add("s", TypeText, "''")}},
			"ALTER TABLE sessions\n    ADD COLUMN n BIGINT NOT NULL DEFAULT 0,\n    ADD COLUMN s LONGTEXT NOT NULL DEFAULT (''),\n    ALGORITHM=INPLACE, LOCK=NONE;", "", ""},
		{"index drop takes the table of the down section", plan.Migration{
			Up:   []plan.Operation{plan.DropIndex{Name: "x_idx", Concurrently: true}},
			Down: []plan.Operation{plan.AddIndex{Table: "sessions", Index: schema.Index{Name: "x_idx", Columns: []string{"x"}}, Concurrently: true}}},
			"ALTER TABLE sessions DROP INDEX x_idx, ALGORITHM=INPLACE, LOCK=NONE;",
			"ALTER TABLE sessions ADD INDEX x_idx (x), ALGORITHM=INPLACE, LOCK=NONE;", ""},
		{"indexes inline in the CREATE TABLE", plan.Migration{
			Up: []plan.Operation{plan.CreateTable{Table: &schema.TableSchema{Name: "sessions", Columns: []schema.Column{{Name: schema.ColTokenHash, Type: TypeTokenHash}, {Name: "x", Type: TypeBigint}}}},
				plan.AddIndex{Table: "sessions", Index: schema.Index{Name: "x_idx", Columns: []string{"x"}}}},
			Down: []plan.Operation{plan.DropTable{Table: "sessions"}}},
			"CREATE TABLE sessions (\n    token_hash BINARY(32) NOT NULL PRIMARY KEY,\n    x BIGINT NOT NULL,\n    INDEX x_idx (x)\n) " + TableOptions + ";",
			"DROP TABLE sessions;", ""},
		{"nothing to do", plan.Migration{Up: []plan.Operation{plan.WidenColumn{Table: "sessions", Column: "n"}}}, "", "", ""},
		{"a renamed column changed otherwise", plan.Migration{
			Up: []plan.Operation{plan.RenameColumn{Table: "sessions", From: "a", To: "b"}, plan.DropDefault{Table: "sessions", Column: "b"}}},
			"", "", "column b twice"},
		{"two tables", plan.Migration{
			Up: []plan.Operation{add("n", TypeBigint, "0"), plan.AddColumn{Table: "other", Column: schema.Column{Name: "m", Type: TypeBigint, Nullable: true}}}},
			"", "", "both table sessions and table other"},
		{"a table and a drop", plan.Migration{
			Up: []plan.Operation{add("n", TypeBigint, "0"), plan.DropTable{Table: "sessions"}}},
			"", "", "cannot be folded"},
	}
	for _, c := range cases {
		got, err := Dialect{}.RenderMigration(c.m)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for _, s := range []struct {
			what string
			got  []string
			want string
		}{{"up", got.Up, c.up}, {"down", got.Down, c.down}} {
			var want []string
			if s.want != "" {
				want = []string{s.want}
			}
			if !slices.Equal(s.got, want) {
				t.Errorf("%s: %s\n got %q\nwant %q", c.name, s.what, s.got, want)
			}
		}
	}
}

// TestWant: the model's table in MySQL's types; an indexed string is
// VARCHAR(255), and adding an index to an existing string field is refused
// (its type would change).
func TestWant(t *testing.T) {
	w := wantOf(t, modelTable())
	types := map[string]string{}
	for _, c := range w.Columns {
		types[c.Name] = c.Type + " " + c.Default
	}
	for col, want := range map[string]string{
		schema.ColTokenHash:         "BINARY(32) ",
		schema.ColPreviousTokenHash: "BINARY(32) ",
		schema.ColCreatedAt:         "BIGINT " + DefaultNow,
		schema.ColRemember:          "TINYINT(1) 0",
		"nick":                      "LONGTEXT ",
		"email":                     "VARCHAR(255) ''",
		"cart":                      "JSON 'null'",
		"seen":                      "BIGINT " + ZeroTimeMicros,
		"avatar":                    "LONGBLOB ''",
		"score":                     "DOUBLE 0",
		"level":                     "BIGINT ",
	} {
		if types[col] != want {
			t.Errorf("column %s: %q, want %q", col, types[col], want)
		}
	}
	for _, x := range w.Indexes {
		if x.Where != "" {
			t.Errorf("index %s keeps WHERE %s: MySQL has no partial index", x.Name, x.Where)
		}
	}
	if len(w.Options) > 0 || len(w.Triggers) > 0 {
		t.Errorf("options %v, triggers %v", w.Options, w.Triggers)
	}

	cur := replay(t, migrate(t, nil, modelTable(), plan.Options{}, 1))
	next := modelTable()
	next.Indexes = append(next.Indexes, schema.Index{Name: "sessions_nick_idx", Columns: []string{"nick"}})
	_, err := plan.Plan(cur, wantOf(t, next), plan.Options{}, Dialect{})
	if err == nil || !strings.Contains(err.Error(), "LONGTEXT to VARCHAR(255)") || !strings.Contains(err.Error(), "add a new field") {
		t.Errorf("indexing an existing string field: %v", err)
	}
	next = modelTable()
	next.Indexes = next.Indexes[:3] // not email's
	_, err = plan.Plan(cur, wantOf(t, next), plan.Options{}, Dialect{})
	if err == nil || !strings.Contains(err.Error(), "VARCHAR(255) to LONGTEXT") {
		t.Errorf("dropping the index of a string field: %v", err)
	}
}
