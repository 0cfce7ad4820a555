package generator

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/sessiongen/sessiongen/generator/dialect"
)

const pgxPath = "github.com/jackc/pgx/v5"

// backendDialect is what differs between the engines' backends over sqlc's
// code: the rest of renderBackend is the same for every engine.
type backendDialect struct {
	typ       string // the backend type
	engine    string // how its doc comment names the engine and its driver
	dbPath    string // import path of the engine's sqlc package
	handle    string // the sessionimpl.Conn method sqlc's code runs on: Pgx or SQL
	noRows    *jen.Statement
	evict     bool // the table may have evict triggers (-cache)
	withMeta  bool // emit the meta helper (once per file)
	returning bool // UPDATE and DELETE return rows (dialect.Runtime.Returning)
	touchInGo bool // the reads return no touch_due (dialect.Runtime.TouchDueInGo)
	batch     dialect.Batch
	valueMapping
}

// valueMapping converts between the handle's Go values and the values of
// sqlc's code for an engine (dialect.Values).
type valueMapping struct {
	toDB    func(fd Field, src *jen.Statement) jen.Code
	fromDB  func(n goNames, fd Field, dst, src *jen.Statement) []jen.Code
	jsonRaw func(fd Field, raw *jen.Statement) jen.Code        // a jsonb column as read, as its parameter
	jsonEnc func(fd Field, call *jen.Statement) *jen.Statement // the handle's encoding, as its parameter and an error
	stamp   func(src *jen.Statement) jen.Code                  // a time column of a row (not of a field), as a time.Time
}

// backendOf is the backend of engine e; first is set for the first engine,
// whose backend emits the meta helper.
func backendOf(e goEngine, first bool) (backendDialect, error) {
	d := backendDialect{
		typ:       e.backend,
		engine:    "on " + e.rt.Title + " through " + e.rt.Via,
		dbPath:    e.dbPath,
		handle:    string(e.rt.Conn),
		evict:     e.rt.Notify,
		withMeta:  first,
		returning: e.rt.Returning,
		touchInGo: e.rt.TouchDueInGo,
		batch:     e.rt.Batch,
	}
	switch e.rt.Conn {
	case dialect.ConnPgx:
		d.noRows = jen.Qual(pgxPath, "ErrNoRows")
	case dialect.ConnSQL:
		d.noRows = jen.Qual("database/sql", "ErrNoRows")
	default:
		return backendDialect{}, fmt.Errorf("engine %s: unknown connection %q", e.name, e.rt.Conn)
	}
	switch e.rt.Batch {
	case dialect.BatchInt32, dialect.BatchInt64:
	default:
		return backendDialect{}, fmt.Errorf("engine %s: unknown batch type %q", e.name, e.rt.Batch)
	}
	switch e.rt.Values {
	case dialect.NativeValues:
		d.valueMapping = nativeValues()
	case dialect.IntegerValues:
		d.valueMapping = integerValues()
	default:
		return backendDialect{}, fmt.Errorf("engine %s: unknown value mapping %d", e.name, e.rt.Values)
	}
	return d, nil
}

// limitArg converts the reaper's batch size l (an int) to the type of
// sqlc's LIMIT parameter.
func (d backendDialect) limitArg(l *jen.Statement) jen.Code {
	if d.batch == dialect.BatchInt32 {
		return jen.Int32().Call(jen.Min(l, jen.Qual("math", "MaxInt32")))
	}
	return jen.Int64().Call(l)
}

// nativeValues is the mapping of sqlc's pgx/v5 code (dialect.NativeValues).
func nativeValues() valueMapping {
	same := func(_ Field, c *jen.Statement) jen.Code { return c }
	return valueMapping{
		toDB:    toDBValue,
		fromDB:  fromDB,
		jsonRaw: same,
		jsonEnc: func(_ Field, c *jen.Statement) *jen.Statement { return c },
		stamp:   func(c *jen.Statement) jen.Code { return c },
	}
}

