// Package ncruces runs the lifecycle suite on SQLite through
// github.com/ncruces/go-sqlite3 (pure Go: SQLite compiled to WebAssembly),
// in its tests.
package ncruces
