package generator

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
)

// documentSQLC gives every exported top-level name of sqlc's Go output a
// doc comment, which sqlc writes only for query methods (from the query
// file's comments): the Params and Row structs, the table's model, DBTX,
// Queries, New and WithTx. files maps paths to contents as runSQLC returns
// them; table is the table the queries run on, and rt the engine's
// runtime (which says what DBTX is). Names that have a doc
// comment keep it, so the step is idempotent, and the files stay
// gofmt-formatted under sqlc's "Code generated" header.
func documentSQLC(files map[string][]byte, table string, rt dialect.Runtime) (map[string][]byte, error) {
	fset := token.NewFileSet()
	parsed := map[string]*ast.File{}
	var paths []string
	for p := range files {
		if strings.HasSuffix(p, ".go") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	// The query methods of Queries and their first result type, and the
	// package's type names.
	methods := map[string]string{}
	types := map[string]bool{}
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, files[p], parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parsing sqlc's %s: %w", p, err)
		}
		parsed[p] = f
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
				for _, s := range gd.Specs {
					types[s.(*ast.TypeSpec).Name.Name] = true
				}
			}
			if fd, ok := d.(*ast.FuncDecl); ok && receiverName(fd) == "Queries" {
				result := ""
				if fd.Type.Results != nil && len(fd.Type.Results.List) > 0 {
					result = typeString(fd.Type.Results.List[0].Type)
				}
				methods[fd.Name.Name] = result
			}
		}
	}
	out := make(map[string][]byte, len(files))
	for p, data := range files {
		out[p] = data
	}
	for _, p := range paths {
		f := parsed[p]
		var ins []docInsert
		add := func(pos token.Pos, doc string) {
			ins = append(ins, docInsert{offset: fset.Position(pos).Offset, text: doc})
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Doc != nil || !d.Name.IsExported() {
					continue
				}
				recv := receiverName(d)
				if recv != "" && !ast.IsExported(recv) {
					continue
				}
				add(d.Pos(), funcDoc(d, recv, table))
			case *ast.GenDecl:
				if d.Tok != token.TYPE && d.Lparen.IsValid() {
					// go/doc reads a group's comment, not its specs'.
					if d.Doc == nil && hasExported(d) {
						add(d.Pos(), groupDoc(d))
					}
					continue
				}
				for _, s := range d.Specs {
					for _, name := range specNames(s) {
						if !ast.IsExported(name) || d.Doc != nil || specDoc(s) != nil {
							continue
						}
						pos := s.Pos()
						if !d.Lparen.IsValid() {
							pos = d.Pos()
						}
						add(pos, genDoc(filepath.ToSlash(p), d.Tok, name, s, methods, types, table, rt))
						break
					}
				}
			}
		}
		if len(ins) == 0 {
			continue
		}
		src := files[p]
		sort.Slice(ins, func(i, j int) bool { return ins[i].offset > ins[j].offset })
		for _, in := range ins {
			lineStart := bytes.LastIndexByte(src[:in.offset], '\n') + 1
			indent := src[lineStart:in.offset]
			var comment []byte
			for _, line := range strings.Split(in.text, "\n") {
				comment = append(comment, indent...)
				comment = append(comment, "// "+line+"\n"...)
			}
			src = append(src[:lineStart:lineStart], append(comment, src[lineStart:]...)...)
		}
		formatted, err := format.Source(src)
		if err != nil {
			return nil, fmt.Errorf("documenting sqlc's %s: %w", p, err)
		}
		out[p] = formatted
	}
	return out, nil
}

// docInsert is a doc comment to insert before the line holding offset.
type docInsert struct {
	offset int
	text   string // without comment markers; may hold newlines
}

// receiverName is the base type name of a method's receiver, "" for a
// function.
func receiverName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// typeString spells a type expression of the simple forms sqlc uses:
// Name, *Name, []Name.
func typeString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return "*" + typeString(e.X)
	case *ast.ArrayType:
		if e.Len == nil {
			return "[]" + typeString(e.Elt)
		}
	case *ast.SelectorExpr:
		return typeString(e.X) + "." + e.Sel.Name
	}
	return ""
}

