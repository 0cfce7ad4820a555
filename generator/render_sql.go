package generator

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/sessiongen/sessiongen/generator/dialect/sqlite"
	"github.com/sessiongen/sessiongen/templates"
	"gopkg.in/yaml.v3"
)

// metaCols are the lifecycle columns every statement returns, in the order
// the generated Go scans them.
func metaCols() []string {
	return []string{ColCreatedAt, ColLastSeenAt, ColExpiresAt, ColAbsoluteExpiresAt, ColRemember}
}

// queriesData is what templates/queries.sql.tmpl prints.
type queriesData struct {
	Type, Plural, Table  string
	Now                  string // the database clock (SQLite's template; PostgreSQL's says now())
	SelectCols, MetaCols string
	TouchDue             string // the select-list item that says, by the database clock, whether a touch is due
	GraceUs              string // the interval a renewed-away key is still recognised
	InsertCols           string
	InsertVals           string
	SaveSets             []string
	SaveOnes             []saveOne
	Indexed              []Field
}

// saveOne is the single-column UPDATE of one field, used when a save
// changes that field only and no lifecycle column.
type saveOne struct {
	GoName, Column, Value string
}

// micros is the SQL that turns a microsecond parameter into an interval.
func micros(param string) string {
	return "sqlc.arg(" + param + ")::bigint * interval '1 microsecond'"
}

// newQueriesData computes every SQL fragment of the query file.
func newQueriesData(m *Model) queriesData {
	d := queriesData{
		Type: m.TypeName, Plural: m.TypeName + "s", Table: m.Table, MetaCols: strings.Join(metaCols(), ", "),
		TouchDue: "(" + ColLastSeenAt + " <= now() - " + micros("touch_us") + ") AS touch_due",
		GraceUs:  micros("grace_us"),
	}
	ins := []string{ColTokenHash, ColRemember, ColAbsoluteExpiresAt, ColExpiresAt}
	vals := []string{"sqlc.arg(token_hash)", "sqlc.arg(remember)",
		"now() + " + micros("absolute_us"),
		"now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond'"}
	absolute := "CASE WHEN sqlc.arg(renew)::boolean THEN now() + " + micros("absolute_us") + " ELSE " + ColAbsoluteExpiresAt + " END"
	sets := []string{
		// The right-hand sides see the row as it was: a renew keeps the key it
		// replaces, so a request still in flight with it is recognised.
		ColPreviousTokenHash + " = CASE WHEN sqlc.arg(renew)::boolean THEN " + ColTokenHash + " ELSE " + ColPreviousTokenHash + " END,",
		ColRenewedAt + " = CASE WHEN sqlc.arg(renew)::boolean THEN now() ELSE " + ColRenewedAt + " END,",
		ColTokenHash + " = sqlc.arg(new_token_hash),",
		ColRemember + " = sqlc.arg(remember),",
		ColAbsoluteExpiresAt + " = " + absolute + ",",
		ColLastSeenAt + " = CASE WHEN sqlc.arg(touch)::boolean THEN now() ELSE " + ColLastSeenAt + " END,",
		ColExpiresAt + " = CASE WHEN sqlc.arg(touch)::boolean THEN LEAST(" + absolute + ", now() + " + micros("idle_us") + ") ELSE " + ColExpiresAt + " END,",
	}
	for _, f := range m.Fields {
		value := "sqlc." + argFunc(f) + "(" + f.Column + ")"
		ins = append(ins, f.Column)
		vals = append(vals, value)
		d.SaveOnes = append(d.SaveOnes, saveOne{GoName: f.GoName, Column: f.Column, Value: value})
		sets = append(sets, fmt.Sprintf("%s = CASE WHEN sqlc.arg(set_%s)::boolean THEN sqlc.%s(%s)::%s ELSE %s END,",
			f.Column, f.Column, argFunc(f), f.Column, f.SQLType, f.Column))
		if f.Index {
			d.Indexed = append(d.Indexed, f)
		}
	}
	sets[len(sets)-1] = strings.TrimSuffix(sets[len(sets)-1], ",")
	// The token hash is the key the caller passed: not selected again.
	d.SelectCols = strings.Join(append(metaCols(), columnsOf(m)...), ", ")
	d.InsertCols = strings.Join(ins, ", ")
	d.InsertVals = strings.Join(vals, ", ")
	d.SaveSets = sets
	return d
}

// argFunc is sqlc.narg for nullable columns and sqlc.arg otherwise.
func argFunc(f Field) string {
	if f.Nullable {
		return "narg"
	}
	return "arg"
}

