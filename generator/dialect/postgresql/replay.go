package postgresql

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Canonical defaults. Replay stores every column default in the canonical
// text CanonicalDefault produces, and Plan compares defaults in that form.
// The strings below are fixed points of CanonicalDefault, so a generator that
// emits exactly these compares equal to the replayed table:
//
//	bigint, integer, smallint, double precision, real   0
//	text                                                ''
//	boolean                                             false
//	jsonb                                               'null'::jsonb
//	bytea                                               ''::bytea
//	timestamptz                                         '0001-01-01 00:00:00+00'::timestamptz
//	(created_at, last_seen_at)                          now()
//
// Other spellings of the same expression canonicalize to these too
// ('\x'::bytea and E'\\x'::bytea become ''::bytea, FALSE and 'f'::boolean
// become false, (0) becomes 0, NOW() becomes now(), casts to
// pg_catalog.jsonb or "timestamp with time zone" print as ::jsonb and
// ::timestamptz).

// CanonicalDefault returns the canonical text of the SQL default expression
// expr ("" stays ""). It is what Replay stores in Column.Default.
func (Dialect) CanonicalDefault(expr string) (string, error) { return canonicalDefault(expr) }

func canonicalDefault(expr string) (string, error) {
	if strings.TrimSpace(expr) == "" {
		return "", nil
	}
	tree, err := pgParse("SELECT " + expr)
	if err != nil {
		return "", fmt.Errorf("default %q: %v", expr, err)
	}
	if len(tree.Stmts) != 1 {
		return "", fmt.Errorf("default %q is not a single expression", expr)
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) != 0 || sel.WhereClause != nil || sel.GetTargetList()[0].GetResTarget() == nil {
		return "", fmt.Errorf("default %q is not a single expression", expr)
	}
	return deparseExpr(sel.TargetList[0].GetResTarget().Val)
}

// deparseExpr prints an expression node in canonical form.
func deparseExpr(n *pg.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	n = normalizeExpr(n)
	out, err := pgDeparse(&pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
		TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: n}}}},
	}}}}}})
	if err != nil {
		return "", err
	}
	s, ok := strings.CutPrefix(out, "SELECT ")
	if !ok {
		return "", fmt.Errorf("unexpected deparse output %q", out)
	}
	return strings.TrimSpace(s), nil
}

// castName is how a cast to a canonical type is spelled in the parse tree,
// so that Deparse prints one form for every spelling.
func castName(base string) ([]string, bool) {
	switch base {
	case "bigint":
		return []string{"pg_catalog", "int8"}, true
	case "integer":
		return []string{"pg_catalog", "int4"}, true
	case "smallint":
		return []string{"pg_catalog", "int2"}, true
	case "boolean":
		return []string{"pg_catalog", "bool"}, true
	case "double precision":
		return []string{"pg_catalog", "float8"}, true
	case "real":
		return []string{"pg_catalog", "float4"}, true
	case "text", "bytea", "jsonb", "timestamptz":
		return []string{base}, true
	}
	return nil, false
}

// normalizeExpr rewrites, in a copy of n, every cast type name to one
// spelling and the empty bytea literal '\x' to ”.
func normalizeExpr(n *pg.Node) *pg.Node {
	n = cloneNode(n)
	walkMessages(n.ProtoReflect(), func(m protoreflect.Message) {
		tc, ok := m.Interface().(*pg.TypeCast)
		if !ok || tc.TypeName == nil {
			return
		}
		canon := canonicalType(tc.TypeName)
		if len(tc.TypeName.Typmods) == 0 {
			base := strings.TrimSuffix(canon, strings.Repeat("[]", len(tc.TypeName.ArrayBounds)))
			if names, ok := castName(base); ok {
				tc.TypeName.Names = nil
				for _, s := range names {
					tc.TypeName.Names = append(tc.TypeName.Names, &pg.Node{Node: &pg.Node_String_{String_: &pg.String{Sval: s}}})
				}
			}
		}
		if canon == "bytea" {
			if c := tc.Arg.GetAConst(); c != nil && c.GetSval() != nil && c.GetSval().Sval == `\x` {
				c.GetSval().Sval = ""
			}
		}
	})
	return n
}

