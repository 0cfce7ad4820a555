package mysql

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
)

var (
	goTypeRE     = regexp.MustCompile(`(?m)^-- sessiongen: Go type of (\w+)\.(\w+): (.*?)\s*$`)
	parseErrorRE = regexp.MustCompile(`^line (\d+) column (\d+) (.*)`)
)

// Replay parses the up sections of files, in name order, with TiDB's MySQL
// parser and applies each statement to the tables it changes: CREATE
// TABLE (LIKE too), DROP TABLE, RENAME TABLE, CREATE INDEX, DROP INDEX and
// ALTER TABLE (add, drop, modify, change and rename a column, set and drop
// its default, add and drop an index or a constraint, rename an index or
// the table); other statements (data changes, DO, SET) change no table
// and are skipped. The Go types of JSON columns come from the
// "-- sessiongen: Go type of" lines of the migrations, read in order with
// the statements. Columns, indexes and constraints a migration not written
// by sessiongen adds are marked foreign.
//
// No server checks the statements: a migration MySQL would refuse replays
// as far as the parser takes it, and statements TiDB's parser does not
// know (CREATE TRIGGER, stored routines) are errors that name the file and
// line.
func (Dialect) Replay(files []schema.MigrationFile) (*dialect.Replayed, error) {
	r := &replayer{tables: map[string]*schema.TableSchema{}, goTypes: map[[2]string]string{}}
	out := &dialect.Replayed{Tables: map[string]*schema.TableSchema{}, LastGenerated: map[string]string{}}
	for _, f := range files {
		r.file = f.Name
		r.generated = bytes.HasPrefix(f.Data, []byte(schema.GeneratedHeader))
		before := r.state()
		for _, sec := range dialect.UpSections(string(f.Data)) {
			if err := r.apply(sec); err != nil {
				return nil, err
			}
		}
		if !r.generated {
			continue
		}
		after := r.state()
		for name, t := range after {
			if old, ok := before[name]; !ok || !reflect.DeepEqual(old, t) {
				out.LastGenerated[name] = f.Name
			}
		}
	}
	for _, t := range r.tables {
		for i, c := range t.Columns {
			t.Columns[i].GoType = r.goTypes[[2]string{t.Name, c.Name}]
		}
		out.Tables[t.Name] = t
	}
	return out, nil
}

// replayer is the state of a replay: the tables so far and the recorded
// Go types, and the file being applied.
type replayer struct {
	tables    map[string]*schema.TableSchema // by lower-case name: MySQL compares table names so on every platform sessiongen supports
	goTypes   map[[2]string]string           // [table, column] -> Go type
	file      string
	generated bool // the file starts with sessiongen's header
}

// state is a deep copy of every table with its recorded Go types, to tell
// which tables a file changed.
func (r *replayer) state() map[string]*schema.TableSchema {
	out := map[string]*schema.TableSchema{}
	for k, t := range r.tables {
		c := t.Clone()
		for i, col := range c.Columns {
			c.Columns[i].GoType = r.goTypes[[2]string{t.Name, col.Name}]
		}
		out[k] = c
	}
	return out
}

// apply parses one up section and applies its statements in order, with
// the Go type lines between them.
func (r *replayer) apply(sec string) error {
	stmts, _, err := parser.New().ParseSQL(sec)
	if err != nil {
		msg := strings.SplitN(err.Error(), "\n", 2)[0]
		if m := parseErrorRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return fmt.Errorf("%s:%d: MySQL syntax TiDB's parser does not take (sessiongen replays migrations with it): %s", r.file, line, m[3])
		}
		return fmt.Errorf("%s: %w", r.file, err)
	}
	pos := 0
	for _, st := range stmts {
		text := st.Text()
		at := strings.Index(sec[pos:], text)
		if at < 0 {
			at = 0 // the parser rewrote the text; the Go type lines around it still apply in order
		}
		start := pos + at
		start += leading(sec[start:]) // the text may start with the white space and comments after the statement before
		r.goTypeLines(sec[pos:start])
		pos = max(start, pos+at+len(text))
		if err := r.statement(st); err != nil {
			return fmt.Errorf("%s:%d: %w", r.file, strings.Count(sec[:start], "\n")+1, err)
		}
	}
	r.goTypeLines(sec[pos:])
	return nil
}

