package generator

import (
	"github.com/dave/jennifer/jen"
)

// integerValues is the mapping of sqlc's database/sql code over integer
// storage (dialect.IntegerValues), SQLite's: a time is int64 microseconds
// since the Unix epoch (UTC), a bool and every integer an int64, a float32
// a float64 and JSON text a string. Nullable columns are pointers, but for
// []byte (nil is NULL).
func integerValues() valueMapping {
	return valueMapping{
		toDB:    integerToDB,
		fromDB:  integerFromDB,
		jsonRaw: integerJSONRaw,
		jsonEnc: func(fd Field, call *jen.Statement) *jen.Statement {
			if fd.Nullable {
				return impl("JSONTextPtr").Call(call)
			}
			return impl("JSONText").Call(call)
		},
		stamp: func(c *jen.Statement) jen.Code { return impl("UnixMicro").Call(c) },
	}
}

// integerBasic is the Go type sqlc's integer-storage code uses for the column of a
// scalar, time or duration field.
func integerBasic(fd Field) string {
	switch {
	case fd.Kind == KindTime || fd.Kind == KindDuration:
		return "int64"
	case fd.Basic == "string":
		return "string"
	case fd.Basic == "float32" || fd.Basic == "float64":
		return "float64"
	}
	return "int64" // bool and every integer
}

// integerSame reports whether a scalar field's values are the column's
// without a conversion.
func integerSame(fd Field) bool {
	return fd.Kind == KindScalar && !fd.Named && fd.Basic == integerBasic(fd)
}

// integerToDB converts a Go field value to the value sqlc's integer-storage code
// takes for its column. It is used for every kind but KindJSON.
func integerToDB(fd Field, src *jen.Statement) jen.Code {
	if fd.Kind == KindBytes {
		return toDBValue(fd, src) // the same []byte as pgx's
	}
	conv := func(v *jen.Statement) *jen.Statement {
		switch {
		case fd.Kind == KindTime:
			return v.Dot("UnixMicro").Call()
		case fd.Basic == "bool":
			return impl("BoolInt").Call(v)
		}
		return jen.Id(integerBasic(fd)).Call(v)
	}
	switch {
	case integerSame(fd):
		return src
	case !fd.Nullable:
		return conv(src)
	case fd.Kind == KindTime:
		return impl("ConvPtr").Call(src, jen.Qual("time", "Time").Dot("UnixMicro"))
	}
	return impl("ConvPtr").Call(src, jen.Func().Params(jen.Id("v").Add(typeCode(fd.Type.Deref()))).Id(integerBasic(fd)).Block(jen.Return(conv(jen.Id("v")))))
}

// integerFromDB converts the value src of a column of sqlc's integer-storage code
// into the Go field dst; a JSON column is kept raw in the handle, as the
// PostgreSQL backend keeps its jsonb, and decoded on first use.
func integerFromDB(n goNames, fd Field, dst, src *jen.Statement) []jen.Code {
	elem := typeCode(fd.Type)
	if fd.Nullable {
		elem = typeCode(fd.Type.Deref())
	}
	conv := func(v *jen.Statement) *jen.Statement {
		switch {
		case fd.Kind == KindTime:
			return impl("UnixMicro").Call(v)
		case fd.Basic == "bool" && !fd.Named:
			return v.Op("!=").Lit(0)
		case fd.Basic == "bool":
			return elem.Clone().Call(v.Op("!=").Lit(0))
		}
		return elem.Clone().Call(v)
	}
	switch {
	case fd.Kind == KindJSON && fd.Nullable:
		return keepRaw(n, fd, impl("TextJSON").Call(src))
	case fd.Kind == KindJSON:
		return keepRaw(n, fd, impl("JSON").Call(src))
	case fd.Kind == KindBytes:
		return fromDB(n, fd, dst, src) // the same []byte as pgx's
	case integerSame(fd):
		return []jen.Code{dst.Op("=").Add(src)}
	case !fd.Nullable:
		return []jen.Code{dst.Op("=").Add(conv(src))}
	case fd.Kind == KindTime:
		return []jen.Code{dst.Op("=").Add(impl("ConvPtr").Call(src, impl("UnixMicro")))}
	}
	return []jen.Code{dst.Op("=").Add(impl("ConvPtr").Call(src, jen.Func().Params(jen.Id("v").Id(integerBasic(fd))).Add(elem.Clone()).Block(jen.Return(conv(jen.Id("v"))))))}
}

// integerJSONRaw is a JSON column as read, as the text parameter of sqlc's
// integer-storage code.
func integerJSONRaw(fd Field, raw *jen.Statement) jen.Code {
	if fd.Nullable {
		return impl("NullText").Call(raw)
	}
	return jen.String().Call(raw)
}
