// Package appsqlite links the example's one SQLite implementation,
// mattn/go-sqlite3 (cgo, driver name "sqlite3"), and dbmate's SQLite driver,
// which is built on it, so that app.Migrate applies schema/sqlite; Open
// opens the example's SQLite file with the DSN the session store requires.
//
// It is a package of its own, imported by the example binary and its
// tests, so that importing example/app links no SQLite: the reliability
// suite links example/app and the generator, whose sqlc registers
// ncruces/go-sqlite3 under the same driver name "sqlite3".
package appsqlite

import (
	"database/sql"
	"fmt"
)

// DSN is the DSN of the SQLite file at path for mattn/go-sqlite3: WAL mode
// and a 5 s busy_timeout on every connection, which the SQLite session
// store requires.
func DSN(path string) string { return "file:" + path + "?_journal_mode=WAL&_busy_timeout=5000" }

// Open opens (creating it if needed) the SQLite file at path with
// mattn/go-sqlite3. Without cgo, mattn/go-sqlite3 fails at the first query.
func Open(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("opening SQLite %s: %w", path, err)
	}
	return db, nil
}
