package app

import (
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/mysql"    // dbmate's MySQL driver (go-sql-driver/mysql, pure Go)
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // dbmate's PostgreSQL driver
	"github.com/sessiongen/sessiongen/schema"
)

// pgxOnlyParam reports whether a connection-string parameter is one pgx
// understands and the PostgreSQL server does not.
func pgxOnlyParam(k string) bool {
	switch k {
	case "default_query_exec_mode", "statement_cache_capacity", "description_cache_capacity":
		return true
	}
	return strings.HasPrefix(k, "pool_")
}

// SQLiteURL is dbmate's URL of the SQLite file at path (sqlite:path), the
// URL Migrate and `dbmate -u` take.
func SQLiteURL(path string) string { return "sqlite:" + filepath.ToSlash(path) }

// Migrate applies the emitted migrations (embedded from schema/) to the
// database at databaseURL with the dbmate library: postgres:// or
// postgresql:// applies schema/postgresql, sqlite:path (SQLiteURL)
// schema/sqlite, with dbmate's SQLite driver, which the binary links by
// importing example/app/appsqlite, and mysql://user@host:port/db
// schema/mysql. The schema dump is off: the migrations are the source of
// truth. log receives dbmate's progress.
func Migrate(databaseURL string, log io.Writer) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return fmt.Errorf("parsing database URL: %w", err)
	}
	var migrations fs.FS
	switch u.Scheme {
	case "postgres", "postgresql":
		migrations = schema.PostgreSQL()
		// dbmate connects with lib/pq, which passes unknown parameters on to the
		// server: drop the pgx-only ones (see pgx.ParseConfig).
		q := u.Query()
		for k := range q {
			if pgxOnlyParam(k) {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	case "sqlite":
		migrations = schema.SQLite()
	case "mysql":
		migrations = schema.MySQL()
	default:
		return fmt.Errorf("database URL %q: want postgres://, postgresql://, mysql:// or sqlite:", u.Redacted())
	}
	db := dbmate.New(u)
	db.FS = migrations
	db.MigrationsDir = []string{"."}
	db.AutoDumpSchema = false
	db.Log = log
	if _, err := db.Driver(); err != nil && u.Scheme == "sqlite" {
		return fmt.Errorf("applying migrations to %s: %w (dbmate's SQLite driver is linked by importing example/app/appsqlite, with cgo: it is built on mattn/go-sqlite3)", databaseURL, err)
	}
	if err := db.Migrate(); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	return nil
}
