package sqlite

import (
	"slices"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

func TestRender(t *testing.T) {
	userID := schema.Column{Name: "user_id", Type: "INTEGER", Default: "0"}
	cart := schema.Column{Name: "cart", Type: "TEXT", Default: "'null'", GoType: "[]Item"}
	cases := []struct {
		name string
		op   plan.Operation
		want []string // nil: renders nothing
		err  string   // substring of the error; "": none
	}{
		{"create", plan.CreateTable{Table: &schema.TableSchema{Name: "sessions", Options: []schema.Option{{Name: "fillfactor", Value: "90"}}, Columns: []schema.Column{
			{Name: schema.ColTokenHash, Type: "BLOB"}, {Name: "nick", Type: "TEXT", Nullable: true}, cart}}},
			[]string{"CREATE TABLE sessions (\n    token_hash BLOB PRIMARY KEY NOT NULL,\n    nick TEXT,\n    cart TEXT NOT NULL DEFAULT ('null')\n);",
				"-- sessiongen: Go type of sessions.cart: []Item"}, ""},
		{"add column", plan.AddColumn{Table: "sessions", Column: userID}, []string{"ALTER TABLE sessions ADD COLUMN user_id INTEGER NOT NULL DEFAULT (0);"}, ""},
		{"add json column", plan.AddColumn{Table: "sessions", Column: cart}, []string{"ALTER TABLE sessions ADD COLUMN cart TEXT NOT NULL DEFAULT ('null');\n-- sessiongen: Go type of sessions.cart: []Item"}, ""},
		{"re-add column", plan.AddColumn{Table: "sessions", Column: userID, Readd: true}, []string{"-- Re-adds column user_id with its default: the dropped data is not restored.\nALTER TABLE sessions ADD COLUMN user_id INTEGER NOT NULL DEFAULT (0);"}, ""},
		{"rename column", plan.RenameColumn{Table: "sessions", From: "uid", To: "user_id"}, []string{"ALTER TABLE sessions RENAME COLUMN uid TO user_id;"}, ""},
		{"widen: a no-op", plan.WidenColumn{Table: "sessions", Column: "n", From: "integer", To: "bigint"}, nil, ""},
		{"create index", plan.AddIndex{Table: "sessions", Index: schema.Index{Name: "sessions_user_id_idx", Columns: []string{"user_id"}}, Concurrently: true},
			[]string{"CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id);"}, ""},
		{"partial index", plan.AddIndex{Table: "sessions", Index: schema.Index{Name: "p_idx", Columns: []string{"previous_token_hash"}, Where: "previous_token_hash IS NOT NULL"}},
			[]string{"CREATE INDEX IF NOT EXISTS p_idx ON sessions (previous_token_hash) WHERE previous_token_hash IS NOT NULL;"}, ""},
		{"drop index", plan.DropIndex{Name: "sessions_user_id_idx", Concurrently: true}, []string{"DROP INDEX IF EXISTS sessions_user_id_idx;"}, ""},
		{"drop column", plan.DropColumn{Table: "sessions", Column: "legacy", Lossy: true}, []string{"-- Drops column legacy: its data is lost.\nALTER TABLE sessions DROP COLUMN legacy;"}, ""},
		{"drop the key", plan.DropColumn{Table: "sessions", Column: schema.ColTokenHash}, nil, "primary key"},
		{"drop not null", plan.DropNotNull{Table: "sessions", Column: "n"}, nil, "rebuilt"},
		{"set default", plan.SetDefault{Table: "sessions", Column: "n", Default: "1"}, nil, "rebuilt"},
		{"rename index", plan.RenameIndex{From: "a", To: "b"}, nil, "drop and re-create"},
		{"storage options", plan.SetStorageOptions{Table: "sessions", Options: []schema.Option{{Name: "fillfactor", Value: "90"}}}, nil, ""},
		{"primary key follows", plan.RenamePrimaryKey{From: "a", To: "b"}, nil, ""},
		{"evict triggers", plan.CreateEvictTriggers{Table: "sessions"}, nil, "PostgreSQL only"},
		{"rename table", plan.RenameTable{From: "a", To: "b"}, []string{"ALTER TABLE a RENAME TO b;"}, ""},
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
