package generator

import (
	"github.com/dave/jennifer/jen"
)

// renderStore emits the store type: constructor, middleware, load, update,
// destroy and the per-index queries.
func renderStore(f *jen.File, m *Model, n goNames) error {
	s, h := n.store, n.handle
	f.Commentf("%s is the typed server-side session store for %s, backed by the %s table.", s, m.TypeName, m.Table)
	f.Comment("Create one per process with " + n.newStore + " and wrap the router with Middleware.")
	f.Type().Id(s).Struct(jen.Id("m").Op("*").Add(rt("Manager")))

	f.Commentf("%s returns a store over db. A nil db gives a store for handler tests", n.newStore)
	f.Comment("without a database (see TestContext); every database method then fails.")
	f.Func().Id(n.newStore).Params(jen.Id("db").Add(rt("Pool")), jen.Id("cfg").Add(rt("Config"))).Params(jen.Op("*").Id(s), jen.Error()).Block(
		jen.List(jen.Id("m"), jen.Err()).Op(":=").Add(rt("NewManager")).Call(jen.Id("db"), jen.Id(n.backend).Values(), jen.Id("cfg")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("sessiongen: "+m.TypeName+" store on table "+m.Table+": %w"), jen.Err()))),
		jen.Return(jen.Op("&").Id(s).Values(jen.Id("m").Op(":").Id("m")), jen.Nil()),
	)

	recv := func() *jen.Statement { return f.Func().Params(jen.Id("s").Op("*").Id(s)) }

	f.Comment("Manager returns the runtime manager, for the reaper and other lifecycle tools.")
	recv().Id("Manager").Params().Op("*").Add(rt("Manager")).Block(jen.Return(jen.Id("s").Dot("m")))

	f.Comment("Middleware makes sessions available to next and saves their changes")
	f.Comment("before the first byte of each response.")
	recv().Id("Middleware").Params(jen.Id("next").Qual("net/http", "Handler")).Qual("net/http", "Handler").Block(
		jen.Return(jen.Id("s").Dot("m").Dot("Middleware").Call(jen.Id("next"))))

	f.Comment("Load returns the request's session, reading it from the database on first use.")
	f.Comment("A request without a valid session gets a new, empty one that is stored only")
	f.Comment("once a field is set.")
	recv().Id("Load").Params(ctxParam()).Params(jen.Op("*").Id(h), jen.Error()).Block(
		jen.List(jen.Id("st"), jen.Err()).Op(":=").Id("s").Dot("m").Dot("Load").Call(jen.Id("ctx")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Id("st").Dot("Record").Call().Assert(jen.Op("*").Id(h)), jen.Nil()),
	)

	f.Comment("Update runs fn on the session atomically: in a transaction that locks the row")
	f.Comment("(SELECT ... FOR UPDATE), so concurrent updates never lose each other's changes.")
	f.Comment("It fails with sessionrt.ErrSessionGone if the session was destroyed or expired.")
	recv().Id("Update").Params(ctxParam(), jen.Id("fn").Func().Params(jen.Op("*").Id(h)).Error()).Error().Block(
		jen.Return(jen.Id("s").Dot("m").Dot("Update").Call(jen.Id("ctx"), jen.Func().Params(jen.Id("r").Add(rt("Record"))).Error().Block(
			jen.Return(jen.Id("fn").Call(jen.Id("r").Assert(jen.Op("*").Id(h))))))))

	f.Comment("Commit saves the request's changes now instead of before the first byte of the")
	f.Comment("response, so the handler can see the error itself.")
	recv().Id("Commit").Params(ctxParam()).Error().Block(jen.Return(jen.Id("s").Dot("m").Dot("Commit").Call(jen.Id("ctx"))))

	f.Comment("Destroy deletes the request's session now (logout) and expires its cookie;")
	f.Comment("changes after it start a new session.")
	recv().Id("Destroy").Params(ctxParam()).Error().Block(jen.Return(jen.Id("s").Dot("m").Dot("Destroy").Call(jen.Id("ctx"))))

	f.Comment("UpgradeHeader saves the request's session now and returns the headers its")
	f.Comment("response must carry (Set-Cookie among them), for a handler that hijacks the")
	f.Comment("connection: pass them to the websocket upgrader. Without it, hijacking a")
	f.Comment("request whose session sets or expires the cookie fails with")
	f.Comment("sessionrt.ErrHijackCookie.")
	recv().Id("UpgradeHeader").Params(ctxParam()).Params(jen.Qual("net/http", "Header"), jen.Error()).Block(jen.Return(jen.Id("s").Dot("m").Dot("UpgradeHeader").Call(jen.Id("ctx"))))

	f.Comment("Reap deletes expired sessions in batches of at most batch rows.")
	recv().Id("Reap").Params(ctxParam(), jen.Id("batch").Int()).Params(jen.Int64(), jen.Error()).Block(
		jen.Return(jen.Id("s").Dot("m").Dot("Reap").Call(jen.Id("ctx"), jen.Id("batch"))))

	f.Comment("Count reports the number of live sessions.")
	recv().Id("Count").Params(ctxParam()).Params(jen.Int64(), jen.Error()).Block(
		jen.Return(jen.Id("s").Dot("m").Dot("Count").Call(jen.Id("ctx"))))

	f.Commentf("TestContext returns a context holding a stored session with the values of v,")
	f.Comment("for unit tests of handlers without a database: pass it with r.WithContext.")
	recv().Id("TestContext").Params(ctxParam(), jen.Id("v").Id(m.TypeName)).Params(jen.Qual("context", "Context"), jen.Op("*").Id(h)).Block(
		jen.List(jen.Id("ctx"), jen.Id("st")).Op(":=").Id("s").Dot("m").Dot("TestContext").Call(jen.Id("ctx"), jen.Func().Params(jen.Id("r").Add(rt("Record"))).Block(
			jen.Id("r").Assert(jen.Op("*").Id(h)).Dot("v").Op("=").Id("v"))),
		jen.Return(jen.Id("ctx"), jen.Id("st").Dot("Record").Call().Assert(jen.Op("*").Id(h))),
	)

	for _, fd := range m.Fields {
		if !fd.Index {
			continue
		}
		if err := renderIndexed(f, m, n, fd, recv); err != nil {
			return err
		}
	}
	return nil
}

