// Package mattn runs the lifecycle suite on SQLite through
// github.com/mattn/go-sqlite3 (cgo), in its tests.
package mattn