// leading is the length of the white space and comments that start s.
func leading(s string) int {
	i := 0
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r':
			i++
		case strings.HasPrefix(s[i:], "--") || s[i] == '#':
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

// goTypeLines records the Go type lines in text.
func (r *replayer) goTypeLines(text string) {
	for _, m := range goTypeRE.FindAllStringSubmatch(text, -1) {
		key := [2]string{m[1], m[2]}
		if m[3] == "none" {
			delete(r.goTypes, key)
			continue
		}
		r.goTypes[key] = m[3]
	}
}

// table returns the table named name, or an error naming it.
func (r *replayer) table(name *ast.TableName) (*schema.TableSchema, error) {
	if t := r.tables[strings.ToLower(name.Name.O)]; t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("table %s does not exist", name.Name.O)
}

// statement applies one statement.
func (r *replayer) statement(st ast.StmtNode) error {
	switch st := st.(type) {
	case *ast.CreateTableStmt:
		return r.createTable(st)
	case *ast.DropTableStmt:
		if st.IsView {
			return nil
		}
		for _, n := range st.Tables {
			t := r.tables[strings.ToLower(n.Name.O)]
			if t == nil {
				if st.IfExists {
					continue
				}
				return fmt.Errorf("DROP TABLE: table %s does not exist", n.Name.O)
			}
			r.forgetGoTypes(t.Name, "")
			delete(r.tables, strings.ToLower(n.Name.O))
		}
		return nil
	case *ast.RenameTableStmt:
		for _, tt := range st.TableToTables {
			if err := r.renameTable(tt.OldTable, tt.NewTable); err != nil {
				return err
			}
		}
		return nil
	case *ast.CreateIndexStmt:
		t, err := r.table(st.Table)
		if err != nil {
			return err
		}
		if st.IfNotExists && hasIndex(t, st.IndexName) {
			return nil
		}
		return r.addIndex(t, st.IndexName, st.IndexPartSpecifications, st.KeyType == ast.IndexKeyTypeUnique)
	case *ast.DropIndexStmt:
		t, err := r.table(st.Table)
		if err != nil {
			return err
		}
		return dropIndex(t, st.IndexName, st.IfExists)
	case *ast.AlterTableStmt:
		return r.alterTable(st)
	}
	return nil // changes no table's shape
}

// createTable applies CREATE TABLE.
func (r *replayer) createTable(st *ast.CreateTableStmt) error {
	name := st.Table.Name.O
	if r.tables[strings.ToLower(name)] != nil {
		if st.IfNotExists {
			return nil
		}
		return fmt.Errorf("CREATE TABLE: table %s already exists", name)
	}
	if st.Select != nil {
		return fmt.Errorf("CREATE TABLE %s ... SELECT: sessiongen's replay cannot tell the columns a query makes; create the table with its columns", name)
	}
	t := &schema.TableSchema{Name: name}
	if st.ReferTable != nil {
		src, err := r.table(st.ReferTable)
		if err != nil {
			return err
		}
		t = src.Clone()
		t.Name = name
		for k, v := range r.goTypes {
			if k[0] == src.Name {
				r.goTypes[[2]string{name, k[1]}] = v
			}
		}
		if !r.generated {
			r.markForeign(t)
		}
		r.tables[strings.ToLower(name)] = t
		return nil
	}
	for _, c := range st.Cols {
		if err := r.addColumn(t, c, nil); err != nil {
			return err
		}
	}
	for _, c := range st.Constraints {
		if err := r.constraint(t, c); err != nil {
			return err
		}
	}
	r.tables[strings.ToLower(name)] = t
	return nil
}

// markForeign marks every column and index of t foreign (a table a
// migration not written by sessiongen made).
func (r *replayer) markForeign(t *schema.TableSchema) {
	for i := range t.Columns {
		t.Columns[i].Foreign = true
	}
	for i, x := range t.Indexes {
		if !x.Foreign {
			t.Indexes[i].Foreign = true
			t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "index", Name: x.Name, Columns: slices.Clone(x.Columns), File: r.file})
		}
	}
}

