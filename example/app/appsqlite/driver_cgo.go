//go:build cgo

package appsqlite

import (
	_ "github.com/amacneil/dbmate/v2/pkg/driver/sqlite" // dbmate's SQLite driver (cgo: mattn/go-sqlite3)
	_ "github.com/mattn/go-sqlite3"                     // registers "sqlite3" for Open
)
