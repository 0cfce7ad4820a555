package mysql

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"text/template"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
	"github.com/sessiongen/sessiongen/templates"
)

// field is what the query data needs of a payload field: generator.Field's
// GoName, Column, SQLType (the model's type), Nullable and Index.
type field struct {
	GoName, Column, SQLType string
	Nullable, Index         bool
}

// newMySQLQueriesData is Dialect.Queries of a payload type with fields.
func newMySQLQueriesData(typ, table string, fields []field) dialect.QueryData {
	q := dialect.Query{Type: typ, Plural: typ + "s", Table: table}
	for _, f := range fields {
		qf := dialect.QueryField{GoName: f.GoName, Column: f.Column, ModelType: f.SQLType, Nullable: f.Nullable, Index: f.Index, Pos: "test.go:1"}
		if f.Index {
			qf.IndexName = schema.IndexName(table, f.Column)
		}
		q.Fields = append(q.Fields, qf)
	}
	d, err := Dialect{}.Queries(q)
	if err != nil {
		panic(err) // test data: every field maps
	}
	return d
}

// renderQueries renders an embedded query template as the generator
// does.
func renderQueries(t testing.TB, name string, data any) string {
	t.Helper()
	tm, err := template.New(name).Option("missingkey=error").ParseFS(templates.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tm.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// testFields are the payload fields of the query tests: one of every
// storage kind, nullable ones, and two indexed columns.
func testFields() []field {
	return []field{
		{GoName: "UserID", Column: "user_id", SQLType: "bigint", Index: true},
		{GoName: "Email", Column: "email", SQLType: "text", Index: true},
		{GoName: "Nick", Column: "nick", SQLType: "text", Nullable: true},
		{GoName: "Admin", Column: "admin", SQLType: "boolean"},
		{GoName: "Score", Column: "score", SQLType: "double precision"},
		{GoName: "Ratio", Column: "ratio", SQLType: "real", Nullable: true},
		{GoName: "Cart", Column: "cart", SQLType: "jsonb"},
		{GoName: "Prefs", Column: "prefs", SQLType: "jsonb", Nullable: true},
		{GoName: "Avatar", Column: "avatar", SQLType: "bytea"},
		{GoName: "Key", Column: "pubkey", SQLType: "bytea", Nullable: true},
		{GoName: "MFAAt", Column: "mfa_at", SQLType: "timestamptz", Nullable: true},
		{GoName: "Seen", Column: "seen", SQLType: "timestamptz"},
		{GoName: "Level", Column: "level", SQLType: "integer", Nullable: true},
		{GoName: "Verified", Column: "verified", SQLType: "boolean", Nullable: true},
	}
}

// testModel is the model's table of testFields, as
// generator.Model.WantedSchema builds it.
func testModel(table string) *schema.TableSchema { return testModelOf(table, testFields()) }

// testModelOf is the model's table of fields.
func testModelOf(table string, fields []field) *schema.TableSchema {
	t := modelTable()
	t.Name = table
	t.Columns = t.Columns[:8] // the lifecycle columns
	t.Indexes = t.Indexes[:2]
	for i := range t.Indexes {
		t.Indexes[i].Name = schema.IndexName(table, t.Indexes[i].Columns[0])
	}
	zero := map[string]string{"bigint": "0", "integer": "0", "text": "''", "boolean": "false", "double precision": "0", "real": "0",
		"jsonb": "'null'::jsonb", "bytea": "''::bytea", "timestamptz": "'0001-01-01 00:00:00+00'::timestamptz"}
	for _, f := range fields {
		c := schema.Column{Name: f.Column, Type: f.SQLType, Nullable: f.Nullable}
		if !f.Nullable {
			c.Default = zero[f.SQLType]
		}
		if f.SQLType == "jsonb" {
			c.GoType = "map[string]int"
		}
		t.Columns = append(t.Columns, c)
		if f.Index {
			t.Indexes = append(t.Indexes, schema.Index{Name: schema.IndexName(table, f.Column), Columns: []string{f.Column}})
		}
	}
	return t
}

// query is one named query of a query file.
type query struct {
	Name, Kind, SQL string
}

var queryHeader = regexp.MustCompile(`(?m)^-- name: (\w+) (:\w+)\n`)

// parseQueries splits a sqlc query file into its queries.
func parseQueries(text string) map[string]query {
	out := map[string]query{}
	idx := queryHeader.FindAllStringSubmatchIndex(text, -1)
	for i, m := range idx {
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		body := text[m[1]:end]
		if j := strings.Index(body, ";"); j >= 0 {
			body = body[:j]
		}
		var lines []string
		for _, l := range strings.Split(body, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		name := text[m[2]:m[3]]
		out[name] = query{Name: name, Kind: text[m[4]:m[5]], SQL: strings.TrimSpace(strings.Join(lines, "\n"))}
	}
	return out
}

var sqlcArg = regexp.MustCompile(`sqlc\.(arg|narg|slice)\((\w+)\)`)

// bind turns a query's sqlc.arg, sqlc.narg, sqlc.slice and LIMIT ? into
// placeholders and their arguments, as sqlc's database/sql code does (a
// slice is one placeholder per element, NULL when empty).
func bind(t testing.TB, q query, args map[string]any) (string, []any) {
	t.Helper()
	var out []any
	var missing []string
	// LIMIT takes a bare ?, which sqlc names limit.
	text := strings.ReplaceAll(q.SQL, "LIMIT ?", "LIMIT sqlc.arg(limit)")
	text = sqlcArg.ReplaceAllStringFunc(text, func(s string) string {
		m := sqlcArg.FindStringSubmatch(s)
		v, ok := args[m[2]]
		if !ok {
			missing = append(missing, m[2])
		}
		if m[1] != "slice" {
			out = append(out, v)
			return "?"
		}
		list, _ := v.([][]byte)
		if len(list) == 0 {
			return "NULL"
		}
		for _, x := range list {
			out = append(out, x)
		}
		return strings.TrimSuffix(strings.Repeat("?,", len(list)), ",")
	})
	if len(missing) > 0 {
		t.Fatalf("%s: no value for %v", q.Name, missing)
	}
	return text, out
}
