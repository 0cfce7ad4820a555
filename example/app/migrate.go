package app

import (
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
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

// SQLiteDSN is the DSN of the SQLite file at path for mattn/go-sqlite3
// (driver name "sqlite3"): WAL mode and a 5 s busy_timeout on every
// connection, which the SQLite session store requires.
func SQLiteDSN(path string) string { return "file:" + path + "?_journal_mode=WAL&_busy_timeout=5000" }

// OpenSQLite opens (creating it if needed) the SQLite file at path with
// mattn/go-sqlite3, the one SQLite implementation linked into the example:
// dbmate's SQLite driver, which applies the migrations, is built on it.
// Without cgo, mattn/go-sqlite3 fails at the first query.
func OpenSQLite(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", SQLiteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("opening SQLite %s: %w", path, err)
	}
	return db, nil
}

// Migrate applies the emitted migrations (embedded from schema/) to the
// database at databaseURL with the dbmate library: postgres:// or
// postgresql:// applies schema/postgresql, sqlite:path (SQLiteURL)
// schema/sqlite. The schema dump is off: the migrations are the source of
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
		if !sqliteMigrations {
			return fmt.Errorf("applying migrations to %s: dbmate's SQLite driver needs cgo (it is built on mattn/go-sqlite3); build the example with CGO_ENABLED=1 and a C compiler", databaseURL)
		}
		migrations = schema.SQLite()
	default:
		return fmt.Errorf("database URL %q: want postgres://, postgresql:// or sqlite:", u.Redacted())
	}
	db := dbmate.New(u)
	db.FS = migrations
	db.MigrationsDir = []string{"."}
	db.AutoDumpSchema = false
	db.Log = log
	if err := db.Migrate(); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	return nil
}
