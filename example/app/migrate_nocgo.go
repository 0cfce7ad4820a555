//go:build !cgo

package app

import (
	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"; without cgo it fails at the first query
)

// sqliteMigrations reports whether dbmate's SQLite driver is linked in: it
// needs cgo.
const sqliteMigrations = false
