// Package schema embeds the dbmate migrations that sessiongen emitted into
// this directory, so an application can apply them at start from its own
// binary (see example/migrate.go). The .sql files are the reviewed source of
// truth; this file only exposes them.
package schema

import "embed"

// Migrations holds every migration file of this directory.
//
//go:embed *.sql
var Migrations embed.FS
