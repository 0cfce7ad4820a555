package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sessiongen/sessiongen/generator/schema"
)

// Options tunes Plan.
type Options struct {
	AllowDrop bool              // drop columns no field maps to (their data is lost)
	Renames   map[string]string // new column -> old column (tag was=)
	Positions map[string]string // column -> "file:line: field X", the prefix of errors about it
	Retype    map[string]bool   // JSON columns whose new Go type is acknowledged (tag retype)
}

// Plan returns the migrations that turn the table cur (nil: no table yet)
// into want, in the order they must be applied:
//
//   - no table: one transactional create_<table> migration with the table and
//     its indexes;
//   - otherwise at most one transactional alter_<table> migration (renames,
//     added columns, safe type widenings, NOT NULL dropped, defaults, with
//     AllowDrop dropped columns), then one non-transactional migration per
//     index created (index_<table>_<cols>) or dropped
//     (drop_index_<table>_<cols>) concurrently: one statement per file, as
//     an engine may refuse an online index build inside a transaction;
//   - then the evict triggers and the storage options want has and cur
//     lacks.
//
// Nothing to do gives an empty slice. Changes that could lose data or fail on
// existing rows are refused with an error that says what to do; all such
// errors are reported together. rules answers what the planner needs to
// know of the engine.
func Plan(cur, want *schema.TableSchema, opt Options, rules Rules) ([]Migration, error) {
	if want == nil {
		return nil, errors.New("plan: no wanted table")
	}
	if cur == nil {
		out := []Migration{planCreate(want)}
		return append(out, planTriggers(&schema.TableSchema{Name: want.Name}, want)...), nil // storage options: in the CREATE
	}
	p := &planner{
		t:     want.Name,
		opt:   opt,
		rules: rules,
		work:  &schema.TableSchema{Name: cur.Name, Columns: slices.Clone(cur.Columns), Indexes: schema.CloneIndexes(cur.Indexes), Foreign: slices.Clone(cur.Foreign)},
	}
	if cur.Name != want.Name {
		return nil, fmt.Errorf("plan: table %s is not %s", cur.Name, want.Name)
	}
	p.columns(want)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	var out []Migration
	if len(p.up) > 0 {
		down := slices.Clone(p.down)
		slices.Reverse(down)
		out = append(out, Migration{Name: "alter_" + want.Name, Up: p.up, Down: down})
	}
	out = append(out, p.indexes(want)...)
	out = append(out, planTriggers(cur, want)...)
	out = append(out, planOptions(cur, want)...)
	return out, nil
}

