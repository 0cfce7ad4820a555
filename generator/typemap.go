package generator

import (
	"fmt"
	"go/types"
	"reflect"
	"strings"
)

// zeroDefault is the SQL default of a NOT NULL column of each type: the Go
// zero value, so that an added column never breaks existing rows. The
// strings are the canonical forms Replay produces from committed migrations.
func zeroDefault(sqlType string) string {
	switch sqlType {
	case "bigint", "integer", "smallint", "double precision", "real":
		return "0"
	case "text":
		return "''"
	case "boolean":
		return "false"
	case "timestamptz":
		return "'0001-01-01 00:00:00+00'::timestamptz"
	case "bytea":
		return "''::bytea"
	case "jsonb":
		return "'null'::jsonb"
	}
	return ""
}

// basicSQL maps a basic Go type sessiongen supports to its column type and
// the Go type sqlc uses for that column.
func basicSQL(k types.BasicKind) (sql, goType string, ok bool) {
	switch k {
	case types.String:
		return "text", "string", true
	case types.Bool:
		return "boolean", "bool", true
	case types.Int, types.Int64:
		return "bigint", "int64", true
	case types.Int32:
		return "integer", "int32", true
	case types.Int16, types.Int8, types.Uint8:
		return "smallint", "int16", true
	case types.Uint16:
		return "integer", "int32", true
	case types.Uint32:
		return "bigint", "int64", true
	case types.Float64:
		return "double precision", "float64", true
	case types.Float32:
		return "real", "float32", true
	}
	return "", "", false
}

// mapping is the outcome of mapping one Go type to a column.
type mapping struct {
	sql      string
	kind     GoKind
	basic    string
	named    bool
	nullable bool
	flat     bool
}

// mapType decides the column for a field type, or explains why it cannot.
// The error text completes "field X: ".
func mapType(t types.Type) (mapping, error) {
	if p, ok := t.(*types.Pointer); ok {
		if _, ok := p.Elem().(*types.Pointer); ok {
			return mapping{}, fmt.Errorf("type %s is a pointer to a pointer; use a single pointer for a nullable column", t)
		}
		m, err := mapType(p.Elem())
		if err != nil {
			return mapping{}, err
		}
		m.nullable = true
		return m, nil
	}
	if isNamed(t, "time", "Time") {
		return mapping{sql: "timestamptz", kind: KindTime, flat: true}, nil
	}
	if isNamed(t, "time", "Duration") {
		return mapping{sql: "bigint", kind: KindDuration, basic: "int64", flat: true}, nil
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		sqlType, goType, ok := basicSQL(u.Kind())
		if !ok {
			return mapping{}, fmt.Errorf("type %s has no lossless column type; use string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, float32 or float64 (PostgreSQL has no unsigned 64-bit integer for uint, uint64 and uintptr; complex numbers and untyped values are not supported either)", t)
		}
		_, isNamedType := t.(*types.Named)
		// A conversion is needed when the sqlc type differs from the field's.
		return mapping{sql: sqlType, kind: KindScalar, basic: goType, named: isNamedType || u.Name() != goType, flat: true}, nil
	case *types.Slice:
		if b, ok := u.Elem().Underlying().(*types.Basic); ok && b.Kind() == types.Byte && !isNamedType(u.Elem()) {
			_, isNamed := t.(*types.Named)
			return mapping{sql: "bytea", kind: KindBytes, basic: "[]byte", named: isNamed, flat: true}, nil
		}
		return jsonMapping(t)
	case *types.Array, *types.Map, *types.Struct:
		if _, anon := t.(*types.Struct); anon {
			return mapping{}, fmt.Errorf("type %s is an anonymous struct, which the generated accessors cannot name; declare a named struct type for it", t)
		}
		return jsonMapping(t)
	case *types.Chan:
		return mapping{}, fmt.Errorf("type %s is a channel, which cannot be stored; keep it out of the session and tag the field `session:\"-\"`", t)
	case *types.Signature:
		return mapping{}, fmt.Errorf("type %s is a function, which cannot be stored; keep it out of the session and tag the field `session:\"-\"`", t)
	case *types.Interface:
		return mapping{}, fmt.Errorf("type %s is an interface, whose dynamic type cannot be restored from the database; use a concrete type, or tag the field `session:\"-\"`", t)
	}
	return mapping{}, fmt.Errorf("type %s is not supported; tag the field `session:\"-\"` to leave it out", t)
}