func cloneNode(n *pg.Node) *pg.Node { return proto.Clone(n).(*pg.Node) }

// walkMessages calls f for m and every message reachable from it.
func walkMessages(m protoreflect.Message, f func(protoreflect.Message)) {
	f(m)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				walkMessages(l.Get(i).Message(), f)
			}
		case fd.IsMap():
		case fd.Message() != nil:
			walkMessages(v.Message(), f)
		}
		return true
	})
}

// canonicalType returns the canonical name of a parsed type: the names
// model.go uses for the types sessiongen maps to, the lower-cased last name
// for any other type; "[]" per array dimension.
func canonicalType(tn *pg.TypeName) string {
	var names []string
	for _, n := range tn.Names {
		if s := n.GetString_(); s != nil && s.Sval != "pg_catalog" {
			names = append(names, strings.ToLower(s.Sval))
		}
	}
	name := strings.Join(names, ".")
	switch name {
	case "int8", "bigint", "serial8", "bigserial":
		name = "bigint"
	case "int4", "int", "integer", "serial", "serial4":
		name = "integer"
	case "int2", "smallint", "serial2", "smallserial":
		name = "smallint"
	case "bool", "boolean":
		name = "boolean"
	case "float8", "double precision", "float":
		name = "double precision"
	case "float4", "real":
		name = "real"
	case "timestamptz", "timestamp with time zone":
		name = "timestamptz"
	}
	return name + strings.Repeat("[]", len(tn.ArrayBounds))
}

// lineAt returns the 1-based line of the 0-based character offset pos in s.
func lineAt(s string, pos int) int {
	line, n := 1, 0
	for _, r := range s {
		if n >= pos {
			break
		}
		if r == '\n' {
			line++
		}
		n++
	}
	return line
}

// stmtLine returns the line where the statement starting at byte offset loc
// of s really begins, skipping whitespace and comments.
func stmtLine(s string, loc int) int {
	i := loc
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				i = len(s)
			} else {
				i += j
			}
		default:
			return strings.Count(s[:i], "\n") + 1
		}
	}
	return strings.Count(s[:min(loc, len(s))], "\n") + 1
}

// Replay applies the up sections of files in name order and returns every
// table they leave. It needs no database. Every table is tracked (so renames
// into the table's name and index names work).
//
// Objects created by a file that does not start with sessiongen's header
// (schema.GeneratedHeader) are marked foreign: the planner leaves them
// alone.
func (Dialect) Replay(files []schema.MigrationFile) (*dialect.Replayed, error) {
	r := &replayer{tables: map[string]*schema.TableSchema{}, lastGenerated: map[string]string{}}
	files = slices.Clone(files)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for _, f := range files {
		r.file = f.Name
		r.generated = strings.HasPrefix(string(f.Data), schema.GeneratedHeader)
		for _, sec := range dialect.UpSections(string(f.Data)) {
			tree, err := pgParse(sec)
			if err != nil {
				// The up marker's line, unless the parser says where.
				line := strings.Count(sec[:len(sec)-len(strings.TrimLeft(sec, "\n"))], "\n")
				msg := err.Error()
				var pe *pgError
				if errors.As(err, &pe) {
					msg = pe.Message
					if pe.Cursorpos > 0 {
						line = lineAt(sec, pe.Cursorpos-1)
					}
				}
				return nil, fmt.Errorf("%s:%d: %s", f.Name, line, msg)
			}
			for _, raw := range tree.Stmts {
				r.line = stmtLine(sec, int(raw.StmtLocation))
				if err := r.apply(raw.Stmt); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", f.Name, r.line, err)
				}
			}
		}
	}
	return &dialect.Replayed{Tables: r.tables, LastGenerated: r.lastGenerated}, nil
}