// planOptions returns the migration that sets the storage parameters want
// has and cur lacks. A parameter the table has, at any value (set by a
// migration of the user's), is left alone.
func planOptions(cur, want *schema.TableSchema) []Migration {
	var set []schema.Option
	var names []string
	for _, o := range want.Options {
		if !slices.ContainsFunc(cur.Options, func(c schema.Option) bool { return c.Name == o.Name }) {
			set = append(set, o)
			names = append(names, o.Name)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return []Migration{{
		Name: "storage_" + want.Name,
		Up:   []Operation{SetStorageOptions{Table: want.Name, Options: set}},
		Down: []Operation{ResetStorageOptions{Table: want.Name, Names: names}},
	}}
}

// planTriggers returns the migration that adds the evict triggers want has
// and cur lacks, or drops the ones cur has and want no longer asks for.
// Triggers the generator did not name are never touched.
func planTriggers(cur, want *schema.TableSchema) []Migration {
	t := want.Name
	owned := schema.EvictTriggers(t)
	has := func(ts *schema.TableSchema, name string) bool { return slices.Contains(ts.Triggers, name) }
	var missing, stale bool
	for _, name := range owned {
		missing = missing || (has(want, name) && !has(cur, name))
		stale = stale || (!has(want, name) && has(cur, name))
	}
	switch {
	case missing:
		return []Migration{{Name: "evict_" + t, Up: []Operation{CreateEvictTriggers{t}}, Down: []Operation{DropEvictTriggers{t}}}}
	case stale:
		return []Migration{{Name: "drop_evict_" + t, Up: []Operation{DropEvictTriggers{t}}, Down: []Operation{CreateEvictTriggers{t}}}}
	}
	return nil
}

// planCreate creates the table and its indexes.
func planCreate(want *schema.TableSchema) Migration {
	m := Migration{Name: "create_" + want.Name, Up: []Operation{CreateTable{Table: want}}}
	for _, x := range want.Indexes {
		// The table is new and empty: a plain index build in the same
		// transaction is instant.
		m.Up = append(m.Up, AddIndex{Table: want.Name, Index: x})
	}
	m.Down = []Operation{DropTable{want.Name}}
	return m
}

type planner struct {
	t        string
	opt      Options
	rules    Rules
	work     *schema.TableSchema // cur with the planned changes applied
	up, down []Operation         // down in up order; reversed at the end
	errs     []error
}

func (p *planner) step(up, down Operation) {
	p.up = append(p.up, up)
	p.down = append(p.down, down)
}

// where is the error prefix for column col.
func (p *planner) where(col string) string {
	if s := p.opt.Positions[col]; s != "" {
		return s
	}
	return "column " + col
}

func (p *planner) fail(col, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: "+format, append([]any{p.where(col)}, args...)...))
}

func (p *planner) col(name string) *schema.Column {
	if i := schema.ColIndex(p.work, name); i >= 0 {
		return &p.work.Columns[i]
	}
	return nil
}

func (p *planner) columns(want *schema.TableSchema) {
	t := p.t
	wanted := map[string]bool{}
	for _, c := range want.Columns {
		wanted[c.Name] = true
	}
	// Renames first, so the rest compares the renamed columns.
	for _, c := range want.Columns {
		was := p.opt.Renames[c.Name]
		if was == "" || was == c.Name {
			continue
		}
		old, now := p.col(was), p.col(c.Name)
		switch {
		case old != nil && now == nil:
			if wanted[was] {
				p.fail(c.Name, "was=%s renames column %s to %s, but another field still maps to column %s; remove the was= tag or rename that field's column", was, was, c.Name, was)
				continue
			}
			p.step(RenameColumn{t, was, c.Name}, RenameColumn{t, c.Name, was})
			old.Name = c.Name
			for i := range p.work.Indexes {
				for j, ic := range p.work.Indexes[i].Columns {
					if ic == was {
						p.work.Indexes[i].Columns[j] = c.Name
					}
				}
			}
		case old == nil && now == nil:
			p.fail(c.Name, "was=%s: table %s has neither column %s nor column %s, so there is nothing to rename; fix the was= tag (it names the column as the committed migrations left it), or remove it to add %s as a new column", was, t, was, c.Name, c.Name)
		}
		// old gone and new present: the rename is already applied.
		// Both present: nothing to rename; an unmapped old column is
		// reported below like any other.
	}
	for _, w := range want.Columns {
		c := p.col(w.Name)
		if c == nil {
			p.addColumn(w)
			continue
		}
		if p.rules.JSON(c.Type) && p.rules.JSON(w.Type) {
			p.goType(c, w)
		}
		if c.Type != w.Type {
			if !p.rules.Widens(c.Type, w.Type) {
				p.typeError(w.Name, c.Type, w.Type)
				continue
			}
			p.step(WidenColumn{t, w.Name, c.Type, w.Type}, WidenColumn{t, w.Name, w.Type, c.Type})
			c.Type = w.Type
		}
		switch {
		case c.Nullable && !w.Nullable:
			p.fail(w.Name, "column %s is nullable in table %s but the field is not a pointer: existing rows may hold NULL, which the field cannot represent. Keep the field a pointer, or write a manual migration that replaces the NULLs (UPDATE %s SET %s = ... WHERE %s IS NULL) and then runs ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", w.Name, t, t, w.Name, w.Name, t, w.Name)
			continue
		case !c.Nullable && w.Nullable:
			p.step(DropNotNull{t, w.Name}, SetNotNull{t, w.Name})
			if c.Default != "" {
				// Down: the old code cannot read NULL, so rows written
				// with NULL get the old default back before SET NOT NULL.
				p.step(DropDefault{t, w.Name}, SetDefault{Table: t, Column: w.Name, Default: c.Default, FillNulls: true})
				c.Default = ""
			}
			c.Nullable = true
		}
		if !p.rules.SameDefault(c.Default, w.Default) {
			switch {
			case w.Default == "":
				p.step(DropDefault{t, w.Name}, SetDefault{Table: t, Column: w.Name, Default: c.Default})
			case c.Default == "":
				p.step(SetDefault{Table: t, Column: w.Name, Default: w.Default}, DropDefault{t, w.Name})
			default:
				p.step(SetDefault{Table: t, Column: w.Name, Default: w.Default}, SetDefault{Table: t, Column: w.Name, Default: c.Default})
			}
			c.Default = w.Default
		}
	}
	// Columns no field maps to, in table order.
	for _, c := range slices.Clone(p.work.Columns) {
		if wanted[c.Name] {
			continue
		}
		if c.Foreign {
			// A column of the user's own: left alone, but the generated
			// INSERT names only the columns it knows.
			if !c.Nullable && c.Default == "" {
				p.errs = append(p.errs, fmt.Errorf("column %s of table %s was added by a migration sessiongen did not write and is NOT NULL without a default: the generated INSERT does not set it, so creating a session would fail; give it a default, or drop NOT NULL, in a migration of your own", c.Name, t))
			}
			continue
		}
		if deps := p.dependents(c.Name); len(deps) > 0 {
			p.errs = append(p.errs, fmt.Errorf("column %s is in the table %s but no field maps to it, and %s uses it, which sessiongen did not create and will not drop: if you renamed its field, tag the field with was=%s; to drop the column, first drop or change that object in a migration of your own, then rerun with -allow-drop", c.Name, t, strings.Join(deps, " and "), c.Name))
			continue
		}
		if !p.opt.AllowDrop {
			p.errs = append(p.errs, fmt.Errorf("column %s is in the table %s but no field maps to it: if you renamed its field, tag the field with was=%s; otherwise rerun with -allow-drop to drop it (its data is lost), or add the field back", c.Name, t, c.Name))
			continue
		}
		// An engine may drop the column's indexes with it; drop them
		// explicitly so that the down section can re-create them.
		for _, x := range slices.Clone(p.work.Indexes) {
			if slices.Contains(x.Columns, c.Name) {
				p.step(DropIndex{Name: x.Name}, AddIndex{Table: t, Index: x})
				p.work.Indexes = slices.DeleteFunc(p.work.Indexes, func(y schema.Index) bool { return y.Name == x.Name })
			}
		}
		p.step(DropColumn{Table: t, Column: c.Name, Lossy: true}, AddColumn{Table: t, Column: c, Readd: true})
		p.work.Columns = slices.DeleteFunc(p.work.Columns, func(y schema.Column) bool { return y.Name == c.Name })
	}
}

func (p *planner) addColumn(w schema.Column) {
	if !w.Nullable && w.Default == "" {
		p.fail(w.Name, "column %s is NOT NULL without a default, so it cannot be added to the existing table %s (its rows would have no value); give it a default, make the field a pointer, or write a manual migration", w.Name, p.t)
		return
	}
	p.step(AddColumn{Table: p.t, Column: w}, DropColumn{Table: p.t, Column: w.Name})
	p.work.Columns = append(p.work.Columns, w)
}

// dependents names the foreign objects (not created by sessiongen) that use
// column col.
func (p *planner) dependents(col string) []string {
	var out []string
	for _, o := range p.work.Foreign {
		if slices.Contains(o.Columns, col) {
			name := o.Name
			if name == "" {
				name = "(unnamed)"
			}
			out = append(out, fmt.Sprintf("%s %s (created in %s)", o.Kind, name, o.File))
		}
	}
	return out
}

// goType compares the Go type recorded for a JSON column with the field's.
// The JSON already stored was written for the recorded type: a change is
// refused unless the field carries the retype tag, which records the new
// type in the migration.
func (p *planner) goType(c *schema.Column, w schema.Column) {
	retype := p.opt.Retype[w.Name]
	switch {
	case w.GoType == "" || (c.GoType == w.GoType && !retype):
		return
	case c.GoType == w.GoType:
		p.fail(w.Name, "the retype tag option is not needed: column %s already records Go type %s; remove the option, so that a later type change is caught again", w.Name, w.GoType)
		return
	case c.GoType == "" && !retype:
		// Created before sessiongen recorded Go types: nothing to compare.
		return
	case !retype:
		p.fail(w.Name, "the field's type changed from %s to %s, but column %s of table %s holds JSON written for %s: a stored value that does not decode into %s reads as the zero value (Err reports it, and the middleware logs it) until the field is set again. Keep the old type; or add a field with a new column for the new type; or, if the old JSON decodes into the new type (or losing it is acceptable), add the retype tag option (`session:\"%s,retype\"`) to record the new type in a migration, and remove the option after that run", c.GoType, w.GoType, w.Name, p.t, c.GoType, w.GoType, w.Name)
		return
	}
	p.step(RecordGoType{Table: p.t, Column: w.Name, GoType: w.GoType, Previous: c.GoType, Explain: true},
		RecordGoType{Table: p.t, Column: w.Name, GoType: c.GoType})
	c.GoType = w.GoType
}

func (p *planner) typeError(col, from, to string) {
	const fix = "Keep the field's old type, or add a new field (with a new column) and copy the data over in application code, then drop the old column with -allow-drop; or write a manual migration"
	switch {
	case p.rules.Widens(to, from) || (p.rules.Numeric(from) && p.rules.Numeric(to)):
		p.fail(col, "column %s would change type from %s to %s in table %s; that is a narrowing (or lossy) conversion: existing values may not fit, and sessiongen only widens numeric types automatically (%s). %s", col, from, to, p.t, p.rules.Widenings(), fix)
	case p.rules.JSON(to):
		p.fail(col, "column %s would change type from %s to %s in table %s; existing %s values are not valid JSON documents of the new field's type, so sessiongen does not convert them. %s", col, from, to, p.t, from, fix)
	default:
		p.fail(col, "column %s would change type from %s to %s in table %s; existing values cannot be converted safely, so sessiongen does not convert them. %s", col, from, to, p.t, fix)
	}
}

// indexes returns one non-transactional migration per index to create or
// drop; indexes are matched by column list, not by name.
func (p *planner) indexes(want *schema.TableSchema) []Migration {
	t := p.t
	key := func(x schema.Index) string { return strings.Join(x.Columns, ",") + " WHERE " + x.Where }
	have := map[string]bool{}
	names := map[string]bool{}
	for _, x := range p.work.Indexes {
		have[key(x)] = true
		names[x.Name] = true
	}
	wantKeys := map[string]bool{}
	var out []Migration
	for _, x := range want.Indexes {
		wantKeys[key(x)] = true
		if have[key(x)] {
			continue
		}
		have[key(x)] = true
		// A name taken by an existing index (say, of a renamed column)
		// would make IF NOT EXISTS skip the new index: pick a free one the
		// way PostgreSQL does.
		name := x.Name
		for n := 1; names[name]; n++ {
			name = fmt.Sprintf("%s%d", x.Name, n)
		}
		names[name] = true
		nx := schema.Index{Name: name, Columns: x.Columns, Where: x.Where}
		out = append(out, Migration{
			Name:          "index_" + t + "_" + strings.Join(x.Columns, "_"),
			NoTransaction: true,
			Up:            []Operation{AddIndex{Table: t, Index: nx, Concurrently: true}},
			Down:          []Operation{DropIndex{Name: name, Concurrently: true}},
		})
	}
	for _, x := range p.work.Indexes {
		if wantKeys[key(x)] || x.Foreign {
			// Foreign indexes are the user's: never dropped.
			continue
		}
		out = append(out, Migration{
			Name:          "drop_index_" + t + "_" + strings.Join(x.Columns, "_"),
			NoTransaction: true,
			Up:            []Operation{DropIndex{Name: x.Name, Concurrently: true}},
			Down:          []Operation{AddIndex{Table: t, Index: x, Concurrently: true}},
		})
	}
	return out
}

// Rename plans the migration that renames table cur to to, with the
// indexes sessiongen named after the table, and returns the table as it is
// after it.
func Rename(cur *schema.TableSchema, to string, rules Rules) (Migration, *schema.TableSchema, error) {
	from := cur.Name
	m := Migration{Name: "rename_" + from + "_to_" + to}
	var down []Operation
	step := func(u, d Operation) {
		m.Up = append(m.Up, u)
		down = append(down, d)
	}
	// The evict triggers, function and channel carry the table's name:
	// dropped here (before the rename, so that the down section re-creates
	// them after renaming back), re-created under the new name by the
	// trigger plan.
	var triggers []string
	for _, name := range schema.EvictTriggers(from) {
		if slices.Contains(cur.Triggers, name) {
			triggers = append(triggers, name)
		}
	}
	if len(triggers) > 0 {
		step(DropEvictTriggers{from}, CreateEvictTriggers{from})
	}
	step(RenameTable{from, to}, RenameTable{to, from})
	step(RenamePrimaryKey{from, to}, RenamePrimaryKey{to, from})
	next := &schema.TableSchema{Name: to, Columns: slices.Clone(cur.Columns), Indexes: schema.CloneIndexes(cur.Indexes), Foreign: slices.Clone(cur.Foreign), Triggers: slices.DeleteFunc(slices.Clone(cur.Triggers), func(x string) bool { return slices.Contains(triggers, x) }), Options: slices.Clone(cur.Options)}
	for i, x := range next.Indexes {
		rest, ok := strings.CutPrefix(x.Name, from+"_")
		if x.Foreign || !ok {
			continue
		}
		name := to + "_" + rest
		if len(name) > rules.MaxIdentifier() {
			return m, nil, fmt.Errorf("renaming table %s to %s would rename index %s to %s, which is longer than %s's %d bytes; pass a shorter -table", from, to, x.Name, name, rules.Engine(), rules.MaxIdentifier())
		}
		step(RenameIndex{x.Name, name}, RenameIndex{name, x.Name})
		next.Indexes[i].Name = name
	}
	slices.Reverse(down)
	m.Down = down
	return m, next, nil
}
