package generator

import (
	"bytes"
	"fmt"
	"text/template"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
	"github.com/sessiongen/sessiongen/templates"
	"gopkg.in/yaml.v3"
)

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

// renderQueries renders the sqlc query file of the model for dialect d:
// the same queries, with the same names, parameters and result columns, in
// each engine's SQL. The dialect computes the SQL fragments;
// templates/queries_<dialect>.sql.tmpl prints them.
func renderQueries(m *Model, d dialect.Dialect) ([]byte, error) {
	q := dialect.Query{Type: m.TypeName, Plural: m.TypeName + "s", Table: m.Table}
	for _, f := range m.Fields {
		qf := dialect.QueryField{
			GoName: f.GoName, Column: f.Column, ModelType: f.SQLType,
			Nullable: f.Nullable, Index: f.Index,
			Pos: fmt.Sprintf("%s:%d", f.Pos.Filename, f.Pos.Line),
		}
		if f.Index {
			qf.IndexName = schema.IndexName(m.Table, f.Column)
		}
		q.Fields = append(q.Fields, qf)
	}
	data, err := d.Queries(q)
	if err != nil {
		return nil, err
	}
	return renderTemplate("queries_"+d.Name()+".sql.tmpl", data)
}

// sqlcEntry is what templates/sqlc_<engine>.yaml.tmpl prints: one entry of the
// `sql` list of a sqlc.yaml, paths relative to the sqlc.yaml directory.
type sqlcEntry struct {
	Name, Schema, Queries, Package, Out string
	Engine                              string // the dialect's name, which is sqlc's name of the engine
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
