package main

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	"github.com/amacneil/dbmate/v2/pkg/dbutil"
)

// The suite applies the SQLite migrations with the dbmate library, as the
// example does (app.Migrate), but cannot link dbmate's own SQLite driver:
// it is built on mattn/go-sqlite3, which registers the database/sql driver
// name "sqlite3" that the generator's sqlc already registers for
// ncruces/go-sqlite3 (two registrations of one name panic at start). This
// is the same driver over the "sqlite3" this binary has: the same
// schema_migrations table and statements as dbmate's, with WAL,
// busy_timeout and BEGIN IMMEDIATE (sqliteDSN), so a migration applied
// under load queues on the write lock like any other writer.
func init() {
	dbmate.RegisterDriver(newSQLiteMigrator, "sqlite")
}

// sqliteMigrator is a dbmate.Driver for sqlite:path URLs.
type sqliteMigrator struct {
	table string
	u     *url.URL
	log   io.Writer
}

func newSQLiteMigrator(cfg dbmate.DriverConfig) dbmate.Driver {
	return &sqliteMigrator{table: cfg.MigrationsTableName, u: cfg.DatabaseURL, log: cfg.Log}
}

func (d *sqliteMigrator) path() (string, error) { return sqlitePath(d.u.String()) }

// Open opens the file with WAL, busy_timeout and BEGIN IMMEDIATE
// transactions.
func (d *sqliteMigrator) Open() (*sql.DB, error) {
	p, err := d.path()
	if err != nil {
		return nil, err
	}
	return sql.Open("sqlite3", sqliteDSN(p, true))
}

// DatabaseExists reports whether the file exists.
func (d *sqliteMigrator) DatabaseExists() (bool, error) {
	p, err := d.path()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// CreateDatabase creates the file by connecting to it.
func (d *sqliteMigrator) CreateDatabase() error { return d.Ping() }

// DropDatabase removes the file.
func (d *sqliteMigrator) DropDatabase() error {
	p, err := d.path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// DumpSchema is not needed: the suite turns dbmate's dump off.
func (d *sqliteMigrator) DumpSchema(*sql.DB, ...string) ([]byte, error) {
	return nil, errors.New("reliability: the SQLite migrator dumps no schema (AutoDumpSchema is off)")
}

// MigrationsTableExists reports whether schema_migrations exists.
func (d *sqliteMigrator) MigrationsTableExists(db *sql.DB) (bool, error) {
	var n int
	err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", d.table).Scan(&n)
	return n > 0, err
}

// CreateMigrationsTable creates schema_migrations as dbmate's driver does.
func (d *sqliteMigrator) CreateMigrationsTable(db *sql.DB) error {
	_, err := db.Exec(fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (version varchar(128) PRIMARY KEY)", d.quoted()))
	return err
}

// SelectMigrations returns the applied versions, newest first, at most
// limit of them (limit < 0: all).
func (d *sqliteMigrator) SelectMigrations(db *sql.DB, limit int) (map[string]bool, error) {
	q := fmt.Sprintf("SELECT version FROM %s ORDER BY version DESC", d.quoted())
	if limit >= 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// InsertMigration records an applied version.
func (d *sqliteMigrator) InsertMigration(tx dbutil.Transaction, version string) error {
	_, err := tx.Exec(fmt.Sprintf("INSERT INTO %s (version) VALUES (?)", d.quoted()), version)
	return err
}

// DeleteMigration forgets a rolled-back version.
func (d *sqliteMigrator) DeleteMigration(tx dbutil.Transaction, version string) error {
	_, err := tx.Exec(fmt.Sprintf("DELETE FROM %s WHERE version = ?", d.quoted()), version)
	return err
}

// Ping connects to the file (creating it).
func (d *sqliteMigrator) Ping() error {
	db, err := d.Open()
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Ping()
}

// QueryError wraps a failed statement as dbmate does.
func (d *sqliteMigrator) QueryError(query string, err error) error {
	return &dbmate.QueryError{Err: err, Query: query}
}

func (d *sqliteMigrator) quoted() string { return `"` + strings.ReplaceAll(d.table, `"`, `""`) + `"` }
