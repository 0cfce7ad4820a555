// Package app is the sessiongen example application: a small JSON API and a
// server-rendered browser page (page.go) whose session payload (Session, in
// session.go) goes through the generated typed layer (session_gen.go over
// sessiondbpostgresql/ and sessiondbsqlite/): it runs on PostgreSQL or on
// SQLite (DB, New), with the same HTTP contract. It is a package of its own so that the example binary
// (package main in the parent directory), its tests, the benchmarks and the
// reliability suite all run the very same handlers.
package app