// renderIndexed emits ListBy<Field> and DestroyBy<Field>.
func renderIndexed(f *jen.File, m *Model, n goNames, fd Field, recv func() *jen.Statement) error {
	typ, err := typeCode(fd.typ, m.PkgPath)
	if err != nil {
		return fieldErr(fd, err)
	}
	db := jen.Qual(n.dbPath, "New").Call(jen.Id("db"))
	arg := toDBValue(fd, jen.Id("v"))
	list := "List" + n.plural + "By" + fd.GoName
	del := "Delete" + n.plural + "By" + fd.GoName

	f.Commentf("ListBy%s lists the live sessions whose %s is v, most recently used first,", fd.GoName, fd.GoName)
	f.Comment("for \"active sessions\" pages. One indexed query.")
	if fd.Nullable {
		f.Commentf("A nil v matches no session, not those whose %s is nil: SQL's = is never", fd.GoName)
		f.Comment("true for NULL.")
	}
	body := []jen.Code{
		jen.Var().Id("rows").Index().Qual(n.dbPath, list+"Row"),
		jen.Err().Op(":=").Id("s").Dot("m").Dot("Run").Call(jen.Id("ctx"), jen.Func().Params(ctxParam(), jen.Id("db").Add(rt("DB"))).Error().Block(
			jen.Var().Err().Error(),
			jen.List(jen.Id("rows"), jen.Err()).Op("=").Add(db).Dot(list).Call(jen.Id("ctx"), arg),
			jen.Return(jen.Err()),
		)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Id("out").Op(":=").Make(jen.Index().Add(rt("Info")), jen.Len(jen.Id("rows"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("r")).Op(":=").Range().Id("rows")).Block(
			jen.Id("out").Index(jen.Id("i")).Op("=").Id("s").Dot("m").Dot("Describe").Call(jen.Id("ctx"), jen.Id("r").Dot("TokenHash"), jen.Id("r").Dot("CreatedAt"), jen.Id("r").Dot("LastSeenAt"), jen.Id("r").Dot("ExpiresAt")),
		),
		jen.Return(jen.Id("out"), jen.Nil()),
	}
	recv().Id("ListBy"+fd.GoName).Params(ctxParam(), jen.Id("v").Add(typ)).Params(jen.Index().Add(rt("Info")), jen.Error()).Block(body...)

	typ2, _ := typeCode(fd.typ, m.PkgPath)
	f.Commentf("DestroyBy%s deletes every session whose %s is v (\"log out everywhere\",", fd.GoName, fd.GoName)
	f.Comment("after a password change) in one indexed statement, and reports how many.")
	f.Comment("If the current request's stored session is among the deleted rows, the")
	f.Comment("request goes on with a new, empty session and its cookie is expired.")
	if fd.Nullable {
		f.Commentf("A nil v matches (and deletes) no session, not those whose %s is nil.", fd.GoName)
	}
	arg2 := toDBValue(fd, jen.Id("v"))
	body2 := []jen.Code{
		jen.Var().Id("hashes").Index().Index().Byte(),
		jen.Err().Op(":=").Id("s").Dot("m").Dot("Run").Call(jen.Id("ctx"), jen.Func().Params(ctxParam(), jen.Id("db").Add(rt("DB"))).Error().Block(
			jen.Var().Err().Error(),
			jen.List(jen.Id("hashes"), jen.Err()).Op("=").Add(jen.Qual(n.dbPath, "New").Call(jen.Id("db"))).Dot(del).Call(jen.Id("ctx"), arg2),
			jen.Return(jen.Err()),
		)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
		jen.Id("s").Dot("m").Dot("ForgetIfCurrent").Call(jen.Id("ctx"), jen.Id("hashes")),
		jen.Return(jen.Int64().Call(jen.Len(jen.Id("hashes"))), jen.Nil()),
	}
	recv().Id("DestroyBy"+fd.GoName).Params(ctxParam(), jen.Id("v").Add(typ2)).Params(jen.Int64(), jen.Error()).Block(body2...)

	renderDestroyOthers(f, n, fd, recv)
	return nil
}

// renderDestroyOthers emits DestroyOthersBy<Field>: DestroyBy<Field> that
// keeps the request's stored session, in one DELETE that excludes its key.
func renderDestroyOthers(f *jen.File, n goNames, fd Field, recv func() *jen.Statement) {
	typ := typeCodeOrAny(fd.typ, fd)
	del := "DeleteOther" + n.plural + "By" + fd.GoName
	f.Commentf("DestroyOthersBy%s deletes every session whose %s is v except the", fd.GoName, fd.GoName)
	f.Comment("request's own (\"log out my other devices\") in one indexed statement, and")
	f.Comment("reports how many. The request's session keeps working. A request without a")
	f.Comment("stored session (anonymous, or new and not saved yet) keeps none: every")
	f.Comment("matching session is deleted. It loads the request's session first if the")
	f.Comment("handler has not, to know its key.")
	if fd.Nullable {
		f.Commentf("A nil v matches (and deletes) no session, not those whose %s is nil.", fd.GoName)
	}
	params := jen.Qual(n.dbPath, del+"Params").Values(jen.Dict{
		jen.Id(sqlcName(fd.Column)):           toDBValue(fd, jen.Id("v")),
		jen.Id(sqlcName("except_token_hash")): jen.Id("key"),
	})
	body := []jen.Code{
		jen.List(jen.Id("key"), jen.Err()).Op(":=").Id("s").Dot("m").Dot("CurrentKey").Call(jen.Id("ctx")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
		jen.Var().Id("hashes").Index().Index().Byte(),
		jen.Err().Op("=").Id("s").Dot("m").Dot("Run").Call(jen.Id("ctx"), jen.Func().Params(ctxParam(), jen.Id("db").Add(rt("DB"))).Error().Block(
			jen.Var().Err().Error(),
			jen.List(jen.Id("hashes"), jen.Err()).Op("=").Add(jen.Qual(n.dbPath, "New").Call(jen.Id("db"))).Dot(del).Call(jen.Id("ctx"), params),
			jen.Return(jen.Err()),
		)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
		jen.Id("s").Dot("m").Dot("ForgetIfCurrent").Call(jen.Id("ctx"), jen.Id("hashes")).Comment("evicts the deleted keys from the cache"),
		jen.Return(jen.Int64().Call(jen.Len(jen.Id("hashes"))), jen.Nil()),
	}
	recv().Id("DestroyOthersBy"+fd.GoName).Params(ctxParam(), jen.Id("v").Add(typ)).Params(jen.Int64(), jen.Error()).Block(body...)
}