type replayer struct {
	tables    map[string]*schema.TableSchema
	file      string
	line      int
	generated bool // the current file starts with GeneratedHeader
	// lastGenerated is, per table, the last generated migration that
	// changed it.
	lastGenerated map[string]string
}

// touched records that the current file changed table t.
func (r *replayer) touched(t *schema.TableSchema) {
	if r.generated && t != nil {
		r.lastGenerated[t.Name] = r.file
	}
}

// foreign records an object the current file created on t, unless the
// file is one of sessiongen's.
func (r *replayer) foreign(t *schema.TableSchema, kind, name string, cols []string) {
	if r.generated {
		return
	}
	t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: kind, Name: name, Columns: cols, File: r.file})
}

// forgetForeign removes the foreign objects of kind named name from t.
func forgetForeign(t *schema.TableSchema, kind, name string) {
	t.Foreign = slices.DeleteFunc(t.Foreign, func(o schema.ForeignObject) bool { return o.Kind == kind && o.Name == name })
}

// columnRefs lists the column names an expression refers to, in order,
// each once.
func columnRefs(n *pg.Node) []string {
	if n == nil {
		return nil
	}
	var out []string
	walkMessages(n.ProtoReflect(), func(m protoreflect.Message) {
		cr, ok := m.Interface().(*pg.ColumnRef)
		if !ok || len(cr.Fields) == 0 {
			return
		}
		if s := cr.Fields[len(cr.Fields)-1].GetString_(); s != nil && !slices.Contains(out, s.Sval) {
			out = append(out, s.Sval)
		}
	})
	return out
}

// constraintColumns lists the columns of table t a constraint uses: its
// keys and the columns its expression names.
func constraintColumns(con *pg.Constraint, col string) []string {
	var cols []string
	if col != "" {
		cols = append(cols, col)
	}
	for _, k := range append(slices.Clone(con.Keys), con.FkAttrs...) {
		if s := k.GetString_(); s != nil && !slices.Contains(cols, s.Sval) {
			cols = append(cols, s.Sval)
		}
	}
	for _, c := range columnRefs(con.RawExpr) {
		if !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	return cols
}

// relName returns the table name of a RangeVar in the default schema, or ""
// for a table in another schema.
func relName(rv *pg.RangeVar) string {
	if rv == nil || (rv.Schemaname != "" && rv.Schemaname != "public") {
		return ""
	}
	return rv.Relname
}

// objectName returns the name of one DROP object in the default schema.
func objectName(n *pg.Node) string {
	var parts []string
	if l := n.GetList(); l != nil {
		for _, it := range l.Items {
			if s := it.GetString_(); s != nil {
				parts = append(parts, s.Sval)
			}
		}
	} else if s := n.GetString_(); s != nil {
		parts = []string{s.Sval}
	}
	switch {
	case len(parts) == 1:
		return parts[0]
	case len(parts) == 2 && parts[0] == "public":
		return parts[1]
	}
	return ""
}

func (r *replayer) indexByName(name string) (*schema.TableSchema, int) {
	for _, t := range r.tables {
		if i := slices.IndexFunc(t.Indexes, func(x schema.Index) bool { return x.Name == name }); i >= 0 {
			return t, i
		}
	}
	return nil, -1
}

func (r *replayer) apply(n *pg.Node) error {
	switch {
	case n.GetCommentStmt() != nil:
		return r.comment(n.GetCommentStmt())
	case n.GetCreateTrigStmt() != nil:
		s := n.GetCreateTrigStmt()
		if t := r.tables[relName(s.Relation)]; t != nil {
			cols := columnRefs(s.WhenClause)
			for _, c := range s.Columns {
				if v := c.GetString_(); v != nil && !slices.Contains(cols, v.Sval) {
					cols = append(cols, v.Sval)
				}
			}
			r.foreign(t, "trigger", s.Trigname, cols)
			if !slices.Contains(t.Triggers, s.Trigname) {
				t.Triggers = append(t.Triggers, s.Trigname)
			}
		}
		return nil
	case n.GetCreateStmt() != nil:
		return r.createTable(n.GetCreateStmt())
	case n.GetAlterTableStmt() != nil:
		return r.alterTable(n.GetAlterTableStmt())
	case n.GetRenameStmt() != nil:
		return r.rename(n.GetRenameStmt())
	case n.GetIndexStmt() != nil:
		return r.createIndex(n.GetIndexStmt())
	case n.GetDropStmt() != nil:
		return r.drop(n.GetDropStmt())
	}
	return nil
}

func (r *replayer) createTable(s *pg.CreateStmt) error {
	name := relName(s.Relation)
	if name == "" || s.Relation.Relpersistence == "t" {
		return nil
	}
	if r.tables[name] != nil {
		if s.IfNotExists {
			return nil
		}
		return fmt.Errorf("table %s already exists", name)
	}
	t := &schema.TableSchema{Name: name}
	setOptions(t, s.Options)
	for _, e := range s.TableElts {
		if cd := e.GetColumnDef(); cd != nil {
			c, err := columnFromDef(cd)
			if err != nil {
				return err
			}
			c.Foreign = !r.generated
			t.Columns = append(t.Columns, c)
			r.columnConstraints(t, cd)
		}
	}
	for _, e := range s.TableElts {
		if con := e.GetConstraint(); con != nil {
			if err := applyTableConstraint(t, con); err != nil {
				return err
			}
			if con.Contype != pg.ConstrType_CONSTR_PRIMARY {
				r.foreign(t, "constraint", con.Conname, constraintColumns(con, ""))
			}
		}
	}
	r.tables[name] = t
	r.touched(t)
	return nil
}

// columnConstraints records the constraints of a column definition that
// are objects of their own (CHECK, UNIQUE, REFERENCES, ...).
func (r *replayer) columnConstraints(t *schema.TableSchema, cd *pg.ColumnDef) {
	for _, cn := range cd.Constraints {
		con := cn.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_CHECK, pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_FOREIGN, pg.ConstrType_CONSTR_EXCLUSION:
			r.foreign(t, "constraint", con.Conname, constraintColumns(con, cd.Colname))
		}
	}
}

