package generator

import (
	"fmt"
	"go/types"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// maxFields is the number of payload fields one dirty bitmask can track.
const maxFields = 64

var columnRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// fieldTag is a parsed `session:"..."` tag.
type fieldTag struct {
	skip   bool
	column string
	index  bool
	was    string
	retype bool
	flash  bool
}

// parseTag parses `session:"column,index,flash,was=old,retype"`. Unlike
// reflect.StructTag.Lookup, which silently ignores a malformed tag and reads
// only the first of two session keys, it refuses both, and refuses an
// option given twice.
func parseTag(tag string) (fieldTag, error) {
	v, ok, err := lookupTag(tag, "session")
	if err != nil || !ok {
		return fieldTag{}, err
	}
	if v == "-" {
		return fieldTag{skip: true}, nil
	}
	parts := strings.Split(v, ",")
	ft := fieldTag{column: strings.TrimSpace(parts[0])}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		key, _, _ := strings.Cut(p, "=")
		if seen[key] {
			return fieldTag{}, fmt.Errorf("tag option %s is given twice in %q; give it once", key, v)
		}
		seen[key] = true
		switch {
		case p == "index":
			ft.index = true
		case p == "retype":
			ft.retype = true
		case p == "flash":
			ft.flash = true
		case strings.HasPrefix(p, "was="):
			ft.was = strings.TrimPrefix(p, "was=")
			if !columnRE.MatchString(ft.was) {
				return fieldTag{}, fmt.Errorf("tag option %q: the old column name must match %s", p, columnRE)
			}
		default:
			return fieldTag{}, fmt.Errorf("unknown tag option %q; known options are index, flash, was=old_column and retype", p)
		}
	}
	return ft, nil
}

