// Package schema embeds the dbmate migrations that sessiongen emitted into
// this directory, one subdirectory per engine (postgresql/, sqlite/, mysql/), so an
// application can apply them at start from its own binary (see
// example/app/migrate.go). The .sql files are the reviewed source of truth;
// this file only exposes them. The same files also work with the dbmate
// command: dbmate -d schema/sqlite -u sqlite:sessions.db up.
package schema

import (
	"embed"
	"io/fs"
)

// Migrations holds every migration file of this directory, under
// postgresql/, sqlite/ and mysql/.
//
//go:embed postgresql/*.sql sqlite/*.sql mysql/*.sql
var Migrations embed.FS

// PostgreSQL returns the PostgreSQL migrations, at the root of the FS.
func PostgreSQL() fs.FS { return sub("postgresql") }

// SQLite returns the SQLite migrations, at the root of the FS.
func SQLite() fs.FS { return sub("sqlite") }

// MySQL returns the MySQL (and MariaDB) migrations, at the root of the FS.
func MySQL() fs.FS { return sub("mysql") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(Migrations, dir)
	if err != nil {
		panic(err) // dir is a constant name of an embedded directory
	}
	return f
}