// specNames are the names a spec declares.
func specNames(s ast.Spec) []string {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return []string{s.Name.Name}
	case *ast.ValueSpec:
		var names []string
		for _, n := range s.Names {
			names = append(names, n.Name)
		}
		return names
	}
	return nil
}

// specDoc is a spec's own doc comment inside a parenthesized declaration.
func specDoc(s ast.Spec) *ast.CommentGroup {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return s.Doc
	case *ast.ValueSpec:
		return s.Doc
	}
	return nil
}

// funcDoc documents a function or method sqlc left bare.
func funcDoc(d *ast.FuncDecl, recv, table string) string {
	name := d.Name.Name
	param := func(i int) string {
		if d.Type.Params == nil || i >= len(d.Type.Params.List) || len(d.Type.Params.List[i].Names) == 0 {
			return "its argument"
		}
		return d.Type.Params.List[i].Names[0].Name
	}
	switch {
	case recv == "" && name == "New":
		return fmt.Sprintf("New returns the %s table's queries, run on %s.", table, param(0))
	case recv == "Queries" && name == "WithTx":
		return fmt.Sprintf("WithTx returns a copy of the queries that runs them in the transaction %s.", param(0))
	case recv == "Queries":
		return fmt.Sprintf("%s runs the %s query.", name, name)
	case name == "Scan":
		return "Scan implements database/sql's Scanner."
	case name == "Value":
		return "Value implements database/sql/driver's Valuer."
	case recv != "":
		return fmt.Sprintf("%s is a method of %s, generated by sqlc.", name, recv)
	}
	return fmt.Sprintf("%s is a function generated by sqlc.", name)
}

// genDoc documents a type, constant or variable sqlc left bare.
func genDoc(file string, tok token.Token, name string, s ast.Spec, methods map[string]string, types map[string]bool, table string, rt dialect.Runtime) string {
	if tok != token.TYPE {
		return fmt.Sprintf("%s is a value generated by sqlc.", name)
	}
	if q, ok := strings.CutSuffix(name, "Params"); ok {
		if _, ok := methods[q]; ok {
			return fmt.Sprintf("%s holds the parameters of %s.", name, q)
		}
	}
	if q, ok := strings.CutSuffix(name, "Row"); ok {
		switch methods[q] {
		case name:
			return fmt.Sprintf("%s is the row %s returns.", name, q)
		case "[]" + name:
			return fmt.Sprintf("%s is one of the rows %s returns.", name, q)
		}
	}
	switch name {
	case "DBTX":
		return rt.DBTXDoc
	case "Queries":
		return fmt.Sprintf("Queries runs the %s table's queries; New returns one.", table)
	case "Querier":
		return "Querier is the interface of Queries' query methods."
	}
	if base, ok := strings.CutPrefix(name, "Null"); ok && types[base] {
		return fmt.Sprintf("%s is a %s that may be NULL.", name, base)
	}
	if ts, ok := s.(*ast.TypeSpec); ok {
		// models.go holds the one table of the scratch schema sqlc sees.
		if _, ok := ts.Type.(*ast.StructType); ok && path.Base(file) == "models.go" {
			return fmt.Sprintf("%s is a row of the %s table.", name, table)
		}
	}
	return fmt.Sprintf("%s is a type generated by sqlc.", name)
}

// hasExported reports whether a declaration declares an exported name.
func hasExported(d *ast.GenDecl) bool {
	for _, s := range d.Specs {
		for _, name := range specNames(s) {
			if ast.IsExported(name) {
				return true
			}
		}
	}
	return false
}

// groupDoc documents a parenthesized group of constants or variables: by
// their type when they share one (sqlc's enum values), else generically.
func groupDoc(d *ast.GenDecl) string {
	typ := ""
	for i, s := range d.Specs {
		vs, ok := s.(*ast.ValueSpec)
		if !ok || vs.Type == nil || (i > 0 && typeString(vs.Type) != typ) {
			typ = ""
			break
		}
		typ = typeString(vs.Type)
	}
	kind := "Constants"
	if d.Tok == token.VAR {
		kind = "Variables"
	}
	if typ != "" {
		return fmt.Sprintf("%s of type %s, generated by sqlc.", kind, typ)
	}
	return kind + " generated by sqlc."
}
