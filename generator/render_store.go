package generator

import (
	"github.com/dave/jennifer/jen"

	"github.com/sessiongen/sessiongen/generator/dialect"
)

// renderStore emits the store type: constructors per engine, middleware,
// load, update, destroy, the reaper and the per-index operations.
func renderStore(f *jen.File, m *Model, n goNames) error {
	s, h := n.store, n.handle
	f.Commentf("%s is the typed server-side session store for %s, backed by the %s table.", s, m.TypeName, m.Table)
	f.Comment("Create one per process with " + n.engines[0].newStore + " and wrap the router with Middleware.")
	f.Type().Id(s).Struct(
		jen.Id("m").Op("*").Add(impl("Manager")),
		jen.Id("be").Id(n.engine),
	)

	f.Commentf("%s is what the store needs of an engine: the runtime's Backend and", n.engine)
	f.Comment("the statements of the indexed fields.")
	ops := []jen.Code{impl("Backend")}
	for _, fd := range m.Fields {
		if fd.Index {
			typ := typeCode(fd.Type)
			ops = append(ops,
				jen.Id("listBy"+fd.GoName).Params(ctxParam(), jen.Id("c").Add(impl("Conn")), jen.Id("v").Add(typ.Clone())).Params(jen.Index().Add(impl("Listed")), jen.Error()),
				jen.Id("deleteBy"+fd.GoName).Params(ctxParam(), jen.Id("c").Add(impl("Conn")), jen.Id("v").Add(typ.Clone()), jen.Id("except").Index().Byte()).Params(jen.Index().Index().Byte(), jen.Error()),
			)
		}
	}
	f.Type().Id(n.engine).Interface(ops...)

	wrapErr := jen.Qual("fmt", "Errorf").Call(jen.Lit("sessiongen: "+m.TypeName+" store on table "+m.Table+": %w"), jen.Err())
	// onDB emits a constructor on a database handle of type db, through the
	// runtime's driver drv and the backend be.
	onDB := func(name string, db jen.Code, drv, be string) {
		f.Func().Id(name).Params(jen.Id("db").Add(db), jen.Id("cfg").Add(rt("Config"))).Params(jen.Op("*").Id(s), jen.Error()).Block(
			jen.If(jen.Id("db").Op("==").Nil()).Block(jen.Return(jen.Nil(), jen.Qual("errors", "New").Call(jen.Lit("sessiongen: "+m.TypeName+" store on table "+m.Table+": nil database")))),
			jen.Return(jen.Id(n.newStoreOn).Call(impl(drv).Call(jen.Id("db")), jen.Id(be).Values(), jen.Id("cfg"))),
		)
	}
	for _, e := range n.engines {
		doc := e.rt.ConstructorDoc
		f.Commentf("%s returns a store on %s through db, %s", e.newStore, e.rt.Title, doc[0])
		for _, l := range doc[1:] {
			f.Comment(l)
		}
		db := jen.Op("*").Qual("database/sql", "DB")
		if e.rt.Conn == dialect.ConnPgx {
			db = impl("PgxPool")
		}
		onDB(e.newStore, db, e.rt.Driver, e.backend)
	}

	anyBackend := n.engines[0].backend // for New, the same in every backend
	f.Commentf("%s returns a store that keeps its sessions in memory, with the", n.newMemoryStore)
	f.Comment("same lifecycle rules, for handler tests without a database. Sessions live as")
	f.Comment("long as the store; the read cache is not available.")
	f.Func().Id(n.newMemoryStore).Params(jen.Id("cfg").Add(rt("Config"))).Params(jen.Op("*").Id(s), jen.Error()).Block(
		jen.Id("mem").Op(":=").Add(impl("NewMemory")).Call(jen.Id(anyBackend).Values().Dot("New")),
		jen.Return(jen.Id(n.newStoreOn).Call(jen.Id("mem"), jen.Id(n.memory).Values(jen.Id("mem")), jen.Id("cfg"))),
	)

	f.Commentf("%s returns a store running on drv with the engine's backend be.", n.newStoreOn)
	f.Func().Id(n.newStoreOn).Params(jen.Id("drv").Add(impl("Driver")), jen.Id("be").Id(n.engine), jen.Id("cfg").Add(rt("Config"))).Params(jen.Op("*").Id(s), jen.Error()).Block(
		jen.List(jen.Id("m"), jen.Err()).Op(":=").Add(impl("NewManager")).Call(jen.Id("drv"), jen.Id("be"), jen.Id("cfg")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), wrapErr)),
		jen.Return(jen.Op("&").Id(s).Values(jen.Dict{jen.Id("m"): jen.Id("m"), jen.Id("be"): jen.Id("be")}), jen.Nil()),
	)

	recv := func() *jen.Statement { return f.Func().Params(jen.Id("s").Op("*").Id(s)) }
	call := func(name string, args ...jen.Code) *jen.Statement {
		return jen.Id("s").Dot("m").Dot(name).Call(args...)
	}
	ctx, w, r := jen.Id("ctx"), jen.Id("w"), jen.Id("r")
	wParam := func() *jen.Statement { return jen.Id("w").Qual("net/http", "ResponseWriter") }
	rParam := func() *jen.Statement { return jen.Id("r").Op("*").Qual("net/http", "Request") }

	f.Comment("Middleware makes sessions available to next and saves their changes")
	f.Comment("before the first byte of each response.")
	recv().Id("Middleware").Params(jen.Id("next").Qual("net/http", "Handler")).Qual("net/http", "Handler").Block(
		jen.Return(call("Middleware", jen.Id("next"))))

	f.Comment("Load returns the request's session, reading it on first use (a handler that")
	f.Comment("never calls it makes no query). When it fails it has answered the request")
	f.Comment("with the error handler and reports false: the handler just returns.")
	recv().Id("Load").Params(wParam(), rParam()).Params(jen.Op("*").Id(h), jen.Bool()).Block(
		jen.List(jen.Id("sess"), jen.Err()).Op(":=").Id("s").Dot("FromContext").Call(r.Clone().Dot("Context").Call()),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Id("s").Dot("HandleError").Call(w, r, jen.Err()),
			jen.Return(jen.Nil(), jen.False()),
		),
		jen.Return(jen.Id("sess"), jen.True()),
	)

	f.Comment("FromContext returns the session of the request whose context ctx is, reading")
	f.Comment("it on first use. A request without a valid session gets a new, empty one that")
	f.Comment("is stored only once a field is set.")
	recv().Id("FromContext").Params(ctxParam()).Params(jen.Op("*").Id(h), jen.Error()).Block(
		jen.List(jen.Id("st"), jen.Err()).Op(":=").Add(call("Load", ctx)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Id(n.handleOf).Call(jen.Id("st").Dot("Record").Call()), jen.Nil()),
	)

	f.Comment("HandleError answers the request with the configured error handler:")
	f.Comment("sessionrt.StatusCode(err) and a short text by default.")
	recv().Id("HandleError").Params(wParam(), rParam(), jen.Err().Error()).Block(call("HandleError", w, r, jen.Err()))

	for _, l := range n.engines[0].rt.UpdateDoc {
		f.Comment(l)
	}
	f.Comment("It fails with sessionrt.ErrSessionGone if the session was destroyed or expired.")
	recv().Id("Update").Params(ctxParam(), jen.Id("fn").Func().Params(jen.Op("*").Id(h)).Error()).Error().Block(
		jen.Return(call("Update", ctx, jen.Func().Params(jen.Id("rec").Add(impl("Record"))).Error().Block(
			jen.Return(jen.Id("fn").Call(jen.Id(n.handleOf).Call(jen.Id("rec"))))))))

	f.Comment("Commit saves the request's changes now instead of before the first byte of the")
	f.Comment("response, so the handler can see the error itself.")
	recv().Id("Commit").Params(ctxParam()).Error().Block(jen.Return(call("Commit", ctx)))

	f.Comment("Destroy deletes the request's session now (logout) and expires its cookie;")
	f.Comment("changes after it start a new session.")
	recv().Id("Destroy").Params(ctxParam()).Error().Block(jen.Return(call("Destroy", ctx)))

	f.Comment("UpgradeHeader saves the request's session now and returns the headers its")
	f.Comment("response must carry (Set-Cookie among them), for a handler that hijacks the")
	f.Comment("connection: pass them to the websocket upgrader. Without it, hijacking a")
	f.Comment("request whose session sets or expires the cookie fails with")
	f.Comment("sessionrt.ErrHijackCookie.")
	recv().Id("UpgradeHeader").Params(ctxParam()).Params(jen.Qual("net/http", "Header"), jen.Error()).Block(jen.Return(call("UpgradeHeader", ctx)))

	f.Comment("Create stores a new session holding v, outside any request, and returns the")
	f.Comment("cookie that carries it: for tests and tools that need a logged-in client.")
	f.Comment("The values go through the setters: they are copied, and one a column cannot")
	f.Comment("store fails with sessionrt.ErrInvalidValue.")
	fill := []jen.Code{jen.Id("h").Op(":=").Id(n.handleOf).Call(jen.Id("rec"))}
	for _, fd := range m.Fields {
		fill = append(fill, jen.Id("h").Dot(setterName(fd.GoName)).Call(jen.Id("v").Dot(fd.GoName)))
	}
	recv().Id("Create").Params(ctxParam(), jen.Id("v").Id(m.TypeName)).Params(jen.Op("*").Qual("net/http", "Cookie"), jen.Error()).Block(
		jen.Return(call("Create", ctx, jen.Func().Params(jen.Id("rec").Add(impl("Record"))).Block(fill...))))

	f.Comment("CookieName is the session cookie's full name, with its __Host- prefix.")
	recv().Id("CookieName").Params().String().Block(jen.Return(call("CookieName")))

	f.Comment("RunReaper deletes expired sessions right away and then every interval until")
	f.Comment("ctx is done, in batches of at most batch rows (defaults for values <= 0).")
	f.Comment("Errors are logged. Run it in its own goroutine; several instances may.")
	recv().Id("RunReaper").Params(ctxParam(), jen.Id("every").Qual("time", "Duration"), jen.Id("batch").Int()).Block(
		call("RunReaper", ctx, jen.Id("every"), jen.Id("batch")))

	f.Comment("Reap deletes expired sessions in batches of at most batch rows, once.")
	recv().Id("Reap").Params(ctxParam(), jen.Id("batch").Int()).Params(jen.Int64(), jen.Error()).Block(
		jen.Return(call("Reap", ctx, jen.Id("batch"))))

	f.Comment("Count reports the number of live sessions.")
	recv().Id("Count").Params(ctxParam()).Params(jen.Int64(), jen.Error()).Block(jen.Return(call("Count", ctx)))

	f.Comment("RunCacheListener keeps the read cache's eviction listener connected until ctx")
	f.Comment("is done (see sessionrt.CacheConfig); the cache serves only while it runs. Run")
	f.Comment("it in its own goroutine when Config.Cache.MaxEntries is set.")
	recv().Id("RunCacheListener").Params(ctxParam()).Error().Block(jen.Return(call("RunCacheListener", ctx)))

	f.Comment("CacheStats counts what the read cache did since the store was created.")
	recv().Id("CacheStats").Params().Add(rt("CacheStats")).Block(jen.Return(call("CacheStats")))

	for _, fd := range m.Fields {
		if fd.Index {
			renderIndexed(f, n, fd, recv)
		}
	}
	return nil
}

