package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/embed" // SQLite itself, as Wasm: no cgo

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
)

var (
	goTypeRE       = regexp.MustCompile(`(?m)^-- sessiongen: Go type of (\w+)\.(\w+): (.*?)\s*$`)
	renameColumnRE = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+"?(\w+)"?\s+RENAME\s+(?:COLUMN\s+)?"?(\w+)"?\s+TO\s+"?(\w+)"?`)
	renameTableRE  = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+"?(\w+)"?\s+RENAME\s+TO\s+"?(\w+)"?`)
	whereRE        = regexp.MustCompile(`(?is)\)\s*WHERE\s+(.*?)\s*;?\s*$`)
	wordRE         = regexp.MustCompile(`\w+`)
)

// Replay applies the up sections of files, in name order, to a fresh
// in-memory SQLite database and reads back every table they leave: columns
// from PRAGMA table_info, indexes from PRAGMA index_list and index_info
// (partial indexes' WHERE from sqlite_master), triggers from sqlite_master,
// and the Go types of JSON columns from the "-- sessiongen: Go type of"
// lines of the migrations. Objects a migration not written by sessiongen
// created are marked foreign.
func (Dialect) Replay(files []schema.MigrationFile) (*dialect.Replayed, error) {
	conn, err := sqlite3.Open(":memory:")
	if err != nil {
		return nil, fmt.Errorf("opening an in-memory SQLite database to replay migrations: %w", err)
	}
	defer conn.Close()
	r := &replayer{conn: conn, goTypes: map[[2]string]string{}}
	out := &dialect.Replayed{Tables: map[string]*schema.TableSchema{}, LastGenerated: map[string]string{}}
	before, err := r.tables()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		generated := bytes.HasPrefix(f.Data, []byte(schema.GeneratedHeader))
		for _, sec := range dialect.UpSections(string(f.Data)) {
			if err := r.apply(f.Name, sec); err != nil {
				return nil, err
			}
		}
		after, err := r.tables()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		for name, t := range after {
			old := before[name]
			if old != nil && slices.Equal(old.sql, t.sql) {
				continue
			}
			if generated {
				out.LastGenerated[name] = f.Name
				continue
			}
			t.foreignFrom(old, f.Name)
		}
		// Foreign marks carry over to the next snapshot.
		for name, t := range after {
			if old := before[name]; old != nil {
				t.inherit(old)
			}
		}
		before = after
	}
	for name, t := range before {
		for i, c := range t.schema.Columns {
			t.schema.Columns[i].GoType = r.goTypes[[2]string{name, c.Name}]
		}
		out.Tables[name] = t.schema
	}
	return out, nil
}

type replayer struct {
	conn    *sqlite3.Conn
	goTypes map[[2]string]string // [table, column] -> Go type
}

// snapshot is one table as the database holds it after a file.
type snapshot struct {
	schema *schema.TableSchema
	sql    []string // sqlite_master's sql of the table, its indexes and triggers, to tell whether a file changed it
}

// apply runs the statements of one up section one by one, so that an error
// names the line its statement starts on, and reads the Go type lines
// between them in order.
func (r *replayer) apply(file, sec string) error {
	rest := sec
	for {
		offset := len(sec) - len(rest)
		r.goTypeLines(rest)
		stmt, tail, err := r.conn.Prepare(rest)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", file, lineOf(sec, offset+leading(rest)), err)
		}
		if stmt == nil {
			return nil
		}
		text := rest[:len(rest)-len(tail)]
		err = stmt.Exec()
		stmt.Close()
		if err != nil {
			return fmt.Errorf("%s:%d: %w", file, lineOf(sec, offset+leading(rest)), err)
		}
		r.renamed(stripComments(text))
		rest = tail
	}
}

// goTypeLines records the Go type lines in the comments that lead rest (up
// to its next statement).
func (r *replayer) goTypeLines(rest string) {
	lead := rest[:leading(rest)]
	for _, m := range goTypeRE.FindAllStringSubmatch(lead, -1) {
		key := [2]string{m[1], m[2]}
		if m[3] == "none" {
			delete(r.goTypes, key)
			continue
		}
		r.goTypes[key] = m[3]
	}
}