// lookupTag returns the value of key in a struct tag, parsing the whole tag
// by the convention reflect.StructTag documents (key:"value" pairs separated
// by spaces). A tag that breaks the convention is an error when it mentions
// key (reflect would silently ignore it, and the field would be stored
// under its default column); so is key given twice.
func lookupTag(tag, key string) (value string, ok bool, err error) {
	malformed := func(why string) (string, bool, error) {
		if !strings.Contains(tag, key) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("struct tag `%s` is malformed (%s), so Go's reflect would ignore it; write it as %s:\"value\" pairs separated by spaces", tag, why, key)
	}
	for rest := tag; ; {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			return value, ok, nil
		}
		i := 0
		for i < len(rest) && rest[i] > ' ' && rest[i] != ':' && rest[i] != '"' && rest[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(rest) || rest[i] != ':' || rest[i+1] != '"' {
			return malformed("want key:\"value\"")
		}
		name := rest[:i]
		rest = rest[i+1:]
		i = 1
		for i < len(rest) && rest[i] != '"' {
			if rest[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(rest) {
			return malformed("unterminated quoted value")
		}
		qvalue := rest[:i+1]
		rest = rest[i+1:]
		if rest != "" && rest[0] != ' ' {
			return malformed("want a space between key:\"value\" pairs")
		}
		if name != key {
			continue
		}
		if ok {
			return "", false, fmt.Errorf("struct tag `%s` has two %s keys, and Go's reflect reads only the first; merge them into one", tag, key)
		}
		v, uerr := strconv.Unquote(qvalue)
		if uerr != nil {
			return malformed("bad quoted value")
		}
		value, ok = v, true
	}
}

// buildModel maps every field of the loaded struct to a column, or returns
// every problem found, each as "file:line: field X: why, and what to do".
func buildModel(l *loaded, table string) (*Model, error) {
	m := &Model{
		PkgName:  l.pkg.Name,
		PkgPath:  l.pkg.PkgPath,
		TypeName: l.named.Obj().Name(),
		Table:    table,
		ModDir:   l.modDir,
	}
	if len(l.pkg.GoFiles) > 0 {
		m.PkgDir = filepath.Dir(l.pkg.GoFiles[0])
	}
	if !columnRE.MatchString(table) || sqlReserved(table) {
		return nil, fmt.Errorf("table name %q must match %s and not be a PostgreSQL reserved word; pass another -table", table, columnRE)
	}
	var problems []string
	methods := map[string]string{} // generated handle method -> field that declares it
	seen := map[string]string{}
	for _, lc := range lifecycleColumns() {
		c := lc.Name
		seen[c] = "the lifecycle column " + c
	}
	for _, c := range reservedParams() {
		seen[c] = "the query parameter " + c
	}
	for i := 0; i < l.strct.NumFields(); i++ {
		v := l.strct.Field(i)
		pos := l.pkg.Fset.Position(v.Pos())
		fail := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("%s:%d: field %s: %s", pos.Filename, pos.Line, v.Name(), fmt.Sprintf(format, args...)))
		}
		tag, err := parseTag(l.strct.Tag(i))
		if err != nil {
			fail("%v", err)
			continue
		}
		if containsLock(v.Type(), map[types.Type]bool{}) {
			fail("type %s contains a lock; the generated code copies the payload, which go vet's copylocks check forbids; keep locks out of the session payload", strings.ReplaceAll(v.Type().String(), l.pkg.PkgPath+".", ""))
			continue
		}
		if tag.skip {
			continue
		}
		if v.Embedded() {
			fail("embedded fields are not supported; give the field a name, or tag it `session:\"-\"`")
			continue
		}
		if !v.Exported() {
			fail("unexported fields are not stored; export it, or tag it `session:\"-\"` to leave it out")
			continue
		}
		mp, err := mapType(v.Type())
		if err != nil {
			// Name the package's own types as its source does.
			fail("%s", strings.ReplaceAll(err.Error(), l.pkg.PkgPath+".", ""))
			continue
		}
		col := tag.column
		if col == "" {
			col = snakeCase(v.Name())
		}
		if !columnRE.MatchString(col) {
			fail("column name %q must be lower case letters, digits and underscores (at most 63), starting with a letter or underscore; rename it with `session:\"name\"`", col)
			continue
		}
		if sqlReserved(col) {
			fail("column name %q is a reserved word in PostgreSQL; rename it with `session:\"name\"`", col)
			continue
		}
		if len(col) > maxColumn {
			fail("column name %q is %d bytes long; at most %d fit, because the generated query parameter set_%s must fit PostgreSQL's 63-byte identifiers; shorten it with `session:\"name\"`", col, len(col), maxColumn, col)
			continue
		}
		if slices.ContainsFunc(accessorNames(v.Name(), false), reservedMethod) {
			if other, taken := seen[col]; taken {
				fail("the generated handle already has a method %s (or its Set/Edit form), and its column name %q is taken by %s; rename the field, and give it another column with `session:\"name\"`", v.Name(), col, other)
			} else {
				fail("the generated handle already has a method %s (or its Set/Edit form); rename the field, and keep the column with `session:\"%s\"`", v.Name(), col)
			}
			continue
		}
		accessors := accessorNames(v.Name(), tag.flash)
		clash := ""
		for _, name := range accessors {
			if other, ok := methods[name]; ok {
				clash = fmt.Sprintf("its accessor %s clashes with an accessor of field %s", name, other)
			}
		}
		if clash != "" {
			fail("%s; rename one of the fields", clash)
			continue
		}
		for _, name := range accessors {
			methods[name] = v.Name()
		}
		if other, dup := seen[col]; dup {
			fail("column %q is already used by %s; rename one of them with `session:\"name\"`", col, other)
			continue
		}
		seen[col] = "field " + v.Name()
		if tag.index && mp.kind == KindJSON {
			fail("a jsonb column cannot carry the index option; index a scalar field instead")
			continue
		}
		if tag.index && sqlcLocal(sqlcArgName(col)) {
			fail("an indexed column named %q becomes the parameter %s of sqlc's ListBy/DeleteBy functions, which clashes with a local name of sqlc's generated code; rename the column with `session:\"name\"`", col, sqlcArgName(col))
			continue
		}
		if tag.retype && mp.kind != KindJSON {
			fail("the retype option applies to jsonb columns only; remove it")
			continue
		}
		if tag.flash && tag.index {
			fail("the flash option cannot be combined with index: a flash value is cleared when it is read, so finding sessions by it (ListBy%s, DestroyBy%s) would miss every session that showed it; drop one of the options", v.Name(), v.Name())
			continue
		}
		ref, err := describeType(v.Type(), l.pkg.PkgPath)
		if err != nil {
			fail("%v", err)
			continue
		}
		f := Field{
			GoName:   v.Name(),
			Column:   col,
			Was:      tag.was,
			Retype:   tag.retype,
			Index:    tag.index,
			Flash:    tag.flash,
			SQLType:  mp.sql,
			Nullable: mp.nullable,
			Kind:     mp.kind,
			Basic:    mp.basic,
			Named:    mp.named,
			Flat:     mp.flat,
			Pos:      pos,

			Type:       ref,
			Shape:      shapeOf(v.Type()),
			Comparable: types.Comparable(v.Type()),
		}
		f.GoType = types.TypeString(v.Type(), types.RelativeTo(l.pkg.Types))
		if !f.Nullable {
			f.Default = zeroDefault(f.SQLType)
		}
		m.Fields = append(m.Fields, f)
	}
	problems = append(problems, goNameClashes(m)...)
	if len(m.Fields) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: %s has no stored fields (fields tagged `session:\"-\"` are not stored), so there is nothing to keep in a session; add an exported field", l.pkg.Fset.Position(l.named.Obj().Pos()), m.TypeName))
	}
	if len(m.Fields) > maxFields {
		problems = append(problems, fmt.Sprintf("%s: %s has %d stored fields; at most %d are supported (group related fields into a struct, stored as one jsonb column)", l.pkg.Fset.Position(l.named.Obj().Pos()), m.TypeName, len(m.Fields), maxFields))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return m, nil
}