// comment applies COMMENT ON COLUMN: a comment sessiongen wrote records the
// Go type of a jsonb column (see GoTypeComment).
func (r *replayer) comment(s *pg.CommentStmt) error {
	if s.Objtype != pg.ObjectType_OBJECT_COLUMN {
		return nil
	}
	l := s.Object.GetList()
	if l == nil {
		return nil
	}
	var parts []string
	for _, it := range l.Items {
		if v := it.GetString_(); v != nil {
			parts = append(parts, v.Sval)
		}
	}
	if len(parts) == 3 && parts[0] == "public" {
		parts = parts[1:]
	}
	if len(parts) != 2 {
		return nil
	}
	t := r.tables[parts[0]]
	if t == nil {
		return fmt.Errorf("table %s does not exist", parts[0])
	}
	i := schema.ColIndex(t, parts[1])
	if i < 0 {
		return fmt.Errorf("column %s of table %s does not exist", parts[1], t.Name)
	}
	goType, ok := strings.CutPrefix(s.Comment, goTypeCommentPrefix)
	if !ok {
		goType = ""
	}
	t.Columns[i].GoType = goType
	r.touched(t)
	return nil
}

// setOptions records the storage parameters of a WITH (...) or SET (...)
// list on t.
func setOptions(t *schema.TableSchema, defs []*pg.Node) {
	for _, n := range defs {
		de := n.GetDefElem()
		if de == nil {
			continue
		}
		v := ""
		switch a := de.Arg; {
		case a.GetInteger() != nil:
			v = strconv.Itoa(int(a.GetInteger().Ival))
		case a.GetFloat() != nil:
			v = a.GetFloat().Fval
		case a.GetString_() != nil:
			v = a.GetString_().Sval
		case a.GetBoolean() != nil:
			v = strconv.FormatBool(a.GetBoolean().Boolval)
		}
		if i := slices.IndexFunc(t.Options, func(o schema.Option) bool { return o.Name == de.Defname }); i >= 0 {
			t.Options[i].Value = v
		} else {
			t.Options = append(t.Options, schema.Option{Name: de.Defname, Value: v})
		}
	}
}

