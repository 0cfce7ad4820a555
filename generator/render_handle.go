package generator

import (
	"go/types"

	"github.com/dave/jennifer/jen"
)

// renderHandle emits the handle type and its lifecycle methods, including
// the sessionrt.Record implementation.
func renderHandle(f *jen.File, m *Model, n goNames) error {
	h := n.handle
	if len(m.Fields) > 0 {
		renderBits(f, m, n)
	}
	f.Commentf("%s is one request's typed view of its %s. Getters never touch the", h, m.TypeName)
	f.Comment("database; setters mark the field changed, and only changed fields are written,")
	f.Comment("before the first byte of the response. Getters of slices, maps, pointers and")
	f.Comment("structs return copies: change such a field with its setter or its Edit method,")
	f.Comment("never through a returned value. A handle belongs to one request; do not share")
	f.Comment("it between goroutines.")
	fields := []jen.Code{
		jen.Id("st").Op("*").Add(impl("State")),
		jen.Id("v").Id(m.TypeName),
		jen.Id("dirty").Uint64(),
	}
	if n.jsonCount > 0 {
		fields = append(fields,
			jen.Id("raw").Index(jen.Lit(n.jsonCount)).Add(impl("JSON")).Comment("jsonb columns as read, decoded on first use"),
			jen.Id("stored").Index(jen.Lit(n.jsonCount)).Int().Comment("size of each jsonb column as read, for Size"),
			jen.Id("enc").Index(jen.Lit(n.jsonCount)).Index().Byte().Comment("encoded jsonb of changed fields, filled by Size"),
		)
	}
	f.Type().Id(h).Struct(fields...)

	recv := func() *jen.Statement { return f.Func().Params(jen.Id("h").Op("*").Id(h)) }
	// The runtime's Record is implemented by a type of its own, so that its
	// methods are not part of the handle's API.
	f.Commentf("%s is the runtime's view of a %s (sessionimpl.Record): the same", n.record, h)
	f.Comment("struct, with the methods only the runtime calls.")
	f.Type().Id(n.record).Id(h)
	recRecv := func() *jen.Statement { return f.Func().Params(jen.Id("r").Op("*").Id(n.record)) }
	asHandle := func(body ...jen.Code) []jen.Code {
		return append([]jen.Code{jen.Id("h").Op(":=").Parens(jen.Op("*").Id(h)).Call(jen.Id("r"))}, body...)
	}
	f.Commentf("%s returns the handle of a record the runtime holds.", n.handleOf)
	f.Func().Id(n.handleOf).Params(jen.Id("r").Add(impl("Record"))).Op("*").Id(h).Block(
		jen.Return(jen.Parens(jen.Op("*").Id(h)).Call(jen.Id("r").Assert(jen.Op("*").Id(n.record)))))

	f.Comment("mark records that the field with this bit changed.")
	recv().Id("mark").Params(jen.Id("bit").Uint64(), jen.Id("field").String()).Block(
		jen.Id("h").Dot("dirty").Op("|=").Id("bit"),
		jen.If(jen.Id("h").Dot("st").Op("!=").Nil()).Block(jen.Id("h").Dot("st").Dot("Changed").Call(jen.Id("field"))),
	)

	f.Comment("Renew gives the session a new token when it is saved, keeping its data: call it")
	f.Comment("after login and every privilege change (session fixation defence).")
	recv().Id("Renew").Params().Block(jen.Id("h").Dot("st").Dot("Renew").Call())

	f.Comment("RememberMe switches the session to the remember-me lifetimes and a persistent")
	f.Comment("cookie (or back); it renews the token.")
	recv().Id("RememberMe").Params(jen.Id("on").Bool()).Block(jen.Id("h").Dot("st").Dot("SetRememberMe").Call(jen.Id("on")))

	f.Comment("Err reports changes that could not be saved, such as a field set after the")
	f.Comment("response had started.")
	recv().Id("Err").Params().Error().Block(jen.Return(jen.Id("h").Dot("st").Dot("Err").Call()))

	f.Comment("IsNew reports whether the session is not stored yet.")
	recv().Id("IsNew").Params().Bool().Block(jen.Return(jen.Id("h").Dot("st").Dot("IsNew").Call()))

	f.Comment("Meta returns the lifecycle data: created, last seen, expiry, remember-me.")
	recv().Id("Meta").Params().Add(rt("Meta")).Block(jen.Return(jen.Id("h").Dot("st").Dot("Meta").Call()))

	f.Comment("Reset sets every field to its zero value and marks them all changed, so the")
	f.Comment("next save writes the whole row (together with a renew, in one statement).")
	f.Comment("Call it at login when the user differs from the session's previous one, so")
	f.Comment("nothing of the previous user's session carries over.")
	reset := []jen.Code{lockState(), unlockState(), jen.Id("h").Dot("v").Op("=").Id(m.TypeName).Values()}
	if n.jsonCount > 0 {
		reset = append(reset,
			jen.Id("h").Dot("raw").Op("=").Index(jen.Lit(n.jsonCount)).Add(impl("JSON")).Values(),
			jen.Id("h").Dot("enc").Op("=").Index(jen.Lit(n.jsonCount)).Index().Byte().Values())
	}
	if len(m.Fields) > 0 {
		reset = append(reset, jen.Id("h").Dot("mark").Call(jen.Id(n.prefix+"AllBits"), jen.Lit("Reset")))
	}
	recv().Id("Reset").Params().Block(reset...)

	f.Comment("Zero sets every field to its zero value with no change marks: the runtime")
	f.Comment("calls it when the session was destroyed and the request goes on with a new one.")
	zero := []jen.Code{jen.Id("h").Dot("v").Op("=").Id(m.TypeName).Values(), jen.Id("h").Dot("dirty").Op("=").Lit(0)}
	if n.jsonCount > 0 {
		zero = append(zero,
			jen.Id("h").Dot("raw").Op("=").Index(jen.Lit(n.jsonCount)).Add(impl("JSON")).Values(),
			jen.Id("h").Dot("stored").Op("=").Index(jen.Lit(n.jsonCount)).Int().Values(),
			jen.Id("h").Dot("enc").Op("=").Index(jen.Lit(n.jsonCount)).Index().Byte().Values())
	}
	recRecv().Id("Zero").Params().Block(asHandle(zero...)...)

	f.Comment("Changed reports whether any field was set since the session was loaded or saved.")
	recRecv().Id("Changed").Params().Bool().Block(jen.Return(jen.Id("r").Dot("dirty").Op("!=").Lit(0)))

	f.Comment("Saved clears the change marks; the runtime calls it after a write.")
	var savedBody []jen.Code
	for _, fd := range m.Fields {
		if fd.Kind != KindJSON {
			continue
		}
		k := jen.Lit(n.jsonIndex[fd.GoName])
		// The row now holds the encoding Size cached for the write.
		savedBody = append(savedBody, jen.If(changed(n, fd, "!=")).Block(
			jen.Id("h").Dot("stored").Index(k).Op("=").Len(jen.Id("h").Dot("enc").Index(k.Clone()))))
	}
	savedBody = append(savedBody, jen.Id("h").Dot("dirty").Op("=").Lit(0))
	if n.jsonCount > 0 {
		savedBody = append(savedBody, jen.Id("h").Dot("enc").Op("=").Index(jen.Lit(n.jsonCount)).Index().Byte().Values())
	}
	recRecv().Id("Saved").Params().Block(asHandle(savedBody...)...)

	f.Comment("Absorb takes from src every field this record has not changed itself.")
	absorb := []jen.Code{jen.Id("o").Op(":=").Id(n.handleOf).Call(jen.Id("src"))}
	for _, fd := range m.Fields {
		take := []jen.Code{jen.Id("h").Dot("v").Dot(fd.GoName).Op("=").Id("o").Dot("v").Dot(fd.GoName)}
		if fd.Kind == KindJSON {
			k := jen.Lit(n.jsonIndex[fd.GoName])
			take = append(take,
				jen.Id("h").Dot("raw").Index(k).Op("=").Id("o").Dot("raw").Index(k.Clone()),
				jen.Id("h").Dot("stored").Index(k.Clone()).Op("=").Id("o").Dot("stored").Index(k.Clone()))
		}
		absorb = append(absorb, jen.If(changed(n, fd, "==")).Block(take...))
	}
	recRecv().Id("Absorb").Params(jen.Id("src").Add(impl("Record"))).Block(asHandle(absorb...)...)

	f.Comment("Merge takes from src every field src has changed.")
	merge := []jen.Code{jen.Id("o").Op(":=").Id(n.handleOf).Call(jen.Id("src"))}
	for _, fd := range m.Fields {
		take := []jen.Code{jen.Id("h").Dot("v").Dot(fd.GoName).Op("=").Id("o").Dot("v").Dot(fd.GoName)}
		if fd.Kind == KindJSON {
			k := jen.Lit(n.jsonIndex[fd.GoName])
			take = append(take, jen.Id("h").Dot("raw").Index(k).Op("=").Id("o").Dot("raw").Index(k.Clone()))
		}
		merge = append(merge, jen.If(jen.Id("o").Dot("dirty").Op("&").Add(bitOf(n, fd)).Op("!=").Lit(0)).Block(take...))
	}
	recRecv().Id("Merge").Params(jen.Id("src").Add(impl("Record"))).Block(asHandle(merge...)...)

	f.Comment("Size is the size of the variable-length payload the row holds after a write:")
	f.Comment("changed jsonb fields encoded, the others as read, plus every text and bytea")
	f.Comment("field. It is checked against Config.MaxPayloadBytes before a write.")
	size := []jen.Code{jen.Id("n").Op(":=").Lit(0)}
	for _, fd := range m.Fields {
		val := jen.Id("h").Dot("v").Dot(fd.GoName)
		switch {
		case fd.Kind == KindJSON:
			k := n.jsonIndex[fd.GoName]
			src := val.Clone()
			if fd.Nullable {
				src = jen.Op("*").Add(val.Clone())
			}
			enc := jen.If(jen.List(jen.Id("b"), jen.Err()).Op(":=").Id("h").Dot("encode").Call(jen.Lit(k), src), jen.Err().Op("==").Nil()).Block(
				jen.Id("n").Op("+=").Len(jen.Id("b")))
			if fd.Nullable {
				enc = jen.If(val.Clone().Op("!=").Nil()).Block(enc)
			}
			size = append(size, jen.If(changed(n, fd, "!=")).Block(enc).Else().Block(
				jen.Id("n").Op("+=").Id("h").Dot("stored").Index(jen.Lit(k))))
		case fd.Basic == "string" || fd.Kind == KindBytes:
			if fd.Nullable {
				size = append(size, jen.If(val.Clone().Op("!=").Nil()).Block(jen.Id("n").Op("+=").Len(jen.Op("*").Add(val.Clone()))))
			} else {
				size = append(size, jen.Id("n").Op("+=").Len(val.Clone()))
			}
		}
	}
	if len(size) == 1 {
		// No variable-length field: the payload has no size to count.
		recRecv().Id("Size").Params().Int().Block(jen.Return(jen.Lit(0)))
	} else {
		size = append(size, jen.Return(jen.Id("n")))
		recRecv().Id("Size").Params().Int().Block(asHandle(size...)...)
	}

	if n.jsonCount > 0 {
		f.Comment("encode returns the JSON encoding of jsonb field k with value v, cached until")
		f.Comment("the field changes or is saved.")
		recv().Id("encode").Params(jen.Id("k").Int(), jen.Id("v").Any()).Params(jen.Index().Byte(), jen.Error()).Block(
			jen.If(jen.Id("h").Dot("enc").Index(jen.Id("k")).Op("==").Nil()).Block(
				jen.List(jen.Id("b"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(jen.Id("v")),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
				jen.Id("h").Dot("enc").Index(jen.Id("k")).Op("=").Id("b"),
			),
			jen.Return(jen.Id("h").Dot("enc").Index(jen.Id("k")), jen.Nil()),
		)
	}
	if n.needClone {
		f.Commentf("%s deep-copies v through encoding/json, for getters of fields that hold", n.clone)
		f.Comment("references a shallow copy would share.")
		f.Func().Id(n.clone).Types(jen.Id("T").Any()).Params(jen.Id("v").Id("T")).Id("T").Block(
			jen.Var().Id("out").Id("T"),
			jen.If(jen.List(jen.Id("b"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(jen.Id("v")), jen.Err().Op("==").Nil()).Block(
				jen.If(jen.Qual("encoding/json", "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("out")).Op("==").Nil()).Block(jen.Return(jen.Id("out")))),
			jen.Return(jen.Id("v")),
		)
	}
	return nil
}

// bitOf names the change bit constant of a field.
// renderAccessors emits the getter, the setter and, for composite fields,
// the Edit method of every field.
func renderAccessors(f *jen.File, m *Model, n goNames) error {
	h := n.handle
	recv := func() *jen.Statement { return f.Func().Params(jen.Id("h").Op("*").Id(h)) }
	for i, fd := range m.Fields {
		typ, err := typeCode(fd.typ, m.PkgPath)
		if err != nil {
			return fieldErr(fd, err)
		}
		val := jen.Id("h").Dot("v").Dot(fd.GoName)
		getter, copies := getterBody(fd, val, n)
		if fd.Kind == KindJSON {
			// Decoding on first use writes the handle: under the state's lock,
			// as a commit from another goroutine may read it. The helper comes
			// first, so that the getter's doc comment stays on the getter.
			renderLoadJSON(f, m, n, fd)
			getter = append([]jen.Code{lockState(), unlockState(), jen.Id("h").Dot("load" + fd.GoName).Call()}, getter...)
		}
		switch {
		case copies && hasEdit(fd):
			f.Commentf("%s returns a copy of the %s field; change it with Set%s or Edit%s.", fd.GoName, fd.GoName, fd.GoName, fd.GoName)
		case copies:
			f.Commentf("%s returns a copy of the %s field; change it with Set%s.", fd.GoName, fd.GoName, fd.GoName)
		default:
			f.Commentf("%s returns the %s field.", fd.GoName, fd.GoName)
		}
		recv().Id(fd.GoName).Params().Add(typ).Block(getter...)

		typ2, _ := typeCode(fd.typ, m.PkgPath)
		// store checks that the column can hold x (a value it cannot is
		// refused, reported through the state, and the field keeps its old
		// value), then assigns it and marks the field changed, the state
		// locked.
		store := func(x jen.Code) []jen.Code {
			out := valueCheck(n, fd)
			out = append(out, lockState(), unlockState(), jen.Id("h").Dot("v").Dot(fd.GoName).Op("=").Add(x))
			if fd.Kind == KindJSON {
				k := n.jsonIndex[fd.GoName]
				out = append(out,
					jen.Id("h").Dot("raw").Index(jen.Lit(k)).Op("=").Nil(),
					jen.Id("h").Dot("enc").Index(jen.Lit(k)).Op("=").Id("b").Comment("the encoding just checked"))
			}
			return append(out, jen.Id("h").Dot("mark").Call(bitOf(n, m.Fields[i]), jen.Lit(fd.GoName)))
		}
		var set []jen.Code
		if copies {
			// Store a copy, so the caller's value cannot change the session behind
			// the dirty tracking either.
			set = store(copyExpr(fd, jen.Id("v"), n))
		} else {
			set = store(jen.Id("v"))
		}
		f.Commentf("Set%s sets the %s field (column %s); it is saved before the response starts.", fd.GoName, fd.GoName, fd.Column)
		recv().Id("Set" + fd.GoName).Params(jen.Id("v").Add(typ2)).Block(set...)

		if hasEdit(fd) {
			// fn runs on a copy with the state unlocked, so it may call the
			// handle's other methods.
			typ3, _ := typeCode(fd.typ, m.PkgPath)
			edit := []jen.Code{
				jen.Id("v").Op(":=").Id("h").Dot(fd.GoName).Call(),
				jen.Id("fn").Call(jen.Op("&").Id("v")),
			}
			edit = append(edit, store(jen.Id("v"))...)
			f.Commentf("Edit%s calls fn with a copy of %s to change, then stores it and marks it changed.", fd.GoName, fd.GoName)
			recv().Id("Edit" + fd.GoName).Params(jen.Id("fn").Func().Params(jen.Op("*").Add(typ3))).Block(edit...)
		}
		if fd.Flash {
			renderPop(f, n, fd)
		}
	}
	return nil
}

// renderPop emits Pop<Field> for a flash field: it returns the value and
// clears it, a change saved like any other; an empty value is returned
// without a change, so popping an empty flash writes nothing.
func renderPop(f *jen.File, n goNames, fd Field) {
	typ := typeCodeOrAny(fd.typ, fd)
	val := func() *jen.Statement { return jen.Id("h").Dot("v").Dot(fd.GoName) }
	_, copies := getterBody(fd, val(), n)
	body := []jen.Code{lockState(), unlockState()}
	if fd.Kind == KindJSON {
		body = append(body, jen.Id("h").Dot("load"+fd.GoName).Call())
	}
	body = append(body,
		jen.Id("v").Op(":=").Add(copyExpr(fd, val(), n)),
		jen.If(flashEmpty(fd, val())).Block(jen.Return(jen.Id("v"))),
		val().Op("=").Add(zeroValue(fd)),
	)
	if fd.Kind == KindJSON {
		k := n.jsonIndex[fd.GoName]
		body = append(body, jen.Id("h").Dot("enc").Index(jen.Lit(k)).Op("=").Nil().Comment("encoded again by Size"))
	}
	body = append(body, jen.Id("h").Dot("mark").Call(bitOf(n, fd), jen.Lit(fd.GoName)), jen.Return(jen.Id("v")))
	f.Commentf("Pop%s returns the %s flash field (column %s) and clears it:", fd.GoName, fd.GoName, fd.Column)
	f.Comment("the zero value is saved before the response starts, so the value is shown")
	if copies {
		f.Comment("once. It returns a copy.")
	} else {
		f.Comment("once.")
	}
	f.Comment(flashEmptyDoc(fd))
	f.Comment("In Update the pop is atomic: of concurrent requests, one gets the value.")
	f.Func().Params(jen.Id("h").Op("*").Id(n.handle)).Id("Pop" + fd.GoName).Params().Add(typ).Block(body...)
}

// flashEmpty is the condition that a flash field's value v has nothing to
// show: the zero value, or an empty slice, map or byte slice.
func flashEmpty(fd Field, v *jen.Statement) *jen.Statement {
	switch {
	case fd.Nullable:
		return v.Op("==").Nil()
	case fd.Kind == KindBytes || (fd.Kind == KindJSON && underlyingKind(fd.typ) != "value"):
		return jen.Len(v).Op("==").Lit(0)
	case fd.Kind == KindTime:
		return v.Dot("IsZero").Call()
	case fd.Kind == KindJSON && types.Comparable(fd.typ):
		return v.Op("==").Parens(typeCodeOrAny(fd.typ, fd).Values())
	case fd.Kind == KindJSON:
		return jen.Qual("reflect", "ValueOf").Call(v).Dot("IsZero").Call()
	case fd.Basic == "bool":
		return jen.Op("!").Add(v)
	}
	return v.Op("==").Add(zeroValue(fd))
}

// flashEmptyDoc says, for the Pop doc comment, when nothing is popped.
func flashEmptyDoc(fd Field) string {
	switch {
	case fd.Nullable:
		return "Popping nil changes nothing and writes nothing."
	case fd.Kind == KindBytes || (fd.Kind == KindJSON && underlyingKind(fd.typ) != "value"):
		return "Popping an empty value (nil or of length 0) changes nothing and writes nothing."
	}
	return "Popping the zero value changes nothing and writes nothing."
}

// zeroValue is the Go zero value of a field's type.
func zeroValue(fd Field) jen.Code {
	switch {
	case fd.Nullable || fd.Kind == KindBytes || (fd.Kind == KindJSON && underlyingKind(fd.typ) != "value"):
		return jen.Nil()
	case fd.Kind == KindTime || fd.Kind == KindJSON:
		return typeCodeOrAny(fd.typ, fd).Values()
	case fd.Basic == "string":
		return jen.Lit("")
	case fd.Basic == "bool":
		return jen.False()
	}
	return jen.Lit(0)
}

// renderLoadJSON emits load<Field>, which decodes a jsonb column on first
// use, so a request that never reads the field never pays for decoding it.
func renderLoadJSON(f *jen.File, m *Model, n goNames, fd Field) {
	k := jen.Lit(n.jsonIndex[fd.GoName])
	raw := func() *jen.Statement { return jen.Id("h").Dot("raw").Index(k.Clone()) }
	fail := jen.Id("h").Dot("st").Dot("Corrupt").Call(jen.Lit(fd.GoName), jen.Err())
	body := []jen.Code{
		jen.If(raw().Op("==").Nil()).Block(jen.Return()),
		jen.Id("b").Op(":=").Add(raw()),
		raw().Op("=").Nil(),
	}
	if fd.Nullable {
		elem := typeCodeOrAny(derefType(fd), fd)
		body = append(body,
			jen.Var().Id("x").Add(elem),
			jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("x")), jen.Err().Op("!=").Nil()).Block(fail, jen.Return()),
			jen.Id("h").Dot("v").Dot(fd.GoName).Op("=").Op("&").Id("x"),
		)
	} else {
		body = append(body,
			jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("h").Dot("v").Dot(fd.GoName)), jen.Err().Op("!=").Nil()).Block(fail))
	}
	f.Commentf("load%s decodes the %s column on first use; a value that cannot be", fd.GoName, fd.Column)
	f.Comment("decoded reads as the zero value and is reported by Err.")
	f.Func().Params(jen.Id("h").Op("*").Id(n.handle)).Id("load" + fd.GoName).Params().Block(body...)
}

// hasEdit reports whether the field gets an Edit method: composites (jsonb
// values and byte slices), which are changed in place; a pointer to a
// scalar is simply set.
func hasEdit(fd Field) bool {
	return fd.Kind == KindJSON || fd.Kind == KindBytes
}

// getterBody returns the getter statements and whether the getter returns
// a copy rather than the stored value itself.
func getterBody(fd Field, val *jen.Statement, n goNames) ([]jen.Code, bool) {
	if fd.Nullable || fd.Kind == KindBytes || fd.Kind == KindJSON {
		return []jen.Code{jen.Return(copyExpr(fd, val, n))}, true
	}
	return []jen.Code{jen.Return(val)}, false
}

// copyExpr is an expression that deep-copies v, a value of the field's type.
func copyExpr(fd Field, v *jen.Statement, n goNames) *jen.Statement {
	elem := func(x *jen.Statement) *jen.Statement {
		switch {
		case fd.Kind == KindBytes:
			return jen.Qual("bytes", "Clone").Call(x)
		case fd.Kind == KindJSON && !fd.Flat:
			return jen.Id(n.clone).Call(x)
		case fd.Kind == KindJSON && underlyingKind(fd.typ) == "slice":
			return jen.Qual("slices", "Clone").Call(x)
		case fd.Kind == KindJSON && underlyingKind(fd.typ) == "map":
			return jen.Qual("maps", "Clone").Call(x)
		}
		return x
	}
	if !fd.Nullable {
		return elem(v)
	}
	if fd.Kind == KindScalar || fd.Kind == KindTime || fd.Kind == KindDuration || (fd.Kind == KindJSON && fd.Flat && underlyingKind(fd.typ) == "value") {
		return impl("CopyPtr").Call(v, jen.Nil())
	}
	t := typeCodeOrAny(derefType(fd), fd)
	return impl("CopyPtr").Call(v, jen.Func().Params(jen.Id("x").Add(t)).Add(t.Clone()).Block(jen.Return(elem(jen.Id("x")))))
}

// valueCheck returns the statements a setter runs on its argument v before
// storing it: text must be valid UTF-8 without NUL bytes, and a jsonb value
// must encode exactly (its encoding is left in b). A refused value is
// reported with State.Invalid and the setter returns.
func valueCheck(n goNames, fd Field) []jen.Code {
	refuse := jen.If(jen.Err().Op("!=").Nil()).Block(
		jen.Id("h").Dot("st").Dot("Invalid").Call(jen.Lit(fd.GoName), jen.Err()),
		jen.Return())
	val := jen.Id("v")
	if fd.Nullable {
		val = jen.Op("*").Id("v")
	}
	switch {
	case fd.Kind == KindJSON:
		if !fd.Nullable {
			return []jen.Code{jen.List(jen.Id("b"), jen.Err()).Op(":=").Add(impl("EncodeJSON")).Call(val), refuse}
		}
		return []jen.Code{
			jen.Var().Id("b").Index().Byte(),
			jen.If(jen.Id("v").Op("!=").Nil()).Block(
				jen.Var().Err().Error(),
				jen.List(jen.Id("b"), jen.Err()).Op("=").Add(impl("EncodeJSON")).Call(val),
				refuse),
		}
	case fd.Kind == KindScalar && fd.Basic == "string":
		check := jen.If(jen.Err().Op(":=").Add(impl("CheckText")).Call(jen.String().Call(val)), jen.Err().Op("!=").Nil()).Block(
			jen.Id("h").Dot("st").Dot("Invalid").Call(jen.Lit(fd.GoName), jen.Err()),
			jen.Return())
		if fd.Nullable {
			return []jen.Code{jen.If(jen.Id("v").Op("!=").Nil()).Block(check)}
		}
		return []jen.Code{check}
	}
	return nil
}

// lockState and unlockState lock the request's state for the rest of the
// generated method.
func lockState() jen.Code { return jen.Id("h").Dot("st").Dot("Lock").Call() }

func unlockState() jen.Code { return jen.Defer().Id("h").Dot("st").Dot("Unlock").Call() }

// bitOf names the change bit constant of a field.
func bitOf(n goNames, fd Field) *jen.Statement { return jen.Id(n.prefix + fd.GoName + "Bit") }

// changed is the condition that the handle h marked fd changed (op "!=") or
// not (op "==").
func changed(n goNames, fd Field, op string) *jen.Statement {
	return jen.Id("h").Dot("dirty").Op("&").Add(bitOf(n, fd)).Op(op).Lit(0)
}

// renderBits declares one change bit per field.
func renderBits(f *jen.File, m *Model, n goNames) {
	f.Commentf("Change bits of the %s fields, one per field.", n.handle)
	defs := make([]jen.Code, len(m.Fields))
	for i, fd := range m.Fields {
		if i == 0 {
			defs[i] = bitOf(n, fd).Uint64().Op("=").Lit(1).Op("<<").Iota()
			continue
		}
		defs[i] = bitOf(n, fd)
	}
	defs = append(defs, jen.Id(n.prefix+"AllBits").Uint64().Op("=").Lit(1).Op("<<").Lit(len(m.Fields)).Op("-").Lit(1).Comment("every field"))
	f.Const().Defs(defs...)
}
