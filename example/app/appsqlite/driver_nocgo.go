//go:build !cgo

package appsqlite

import (
	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"; without cgo it fails at the first query (dbmate's SQLite driver needs cgo and is left out)
)