// applyTableConstraint applies a table-level PRIMARY KEY (its columns become
// NOT NULL); other table constraints do not change the schema we track.
func applyTableConstraint(t *schema.TableSchema, con *pg.Constraint) error {
	if con.Contype != pg.ConstrType_CONSTR_PRIMARY {
		return nil
	}
	for _, k := range con.Keys {
		col := k.GetString_().GetSval()
		i := schema.ColIndex(t, col)
		if i < 0 {
			return fmt.Errorf("column %s of table %s does not exist", col, t.Name)
		}
		t.Columns[i].Nullable = false
	}
	return nil
}

func columnFromDef(cd *pg.ColumnDef) (schema.Column, error) {
	c := schema.Column{Name: cd.Colname, Type: canonicalType(cd.TypeName), Nullable: !cd.IsNotNull}
	if cd.RawDefault != nil {
		d, err := deparseExpr(cd.RawDefault)
		if err != nil {
			return c, err
		}
		c.Default = d
	}
	for _, cn := range cd.Constraints {
		con := cn.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_PRIMARY:
			c.Nullable = false
		case pg.ConstrType_CONSTR_NULL:
			c.Nullable = true
		case pg.ConstrType_CONSTR_DEFAULT:
			d, err := deparseExpr(con.RawExpr)
			if err != nil {
				return c, err
			}
			c.Default = d
		}
	}
	return c, nil
}

func (r *replayer) alterTable(s *pg.AlterTableStmt) error {
	if s.Objtype != pg.ObjectType_OBJECT_TABLE {
		return nil
	}
	name := relName(s.Relation)
	t := r.tables[name]
	if t == nil {
		if name == "" || s.MissingOk {
			return nil
		}
		return fmt.Errorf("table %s does not exist", name)
	}
	r.touched(t)
	for _, cn := range s.Cmds {
		cmd := cn.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		missing := func() error {
			if cmd.MissingOk {
				return nil
			}
			return fmt.Errorf("column %s of table %s does not exist", cmd.Name, t.Name)
		}
		switch cmd.Subtype {
		case pg.AlterTableType_AT_SetRelOptions:
			if l := cmd.Def.GetList(); l != nil {
				setOptions(t, l.Items)
			}
		case pg.AlterTableType_AT_ResetRelOptions:
			if l := cmd.Def.GetList(); l != nil {
				for _, it := range l.Items {
					if de := it.GetDefElem(); de != nil {
						t.Options = slices.DeleteFunc(t.Options, func(o schema.Option) bool { return o.Name == de.Defname })
					}
				}
			}
		case pg.AlterTableType_AT_AddColumn:
			cd := cmd.Def.GetColumnDef()
			if cd == nil {
				continue
			}
			if schema.ColIndex(t, cd.Colname) >= 0 {
				if cmd.MissingOk { // ADD COLUMN IF NOT EXISTS
					continue
				}
				return fmt.Errorf("column %s of table %s already exists", cd.Colname, t.Name)
			}
			c, err := columnFromDef(cd)
			if err != nil {
				return err
			}
			c.Foreign = !r.generated
			t.Columns = append(t.Columns, c)
			r.columnConstraints(t, cd)
		case pg.AlterTableType_AT_DropColumn:
			i := schema.ColIndex(t, cmd.Name)
			if i < 0 {
				if err := missing(); err != nil {
					return err
				}
				continue
			}
			t.Columns = slices.Delete(t.Columns, i, i+1)
			// PostgreSQL drops the indexes and constraints that use the
			// column.
			t.Indexes = slices.DeleteFunc(t.Indexes, func(x schema.Index) bool {
				return slices.Contains(x.Columns, cmd.Name) || slices.ContainsFunc(t.Foreign, func(o schema.ForeignObject) bool {
					return o.Kind == "index" && o.Name == x.Name && slices.Contains(o.Columns, cmd.Name)
				})
			})
			t.Foreign = slices.DeleteFunc(t.Foreign, func(o schema.ForeignObject) bool { return slices.Contains(o.Columns, cmd.Name) })
		case pg.AlterTableType_AT_AlterColumnType, pg.AlterTableType_AT_ColumnDefault,
			pg.AlterTableType_AT_DropNotNull, pg.AlterTableType_AT_SetNotNull:
			i := schema.ColIndex(t, cmd.Name)
			if i < 0 {
				cmd.MissingOk = false
				return missing()
			}
			c := &t.Columns[i]
			switch cmd.Subtype {
			case pg.AlterTableType_AT_AlterColumnType:
				if cd := cmd.Def.GetColumnDef(); cd != nil && cd.TypeName != nil {
					c.Type = canonicalType(cd.TypeName)
				}
			case pg.AlterTableType_AT_ColumnDefault:
				d, err := deparseExpr(cmd.Def) // nil Def: DROP DEFAULT
				if err != nil {
					return err
				}
				c.Default = d
			case pg.AlterTableType_AT_DropNotNull:
				c.Nullable = true
			case pg.AlterTableType_AT_SetNotNull:
				c.Nullable = false
			}
		case pg.AlterTableType_AT_AddConstraint:
			if con := cmd.Def.GetConstraint(); con != nil {
				if err := applyTableConstraint(t, con); err != nil {
					return err
				}
				if con.Contype != pg.ConstrType_CONSTR_PRIMARY {
					r.foreign(t, "constraint", con.Conname, constraintColumns(con, ""))
				}
			}
		case pg.AlterTableType_AT_DropConstraint:
			forgetForeign(t, "constraint", cmd.Name)
		}
	}
	return nil
}

