package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/example/app/appsqlite"
)

// The -sqlite modes run on a fresh SQLite file in a temp dir of their own,
// opened as the example opens it (appsqlite.Open: mattn/go-sqlite3, WAL,
// busy_timeout 5 s): sessiongen-sqlite is the example's generated store on
// SQLite (app.NewSessionStoreSQLite over the emitted schema/sqlite
// migrations, applied by app.Migrate), floor-sqlite the floor's plain table
// and statements (floor_sqlite.go). Requests never leave the process, so
// there are no round trips to count: the report shows n/a.

// createSQLite makes the mode's temp dir and SQLite file, with the emitted
// migrations applied for sessiongen-sqlite.
func createSQLite(o options, name string) (*instance, error) {
	dir, err := os.MkdirTemp("", o.dbPrefix+"_"+sanitize(name)+"-")
	if err != nil {
		return nil, err
	}
	in := &instance{name: name, sqlitePath: filepath.Join(dir, "sessions.db"), tr: &counter{}}
	if name == "sessiongen-sqlite" {
		if err := app.Migrate(app.SQLiteURL(in.sqlitePath), io.Discard); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("%s: migrate: %w", name, err)
		}
	}
	return in, nil
}

// buildSQLite opens the mode's SQLite file and starts its server. The
// database/sql pool keeps o.conns connections open, as the PostgreSQL
// modes' pgxpool does.
func buildSQLite(ctx context.Context, o options, in *instance) error {
	db, err := appsqlite.Open(in.sqlitePath)
	if err != nil {
		return fmt.Errorf("%s: %w", in.name, err)
	}
	in.sqlite = db
	db.SetMaxOpenConns(o.conns)
	db.SetMaxIdleConns(o.conns)
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("%s: open %s: %w", in.name, in.sqlitePath, err)
	}
	var h http.Handler
	switch in.name {
	case "floor-sqlite":
		h, err = newFloorSQLite(ctx, db)
	case "sessiongen-sqlite":
		var store *app.SessionStore
		store, err = app.NewSessionStoreSQLite(db, sessiongenConfig(0))
		if err == nil {
			h = sessiongenHandler(store)
		}
	default:
		err = fmt.Errorf("unknown SQLite mode %q", in.name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in.name, err)
	}
	return in.start(h)
}