// renameTable renames a table and moves its recorded Go types along.
func (r *replayer) renameTable(from, to *ast.TableName) error {
	t, err := r.table(from)
	if err != nil {
		return err
	}
	if r.tables[strings.ToLower(to.Name.O)] != nil && !strings.EqualFold(from.Name.O, to.Name.O) {
		return fmt.Errorf("renaming table %s: table %s already exists", from.Name.O, to.Name.O)
	}
	old := t.Name
	delete(r.tables, strings.ToLower(old))
	t.Name = to.Name.O
	r.tables[strings.ToLower(t.Name)] = t
	for k, v := range r.goTypes {
		if k[0] == old {
			delete(r.goTypes, k)
			r.goTypes[[2]string{t.Name, k[1]}] = v
		}
	}
	return nil
}

// column is the column of t named name (MySQL compares column names
// without case), or nil.
func column(t *schema.TableSchema, name string) *schema.Column {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// columnIndex is the position of column name in t, or -1.
func columnIndex(t *schema.TableSchema, name string) int {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return i
		}
	}
	return -1
}

// columnOf reads a column definition, and applies the constraints written
// in it (PRIMARY KEY, UNIQUE, CHECK) to t.
func (r *replayer) columnOf(t *schema.TableSchema, def *ast.ColumnDef) (schema.Column, []*ast.Constraint, error) {
	typ, err := canonicalType(def.Tp)
	if err != nil {
		return schema.Column{}, nil, fmt.Errorf("column %s: %w", def.Name.Name.O, err)
	}
	c := schema.Column{Name: def.Name.Name.O, Type: typ, Nullable: true, Foreign: !r.generated}
	name := def.Name.Name.O
	var cons []*ast.Constraint
	for _, o := range def.Options {
		switch o.Tp {
		case ast.ColumnOptionNotNull:
			c.Nullable = false
		case ast.ColumnOptionNull:
			c.Nullable = true
		case ast.ColumnOptionPrimaryKey:
			c.Nullable = false
		case ast.ColumnOptionDefaultValue:
			if c.Default, err = canonicalExpr(o.Expr); err != nil {
				return schema.Column{}, nil, fmt.Errorf("column %s: default: %w", name, err)
			}
		case ast.ColumnOptionUniqKey:
			cons = append(cons, &ast.Constraint{Tp: ast.ConstraintUniq, Name: name, Keys: []*ast.IndexPartSpecification{{Column: def.Name}}})
		case ast.ColumnOptionCheck:
			cons = append(cons, &ast.Constraint{Tp: ast.ConstraintCheck, Name: o.ConstraintName, Expr: o.Expr, InColumn: true, InColumnName: name})
		}
	}
	return c, cons, nil
}

// addColumn adds a column to t, at pos (nil: last).
func (r *replayer) addColumn(t *schema.TableSchema, def *ast.ColumnDef, pos *ast.ColumnPosition) error {
	c, cons, err := r.columnOf(t, def)
	if err != nil {
		return err
	}
	if column(t, c.Name) != nil {
		return fmt.Errorf("column %s of table %s already exists", c.Name, t.Name)
	}
	at, err := position(t, pos)
	if err != nil {
		return err
	}
	t.Columns = slices.Insert(t.Columns, at, c)
	for _, x := range cons {
		if err := r.constraint(t, x); err != nil {
			return err
		}
	}
	return nil
}

// position is where a column goes in t: FIRST, AFTER a column, or last.
func position(t *schema.TableSchema, pos *ast.ColumnPosition) (int, error) {
	if pos == nil {
		return len(t.Columns), nil
	}
	switch pos.Tp {
	case ast.ColumnPositionFirst:
		return 0, nil
	case ast.ColumnPositionAfter:
		i := columnIndex(t, pos.RelativeColumn.Name.O)
		if i < 0 {
			return 0, fmt.Errorf("AFTER %s: table %s has no such column", pos.RelativeColumn.Name.O, t.Name)
		}
		return i + 1, nil
	}
	return len(t.Columns), nil
}