func (r *replayer) rename(s *pg.RenameStmt) error {
	switch s.RenameType {
	case pg.ObjectType_OBJECT_TABLE:
		name := relName(s.Relation)
		t := r.tables[name]
		if t == nil {
			if name == "" || s.MissingOk {
				return nil
			}
			return fmt.Errorf("table %s does not exist", name)
		}
		if r.tables[s.Newname] != nil {
			return fmt.Errorf("table %s already exists", s.Newname)
		}
		delete(r.tables, name)
		t.Name = s.Newname
		r.tables[s.Newname] = t
		delete(r.lastGenerated, name)
		r.touched(t)
	case pg.ObjectType_OBJECT_COLUMN:
		if s.RelationType != pg.ObjectType_OBJECT_TABLE {
			return nil
		}
		name := relName(s.Relation)
		t := r.tables[name]
		if t == nil {
			if name == "" || s.MissingOk {
				return nil
			}
			return fmt.Errorf("table %s does not exist", name)
		}
		i := schema.ColIndex(t, s.Subname)
		if i < 0 {
			return fmt.Errorf("column %s of table %s does not exist", s.Subname, name)
		}
		if schema.ColIndex(t, s.Newname) >= 0 {
			return fmt.Errorf("column %s of table %s already exists", s.Newname, name)
		}
		t.Columns[i].Name = s.Newname
		// PostgreSQL indexes refer to columns by number: they follow the rename.
		for j := range t.Indexes {
			for k, c := range t.Indexes[j].Columns {
				if c == s.Subname {
					t.Indexes[j].Columns[k] = s.Newname
				}
			}
		}
		for j := range t.Foreign {
			for k, c := range t.Foreign[j].Columns {
				if c == s.Subname {
					t.Foreign[j].Columns[k] = s.Newname
				}
			}
		}
		r.touched(t)
	case pg.ObjectType_OBJECT_INDEX:
		name := relName(s.Relation)
		t, i := r.indexByName(name)
		if t == nil {
			return nil // an index we do not track (e.g. of a table in another schema)
		}
		for j := range t.Foreign {
			if t.Foreign[j].Kind == "index" && t.Foreign[j].Name == t.Indexes[i].Name {
				t.Foreign[j].Name = s.Newname
			}
		}
		t.Indexes[i].Name = s.Newname
		r.touched(t)
	}
	return nil
}