// jsonMapping maps a composite type to jsonb after checking that
// encoding/json round-trips it.
func jsonMapping(t types.Type) (mapping, error) {
	if err := jsonSafe(t, map[types.Type]bool{}); err != nil {
		return mapping{}, fmt.Errorf("type %s is stored as jsonb, but %w", t, err)
	}
	return mapping{sql: "jsonb", kind: KindJSON, flat: flatType(t, map[types.Type]bool{})}, nil
}

// jsonSafe reports why encoding/json would not round-trip t, or nil.
func jsonSafe(t types.Type, seen map[types.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	if isNamed(t, "time", "Time") || isNamed(t, "time", "Duration") || jsonCodec(t) {
		return nil
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if u.Info()&types.IsComplex != 0 || u.Kind() == types.UnsafePointer || u.Kind() == types.Uintptr {
			return fmt.Errorf("it contains %s, which encoding/json cannot store", t)
		}
		return nil
	case *types.Pointer:
		return jsonSafe(u.Elem(), seen)
	case *types.Slice:
		return jsonSafe(u.Elem(), seen)
	case *types.Array:
		return jsonSafe(u.Elem(), seen)
	case *types.Map:
		k, basic := u.Key().Underlying().(*types.Basic)
		textKey := hasMethod(u.Key(), "MarshalText") && hasMethod(types.NewPointer(u.Key()), "UnmarshalText")
		if !textKey && (!basic || k.Info()&(types.IsString|types.IsInteger) == 0) {
			return fmt.Errorf("its map key type %s is not a string, an integer or a type with MarshalText and UnmarshalText methods", u.Key())
		}
		return jsonSafe(u.Elem(), seen)
	case *types.Struct:
		stored, err := jsonStructFields(t, u, seen)
		if err != nil {
			return err
		}
		if stored == 0 && u.NumFields() > 0 && jsonUnexportedOnly(u) {
			return fmt.Errorf("%s has only unexported fields, which encoding/json drops (every value would read back as zero); export them or give the type MarshalJSON and UnmarshalJSON methods", t)
		}
		return nil
	case *types.Chan, *types.Signature:
		return fmt.Errorf("it contains %s, which encoding/json cannot store", t)
	case *types.Interface:
		return fmt.Errorf("it contains the interface %s, which encoding/json cannot decode back to its dynamic type", t)
	}
	return fmt.Errorf("it contains %s, which encoding/json cannot store", t)
}

// jsonStructFields checks the fields encoding/json stores of struct t (u
// its underlying struct) and returns how many there are: fields tagged
// `json:"-"` are left out, the exported fields of embedded structs are
// promoted, and an unexported field is an error unless it is tagged
// `json:"-"` (encoding/json would drop it silently).
func jsonStructFields(t types.Type, u *types.Struct, seen map[types.Type]bool) (int, error) {
	stored := 0
	unexported := 0
	for i := 0; i < u.NumFields(); i++ {
		f := u.Field(i)
		if name, _, _ := strings.Cut(reflect.StructTag(u.Tag(i)).Get("json"), ","); name == "-" && !strings.HasPrefix(reflect.StructTag(u.Tag(i)).Get("json"), "-,") {
			continue
		}
		if f.Embedded() {
			et := f.Type()
			if p, ok := et.(*types.Pointer); ok {
				et = p.Elem()
			}
			if es, ok := et.Underlying().(*types.Struct); ok && !jsonCodec(et) {
				if !f.Exported() {
					if _, ptr := f.Type().(*types.Pointer); ptr {
						return 0, fmt.Errorf("%s embeds *%s, a pointer to an unexported struct, which encoding/json cannot decode into; embed the struct itself or tag it `json:\"-\"`", t, f.Name())
					}
				}
				if seen[et] {
					continue
				}
				seen[et] = true
				n, err := jsonStructFields(et, es, seen)
				if err != nil {
					return 0, err
				}
				stored += n
				continue
			}
		}
		if !f.Exported() {
			unexported++
			if jsonUnexportedOnly(u) {
				continue // reported by the caller as a whole
			}
			return 0, fmt.Errorf("its field %s.%s is unexported, which encoding/json drops (it would read back as zero); export it, tag it `json:\"-\"` to leave it out knowingly, or give %s MarshalJSON and UnmarshalJSON methods", typeName(t), f.Name(), typeName(t))
		}
		stored++
		if err := jsonSafe(f.Type(), seen); err != nil {
			return 0, err
		}
	}
	return stored, nil
}

// jsonUnexportedOnly reports whether every field of u is unexported and
// untagged: a type like time.Time's own, the case the "only unexported
// fields" error names.
func jsonUnexportedOnly(u *types.Struct) bool {
	for i := 0; i < u.NumFields(); i++ {
		if u.Field(i).Exported() || u.Field(i).Embedded() || reflect.StructTag(u.Tag(i)).Get("json") != "" {
			return false
		}
	}
	return u.NumFields() > 0
}

// typeName is t's name without its package path.
func typeName(t types.Type) string {
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return t.String()
}

// hasMethod reports whether t's method set has name.
func hasMethod(t types.Type, name string) bool {
	return types.NewMethodSet(t).Lookup(nil, name) != nil
}

// jsonCodec reports whether t encodes itself: MarshalJSON on T or *T and
// UnmarshalJSON on *T (or the encoding.Text equivalents).
func jsonCodec(t types.Type) bool {
	has := func(name string) bool {
		for _, typ := range []types.Type{t, types.NewPointer(t)} {
			if sel := types.NewMethodSet(typ).Lookup(nil, name); sel != nil {
				return true
			}
		}
		return false
	}
	if _, ok := t.(*types.Named); !ok {
		return false
	}
	return (has("MarshalJSON") && has("UnmarshalJSON")) || (has("MarshalText") && has("UnmarshalText"))
}

// flatType reports whether copying a value of t with slices.Clone or
// maps.Clone copies it completely: no pointers, slices, maps or interfaces
// inside its elements.
func flatType(t types.Type, seen map[types.Type]bool) bool {
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return flatElem(u.Elem(), seen)
	case *types.Map:
		return flatElem(u.Elem(), seen)
	default:
		return flatElem(t, seen)
	}
}

