package generator

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// loaded is the result of the load stage: the payload struct with its
// package, before any mapping decision.
type loaded struct {
	pkg     *packages.Package
	named   *types.Named
	strct   *types.Struct
	modDir  string
	modPath string
}

// load type-checks the package in dir and finds the struct type typeName.
// Like stringer, it tolerates errors elsewhere in the package: code that
// calls generated methods which do not exist yet (a field added and used
// before generating), or a generated file that is stale or missing, must
// not stop the generation that fixes it. Only errors inside the payload
// type's declaration, or the declarations of the package's own types its
// fields use, are reported, each once.
func load(dir, typeName string) (*loaded, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
			packages.NeedTypes | packages.NeedTypesInfo | packages.NeedModule,
		Dir:   dir,
		Tests: false,
	}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return nil, fmt.Errorf("loading package in %s: %w", dir, err)
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("loading package in %s: found %d packages, want 1", dir, len(pkgs))
	}
	pkg := pkgs[0]
	fail := func(errs []packages.Error) error {
		return fmt.Errorf("package %s has errors:\n%w", pkg.PkgPath, joinErrors(errs))
	}
	if pkg.Types == nil || pkg.Fset == nil {
		if len(pkg.Errors) > 0 {
			return nil, fail(pkg.Errors)
		}
		return nil, fmt.Errorf("package in %s: no type information", dir)
	}
	obj := pkg.Types.Scope().Lookup(typeName)
	if obj == nil {
		if len(pkg.Errors) > 0 {
			// The declaration may be in a file that does not parse.
			return nil, fmt.Errorf("package %s: type %s not found (check -type); the package has errors:\n%w", pkg.PkgPath, typeName, joinErrors(pkg.Errors))
		}
		return nil, fmt.Errorf("package %s: type %s not found (check -type)", pkg.PkgPath, typeName)
	}
	tn, ok := obj.(*types.TypeName)
	if !ok {
		return nil, fmt.Errorf("%s: %s is not a type", pkg.Fset.Position(obj.Pos()), typeName)
	}
	named, ok := tn.Type().(*types.Named)
	if !ok || tn.IsAlias() {
		return nil, fmt.Errorf("%s: %s must be a defined struct type, not an alias", pkg.Fset.Position(obj.Pos()), typeName)
	}
	if len(pkg.Errors) > 0 {
		if errs := payloadErrors(pkg, named); len(errs) > 0 {
			return nil, fail(errs)
		}
	}
	if named.TypeParams().Len() > 0 {
		return nil, fmt.Errorf("%s: %s must not be generic", pkg.Fset.Position(obj.Pos()), typeName)
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return nil, fmt.Errorf("%s: %s is a %s, want a struct type", pkg.Fset.Position(obj.Pos()), typeName, named.Underlying())
	}
	l := &loaded{pkg: pkg, named: named, strct: st}
	if pkg.Module != nil {
		l.modDir = pkg.Module.Dir
		l.modPath = pkg.Module.Path
	}
	return l, nil
}

// joinErrors joins package errors, each message once: go list and the type
// checker often report the same error.
func joinErrors(errs []packages.Error) error {
	var out []error
	seen := map[string]bool{}
	for _, e := range errs {
		for _, line := range strings.Split(e.Error(), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "# ") {
				continue // go list's "# package" heading
			}
			key := strings.TrimPrefix(line, "./")
			if m := posRE.FindStringSubmatch(line); m != nil {
				// The same error as "/abs/file.go:3:2: msg" and "./file.go:3:2: msg".
				key = filepath.Base(m[1]) + line[len(m[1]):]
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, errors.New(line))
		}
	}
	return errors.Join(out...)
}

// srcRange is a span of lines in one file, by base name.
type srcRange struct {
	file       string
	start, end int
}

// payloadErrors returns the errors of pkg that concern the payload type:
// those inside its declaration or the declarations of the package's own
// types its fields use (directly or inside other types), and every error
// when a field's type did not type-check at all.
func payloadErrors(pkg *packages.Package, named *types.Named) []packages.Error {
	ranges := []srcRange{}
	invalid := false
	seen := map[*types.TypeName]bool{}
	var visit func(t types.Type)
	visit = func(t types.Type) {
		switch t := t.(type) {
		case *types.Basic:
			if t.Kind() == types.Invalid {
				invalid = true
			}
		case *types.Named:
			o := t.Obj()
			if seen[o] || o.Pkg() != pkg.Types {
				return
			}
			seen[o] = true
			if r, ok := declRange(pkg, o); ok {
				ranges = append(ranges, r)
			}
			visit(t.Underlying())
		case *types.Alias:
			visit(types.Unalias(t))
		case *types.Pointer:
			visit(t.Elem())
		case *types.Slice:
			visit(t.Elem())
		case *types.Array:
			visit(t.Elem())
		case *types.Map:
			visit(t.Key())
			visit(t.Elem())
		case *types.Chan:
			visit(t.Elem())
		case *types.Struct:
			for i := 0; i < t.NumFields(); i++ {
				visit(t.Field(i).Type())
			}
		}
	}
	visit(named)
	if invalid {
		return pkg.Errors
	}
	var out []packages.Error
	for _, e := range pkg.Errors {
		if errorIn(e, ranges) {
			out = append(out, e)
		}
	}
	return out
}

// declRange is the span of the type declaration of o.
func declRange(pkg *packages.Package, o *types.TypeName) (srcRange, bool) {
	for _, f := range pkg.Syntax {
		if f.Pos() > o.Pos() || o.Pos() > f.End() {
			continue
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				if ts.Name.Pos() == o.Pos() {
					start, end := pkg.Fset.Position(ts.Pos()), pkg.Fset.Position(ts.End())
					if len(gd.Specs) == 1 {
						start = pkg.Fset.Position(gd.Pos())
					}
					return srcRange{file: filepath.Base(start.Filename), start: start.Line, end: end.Line}, true
				}
			}
		}
	}
	return srcRange{}, false
}

// errorIn reports whether a source position the error mentions falls in one
// of ranges. go list reports compile errors of the package as one error
// whose message lists "file:line:col: msg" lines.
func errorIn(e packages.Error, ranges []srcRange) bool {
	var positions []string
	if e.Pos != "" && e.Pos != "-" {
		positions = append(positions, e.Pos)
	}
	for _, line := range strings.Split(e.Msg, "\n") {
		if m := linePosRE.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			positions = append(positions, m[1]+":"+m[2])
		}
	}
	for _, p := range positions {
		m := linePosRE.FindStringSubmatch(p + ": ")
		if m == nil {
			continue
		}
		line, err := strconv.Atoi(m[2])
		if err != nil {
			continue
		}
		for _, r := range ranges {
			if filepath.Base(m[1]) == r.file && line >= r.start && line <= r.end {
				return true
			}
		}
	}
	return false
}

// posRE matches a compiler error line "file.go:12:3: message".
var posRE = regexp.MustCompile(`^([^\s:]+\.go):\d+(?::\d+)?: `)

// linePosRE captures the file and line of "file.go:12:3: message".
var linePosRE = regexp.MustCompile(`^([^\s:]+\.go):(\d+)(?::\d+)?: `)