// runOnConn is `err := s.m.Run(ctx, func(ctx context.Context, c
// sessionimpl.Conn) error { var err error; dst, err = call; return err })`.
func runOnConn(dst string, call jen.Code) *jen.Statement {
	return jen.Id("s").Dot("m").Dot("Run").Call(jen.Id("ctx"), jen.Func().Params(ctxParam(), jen.Id("c").Add(impl("Conn"))).Error().Block(
		jen.Var().Err().Error(),
		jen.List(jen.Id(dst), jen.Err()).Op("=").Add(call),
		jen.Return(jen.Err()),
	))
}

// renderIndexed emits ListBy<Field>, DestroyBy<Field> and
// DestroyOthersBy<Field> over the engine's statements.
func renderIndexed(f *jen.File, n goNames, fd Field, recv func() *jen.Statement) {
	typ := typeCode(fd.Type)
	be := func(name string, args ...jen.Code) *jen.Statement {
		return jen.Id("s").Dot("be").Dot(name).Call(append([]jen.Code{jen.Id("ctx"), jen.Id("c"), jen.Id("v")}, args...)...)
	}

	f.Commentf("ListBy%s lists the live sessions whose %s is v, most recently used first,", fd.GoName, fd.GoName)
	f.Comment("for \"active sessions\" pages. One indexed query.")
	if fd.Nullable {
		f.Commentf("A nil v matches no session, not those whose %s is nil: SQL's = is never", fd.GoName)
		f.Comment("true for NULL.")
	}
	recv().Id("ListBy"+fd.GoName).Params(ctxParam(), jen.Id("v").Add(typ.Clone())).Params(jen.Index().Add(rt("Info")), jen.Error()).Block(
		jen.Var().Id("rows").Index().Add(impl("Listed")),
		jen.Err().Op(":=").Add(runOnConn("rows", be("listBy"+fd.GoName))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Id("out").Op(":=").Make(jen.Index().Add(rt("Info")), jen.Len(jen.Id("rows"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("r")).Op(":=").Range().Id("rows")).Block(
			jen.Id("out").Index(jen.Id("i")).Op("=").Id("s").Dot("m").Dot("Describe").Call(jen.Id("ctx"), jen.Id("r").Dot("Hash"),
				jen.Id("r").Dot("Meta").Dot("CreatedAt"), jen.Id("r").Dot("Meta").Dot("LastSeenAt"), jen.Id("r").Dot("Meta").Dot("ExpiresAt")),
		),
		jen.Return(jen.Id("out"), jen.Nil()),
	)

	f.Commentf("DestroyBy%s deletes every session whose %s is v (\"log out everywhere\",", fd.GoName, fd.GoName)
	f.Comment("after a password change) in one indexed statement, and reports how many.")
	f.Comment("If the current request's stored session is among the deleted rows, the")
	f.Comment("request goes on with a new, empty session and its cookie is expired.")
	if fd.Nullable {
		f.Commentf("A nil v matches (and deletes) no session, not those whose %s is nil.", fd.GoName)
	}
	recv().Id("DestroyBy"+fd.GoName).Params(ctxParam(), jen.Id("v").Add(typ.Clone())).Params(jen.Int64(), jen.Error()).Block(
		jen.Var().Id("hashes").Index().Index().Byte(),
		jen.Err().Op(":=").Add(runOnConn("hashes", be("deleteBy"+fd.GoName, jen.Nil()))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
		jen.Id("s").Dot("m").Dot("ForgetIfCurrent").Call(jen.Id("ctx"), jen.Id("hashes")),
		jen.Return(jen.Int64().Call(jen.Len(jen.Id("hashes"))), jen.Nil()),
	)

	f.Commentf("DestroyOthersBy%s deletes every session whose %s is v except the", fd.GoName, fd.GoName)
	f.Comment("request's own (\"log out my other devices\") in one indexed statement, and")
	f.Comment("reports how many. The request's session keeps working. A request without a")
	f.Comment("stored session (anonymous, or new and not saved yet) keeps none: every")
	f.Comment("matching session is deleted. It loads the request's session first if the")
	f.Comment("handler has not, to know its key.")
	if fd.Nullable {
		f.Commentf("A nil v matches (and deletes) no session, not those whose %s is nil.", fd.GoName)
	}
	recv().Id("DestroyOthersBy"+fd.GoName).Params(ctxParam(), jen.Id("v").Add(typ.Clone())).Params(jen.Int64(), jen.Error()).Block(
		jen.List(jen.Id("key"), jen.Err()).Op(":=").Id("s").Dot("m").Dot("CurrentKey").Call(jen.Id("ctx")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
		jen.Var().Id("hashes").Index().Index().Byte(),
		jen.Err().Op("=").Add(runOnConn("hashes", be("deleteBy"+fd.GoName, jen.Id("key")))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
		jen.Id("s").Dot("m").Dot("ForgetIfCurrent").Call(jen.Id("ctx"), jen.Id("hashes")).Comment("evicts the deleted keys from the cache"),
		jen.Return(jen.Int64().Call(jen.Len(jen.Id("hashes"))), jen.Nil()),
	)
}