// toDBValue converts a Go field value to the value the sqlc code takes for
// its column. It is used for every kind but KindJSON.
func toDBValue(fd Field, src *jen.Statement) jen.Code {
	basic := jen.Id(fd.Basic)
	switch {
	case fd.Kind == KindBytes && fd.Nullable:
		return impl("BytesPtr").Call(src)
	case fd.Kind == KindBytes:
		return impl("Bytes").Call(src)
	case (fd.Kind == KindDuration || fd.Named) && fd.Nullable:
		elem := typeCode(fd.Type.Deref())
		return impl("ConvPtr").Call(src, jen.Func().Params(jen.Id("v").Add(elem)).Add(basic.Clone()).Block(jen.Return(basic.Clone().Call(jen.Id("v")))))
	case fd.Kind == KindDuration || fd.Named:
		return basic.Call(src)
	}
	return src
}

// fromDB converts the sqlc value src of a column into the Go field dst; a
// jsonb column is kept raw in the handle, with its size, and decoded on
// first use.
func fromDB(n goNames, fd Field, dst, src *jen.Statement) []jen.Code {
	typ := typeCode(fd.Type)
	if !fd.Nullable {
		switch {
		case fd.Kind == KindJSON:
			return keepRaw(n, fd, src)
		case fd.Kind == KindDuration || fd.Named:
			return []jen.Code{dst.Op("=").Add(typ).Call(src)}
		case fd.Kind == KindTime:
			// pgx returns timestamptz in time.Local: return UTC instead.
			return []jen.Code{dst.Op("=").Add(src).Dot("UTC").Call()}
		}
		return []jen.Code{dst.Op("=").Add(src)}
	}
	elem := typeCode(fd.Type.Deref())
	switch {
	case fd.Kind == KindJSON:
		return keepRaw(n, fd, src)
	case fd.Kind == KindBytes:
		return []jen.Code{dst.Op("=").Add(impl("NullBytes").Types(elem)).Call(src)}
	case fd.Kind == KindTime:
		return []jen.Code{dst.Op("=").Add(impl("ConvPtr").Call(src, jen.Qual("time", "Time").Dot("UTC")))}
	case fd.Kind == KindDuration || fd.Named:
		return []jen.Code{dst.Op("=").Add(impl("ConvPtr").Call(src, jen.Func().Params(jen.Id("v").Id(fd.Basic)).Add(elem.Clone()).Block(jen.Return(elem.Clone().Call(jen.Id("v"))))))}
	}
	return []jen.Code{dst.Op("=").Add(src)}
}

// keepRaw stores the jsonb column src raw in the handle, with its size.
func keepRaw(n goNames, fd Field, src *jen.Statement) []jen.Code {
	k := jen.Lit(n.jsonIndex[fd.GoName])
	return []jen.Code{
		jen.Id("h").Dot("raw").Index(k).Op("=").Add(src),
		jen.Id("h").Dot("stored").Index(k.Clone()).Op("=").Len(jen.Id("h").Dot("raw").Index(k.Clone())),
	}
}

// jsonToDB encodes a jsonb field into dst through the handle's encode
// method, which reuses the encoding Size cached. The enclosing function has
// `var err error` in scope and returns (first, error) when encoding fails,
// or the error alone when first is nil.
func jsonToDB(n goNames, d backendDialect, fd Field, dst *jen.Statement, first jen.Code) jen.Code {
	fail := []jen.Code{jen.Qual("fmt", "Errorf").Call(jen.Lit("encoding field "+fd.GoName+": %w"), jen.Err())}
	if first != nil {
		fail = append([]jen.Code{first}, fail...)
	}
	val := jen.Id("h").Dot("v").Dot(fd.GoName)
	src := val.Clone()
	if fd.Nullable {
		src = jen.Op("*").Add(val.Clone())
	}
	encode := jen.If(
		jen.List(dst, jen.Err()).Op("=").Add(d.jsonEnc(fd, jen.Id("h").Dot("encode").Call(jen.Lit(n.jsonIndex[fd.GoName]), src))),
		jen.Err().Op("!=").Nil(),
	).Block(jen.Return(fail...))
	if fd.Nullable {
		encode = jen.If(val.Clone().Op("!=").Nil()).Block(encode)
	}
	// A column read but never decoded is written back as read.
	raw := jen.Id("h").Dot("raw").Index(jen.Lit(n.jsonIndex[fd.GoName]))
	return jen.If(raw.Clone().Op("!=").Nil()).Block(dst.Clone().Op("=").Add(d.jsonRaw(fd, raw))).Else().Add(encode)
}

