//go:build cgo

package app

import (
	_ "github.com/amacneil/dbmate/v2/pkg/driver/sqlite" // dbmate's SQLite driver (cgo: mattn/go-sqlite3)
	_ "github.com/mattn/go-sqlite3"                     // registers "sqlite3" for OpenSQLite
)

// sqliteMigrations reports whether dbmate's SQLite driver is linked in: it
// needs cgo.
const sqliteMigrations = true