// constraint applies a table constraint: the primary key makes its
// columns NOT NULL, an index is an index, and UNIQUE, FOREIGN KEY and
// CHECK constraints are foreign objects (sessiongen creates none).
func (r *replayer) constraint(t *schema.TableSchema, c *ast.Constraint) error {
	switch c.Tp {
	case ast.ConstraintPrimaryKey:
		for _, k := range c.Keys {
			if k.Column != nil {
				if col := column(t, k.Column.Name.O); col != nil {
					col.Nullable = false
				}
			}
		}
		return nil
	case ast.ConstraintKey, ast.ConstraintIndex, ast.ConstraintFulltext:
		if c.IfNotExists && hasIndex(t, c.Name) {
			return nil
		}
		return r.addIndex(t, c.Name, c.Keys, false)
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		return r.addIndex(t, c.Name, c.Keys, true)
	case ast.ConstraintForeignKey:
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("%s_ibfk_%d", t.Name, countKind(t, "foreign key")+1)
		}
		t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "constraint", Name: name, Columns: keyColumns(c.Keys), File: r.file})
		return nil
	case ast.ConstraintCheck:
		var cols []string
		if c.InColumn {
			cols = []string{c.InColumnName}
		} else {
			cols = exprColumns(t, c.Expr)
		}
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("%s_chk_%d", t.Name, countKind(t, "check")+1)
		}
		t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "constraint", Name: name, Columns: cols, File: r.file})
		return nil
	}
	return nil
}

// countKind counts t's foreign constraints whose generated names mark
// them as kind ("foreign key": <table>_ibfk_<n>, "check": <table>_chk_<n>),
// to name the next one as MySQL does.
func countKind(t *schema.TableSchema, kind string) int {
	prefix := t.Name + "_chk_"
	if kind == "foreign key" {
		prefix = t.Name + "_ibfk_"
	}
	n := 0
	for _, o := range t.Foreign {
		if strings.HasPrefix(o.Name, prefix) {
			n++
		}
	}
	return n
}

// exprColumns are the columns of t an expression names.
func exprColumns(t *schema.TableSchema, e ast.ExprNode) []string {
	v := &columnNames{}
	if e != nil {
		e.Accept(v)
	}
	var out []string
	for _, c := range t.Columns {
		if slices.ContainsFunc(v.names, func(n string) bool { return strings.EqualFold(n, c.Name) }) {
			out = append(out, c.Name)
		}
	}
	return out
}

// columnNames collects the column names an expression mentions.
type columnNames struct{ names []string }

func (v *columnNames) Enter(n ast.Node) (ast.Node, bool) {
	if c, ok := n.(*ast.ColumnNameExpr); ok {
		v.names = append(v.names, c.Name.Name.O)
	}
	return n, false
}

func (v *columnNames) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// keyColumns are the columns of an index's parts ("expr" for an
// expression part).
func keyColumns(keys []*ast.IndexPartSpecification) []string {
	var cols []string
	for _, k := range keys {
		if k.Column == nil {
			cols = append(cols, "expr")
			continue
		}
		cols = append(cols, k.Column.Name.O)
	}
	return cols
}

// hasIndex reports whether t has an index (or a unique constraint) named
// name.
func hasIndex(t *schema.TableSchema, name string) bool {
	return slices.ContainsFunc(t.Indexes, func(x schema.Index) bool { return strings.EqualFold(x.Name, name) }) ||
		slices.ContainsFunc(t.Foreign, func(o schema.ForeignObject) bool {
			return o.Kind == "constraint" && strings.EqualFold(o.Name, name)
		})
}

// addIndex adds an index to t. An unnamed one is named as MySQL names it:
// after its first column, with _2, _3, ... when that name is taken. A
// unique index is a constraint: a foreign object, not an index sessiongen
// may reuse for an indexed field (it would allow one session per value).
func (r *replayer) addIndex(t *schema.TableSchema, name string, keys []*ast.IndexPartSpecification, unique bool) error {
	cols := keyColumns(keys)
	for _, c := range cols {
		if c != "expr" && column(t, c) == nil {
			return fmt.Errorf("index %s: table %s has no column %s", name, t.Name, c)
		}
	}
	if name == "" {
		base := cols[0]
		name = base
		for n := 2; hasIndex(t, name); n++ {
			name = fmt.Sprintf("%s_%d", base, n)
		}
	}
	if hasIndex(t, name) {
		return fmt.Errorf("index %s of table %s already exists", name, t.Name)
	}
	if unique {
		t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "constraint", Name: name, Columns: cols, File: r.file})
		return nil
	}
	t.Indexes = append(t.Indexes, schema.Index{Name: name, Columns: cols, Foreign: !r.generated})
	if !r.generated {
		t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "index", Name: name, Columns: slices.Clone(cols), File: r.file})
	}
	return nil
}