// fieldToParam sets the sqlc parameter of one field from the handle; first
// is what the enclosing function returns before the error if that fails
// (nil: it returns the error alone).
func fieldToParam(n goNames, d backendDialect, fd Field, p *jen.Statement, first jen.Code) []jen.Code {
	dst := p.Clone().Dot(sqlcName(fd.Column))
	if fd.Kind == KindJSON {
		return []jen.Code{jsonToDB(n, d, fd, dst, first)}
	}
	return []jen.Code{dst.Op("=").Add(d.toDB(fd, jen.Id("h").Dot("v").Dot(fd.GoName)))}
}

// renderBackend emits each engine's backend (sessionimpl.Backend over
// that engine's sqlc code).
func renderBackend(f *jen.File, m *Model, n goNames) error {
	for i, e := range n.engines {
		d, err := backendOf(e, i == 0)
		if err != nil {
			return err
		}
		if err := renderBackendFor(f, m, n, d); err != nil {
			return err
		}
	}
	return nil
}

// renderBackendFor emits one engine's sessionimpl.Backend implementation
// over the sqlc queries: one statement per method.
func renderBackendFor(f *jen.File, m *Model, n goNames, d backendDialect) error {
	b, db := d.typ, d.dbPath
	meta := func(r string) *jen.Statement {
		return jen.Id(n.meta).Call(d.stamp(jen.Id(r).Dot("CreatedAt")), d.stamp(jen.Id(r).Dot("LastSeenAt")), d.stamp(jen.Id(r).Dot("ExpiresAt")), d.stamp(jen.Id(r).Dot("AbsoluteExpiresAt")), jen.Id(r).Dot("Remember"))
	}
	notFound := func() jen.Code {
		return jen.If(jen.Qual("errors", "Is").Call(jen.Err(), d.noRows.Clone())).Block(jen.Return(rt("Meta").Values(), impl("ErrNotFound")))
	}
	errRet := func() jen.Code {
		return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(rt("Meta").Values(), jen.Err()))
	}
	recv := func() *jen.Statement { return f.Func().Params(jen.Id(b)) }
	dbArg := func() *jen.Statement { return jen.Id("c").Add(impl("Conn")) }
	q := func() *jen.Statement { return jen.Qual(db, "New").Call(jen.Id("c").Dot(d.handle).Call()) }
	lt := func(p string) []jen.Code {
		return []jen.Code{
			jen.Id(p).Dot("Remember").Op("=").Id("lt").Dot("Remember"),
			jen.Id(p).Dot("AbsoluteUs").Op("=").Id("lt").Dot("Absolute").Dot("Microseconds").Call(),
			jen.Id(p).Dot("IdleUs").Op("=").Id("lt").Dot("Idle").Dot("Microseconds").Call(),
		}
	}

	f.Commentf("%s implements sessionimpl.Backend with the sqlc queries of the %s table", b, m.Table)
	f.Comment(d.engine + ".")
	f.Type().Id(b).Struct()

	f.Comment("New returns an empty handle bound to st.")
	recv().Id("New").Params(jen.Id("st").Op("*").Add(impl("State"))).Add(impl("Record")).Block(
		jen.Return(jen.Op("&").Id(n.record).Values(jen.Id("st").Op(":").Id("st"))))

	// Get and GetAny share the scan of the row into the handle.
	scan := func(row string) ([]jen.Code, error) {
		out := []jen.Code{jen.Id("h").Op(":=").Id(n.handleOf).Call(jen.Id("rec"))}
		for _, fd := range m.Fields {
			out = append(out, d.fromDB(n, fd, jen.Id("h").Dot("v").Dot(fd.GoName), jen.Id(row).Dot(sqlcName(fd.Column)))...)
		}
		return out, nil
	}
	notFound3 := jen.If(jen.Qual("errors", "Is").Call(jen.Err(), d.noRows.Clone())).Block(jen.Return(impl("Loaded").Values(), impl("ErrNotFound")))
	errRet3 := jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(impl("Loaded").Values(), jen.Err()))
	loaded := func(r string) *jen.Statement {
		due := jen.Id(r).Dot("TouchDue")
		if d.touchInGo {
			// last_seen_at <= db_now - touch, in the microseconds the SQL
			// would compare.
			due = jen.Id(r).Dot("LastSeenAt").Op("<=").Id(r).Dot("DbNow").Op("-").Id("touchAfter").Dot("Microseconds").Call()
		}
		return impl("Loaded").Values(jen.Dict{
			jen.Id("Meta"):     meta(r),
			jen.Id("TouchDue"): due,
			jen.Id("Now"):      d.stamp(jen.Id(r).Dot("DbNow")),
		})
	}
	// The read's arguments: the key (or keys), and touch_us unless the
	// backend computes whether a touch is due.
	args := func(query, field, key string, touch jen.Code) jen.Code {
		if d.touchInGo {
			return jen.Id(key)
		}
		return jen.Qual(db, query+"Params").Values(jen.Id(field).Op(":").Id(key), jen.Id("TouchUs").Op(":").Add(touch))
	}
	get := []jen.Code{
		jen.Var().Id("r").Qual(db, "Get"+m.TypeName+"Row"),
		jen.Var().Err().Error(),
	}
	if !d.touchInGo {
		get = append(get, jen.Id("us").Op(":=").Id("touchAfter").Dot("Microseconds").Call())
	}
	get = append(get,
		jen.If(jen.Id("lock")).Block(
			jen.Var().Id("rl").Qual(db, "Get"+m.TypeName+"ForUpdateRow"),
			jen.List(jen.Id("rl"), jen.Err()).Op("=").Add(q()).Dot("Get"+m.TypeName+"ForUpdate").Call(jen.Id("ctx"), args("Get"+m.TypeName+"ForUpdate", "TokenHash", "hash", jen.Id("us"))),
			jen.Id("r").Op("=").Qual(db, "Get"+m.TypeName+"Row").Call(jen.Id("rl")).Comment("the same columns"),
		).Else().Block(
			jen.List(jen.Id("r"), jen.Err()).Op("=").Add(q()).Dot("Get"+m.TypeName).Call(jen.Id("ctx"), args("Get"+m.TypeName, "TokenHash", "hash", jen.Id("us"))),
		),
		notFound3, errRet3,
	)
	body, err := scan("r")
	if err != nil {
		return err
	}
	get = append(get, body...)
	get = append(get, jen.Return(loaded("r"), jen.Nil()))
	f.Comment("Get reads the live session with this token hash into rec, with whether a")
	f.Comment("touch is due and the time, both by the database clock.")
	recv().Id("Get").Params(ctxParam(), dbArg(), jen.Id("hash").Index().Byte(), jen.Id("lock").Bool(), jen.Id("touchAfter").Qual("time", "Duration"), jen.Id("rec").Add(impl("Record"))).Params(impl("Loaded"), jen.Error()).Block(get...)

	getAny := []jen.Code{
		jen.List(jen.Id("r"), jen.Err()).Op(":=").Add(q()).Dot("GetAny"+m.TypeName).Call(jen.Id("ctx"), args("GetAny"+m.TypeName, "Hashes", "hashes", jen.Id("touchAfter").Dot("Microseconds").Call())),
		jen.If(jen.Qual("errors", "Is").Call(jen.Err(), d.noRows.Clone())).Block(jen.Return(jen.Nil(), impl("Loaded").Values(), impl("ErrNotFound"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), impl("Loaded").Values(), jen.Err())),
	}
	body, err = scan("r")
	if err != nil {
		return err
	}
	getAny = append(getAny, body...)
	getAny = append(getAny, jen.Return(jen.Id("r").Dot("TokenHash"), loaded("r"), jen.Nil()))
	f.Comment("GetAny reads the most recently used live session among hashes into rec and")
	f.Comment("returns its token hash.")
	recv().Id("GetAny").Params(ctxParam(), dbArg(), jen.Id("hashes").Index().Index().Byte(), jen.Id("touchAfter").Qual("time", "Duration"), jen.Id("rec").Add(impl("Record"))).Params(jen.Index().Byte(), impl("Loaded"), jen.Error()).Block(getAny...)

	f.Comment("Renewed reports whether one of hashes was renewed away less than grace ago.")
	recv().Id("Renewed").Params(ctxParam(), dbArg(), jen.Id("hashes").Index().Index().Byte(), jen.Id("grace").Qual("time", "Duration")).Params(jen.Bool(), jen.Error()).Block(
		jen.Return(q().Dot("Renewed"+m.TypeName).Call(jen.Id("ctx"), jen.Qual(db, "Renewed"+m.TypeName+"Params").Values(jen.Id("Hashes").Op(":").Id("hashes"), jen.Id("GraceUs").Op(":").Id("grace").Dot("Microseconds").Call()))))

	ins := []jen.Code{jen.Id("h").Op(":=").Id(n.handleOf).Call(jen.Id("rec"))}
	if n.jsonCount > 0 { // the jsonb encodings report errors through err
		ins = append(ins, jen.Var().Err().Error())
	}
	ins = append(ins,
		jen.Var().Id("p").Qual(db, "Insert"+m.TypeName+"Params"),
		jen.Id("p").Dot("TokenHash").Op("=").Id("hash"),
	)
	ins = append(ins, lt("p")...)
	for _, fd := range m.Fields {
		ins = append(ins, fieldToParam(n, d, fd, jen.Id("p"), nil)...)
	}
	ins = append(ins, jen.Return(q().Dot("Insert"+m.TypeName).Call(jen.Id("ctx"), jen.Id("p"))))
	f.Comment("Insert stores rec as a new session.")
	recv().Id("Insert").Params(ctxParam(), dbArg(), jen.Id("hash").Index().Byte(), jen.Id("rec").Add(impl("Record")), jen.Id("lt").Add(impl("Lifetime"))).Error().Block(ins...)

	save := []jen.Code{
		jen.Id("h").Op(":=").Id(n.handleOf).Call(jen.Id("rec")),
		jen.Var().Err().Error(),
		jen.Var().Id("p").Qual(db, "Save"+m.TypeName+"Params"),
		jen.Id("p").Dot("TokenHash").Op("=").Id("hash"),
		jen.Id("p").Dot("NewTokenHash").Op("=").Id("newHash"),
		jen.Id("p").Dot("Renew").Op("=").Id("renew"),
		jen.Id("p").Dot("Touch").Op("=").Id("lt").Dot("Touch"),
	}
	save = append(save, lt("p")...)
	for _, fd := range m.Fields {
		body := []jen.Code{jen.Id("p").Dot("Set" + sqlcName(fd.Column)).Op("=").True()}
		body = append(body, fieldToParam(n, d, fd, jen.Id("p"), rt("Meta").Values())...)
		save = append(save, jen.If(changed(n, fd, "!=")).Block(body...))
	}
	if d.returning {
		save = append(save,
			jen.List(jen.Id("r"), jen.Err()).Op(":=").Add(q()).Dot("Save"+m.TypeName).Call(jen.Id("ctx"), jen.Id("p")),
			notFound(), errRet(),
			jen.Return(meta("r"), jen.Nil()))
	} else {
		save = append(save, writeThenMeta(m, d, func(queries *jen.Statement) *jen.Statement {
			return queries.Dot("Save"+m.TypeName).Call(jen.Id("ctx"), jen.Id("p"))
		}, jen.Id("newHash"))...)
		save = append(save, notFound(), errRet(), jen.Return(meta("r"), jen.Nil()))
	}
	f.Comment("Save writes the changed fields only, and moves the row to newHash.")
	recv().Id("Save").Params(ctxParam(), dbArg(), jen.List(jen.Id("hash"), jen.Id("newHash")).Index().Byte(), jen.Id("renew").Bool(), jen.Id("rec").Add(impl("Record")), jen.Id("lt").Add(impl("Lifetime"))).Params(rt("Meta"), jen.Error()).Block(save...)

	// SaveOne: one case per field, each the single-column UPDATE of that field.
	cases := []jen.Code{}
	for i, fd := range m.Fields {
		query := "Save" + m.TypeName + fd.GoName
		body := []jen.Code{
			jen.Var().Id("p").Qual(db, query+"Params"),
			jen.Id("p").Dot("TokenHash").Op("=").Id("hash"),
		}
		body = append(body, fieldToParam(n, d, fd, jen.Id("p"), jen.True())...)
		body = append(body, jen.List(jen.Id("rows"), jen.Err()).Op("=").Add(q()).Dot(query).Call(jen.Id("ctx"), jen.Id("p")))
		cases = append(cases, jen.Case(bitOf(n, m.Fields[i])).Block(body...))
	}
	cases = append(cases, jen.Default().Block(jen.Return(jen.False(), jen.Nil())))
	saveOneNotFound := jen.If(jen.Err().Op("==").Nil().Op("&&").Id("rows").Op("==").Lit(0)).Block(jen.Err().Op("=").Add(impl("ErrNotFound")))
	if !d.returning {
		// The engine counts changed rows, not matched ones (MySQL): 0 is
		// also a write of the value the row has; the live row decides.
		saveOneNotFound = jen.If(jen.Err().Op("==").Nil().Op("&&").Id("rows").Op("==").Lit(0)).Block(
			jen.If(jen.List(jen.Id("_"), jen.Err()).Op("=").Add(q()).Dot("Get"+m.TypeName+"Meta").Call(jen.Id("ctx"), jen.Id("hash")), jen.Qual("errors", "Is").Call(jen.Err(), d.noRows.Clone())).Block(
				jen.Err().Op("=").Add(impl("ErrNotFound")),
			),
		)
	}
	f.Comment("SaveOne writes the only changed field with a single-column UPDATE; it")
	f.Comment("reports false, running nothing, when not exactly one field changed.")
	recv().Id("SaveOne").Params(ctxParam(), dbArg(), jen.Id("hash").Index().Byte(), jen.Id("rec").Add(impl("Record"))).Params(jen.Bool(), jen.Error()).Block(
		jen.Id("h").Op(":=").Id(n.handleOf).Call(jen.Id("rec")),
		jen.Var().Err().Error(),
		jen.Var().Id("rows").Int64(),
		jen.Switch(jen.Id("h").Dot("dirty")).Block(cases...),
		saveOneNotFound,
		jen.Return(jen.True(), jen.Err()))

	f.Comment("Touch extends the idle expiry of a live session.")
	touch := func(queries *jen.Statement) *jen.Statement {
		return queries.Dot("Touch"+m.TypeName).Call(jen.Id("ctx"), jen.Qual(db, "Touch"+m.TypeName+"Params").Values(
			jen.Id("GraceUs").Op(":").Id("lt").Dot("Grace").Dot("Microseconds").Call(),
			jen.Id("IdleUs").Op(":").Id("lt").Dot("Idle").Dot("Microseconds").Call(),
			jen.Id("TokenHash").Op(":").Id("hash"),
		))
	}
	var touchBody []jen.Code
	if d.returning {
		touchBody = []jen.Code{jen.List(jen.Id("r"), jen.Err()).Op(":=").Add(touch(q()))}
	} else {
		touchBody = append([]jen.Code{jen.Var().Err().Error()}, writeThenMeta(m, d, touch, jen.Id("hash"))...)
	}
	touchBody = append(touchBody, notFound(), errRet(), jen.Return(meta("r"), jen.Nil()))
	recv().Id("Touch").Params(ctxParam(), dbArg(), jen.Id("hash").Index().Byte(), jen.Id("lt").Add(impl("Lifetime"))).Params(rt("Meta"), jen.Error()).Block(touchBody...)

	f.Comment("Delete removes the session with this key, or the one it was renewed to")
	f.Comment("less than grace ago.")
	recv().Id("Delete").Params(ctxParam(), dbArg(), jen.Id("hash").Index().Byte(), jen.Id("grace").Qual("time", "Duration")).Error().Block(
		jen.Return(q().Dot("Delete"+m.TypeName).Call(jen.Id("ctx"), jen.Qual(db, "Delete"+m.TypeName+"Params").Values(jen.Id("TokenHash").Op(":").Id("hash"), jen.Id("GraceUs").Op(":").Id("grace").Dot("Microseconds").Call()))))

	f.Comment("DeleteExpired deletes at most limit expired sessions.")
	recv().Id("DeleteExpired").Params(ctxParam(), dbArg(), jen.Id("limit").Int()).Params(jen.Int64(), jen.Error()).Block(
		jen.Return(q().Dot("DeleteExpired"+n.plural).Call(jen.Id("ctx"), d.limitArg(jen.Id("limit")))))

	channel := ""
	if m.Cache && d.evict {
		channel = EvictChannel(m.Table)
	}
	f.Comment("EvictChannel is the NOTIFY channel of the table's evict triggers (\"\": none).")
	recv().Id("EvictChannel").Params().String().Block(jen.Return(jen.Lit(channel)))

	f.Comment("Count reports the number of live sessions.")
	recv().Id("Count").Params(ctxParam(), dbArg()).Params(jen.Int64(), jen.Error()).Block(
		jen.Return(q().Dot("Count" + n.plural).Call(jen.Id("ctx"))))

	for _, fd := range m.Fields {
		if fd.Index {
			renderBackendIndexed(f, n, d, fd, recv, q)
		}
	}
	if !d.withMeta {
		return nil
	}

	f.Commentf("%s builds the lifecycle half of a session from its columns.", n.meta)
	tm := jen.Qual("time", "Time")
	f.Func().Id(n.meta).Params(jen.List(jen.Id("created"), jen.Id("lastSeen"), jen.Id("expires"), jen.Id("absolute")).Add(tm), jen.Id("remember").Bool()).Add(rt("Meta")).Block(
		jen.Return(rt("Meta").Values(jen.Dict{
			jen.Id("CreatedAt"):         jen.Id("created"),
			jen.Id("LastSeenAt"):        jen.Id("lastSeen"),
			jen.Id("ExpiresAt"):         jen.Id("expires"),
			jen.Id("AbsoluteExpiresAt"): jen.Id("absolute"),
			jen.Id("Remember"):          jen.Id("remember"),
		})))
	return nil
}