// renderTemplate executes one embedded template.
func renderTemplate(name string, data any) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").ParseFS(templates.FS, name)
	if err != nil {
		return nil, fmt.Errorf("parsing template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("rendering template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// renderQueries renders the sqlc query file of the model for an engine:
// the same queries, with the same names, parameters and result columns, in
// each engine's SQL.
func renderQueries(m *Model, engine string) ([]byte, error) {
	switch engine {
	case EnginePostgreSQL:
		return renderTemplate("queries.sql.tmpl", newQueriesData(m))
	case EngineSQLite:
		d, err := newSQLiteQueriesData(m)
		if err != nil {
			return nil, err
		}
		return renderTemplate("queries_sqlite.sql.tmpl", d)
	}
	return nil, fmt.Errorf("engine %q has no queries", engine)
}

// newSQLiteQueriesData computes the SQL fragments of SQLite's query file.
// Times are INTEGER microseconds and the clock is sqlite.NowMicros; the
// flags a query takes (renew, touch, set_<column>, remember) are cast to
// BOOLEAN so that sqlc gives them Go type bool, as on PostgreSQL.
func newSQLiteQueriesData(m *Model) (queriesData, error) {
	now := sqlite.NowMicros
	us := func(param string) string { return "CAST(sqlc.arg(" + param + ") AS INTEGER)" }
	flag := func(param string) string { return "CAST(sqlc.arg(" + param + ") AS BOOLEAN)" }
	d := queriesData{
		Type: m.TypeName, Plural: m.TypeName + "s", Table: m.Table, Now: now,
		// remember as BOOLEAN, so that sqlc gives it Go type bool as on
		// PostgreSQL (SQLite stores 0 or 1).
		MetaCols: strings.Join(metaCols()[:len(metaCols())-1], ", ") + ", CAST(" + ColRemember + " AS BOOLEAN) AS " + ColRemember,
		TouchDue: "CAST(" + ColLastSeenAt + " <= " + now + " - " + us("touch_us") + " AS BOOLEAN) AS touch_due",
		GraceUs:  us("grace_us"),
	}
	ins := []string{ColTokenHash, ColRemember, ColAbsoluteExpiresAt, ColExpiresAt}
	vals := []string{"sqlc.arg(token_hash)", flag("remember"),
		now + " + " + us("absolute_us"),
		now + " + MIN(" + us("absolute_us") + ", " + us("idle_us") + ")"}
	absolute := "CASE WHEN " + flag("renew") + " THEN " + now + " + " + us("absolute_us") + " ELSE " + ColAbsoluteExpiresAt + " END"
	sets := []string{
		// The right-hand sides see the row as it was: a renew keeps the key it
		// replaces, so a request still in flight with it is recognised.
		ColPreviousTokenHash + " = CASE WHEN " + flag("renew") + " THEN " + ColTokenHash + " ELSE " + ColPreviousTokenHash + " END,",
		ColRenewedAt + " = CASE WHEN " + flag("renew") + " THEN " + now + " ELSE " + ColRenewedAt + " END,",
		ColTokenHash + " = sqlc.arg(new_token_hash),",
		ColRemember + " = " + flag("remember") + ",",
		ColAbsoluteExpiresAt + " = " + absolute + ",",
		ColLastSeenAt + " = CASE WHEN " + flag("touch") + " THEN " + now + " ELSE " + ColLastSeenAt + " END,",
		ColExpiresAt + " = CASE WHEN " + flag("touch") + " THEN MIN(" + absolute + ", " + now + " + " + us("idle_us") + ") ELSE " + ColExpiresAt + " END,",
	}
	for _, f := range m.Fields {
		typ, err := sqlite.ColumnType(f.SQLType)
		if err != nil {
			return queriesData{}, fmt.Errorf("%s:%d: field %s: %w", f.Pos.Filename, f.Pos.Line, f.GoName, err)
		}
		value := "sqlc." + argFunc(f) + "(" + f.Column + ")"
		ins = append(ins, f.Column)
		vals = append(vals, value)
		d.SaveOnes = append(d.SaveOnes, saveOne{GoName: f.GoName, Column: f.Column, Value: value})
		sets = append(sets, fmt.Sprintf("%s = CASE WHEN %s THEN CAST(%s AS %s) ELSE %s END,",
			f.Column, flag("set_"+f.Column), value, typ, f.Column))
		if f.Index {
			d.Indexed = append(d.Indexed, f)
		}
	}
	sets[len(sets)-1] = strings.TrimSuffix(sets[len(sets)-1], ",")
	d.SelectCols = strings.Join(append([]string{d.MetaCols}, columnsOf(m)...), ", ")
	d.InsertCols = strings.Join(ins, ", ")
	d.InsertVals = strings.Join(vals, ", ")
	d.SaveSets = sets
	return d, nil
}

// sqlcEntry is what templates/sqlc.yaml.tmpl prints: one entry of the
// `sql` list of a sqlc.yaml, paths relative to the sqlc.yaml directory.
type sqlcEntry struct {
	Name, Schema, Queries, Package, Out string
	Engine                              string // EnginePostgreSQL or EngineSQLite
	Runtime                             string // import path of sessionimpl, for the jsonb override
}

// mapValue returns the value node of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// sameYAML compares two nodes by their encoded form.
func sameYAML(a, b *yaml.Node) bool {
	ea, err1 := yaml.Marshal(a)
	eb, err2 := yaml.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ea, eb)
}

// columnsOf lists the payload columns in declaration order.
func columnsOf(m *Model) []string {
	cols := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		cols[i] = f.Column
	}
	return cols
}
