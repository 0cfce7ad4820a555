//go:build cgo

package mattn_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"

	"github.com/sessiongen/sessiongen/sessionrt/internal/lifecycletest"
)

// open opens dsn and closes it when the test ends.
func open(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// openFile returns a new SQLite file in t.TempDir(), in WAL mode with a
// busy_timeout on every connection (the example's DSN).
func openFile(t testing.TB) *sql.DB {
	return open(t, "file:"+filepath.Join(t.TempDir(), "sessions.db")+"?_journal_mode=WAL&_busy_timeout=5000")
}

// openMemory returns a new in-memory database, its pool unlimited.
func openMemory(t testing.TB) *sql.DB { return open(t, ":memory:") }

// openMemoryOne returns a new in-memory database on a pool of one
// connection, as a handler test opens it.
func openMemoryOne(t testing.TB) *sql.DB {
	db := openMemory(t)
	db.SetMaxOpenConns(1)
	return db
}

// TestLifecycle runs the suite on a WAL file and on an in-memory database.
func TestLifecycle(t *testing.T) {
	d := lifecycletest.SQLiteDialect()
	lifecycletest.Run(t, lifecycletest.SQL("file", d, openFile), lifecycletest.SQL("memory", d, openMemoryOne))
}

// TestInMemory checks in-memory databases on the runtime's SQLite driver.
func TestInMemory(t *testing.T) { lifecycletest.SQLiteInMemory(t, openMemory) }

// TestReaders checks the connections a store sets aside for its reads.
func TestReaders(t *testing.T) { lifecycletest.SQLiteReaders(t, openFile) }
