package generator

import (
	"errors"
	"fmt"
	"go/types"
	"path/filepath"
	"regexp"
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
// Errors in the package are reported, except those inside the files this
// generator writes itself (genFile): those are stale by definition and are
// about to be replaced.
func load(dir, typeName, genFile string) (*loaded, error) {
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
	var errs []error
	for _, e := range pkg.Errors {
		if genFile != "" && onlyIn(e, genFile) {
			continue
		}
		errs = append(errs, errors.New(e.Error()))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("package %s has errors:\n%w", pkg.PkgPath, errors.Join(errs...))
	}
	if pkg.Types == nil {
		return nil, fmt.Errorf("package in %s: no type information", dir)
	}
	obj := pkg.Types.Scope().Lookup(typeName)
	if obj == nil {
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

// onlyIn reports whether every source position an error mentions is in the
// file named base. go list reports compile errors of the package as one
// error whose message lists "file:line:col: msg" lines.
func onlyIn(e packages.Error, base string) bool {
	var files []string
	if e.Pos != "" && e.Pos != "-" {
		files = append(files, e.Pos)
	}
	for _, line := range strings.Split(e.Msg, "\n") {
		line = strings.TrimSpace(line)
		if m := posRE.FindStringSubmatch(line); m != nil {
			files = append(files, m[1])
		}
	}
	if len(files) == 0 {
		return false
	}
	for _, f := range files {
		if i := strings.Index(f, ":"); i >= 0 {
			f = f[:i]
		}
		if filepath.Base(f) != base {
			return false
		}
	}
	return true
}

// posRE matches a compiler error line "file.go:12:3: message".
var posRE = regexp.MustCompile(`^([^\s:]+\.go):\d+(?::\d+)?: `)
