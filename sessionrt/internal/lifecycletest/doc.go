// Package lifecycletest holds the runtime's lifecycle tests once, for every
// storage engine: a session is created, read, written, renewed, destroyed,
// updated atomically, expired and reaped through sessionimpl.Manager and its
// middleware, and each test checks what the engine stored.
//
// An Engine makes a fresh Env per test: a Manager over one engine's driver
// and a hand-written backend standing in for generated code (PgxBackend on
// PostgreSQL, SQLBackend on a database/sql engine in an SQLDialect, the
// in-memory engine with Rec), plus what the tests assert with: the live
// rows, the row count, the stored lifecycle, the statement trace, and ways
// to clear the table or move its clock. Run runs every test of Tests on
// each engine given.
//
// sessionimpl's tests run the suite on pgx and the in-memory engine; the
// nested module sessionrt/enginetest runs it on SQLite through two
// database/sql drivers, so that the runtime's own module requires no SQLite
// driver. This package imports the standard library, pgx and the runtime's
// packages only; a database/sql engine's driver is registered by the
// caller.
package lifecycletest
