package postgresql

import (
	"slices"
	"testing"

	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// TestRender pins the statements of the operations the golden migrations
// (generator/testdata) do not all reach.
func TestRender(t *testing.T) {
	cart := schema.Column{Name: "cart", Type: "jsonb", Default: "'null'::jsonb", GoType: "[]Item"}
	cases := []struct {
		name string
		op   plan.Operation
		want []string
	}{
		{"add json column", plan.AddColumn{Table: "s", Column: cart}, []string{"ALTER TABLE s ADD COLUMN cart jsonb NOT NULL DEFAULT 'null'::jsonb;\nCOMMENT ON COLUMN s.cart IS 'sessiongen: Go type []Item';"}},
		{"widen", plan.WidenColumn{Table: "s", Column: "n", From: "integer", To: "bigint"}, []string{"ALTER TABLE s ALTER COLUMN n TYPE bigint USING n::bigint;"}},
		{"fill nulls", plan.SetDefault{Table: "s", Column: "n", Default: "0", FillNulls: true}, []string{"ALTER TABLE s ALTER COLUMN n SET DEFAULT 0;\nUPDATE s SET n = 0 WHERE n IS NULL;"}},
		{"retype", plan.RecordGoType{Table: "s", Column: "c", GoType: "B", Previous: "A", Explain: true}, []string{"-- Column c now holds Go type B instead of A (tag retype): stored values are kept as they are, and one that does not decode reads as the zero value.\nCOMMENT ON COLUMN s.c IS 'sessiongen: Go type B';"}},
		{"forget go type", plan.RecordGoType{Table: "s", Column: "c"}, []string{"COMMENT ON COLUMN s.c IS NULL;"}},
		{"index concurrently", plan.AddIndex{Table: "s", Index: schema.Index{Name: "s_n_idx", Columns: []string{"n"}}, Concurrently: true}, []string{"CREATE INDEX CONCURRENTLY IF NOT EXISTS s_n_idx ON s (n);"}},
		{"drop index", plan.DropIndex{Name: "s_n_idx"}, []string{"DROP INDEX IF EXISTS s_n_idx;"}},
		{"rename table", plan.RenameTable{From: "a", To: "b"}, []string{"ALTER TABLE a RENAME TO b;"}},
		{"primary key follows", plan.RenamePrimaryKey{From: "a", To: "b"}, []string{"ALTER INDEX IF EXISTS a_pkey RENAME TO b_pkey;"}},
		{"reset options", plan.ResetStorageOptions{Table: "s", Names: []string{"fillfactor", "x"}}, []string{"ALTER TABLE s RESET (fillfactor, x);"}},
		{"drop evict triggers", plan.DropEvictTriggers{Table: "s"}, []string{"DROP TRIGGER IF EXISTS s_evict_update ON s;", "DROP TRIGGER IF EXISTS s_evict_delete ON s;", "DROP FUNCTION IF EXISTS s_evict();"}},
	}
	for _, c := range cases {
		got, err := Dialect{}.Render(c.op)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q, %v\nwant %q", c.name, got, err, c.want)
		}
	}
}
