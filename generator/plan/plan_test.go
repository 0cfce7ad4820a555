package plan

import (
	"reflect"
	"testing"

	"github.com/sessiongen/sessiongen/generator/schema"
)

// rules is a small engine for the planner's tests: integer widens to
// bigint, defaults compare as written.
type rules struct{}

func (rules) Engine() string               { return "TestDB" }
func (rules) Widens(from, to string) bool  { return from == "integer" && to == "bigint" }
func (rules) Numeric(t string) bool        { return t == "integer" || t == "bigint" }
func (rules) Widenings() string            { return "integer→bigint" }
func (rules) JSON(t string) bool           { return t == "json" }
func (rules) SameDefault(a, b string) bool { return a == b }
func (rules) MaxIdentifier() int           { return 63 }

func TestPlanOperations(t *testing.T) {
	key := schema.Column{Name: schema.ColTokenHash, Type: "bytes"}
	n := schema.Column{Name: "n", Type: "integer", Default: "0"}
	table := func(cols ...schema.Column) *schema.TableSchema {
		return &schema.TableSchema{Name: "s", Columns: append([]schema.Column{key}, cols...)}
	}
	cases := []struct {
		name      string
		cur, want *schema.TableSchema
		opt       Options
		up, down  [][]Operation // per migration
	}{
		{"create", nil, table(n), Options{},
			[][]Operation{{CreateTable{table(n)}}}, [][]Operation{{DropTable{"s"}}}},
		{"add column", table(), table(n), Options{},
			[][]Operation{{AddColumn{Table: "s", Column: n}}}, [][]Operation{{DropColumn{Table: "s", Column: "n"}}}},
		{"widen", table(n), table(schema.Column{Name: "n", Type: "bigint", Default: "0"}), Options{},
			[][]Operation{{WidenColumn{"s", "n", "integer", "bigint"}}}, [][]Operation{{WidenColumn{"s", "n", "bigint", "integer"}}}},
		{"rename", table(schema.Column{Name: "m", Type: "integer", Default: "0"}), table(n), Options{Renames: map[string]string{"n": "m"}},
			[][]Operation{{RenameColumn{"s", "m", "n"}}}, [][]Operation{{RenameColumn{"s", "n", "m"}}}},
		{"nullable, default dropped; down in reverse", table(n), table(schema.Column{Name: "n", Type: "integer", Nullable: true}), Options{},
			[][]Operation{{DropNotNull{"s", "n"}, DropDefault{"s", "n"}}},
			[][]Operation{{SetDefault{Table: "s", Column: "n", Default: "0", FillNulls: true}, SetNotNull{"s", "n"}}}},
		{"drop allowed", table(n), table(), Options{AllowDrop: true},
			[][]Operation{{DropColumn{Table: "s", Column: "n", Lossy: true}}}, [][]Operation{{AddColumn{Table: "s", Column: n, Readd: true}}}},
	}
	for _, c := range cases {
		got, err := Plan(c.cur, c.want, c.opt, rules{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var up, down [][]Operation
		for _, m := range got {
			up = append(up, m.Up)
			down = append(down, m.Down)
		}
		if !reflect.DeepEqual(up, c.up) || !reflect.DeepEqual(down, c.down) {
			t.Errorf("%s:\n up   %#v\n down %#v\nwant up   %#v\n     down %#v", c.name, up, down, c.up, c.down)
		}
	}
}

func TestPlanRefusesNarrowing(t *testing.T) {
	cur := &schema.TableSchema{Name: "s", Columns: []schema.Column{{Name: "n", Type: "bigint", Default: "0"}}}
	want := &schema.TableSchema{Name: "s", Columns: []schema.Column{{Name: "n", Type: "integer", Default: "0"}}}
	if _, err := Plan(cur, want, Options{}, rules{}); err == nil {
		t.Fatal("narrowing bigint to integer was planned")
	}
}
