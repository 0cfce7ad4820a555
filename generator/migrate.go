package generator

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Migration is one dbmate migration file to write.
type Migration struct {
	Name          string   // file name suffix: "create_sessions", "alter_sessions", "index_sessions_user_id", "drop_index_sessions_user_id"
	NoTransaction bool     // run outside a transaction (CREATE/DROP INDEX CONCURRENTLY)
	Up            []string // statements, each ending with ";" (may span lines, may start with -- comments)
	Down          []string // statements undoing Up, in reverse order
	Follows       string   // file name of the migration before this one, "" for the first
}

// PlanOptions tunes Plan.
type PlanOptions struct {
	AllowDrop bool              // drop columns no field maps to (their data is lost)
	Renames   map[string]string // new column -> old column (tag was=)
	Positions map[string]string // column -> "file:line: field X", the prefix of errors about it
	Retype    map[string]bool   // jsonb columns whose new Go type is acknowledged (tag retype)
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
//     (drop_index_<table>_<cols>) CONCURRENTLY. One statement per file:
//     dbmate sends a section as one query string and PostgreSQL runs a
//     multi-statement query string as one transaction, where CREATE INDEX
//     CONCURRENTLY is refused.
//
// Nothing to do gives an empty slice. Changes that could lose data or fail on
// existing rows are refused with an error that says what to do; all such
// errors are reported together.
func Plan(cur, want *TableSchema, opt PlanOptions) ([]Migration, error) {
	if want == nil {
		return nil, errors.New("plan: no wanted table")
	}
	if cur == nil {
		out := []Migration{planCreate(want)}
		return append(out, planTriggers(&TableSchema{Name: want.Name}, want)...), nil // storage options: in the CREATE
	}
	p := &planner{
		t:    want.Name,
		opt:  opt,
		work: &TableSchema{Name: cur.Name, Columns: slices.Clone(cur.Columns), Indexes: cloneIndexes(cur.Indexes), Foreign: slices.Clone(cur.Foreign)},
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

// storageComment introduces the storage parameters in a migration.
const storageComment = "-- Storage parameters for a table with churn: room for HOT updates, and autovacuum at 1% dead rows\n-- (measured in sessiongen's docs/SCALE.md). Tune them with a migration of your own: sessiongen sets\n-- only the ones the table does not have."

// planOptions returns the migration that sets the storage parameters want
// has and cur lacks. A parameter the table has, at any value (set by a
// migration of the user's), is left alone.
func planOptions(cur, want *TableSchema) []Migration {
	var set, names []string
	for _, o := range want.Options {
		if !slices.ContainsFunc(cur.Options, func(c Option) bool { return c.Name == o.Name }) {
			set = append(set, o.Name+" = "+o.Value)
			names = append(names, o.Name)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return []Migration{{
		Name: "storage_" + want.Name,
		Up:   []string{storageComment, fmt.Sprintf("ALTER TABLE %s SET (%s);", want.Name, strings.Join(set, ", "))},
		Down: []string{fmt.Sprintf("ALTER TABLE %s RESET (%s);", want.Name, strings.Join(names, ", "))},
	}}
}

// planTriggers returns the migration that adds the evict triggers want has
// and cur lacks, or drops the ones cur has and want no longer asks for.
// Triggers the generator did not name are never touched.
func planTriggers(cur, want *TableSchema) []Migration {
	t := want.Name
	owned := EvictTriggers(t)
	has := func(ts *TableSchema, name string) bool { return slices.Contains(ts.Triggers, name) }
	var missing, stale bool
	for _, name := range owned {
		missing = missing || (has(want, name) && !has(cur, name))
		stale = stale || (!has(want, name) && has(cur, name))
	}
	switch {
	case missing:
		return []Migration{{Name: "evict_" + t, Up: evictUpSQL(t), Down: evictDownSQL(t)}}
	case stale:
		return []Migration{{Name: "drop_evict_" + t, Up: evictDownSQL(t), Down: evictUpSQL(t)}}
	}
	return nil
}

// evictUpSQL creates the statement-level triggers that publish, on
// EvictChannel and in the writing transaction (so only if it commits), the
// hex keys of every row an UPDATE or DELETE changed, comma-separated, or
// "*" (evict everything) when the list exceeds NOTIFY's 8000-byte payload.
func evictUpSQL(t string) []string {
	ups := []string{fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s_evict() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text;
BEGIN
    SELECT string_agg(encode(token_hash, 'hex'), ',') INTO keys FROM evicted;
    IF keys IS NULL THEN
        RETURN NULL;
    END IF;
    IF length(keys) >= 8000 THEN
        keys := '*';
    END IF;
    PERFORM pg_notify('%s', keys);
    RETURN NULL;
END
$$;`, t, EvictChannel(t))}
	for i, op := range []string{"UPDATE", "DELETE"} {
		ups = append(ups, fmt.Sprintf("CREATE TRIGGER %s AFTER %s ON %s REFERENCING OLD TABLE AS evicted FOR EACH STATEMENT EXECUTE FUNCTION %s_evict();",
			EvictTriggers(t)[i], op, t, t))
	}
	return ups
}

// evictDownSQL drops what evictUpSQL creates.
func evictDownSQL(t string) []string {
	var downs []string
	for _, name := range EvictTriggers(t) {
		downs = append(downs, fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s;", name, t))
	}
	return append(downs, fmt.Sprintf("DROP FUNCTION IF EXISTS %s_evict();", t))
}

func cloneIndexes(ix []Index) []Index {
	out := make([]Index, len(ix))
	for i, x := range ix {
		out[i] = Index{Name: x.Name, Columns: slices.Clone(x.Columns), Where: x.Where, Foreign: x.Foreign}
	}
	return out
}

// columnSQL is a column definition: name, type, NOT NULL, DEFAULT.
func columnSQL(c Column) string {
	s := c.Name + " " + c.Type
	if !c.Nullable {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	return s
}

func createIndexSQL(table string, x Index, concurrently bool) string {
	where := ""
	if x.Where != "" {
		where = " WHERE " + x.Where
	}
	if concurrently {
		return fmt.Sprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s)%s;", x.Name, table, strings.Join(x.Columns, ", "), where)
	}
	return fmt.Sprintf("CREATE INDEX %s ON %s (%s)%s;", x.Name, table, strings.Join(x.Columns, ", "), where)
}

func planCreate(want *TableSchema) Migration {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", want.Name)
	for i, c := range want.Columns {
		def := columnSQL(c)
		if c.Name == ColTokenHash {
			def = c.Name + " " + c.Type + " PRIMARY KEY"
		}
		b.WriteString("    " + def)
		if i < len(want.Columns)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(")")
	if len(want.Options) > 0 {
		opts := make([]string, len(want.Options))
		for i, o := range want.Options {
			opts[i] = o.Name + " = " + o.Value
		}
		b.WriteString(" WITH (" + strings.Join(opts, ", ") + ")")
	}
	b.WriteString(";")
	m := Migration{Name: "create_" + want.Name, Up: []string{b.String()}}
	if len(want.Options) > 0 {
		m.Up = append([]string{storageComment}, m.Up...)
	}
	for _, c := range want.Columns {
		if c.GoType != "" {
			m.Up = append(m.Up, GoTypeComment(want.Name, c.Name, c.GoType))
		}
	}
	for _, x := range want.Indexes {
		// The table is new and empty: a plain CREATE INDEX in the same
		// transaction is instant.
		m.Up = append(m.Up, createIndexSQL(want.Name, x, false))
	}
	m.Down = []string{fmt.Sprintf("DROP TABLE %s;", want.Name)}
	return m
}

type planner struct {
	t        string
	opt      PlanOptions
	work     *TableSchema // cur with the planned changes applied
	up, down []string     // down in up order; reversed at the end
	errs     []error
}

func (p *planner) step(up, down string) {
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

func (p *planner) col(name string) *Column {
	if i := colIndex(p.work, name); i >= 0 {
		return &p.work.Columns[i]
	}
	return nil
}

// widens reports whether changing a column from one type to another is a
// cast PostgreSQL does without losing data.
func widens(from, to string) bool {
	switch [2]string{from, to} {
	case [2]string{"smallint", "integer"}, [2]string{"smallint", "bigint"}, [2]string{"integer", "bigint"},
		[2]string{"real", "double precision"}, [2]string{"smallint", "double precision"}, [2]string{"integer", "double precision"}:
		return true
	}
	return false
}

// numeric reports whether t is one of the numeric column types.
func numeric(t string) bool {
	switch t {
	case "smallint", "integer", "bigint", "real", "double precision":
		return true
	}
	return false
}

func sameDefault(a, b string) bool {
	if a == b {
		return true
	}
	ca, err1 := CanonicalDefault(a)
	cb, err2 := CanonicalDefault(b)
	return err1 == nil && err2 == nil && ca == cb
}

func (p *planner) columns(want *TableSchema) {
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
			p.step(
				fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s;", t, was, c.Name),
				fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s;", t, c.Name, was))
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
		if c.Type == "jsonb" && w.Type == "jsonb" {
			p.goType(c, w)
		}
		if c.Type != w.Type {
			if !widens(c.Type, w.Type) {
				p.typeError(w.Name, c.Type, w.Type)
				continue
			}
			p.step(
				fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s;", t, w.Name, w.Type, w.Name, w.Type),
				fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s;", t, w.Name, c.Type, w.Name, c.Type))
			c.Type = w.Type
		}
		switch {
		case c.Nullable && !w.Nullable:
			p.fail(w.Name, "column %s is nullable in table %s but the field is not a pointer: existing rows may hold NULL, which the field cannot represent. Keep the field a pointer, or write a manual migration that replaces the NULLs (UPDATE %s SET %s = ... WHERE %s IS NULL) and then runs ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", w.Name, t, t, w.Name, w.Name, t, w.Name)
			continue
		case !c.Nullable && w.Nullable:
			p.step(
				fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;", t, w.Name),
				fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;", t, w.Name))
			if c.Default != "" {
				// Down: the old code cannot read NULL, so rows written
				// with NULL get the old default back before SET NOT NULL.
				p.step(
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", t, w.Name),
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;\nUPDATE %s SET %s = %s WHERE %s IS NULL;", t, w.Name, c.Default, t, w.Name, c.Default, w.Name))
				c.Default = ""
			}
			c.Nullable = true
		}
		if !sameDefault(c.Default, w.Default) {
			switch {
			case w.Default == "":
				p.step(
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", t, w.Name),
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", t, w.Name, c.Default))
			case c.Default == "":
				p.step(
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", t, w.Name, w.Default),
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", t, w.Name))
			default:
				p.step(
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", t, w.Name, w.Default),
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", t, w.Name, c.Default))
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
		// PostgreSQL drops the column's indexes with it; drop them
		// explicitly so that the down section can re-create them.
		for _, x := range slices.Clone(p.work.Indexes) {
			if slices.Contains(x.Columns, c.Name) {
				p.step(fmt.Sprintf("DROP INDEX IF EXISTS %s;", x.Name), createIndexSQL(t, x, false))
				p.work.Indexes = slices.DeleteFunc(p.work.Indexes, func(y Index) bool { return y.Name == x.Name })
			}
		}
		readd := fmt.Sprintf("-- Re-adds column %s with its default: the dropped data is not restored.\nALTER TABLE %s ADD COLUMN %s;", c.Name, t, columnSQL(c))
		if c.GoType != "" {
			readd += "\n" + GoTypeComment(t, c.Name, c.GoType)
		}
		p.step(fmt.Sprintf("-- Drops column %s: its data is lost.\nALTER TABLE %s DROP COLUMN %s;", c.Name, t, c.Name), readd)
		p.work.Columns = slices.DeleteFunc(p.work.Columns, func(y Column) bool { return y.Name == c.Name })
	}
}

func (p *planner) addColumn(w Column) {
	if !w.Nullable && w.Default == "" {
		p.fail(w.Name, "column %s is NOT NULL without a default, so it cannot be added to the existing table %s (its rows would have no value); give it a default, make the field a pointer, or write a manual migration", w.Name, p.t)
		return
	}
	up := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s;", p.t, columnSQL(w))
	if w.GoType != "" {
		up += "\n" + GoTypeComment(p.t, w.Name, w.GoType)
	}
	p.step(up, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s;", p.t, w.Name))
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

// goType compares the Go type recorded for a jsonb column with the field's.
// The JSON already stored was written for the recorded type: a change is
// refused unless the field carries the retype tag, which records the new
// type in the migration.
func (p *planner) goType(c *Column, w Column) {
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
	old := fmt.Sprintf("COMMENT ON COLUMN %s.%s IS NULL;", p.t, w.Name)
	if c.GoType != "" {
		old = GoTypeComment(p.t, w.Name, c.GoType)
	}
	what := "records the Go type " + w.GoType
	if c.GoType != "" {
		what = fmt.Sprintf("now holds Go type %s instead of %s (tag retype): stored values are kept as they are, and one that does not decode reads as the zero value", w.GoType, c.GoType)
	}
	p.step(fmt.Sprintf("-- Column %s %s.\n%s", w.Name, what, GoTypeComment(p.t, w.Name, w.GoType)), old)
	c.GoType = w.GoType
}

func (p *planner) typeError(col, from, to string) {
	const fix = "Keep the field's old type, or add a new field (with a new column) and copy the data over in application code, then drop the old column with -allow-drop; or write a manual migration"
	switch {
	case widens(to, from) || (numeric(from) && numeric(to)):
		p.fail(col, "column %s would change type from %s to %s in table %s; that is a narrowing (or lossy) conversion: existing values may not fit, and sessiongen only widens numeric types automatically (smallint→integer→bigint, real→double precision, smallint/integer→double precision). %s", col, from, to, p.t, fix)
	case to == "jsonb":
		p.fail(col, "column %s would change type from %s to jsonb in table %s; existing %s values are not valid JSON documents of the new field's type, so sessiongen does not convert them. %s", col, from, p.t, from, fix)
	default:
		p.fail(col, "column %s would change type from %s to %s in table %s; existing values cannot be converted safely, so sessiongen does not convert them. %s", col, from, to, p.t, fix)
	}
}

// indexes returns one non-transactional migration per index to create or
// drop; indexes are matched by column list, not by name.
func (p *planner) indexes(want *TableSchema) []Migration {
	t := p.t
	key := func(x Index) string { return strings.Join(x.Columns, ",") + " WHERE " + x.Where }
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
		nx := Index{Name: name, Columns: x.Columns, Where: x.Where}
		out = append(out, Migration{
			Name:          "index_" + t + "_" + strings.Join(x.Columns, "_"),
			NoTransaction: true,
			Up:            []string{createIndexSQL(t, nx, true)},
			Down:          []string{fmt.Sprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;", name)},
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
			Up:            []string{fmt.Sprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;", x.Name)},
			Down:          []string{createIndexSQL(t, x, true)},
		})
	}
	return out
}

// RenderMigration renders m as a dbmate migration file.
func RenderMigration(m Migration) ([]byte, error) {
	if len(m.Up) == 0 || len(m.Down) == 0 {
		return nil, fmt.Errorf("migration %s: empty up or down section", m.Name)
	}
	opts := ""
	if m.NoTransaction {
		opts = " transaction:false"
	}
	data := struct {
		Options, Follows string
		Up, Down         []string
	}{opts, m.Follows, m.Up, m.Down}
	return renderTemplate("migration.sql.tmpl", data)
}

const timestampLayout = "20060102150405"

// MigrationFileName returns the dbmate file name of migration name created
// at ts: YYYYMMDDHHMMSS_<name>.sql in UTC.
func MigrationFileName(ts time.Time, name string) string {
	return ts.UTC().Format(timestampLayout) + "_" + name + ".sql"
}

var versionPrefix = regexp.MustCompile(`^(\d{14})_`)

// NextTimestamp returns the timestamp of the next migration: now truncated
// to seconds, or one second after the latest existing migration if that is
// not earlier, so that file names always sort in application order. The i-th
// (0-based) migration of one Plan gets NextTimestamp(...).Add(i*time.Second).
func NextTimestamp(now time.Time, files []MigrationFile) time.Time {
	ts := now.UTC().Truncate(time.Second)
	for _, f := range files {
		m := versionPrefix.FindStringSubmatch(f.Name)
		if m == nil {
			continue
		}
		last, err := time.ParseInLocation(timestampLayout, m[1], time.UTC)
		if err != nil {
			continue
		}
		if !last.Before(ts) {
			ts = last.Add(time.Second)
		}
	}
	return ts
}