func (r *replayer) createIndex(s *pg.IndexStmt) error {
	name := relName(s.Relation)
	t := r.tables[name]
	if t == nil {
		return nil
	}
	var cols, refs []string
	for _, p := range s.IndexParams {
		el := p.GetIndexElem()
		if el == nil {
			continue
		}
		if el.Name != "" {
			if schema.ColIndex(t, el.Name) < 0 {
				return fmt.Errorf("column %s of table %s does not exist", el.Name, name)
			}
			cols = append(cols, el.Name)
			refs = append(refs, el.Name)
		} else {
			cols = append(cols, "expr")
			refs = append(refs, columnRefs(el.Expr)...)
		}
	}
	refs = append(refs, columnRefs(s.WhereClause)...)
	for _, p := range s.IndexIncludingParams {
		if el := p.GetIndexElem(); el != nil && el.Name != "" {
			refs = append(refs, el.Name)
		}
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	idx := s.Idxname
	if idx == "" {
		// PostgreSQL's ChooseIndexName.
		suffix := "idx"
		if s.Unique {
			suffix = "key"
		}
		base := name + "_" + strings.Join(cols, "_") + "_" + suffix
		idx = base
		for n := 1; ; n++ {
			if t2, _ := r.indexByName(idx); t2 == nil {
				break
			}
			idx = fmt.Sprintf("%s%d", base, n)
		}
	}
	if t2, _ := r.indexByName(idx); t2 != nil {
		if s.IfNotExists {
			return nil
		}
		return fmt.Errorf("index %s already exists", idx)
	}
	where, err := deparseExpr(s.WhereClause)
	if err != nil {
		return fmt.Errorf("index %s: predicate: %w", idx, err)
	}
	// sessiongen never writes an expression index: one is the user's even
	// in a file with sessiongen's header (its column list cannot be
	// printed back as SQL).
	foreign := !r.generated || slices.Contains(cols, "expr")
	t.Indexes = append(t.Indexes, schema.Index{Name: idx, Columns: cols, Where: where, Foreign: foreign})
	if foreign {
		t.Foreign = append(t.Foreign, schema.ForeignObject{Kind: "index", Name: idx, Columns: refs, File: r.file})
	}
	r.touched(t)
	return nil
}

func (r *replayer) drop(s *pg.DropStmt) error {
	switch s.RemoveType {
	case pg.ObjectType_OBJECT_TABLE:
		for _, o := range s.Objects {
			name := objectName(o)
			if name == "" {
				continue
			}
			if r.tables[name] == nil {
				if s.MissingOk {
					continue
				}
				return fmt.Errorf("table %s does not exist", name)
			}
			delete(r.tables, name)
		}
	case pg.ObjectType_OBJECT_TRIGGER:
		for _, o := range s.Objects {
			// DROP TRIGGER name ON table: the object is the list [table, name].
			l := o.GetList()
			if l == nil || len(l.Items) < 2 {
				continue
			}
			tbl := l.Items[len(l.Items)-2].GetString_().GetSval()
			trg := l.Items[len(l.Items)-1].GetString_().GetSval()
			if t := r.tables[tbl]; t != nil {
				forgetForeign(t, "trigger", trg)
				t.Triggers = slices.DeleteFunc(t.Triggers, func(x string) bool { return x == trg })
			}
		}
	case pg.ObjectType_OBJECT_INDEX:
		for _, o := range s.Objects {
			name := objectName(o)
			if t, i := r.indexByName(name); t != nil {
				t.Indexes = slices.Delete(t.Indexes, i, i+1)
				forgetForeign(t, "index", name)
				r.touched(t)
			}
			// An index we do not know belongs to a table we do not track.
		}
	}
	return nil
}
