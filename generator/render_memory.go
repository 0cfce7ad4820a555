package generator

import (
	"github.com/dave/jennifer/jen"
)

// renderMemory emits the in-memory engine's backend: the runtime's generic
// in-memory store plus the typed matching of the indexed fields.
func renderMemory(f *jen.File, m *Model, n goNames) error {
	f.Commentf("%s is the in-memory engine's backend (sessionimpl.Memory) with the", n.memory)
	f.Commentf("statements of the indexed fields of %s.", m.TypeName)
	f.Type().Id(n.memory).Struct(jen.Op("*").Add(impl("Memory")))
	recv := func() *jen.Statement { return f.Func().Params(jen.Id("b").Id(n.memory)) }
	for _, fd := range m.Fields {
		if !fd.Index {
			continue
		}
		typ := typeCodeOrAny(fd.typ, fd)
		match := jen.Func().Params(jen.Id("rec").Add(impl("Record"))).Bool().Block(
			jen.Return(memEqual(fd, jen.Id(n.handleOf).Call(jen.Id("rec")).Dot("v").Dot(fd.GoName), jen.Id("v"))))

		f.Commentf("listBy%s lists the live sessions whose %s is v.", fd.GoName, fd.GoName)
		recv().Id("listBy"+fd.GoName).Params(jen.Id("_").Qual("context", "Context"), jen.Id("_").Add(impl("Conn")), jen.Id("v").Add(typ.Clone())).Params(jen.Index().Add(impl("Listed")), jen.Error()).Block(
			jen.Return(jen.Id("b").Dot("List").Call(match.Clone()), jen.Nil()))

		f.Commentf("deleteBy%s deletes the sessions whose %s is v, except the one of except.", fd.GoName, fd.GoName)
		recv().Id("deleteBy"+fd.GoName).Params(jen.Id("_").Qual("context", "Context"), jen.Id("_").Add(impl("Conn")), jen.Id("v").Add(typ.Clone()), jen.Id("except").Index().Byte()).Params(jen.Index().Index().Byte(), jen.Error()).Block(
			jen.Return(jen.Id("b").Dot("DeleteWhere").Call(match, jen.Id("except")), jen.Nil()))
	}
	return nil
}

// memEqual is the in-memory form of SQL's `column = v` for an indexed field:
// NULL equals nothing, timestamps compare as instants, bytes by content.
func memEqual(fd Field, x, v *jen.Statement) *jen.Statement {
	eq := func(a, b *jen.Statement) *jen.Statement {
		switch fd.Kind {
		case KindTime:
			return a.Dot("Equal").Call(b)
		case KindBytes:
			return jen.Qual("bytes", "Equal").Call(a, b)
		}
		return a.Op("==").Add(b)
	}
	if fd.Nullable {
		return x.Clone().Op("!=").Nil().Op("&&").Add(v.Clone()).Op("!=").Nil().Op("&&").Add(eq(jen.Op("*").Add(x), jen.Op("*").Add(v)))
	}
	return eq(x, v)
}