// renamed moves the recorded Go types along a column or table rename.
func (r *replayer) renamed(stmt string) {
	if m := renameTableRE.FindStringSubmatch(stmt); m != nil {
		for k, v := range r.goTypes {
			if k[0] == m[1] {
				delete(r.goTypes, k)
				r.goTypes[[2]string{m[2], k[1]}] = v
			}
		}
		return
	}
	if m := renameColumnRE.FindStringSubmatch(stmt); m != nil {
		if v, ok := r.goTypes[[2]string{m[1], m[2]}]; ok {
			delete(r.goTypes, [2]string{m[1], m[2]})
			r.goTypes[[2]string{m[1], m[3]}] = v
		}
	}
}

// leading is the length of the white space and comments that start s.
func leading(s string) int {
	i := 0
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return len(s)
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return len(s)
			}
			i += j + 4
		default:
			return i
		}
	}
	return i
}

// stripComments is a statement without its leading comments.
func stripComments(s string) string { return s[leading(s):] }

// lineOf is the 1-based line of byte offset pos in s.
func lineOf(s string, pos int) int { return strings.Count(s[:min(pos, len(s))], "\n") + 1 }

// tables reads every table of the database.
func (r *replayer) tables() (map[string]*snapshot, error) {
	names, err := r.strings(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := map[string]*snapshot{}
	for _, name := range names {
		s, err := r.table(name)
		if err != nil {
			return nil, fmt.Errorf("reading table %s: %w", name, err)
		}
		out[name] = s
	}
	return out, nil
}

// table reads one table.
func (r *replayer) table(name string) (*snapshot, error) {
	t := &schema.TableSchema{Name: name}
	s := &snapshot{schema: t}
	err := r.query(fmt.Sprintf("SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(%s) ORDER BY cid", quote(name)), func(st *sqlite3.Stmt) error {
		def := ""
		if st.ColumnType(3) != sqlite3.NULL {
			var err error
			if def, err = (Dialect{}).CanonicalDefault(st.ColumnText(3)); err != nil {
				return err
			}
		}
		t.Columns = append(t.Columns, schema.Column{
			Name:     st.ColumnText(0),
			Type:     strings.ToUpper(strings.TrimSpace(st.ColumnText(1))),
			Nullable: st.ColumnInt64(2) == 0,
			Default:  def,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The primary key is NOT NULL whatever the DDL says: sessiongen
	// declares it so, and a table that did not would still hold no NULL
	// key sessiongen wrote.
	if i := schema.ColIndex(t, schema.ColTokenHash); i >= 0 {
		t.Columns[i].Nullable = false
	}
	// Indexes in the order they were created (sqlite_master's rows), with
	// their origin from index_list.
	origin := map[string]string{}
	err = r.query(fmt.Sprintf("SELECT name, origin FROM pragma_index_list(%s)", quote(name)), func(st *sqlite3.Stmt) error {
		origin[st.ColumnText(0)] = st.ColumnText(1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	type idx struct{ name, origin string }
	var indexes []idx
	names, err := r.strings(fmt.Sprintf("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s ORDER BY rowid", quote(name)))
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		indexes = append(indexes, idx{n, origin[n]})
	}
	for _, x := range indexes {
		if x.origin != "c" {
			continue // the primary key's or a UNIQUE constraint's
		}
		ix := schema.Index{Name: x.name}
		err := r.query(fmt.Sprintf("SELECT name FROM pragma_index_info(%s) ORDER BY seqno", quote(x.name)), func(st *sqlite3.Stmt) error {
			col := "expr"
			if st.ColumnType(0) != sqlite3.NULL {
				col = st.ColumnText(0)
			}
			ix.Columns = append(ix.Columns, col)
			return nil
		})
		if err != nil {
			return nil, err
		}
		sqls, err := r.strings(fmt.Sprintf("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", quote(x.name)))
		if err != nil {
			return nil, err
		}
		if len(sqls) == 1 {
			if m := whereRE.FindStringSubmatch(sqls[0]); m != nil {
				ix.Where = collapseSpace(m[1])
			}
		}
		t.Indexes = append(t.Indexes, ix)
	}
	err = r.query(fmt.Sprintf("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s ORDER BY name", quote(name)), func(st *sqlite3.Stmt) error {
		t.Triggers = append(t.Triggers, st.ColumnText(0))
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.sql, err = r.strings(fmt.Sprintf("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE tbl_name = %s ORDER BY type, name", quote(name)))
	return s, err
}

// foreignFrom marks what a migration not written by sessiongen (file)
// added to the table since old (nil: it created the table).
func (s *snapshot) foreignFrom(old *snapshot, file string) {
	t := s.schema
	for i, c := range t.Columns {
		if old == nil || schema.ColIndex(old.schema, c.Name) < 0 {
			t.Columns[i].Foreign = true
		}
	}
	hasIndex := func(name string) bool {
		return old != nil && slices.ContainsFunc(old.schema.Indexes, func(x schema.Index) bool { return x.Name == name })
	}
	for i, x := range t.Indexes {
		if !hasIndex(x.Name) {
			t.Indexes[i].Foreign = true
			t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "index", Name: x.Name, Columns: slices.Clone(x.Columns), File: file})
		}
	}
	for _, tr := range t.Triggers {
		if old == nil || !slices.Contains(old.schema.Triggers, tr) {
			t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "trigger", Name: tr, Columns: s.triggerColumns(tr), File: file})
		}
	}
}

// triggerColumns are the table's columns whose names a trigger's SQL
// mentions (a word match: enough to refuse dropping them).
func (s *snapshot) triggerColumns(name string) []string {
	var text string
	for _, q := range s.sql {
		if strings.HasPrefix(q, "trigger "+name+" ") {
			text = q
		}
	}
	words := map[string]bool{}
	for _, w := range wordRE.FindAllString(strings.ToLower(text), -1) {
		words[w] = true
	}
	var cols []string
	for _, c := range s.schema.Columns {
		if words[strings.ToLower(c.Name)] {
			cols = append(cols, c.Name)
		}
	}
	return cols
}

// inherit carries the foreign marks of the table before a file over to
// the table after it.
func (s *snapshot) inherit(old *snapshot) {
	t := s.schema
	for i, c := range t.Columns {
		if j := schema.ColIndex(old.schema, c.Name); j >= 0 && old.schema.Columns[j].Foreign {
			t.Columns[i].Foreign = true
		}
	}
	for i, x := range t.Indexes {
		if slices.ContainsFunc(old.schema.Indexes, func(y schema.Index) bool { return y.Name == x.Name && y.Foreign }) {
			t.Indexes[i].Foreign = true
		}
	}
	for _, o := range old.schema.Foreign {
		live := (o.Kind == "index" && slices.ContainsFunc(t.Indexes, func(x schema.Index) bool { return x.Name == o.Name })) ||
			(o.Kind == "trigger" && slices.Contains(t.Triggers, o.Name))
		if live && !slices.ContainsFunc(t.Foreign, func(f schema.ForeignObject) bool { return f.Kind == o.Kind && f.Name == o.Name }) {
			t.Foreign = append(t.Foreign, o)
		}
	}
}

// query runs one statement and calls row for each row.
func (r *replayer) query(q string, row func(*sqlite3.Stmt) error) error {
	st, _, err := r.conn.Prepare(q)
	if err != nil {
		return err
	}
	if st == nil {
		return errors.New("empty query")
	}
	defer st.Close()
	for st.Step() {
		if err := row(st); err != nil {
			return err
		}
	}
	return st.Err()
}

// strings runs a one-column query.
func (r *replayer) strings(q string) ([]string, error) {
	var out []string
	err := r.query(q, func(st *sqlite3.Stmt) error {
		out = append(out, st.ColumnText(0))
		return nil
	})
	return out, err
}

// quote is s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