// dropIndex drops the index (or unique constraint) name of t.
func dropIndex(t *schema.TableSchema, name string, ifExists bool) error {
	if !hasIndex(t, name) {
		if ifExists {
			return nil
		}
		return fmt.Errorf("index %s of table %s does not exist", name, t.Name)
	}
	t.Indexes = slices.DeleteFunc(t.Indexes, func(x schema.Index) bool { return strings.EqualFold(x.Name, name) })
	t.Foreign = slices.DeleteFunc(t.Foreign, func(o schema.ForeignObject) bool {
		return (o.Kind == "index" || o.Kind == "constraint") && strings.EqualFold(o.Name, name)
	})
	return nil
}

// forgetGoTypes forgets the Go types recorded for a column of table ("":
// every column).
func (r *replayer) forgetGoTypes(table, col string) {
	for k := range r.goTypes {
		if k[0] == table && (col == "" || strings.EqualFold(k[1], col)) {
			delete(r.goTypes, k)
		}
	}
}

// renameColumn renames a column of t where it is used: indexes, foreign
// objects, recorded Go types.
func (r *replayer) renameColumn(t *schema.TableSchema, from, to string) error {
	c := column(t, from)
	if c == nil {
		return fmt.Errorf("table %s has no column %s", t.Name, from)
	}
	if !strings.EqualFold(from, to) && column(t, to) != nil {
		return fmt.Errorf("column %s of table %s already exists", to, t.Name)
	}
	old := c.Name
	c.Name = to
	rename := func(cols []string) {
		for i, x := range cols {
			if strings.EqualFold(x, old) {
				cols[i] = to
			}
		}
	}
	for _, x := range t.Indexes {
		rename(x.Columns)
	}
	for _, o := range t.Foreign {
		rename(o.Columns)
	}
	if v, ok := r.goTypes[[2]string{t.Name, old}]; ok {
		delete(r.goTypes, [2]string{t.Name, old})
		r.goTypes[[2]string{t.Name, to}] = v
	}
	return nil
}

// dropColumn drops a column of t, and it from the indexes that use it (an
// index left without columns goes), as MySQL does.
func (r *replayer) dropColumn(t *schema.TableSchema, name string, ifExists bool) error {
	i := columnIndex(t, name)
	if i < 0 {
		if ifExists {
			return nil
		}
		return fmt.Errorf("table %s has no column %s", t.Name, name)
	}
	t.Columns = slices.Delete(t.Columns, i, i+1)
	drop := func(cols []string) []string {
		return slices.DeleteFunc(cols, func(c string) bool { return strings.EqualFold(c, name) })
	}
	for j := range t.Indexes {
		t.Indexes[j].Columns = drop(t.Indexes[j].Columns)
	}
	t.Indexes = slices.DeleteFunc(t.Indexes, func(x schema.Index) bool { return len(x.Columns) == 0 })
	for j := range t.Foreign {
		t.Foreign[j].Columns = drop(t.Foreign[j].Columns)
	}
	t.Foreign = slices.DeleteFunc(t.Foreign, func(o schema.ForeignObject) bool {
		return o.Kind == "index" && !slices.ContainsFunc(t.Indexes, func(x schema.Index) bool { return x.Name == o.Name })
	})
	r.forgetGoTypes(t.Name, name)
	return nil
}

// alterTable applies the clauses of an ALTER TABLE in order.
func (r *replayer) alterTable(st *ast.AlterTableStmt) error {
	t, err := r.table(st.Table)
	if err != nil {
		return fmt.Errorf("ALTER TABLE %s: %w", st.Table.Name.O, err)
	}
	for _, s := range st.Specs {
		if err := r.alterSpec(t, s); err != nil {
			return fmt.Errorf("ALTER TABLE %s: %w", st.Table.Name.O, err)
		}
	}
	return nil
}