// renderBackendIndexed emits a backend's statements for an indexed field:
// the listing, and the deletion with or without an excepted key.
func renderBackendIndexed(f *jen.File, n goNames, d backendDialect, fd Field, recv func() *jen.Statement, q func() *jen.Statement) {
	typ := typeCode(fd.Type)
	list := "List" + n.plural + "By" + fd.GoName
	f.Commentf("listBy%s runs %s.", fd.GoName, list)
	recv().Id("listBy"+fd.GoName).Params(ctxParam(), jen.Id("c").Add(impl("Conn")), jen.Id("v").Add(typ.Clone())).Params(jen.Index().Add(impl("Listed")), jen.Error()).Block(
		jen.List(jen.Id("rows"), jen.Err()).Op(":=").Add(q()).Dot(list).Call(jen.Id("ctx"), d.toDB(fd, jen.Id("v"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Id("out").Op(":=").Make(jen.Index().Add(impl("Listed")), jen.Len(jen.Id("rows"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("r")).Op(":=").Range().Id("rows")).Block(
			jen.Id("out").Index(jen.Id("i")).Op("=").Add(impl("Listed")).Values(jen.Dict{
				jen.Id("Hash"): jen.Id("r").Dot("TokenHash"),
				jen.Id("Meta"): rt("Meta").Values(jen.Dict{
					jen.Id("CreatedAt"):  d.stamp(jen.Id("r").Dot("CreatedAt")),
					jen.Id("LastSeenAt"): d.stamp(jen.Id("r").Dot("LastSeenAt")),
					jen.Id("ExpiresAt"):  d.stamp(jen.Id("r").Dot("ExpiresAt")),
				}),
			}),
		),
		jen.Return(jen.Id("out"), jen.Nil()),
	)

	del := "Delete" + n.plural + "By" + fd.GoName
	other := "DeleteOther" + n.plural + "By" + fd.GoName
	f.Commentf("deleteBy%s runs %s, or %s when except is set.", fd.GoName, del, other)
	params := func(query string) *jen.Statement {
		return jen.Qual(d.dbPath, query+"Params").Values(jen.Dict{
			jen.Id(sqlcName(fd.Column)):           d.toDB(fd, jen.Id("v")),
			jen.Id(sqlcName("except_token_hash")): jen.Id("except"),
		})
	}
	if d.returning {
		recv().Id("deleteBy"+fd.GoName).Params(ctxParam(), jen.Id("c").Add(impl("Conn")), jen.Id("v").Add(typ.Clone()), jen.Id("except").Index().Byte()).Params(jen.Index().Index().Byte(), jen.Error()).Block(
			jen.If(jen.Id("except").Op("==").Nil()).Block(
				jen.Return(q().Dot(del).Call(jen.Id("ctx"), d.toDB(fd, jen.Id("v"))))),
			jen.Return(q().Dot(other).Call(jen.Id("ctx"), params(other))),
		)
		return
	}
	// Without RETURNING: the keys are read, and locked, by the Lock query,
	// then the rows deleted, in one REPEATABLE READ transaction.
	lock := "Lock" + n.plural + "By" + fd.GoName
	lockOther := "LockOther" + n.plural + "By" + fd.GoName
	tx := func() *jen.Statement { return jen.Qual(d.dbPath, "New").Call(jen.Id("c").Dot(d.handle).Call()) }
	recv().Id("deleteBy"+fd.GoName).Params(ctxParam(), jen.Id("c").Add(impl("Conn")), jen.Id("v").Add(typ.Clone()), jen.Id("except").Index().Byte()).Params(jen.Index().Index().Byte(), jen.Error()).Block(
		jen.Var().Id("keys").Index().Index().Byte(),
		jen.Err().Op(":=").Id("c").Dot("AtomicRange").Call(jen.Id("ctx"), jen.Func().Params(jen.Id("c").Add(impl("Conn"))).Error().Block(
			jen.Var().Err().Error(),
			jen.If(jen.Id("except").Op("==").Nil()).Block(
				jen.If(jen.List(jen.Id("keys"), jen.Err()).Op("=").Add(tx()).Dot(lock).Call(jen.Id("ctx"), d.toDB(fd, jen.Id("v"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
				jen.List(jen.Id("_"), jen.Err()).Op("=").Add(tx()).Dot(del).Call(jen.Id("ctx"), d.toDB(fd, jen.Id("v"))),
				jen.Return(jen.Err()),
			),
			jen.If(jen.List(jen.Id("keys"), jen.Err()).Op("=").Add(tx()).Dot(lockOther).Call(jen.Id("ctx"), params(lockOther)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.List(jen.Id("_"), jen.Err()).Op("=").Add(tx()).Dot(other).Call(jen.Id("ctx"), params(other)),
			jen.Return(jen.Err()),
		)),
		jen.Return(jen.Id("keys"), jen.Err()),
	)
}

// writeThenMeta is, for an engine without RETURNING, the write (Save or
// Touch, run on the queries it is given) and the read of the lifecycle
// columns it left under the key, in one transaction (Conn.Atomic): r holds
// the row and err the error, the engine's no-rows error when no live
// session has the key. The enclosing function declares err.
func writeThenMeta(m *Model, d backendDialect, write func(queries *jen.Statement) *jen.Statement, key *jen.Statement) []jen.Code {
	tx := func() *jen.Statement { return jen.Qual(d.dbPath, "New").Call(jen.Id("c").Dot(d.handle).Call()) }
	return []jen.Code{
		jen.Var().Id("r").Qual(d.dbPath, "Get"+m.TypeName+"MetaRow"),
		jen.Err().Op("=").Id("c").Dot("Atomic").Call(jen.Id("ctx"), jen.Func().Params(jen.Id("c").Add(impl("Conn"))).Error().Block(
			// The count of changed rows says nothing: a write of the values
			// the row has changes none. The read of the live row decides.
			jen.If(jen.List(jen.Id("_"), jen.Err()).Op(":=").Add(write(tx())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Var().Err().Error(),
			jen.List(jen.Id("r"), jen.Err()).Op("=").Add(tx()).Dot("Get"+m.TypeName+"Meta").Call(jen.Id("ctx"), key),
			jen.Return(jen.Err()),
		)),
	}
}
