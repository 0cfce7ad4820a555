package generator

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// parseGolden parses a golden case's generated Go file and the payload
// struct it was generated from, and returns the generated file and the
// payload's field names.
func parseGolden(t *testing.T, c string) (*ast.File, []string) {
	t.Helper()
	fset := token.NewFileSet()
	gen, err := parser.ParseFile(fset, filepath.Join("testdata", "golden", c, "session_gen.go"), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	src, err := parser.ParseFile(fset, filepath.Join("testdata", "structs", c, "session.go"), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	ast.Inspect(src, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Session" {
			return true
		}
		for _, f := range ts.Type.(*ast.StructType).Fields.List {
			for _, name := range f.Names {
				fields = append(fields, name.Name)
			}
		}
		return false
	})
	if len(fields) == 0 {
		t.Fatalf("%s: no fields in type Session", c)
	}
	return gen, fields
}

// methodsOf lists the exported methods declared on *typ or typ in f.
func methodsOf(f *ast.File, typ string) []string {
	var out []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || !fd.Name.IsExported() {
			continue
		}
		rt := fd.Recv.List[0].Type
		if s, ok := rt.(*ast.StarExpr); ok {
			rt = s.X
		}
		if id, ok := rt.(*ast.Ident); ok && id.Name == typ {
			out = append(out, fd.Name.Name)
		}
	}
	return out
}

func sortedSet(names []string) []string {
	out := slices.Clone(names)
	sort.Strings(out)
	return slices.Compact(out)
}

// TestMethodNamesTiedToOutput checks that the methods the model reserves
// are exactly the ones the generated handle and record declare besides the
// field accessors.
func TestMethodNamesTiedToOutput(t *testing.T) {
	n := newGoNames(&Model{TypeName: "Session"}, nil)
	var handle, record []string
	for _, c := range goldenCasesOrNil() {
		gen, fields := parseGolden(t, c)
		var accessors []string
		for _, f := range fields {
			accessors = append(accessors, accessorNames(f, true)...)
		}
		for _, m := range methodsOf(gen, n.handle) {
			if !slices.Contains(accessors, m) {
				handle = append(handle, m)
			}
		}
		record = append(record, methodsOf(gen, n.record)...)
	}
	if got, want := sortedSet(handle), sortedSet(handleMethods()); !slices.Equal(got, want) {
		t.Errorf("the generated handle declares %v besides the accessors; handleMethods lists %v", got, want)
	}
	if got, want := sortedSet(record), sortedSet(recordMethods()); !slices.Equal(got, want) {
		t.Errorf("the generated record declares %v; recordMethods lists %v", got, want)
	}
}

// declaredLocals lists the identifiers declared inside the functions of f:
// receivers, type parameters, parameters, results and locals.
func declaredLocals(f *ast.File) []string {
	var out []string
	addFields := func(l *ast.FieldList) {
		if l == nil {
			return
		}
		for _, fld := range l.List {
			for _, name := range fld.Names {
				out = append(out, name.Name)
			}
		}
	}
	addExprs := func(xs ...ast.Expr) {
		for _, x := range xs {
			if id, ok := x.(*ast.Ident); ok {
				out = append(out, id.Name)
			}
		}
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		addFields(fd.Recv)
		ast.Inspect(fd, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncType:
				addFields(n.TypeParams)
				addFields(n.Params)
				addFields(n.Results)
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					addExprs(n.Lhs...)
				}
			case *ast.RangeStmt:
				if n.Tok == token.DEFINE {
					addExprs(n.Key, n.Value)
				}
			case *ast.ValueSpec:
				for _, name := range n.Names {
					out = append(out, name.Name)
				}
			}
			return true
		})
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "_" })
}

// TestGeneratedLocalsTiedToOutput checks that every identifier the
// generated functions declare is in generatedLocals, which keeps the sqlc
// package's import name from being shadowed.
func TestGeneratedLocalsTiedToOutput(t *testing.T) {
	var seen []string
	for _, c := range goldenCasesOrNil() {
		gen, _ := parseGolden(t, c)
		seen = append(seen, declaredLocals(gen)...)
	}
	for _, name := range sortedSet(seen) {
		if !slices.Contains(generatedLocals(), name) {
			t.Errorf("the generated code declares %s, which generatedLocals does not list", name)
		}
	}
}

// TestReservedParamsTiedToOutput checks that the query parameters and
// result names the generated queries use besides the columns are exactly
// reservedParams.
func TestReservedParamsTiedToOutput(t *testing.T) {
	argRE := regexp.MustCompile(`sqlc\.n?arg\((\w+)\)|\bAS (\w+)`)
	lifecycle := map[string]bool{}
	for _, c := range lifecycleColumns() {
		lifecycle[c.Name] = true
	}
	var extra []string
	for _, c := range goldenCasesOrNil() {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", c, "queries", "sessions.sql"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range argRE.FindAllStringSubmatch(string(data), -1) {
			names = append(names, m[1]+m[2])
		}
		payload := map[string]bool{}
		for _, name := range names {
			if col, ok := strings.CutPrefix(name, "set_"); ok {
				payload[col] = true
				payload[name] = true
			}
		}
		for _, name := range names {
			if !payload[name] && !lifecycle[name] {
				extra = append(extra, name)
			}
		}
	}
	if got, want := sortedSet(extra), sortedSet(reservedParams()); !slices.Equal(got, want) {
		t.Errorf("the generated queries use %v besides the columns; reservedParams lists %v", got, want)
	}
}