// alterSpec applies one clause of an ALTER TABLE to t.
func (r *replayer) alterSpec(t *schema.TableSchema, s *ast.AlterTableSpec) error {
	switch s.Tp {
	case ast.AlterTableAddColumns:
		for _, c := range s.NewColumns {
			if s.IfNotExists && column(t, c.Name.Name.O) != nil {
				continue
			}
			if err := r.addColumn(t, c, s.Position); err != nil {
				return err
			}
		}
		for _, c := range s.NewConstraints {
			if err := r.constraint(t, c); err != nil {
				return err
			}
		}
	case ast.AlterTableAddConstraint:
		return r.constraint(t, s.Constraint)
	case ast.AlterTableDropColumn:
		return r.dropColumn(t, s.OldColumnName.Name.O, s.IfExists)
	case ast.AlterTableDropIndex:
		return dropIndex(t, s.Name, s.IfExists)
	case ast.AlterTableDropForeignKey, ast.AlterTableDropCheck:
		t.Foreign = slices.DeleteFunc(t.Foreign, func(o schema.ForeignObject) bool {
			return o.Kind == "constraint" && strings.EqualFold(o.Name, s.Name)
		})
	case ast.AlterTableModifyColumn, ast.AlterTableChangeColumn:
		old := s.NewColumns[0].Name.Name.O
		if s.Tp == ast.AlterTableChangeColumn {
			old = s.OldColumnName.Name.O
		}
		i := columnIndex(t, old)
		if i < 0 {
			if s.IfExists {
				return nil
			}
			return fmt.Errorf("table %s has no column %s", t.Name, old)
		}
		if err := r.renameColumn(t, old, s.NewColumns[0].Name.Name.O); err != nil {
			return err
		}
		c, cons, err := r.columnOf(t, s.NewColumns[0])
		if err != nil {
			return err
		}
		c.Foreign = t.Columns[i].Foreign
		t.Columns = slices.Delete(t.Columns, i, i+1)
		at, err := position(t, s.Position)
		if err != nil {
			return err
		}
		if s.Position == nil || s.Position.Tp == ast.ColumnPositionNone {
			at = i
		}
		t.Columns = slices.Insert(t.Columns, at, c)
		for _, x := range cons {
			if err := r.constraint(t, x); err != nil {
				return err
			}
		}
	case ast.AlterTableRenameColumn:
		return r.renameColumn(t, s.OldColumnName.Name.O, s.NewColumnName.Name.O)
	case ast.AlterTableAlterColumn:
		def := s.NewColumns[0]
		c := column(t, def.Name.Name.O)
		if c == nil {
			return fmt.Errorf("table %s has no column %s", t.Name, def.Name.Name.O)
		}
		switch {
		case len(def.Options) == 0:
			c.Default = "" // DROP DEFAULT
		case def.Options[0].Tp == ast.ColumnOptionDefaultValue:
			d, err := canonicalExpr(def.Options[0].Expr)
			if err != nil {
				return fmt.Errorf("column %s: default: %w", c.Name, err)
			}
			c.Default = d
		}
	case ast.AlterTableRenameIndex:
		i := slices.IndexFunc(t.Indexes, func(x schema.Index) bool { return strings.EqualFold(x.Name, s.FromKey.O) })
		if i < 0 {
			if !hasIndex(t, s.FromKey.O) {
				return fmt.Errorf("index %s of table %s does not exist", s.FromKey.O, t.Name)
			}
		} else {
			t.Indexes[i].Name = s.ToKey.O
		}
		for j, o := range t.Foreign {
			if (o.Kind == "index" || o.Kind == "constraint") && strings.EqualFold(o.Name, s.FromKey.O) {
				t.Foreign[j].Name = s.ToKey.O
			}
		}
	case ast.AlterTableRenameTable:
		return r.renameTable(&ast.TableName{Name: ast.NewCIStr(t.Name)}, s.NewTable)
	}
	return nil // options, ALGORITHM, LOCK and the rest change no column or index
}