func flatElem(t types.Type, seen map[types.Type]bool) bool {
	if isNamed(t, "time", "Time") {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return true
	case *types.Array:
		return flatElem(u.Elem(), seen)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if !flatElem(u.Field(i).Type(), seen) {
				return false
			}
		}
		return true
	}
	return false
}

// isNamed reports whether t is the named type pkg.name.
func isNamed(t types.Type, pkg, name string) bool {
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	o := n.Obj()
	return o.Pkg() != nil && o.Pkg().Path() == pkg && o.Name() == name
}

func isNamedType(t types.Type) bool {
	_, ok := t.(*types.Named)
	return ok
}

// describeType is t as the generated code spells it, for a field of the
// payload package pkgPath, or why the generated code cannot name it.
func describeType(t types.Type, pkgPath string) (TypeRef, error) {
	elem := func(e types.Type) (*TypeRef, error) {
		r, err := describeType(e, pkgPath)
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
	switch t := t.(type) {
	case *types.Named:
		o := t.Obj()
		r := TypeRef{Kind: RefNamed, Name: o.Name()}
		if o.Pkg() != nil && o.Pkg().Path() != pkgPath {
			r.Pkg = o.Pkg().Path()
		}
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				a, err := describeType(args.At(i), pkgPath)
				if err != nil {
					return TypeRef{}, err
				}
				r.Args = append(r.Args, a)
			}
		}
		return r, nil
	case *types.Alias:
		return describeType(types.Unalias(t), pkgPath)
	case *types.Basic:
		return TypeRef{Kind: RefBasic, Name: t.Name()}, nil
	case *types.Pointer:
		e, err := elem(t.Elem())
		return TypeRef{Kind: RefPointer, Elem: e}, err
	case *types.Slice:
		e, err := elem(t.Elem())
		return TypeRef{Kind: RefSlice, Elem: e}, err
	case *types.Array:
		e, err := elem(t.Elem())
		return TypeRef{Kind: RefArray, Elem: e, Len: t.Len()}, err
	case *types.Map:
		k, err := elem(t.Key())
		if err != nil {
			return TypeRef{}, err
		}
		e, err := elem(t.Elem())
		return TypeRef{Kind: RefMap, Key: k, Elem: e}, err
	}
	return TypeRef{}, fmt.Errorf("type %s cannot be named in generated code; declare a named type for it", t)
}

// shapeOf says whether t (or *t) is a slice, a map or something else.
func shapeOf(t types.Type) Shape {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	switch t.Underlying().(type) {
	case *types.Slice:
		return ShapeSlice
	case *types.Map:
		return ShapeMap
	}
	return ShapeValue
}