// maxColumn is the longest payload column name: the generated queries name
// the parameter set_<column>, and PostgreSQL truncates identifiers to 63
// bytes (sqlc would then name the parameter after the truncated form).
const maxColumn = 63 - len("set_")

// goNameClashes reports payload columns whose Go name in sqlc's code (which
// drops underscores: x1 and x_1 are both X1) is the Go name of another
// column or query parameter: sqlc's structs would declare it twice.
func goNameClashes(m *Model) []string {
	owner := map[string]string{}
	for _, lc := range lifecycleColumns() {
		owner[sqlcName(lc.Name)] = "the lifecycle column " + lc.Name
	}
	for _, c := range reservedParams() {
		owner[sqlcName(c)] = "the query parameter " + c
	}
	var problems []string
	for _, f := range m.Fields {
		for _, name := range []string{f.Column, "set_" + f.Column} {
			g := sqlcName(name)
			if other, dup := owner[g]; dup {
				problems = append(problems, fmt.Sprintf("%s:%d: field %s: column %q becomes the Go name %s in sqlc's code, which drops underscores, and so does %s; rename the column with `session:\"name\"`", f.Pos.Filename, f.Pos.Line, f.GoName, f.Column, g, other))
				break
			}
			if name == f.Column {
				owner[g] = fmt.Sprintf("column %q of field %s", f.Column, f.GoName)
			} else {
				owner[g] = fmt.Sprintf("the change flag set_%s of field %s", f.Column, f.GoName)
			}
		}
	}
	return problems
}

// sqlcArgName is the Go parameter name sqlc gives a query argument named
// after a column (its argName rule).
func sqlcArgName(col string) string {
	var b strings.Builder
	for i, p := range strings.Split(col, "_") {
		switch {
		case i == 0:
			b.WriteString(strings.ToLower(p))
		case p == "id":
			b.WriteString("ID")
		case p != "":
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// sqlcLocal reports whether name is declared by sqlc's pgx/v5 query
// functions besides their parameters (the receiver, locals, imports), so a
// parameter of that name would not compile.
func sqlcLocal(name string) bool {
	switch name {
	case "q", "ctx", "db", "row", "rows", "err", "items", "i", "result", "fmt", "context", "pgconn", "pgx", "pgtype", "time":
		return true
	}
	return false
}

// containsLock reports whether a value of t holds a lock (a type whose
// pointer has Lock and Unlock methods, such as sync.Mutex), as go vet's
// copylocks check sees it.
func containsLock(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if _, ok := t.Underlying().(*types.Interface); ok {
		return false
	}
	ms := types.NewMethodSet(types.NewPointer(t))
	if ms.Lookup(nil, "Lock") != nil && ms.Lookup(nil, "Unlock") != nil {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if containsLock(u.Field(i).Type(), seen) {
				return true
			}
		}
	case *types.Array:
		return containsLock(u.Elem(), seen)
	}
	return false
}

// sqlReservedWords are PostgreSQL's reserved key words, which sessiongen
// does not quote and so refuses as column names.
const sqlReservedWords = `all analyse analyze and any array as asc asymmetric authorization binary both case cast
check collate collation column concurrently constraint create cross current_catalog current_date current_role
current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except
false fetch for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join
lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or order outer
overlaps placing primary references returning right select session_user similar some symmetric system_user table
tablesample then to trailing true union unique user using variadic verbose when where window with`

// sqlReserved reports whether w is a reserved key word.
func sqlReserved(w string) bool { return slices.Contains(strings.Fields(sqlReservedWords), w) }

// snakeCase turns a Go identifier into a column name: UserID → user_id,
// MFAAt → mfa_at, HTTPServer → http_server.
func snakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				(i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sqlcName is the Go name sqlc gives a column or parameter (its StructName
// rule with the default "id" initialism).
func sqlcName(col string) string {
	var b strings.Builder
	for _, p := range strings.Split(col, "_") {
		if p == "" {
			continue
		}
		if p == "id" {
			b.WriteString("ID")
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	out := b.String()
	if out != "" && unicode.IsDigit(rune(out[0])) {
		out = "_" + out
	}
	return out
}
