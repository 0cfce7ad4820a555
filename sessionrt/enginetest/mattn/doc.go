// Package mattn runs the lifecycle suite on SQLite through
// github.com/mattn/go-sqlite3 (cgo), in its tests: on a file in WAL mode and
// on an in-memory database.
package mattn
