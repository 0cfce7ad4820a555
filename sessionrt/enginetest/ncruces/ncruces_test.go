package ncruces_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"
	_ "github.com/ncruces/go-sqlite3/embed"  // SQLite itself, as WebAssembly

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
// busy_timeout on every connection.
func openFile(t testing.TB) *sql.DB {
	return open(t, "file:"+filepath.Join(t.TempDir(), "sessions.db")+"?_pragma=journal_mode(wal)&_pragma=busy_timeout(10000)")
}

// openMemory returns a new in-memory database, its pool unlimited.
func openMemory(t testing.TB) *sql.DB { return open(t, ":memory:") }

// TestLifecycle runs the suite on a WAL file, with the SQLite dialect and
// with the same dialect told it has no RETURNING: the path of an engine
// without it (Save and Touch read the row back).
func TestLifecycle(t *testing.T) {
	noReturning := lifecycletest.SQLiteDialect()
	noReturning.Returning = false
	lifecycletest.Run(t,
		lifecycletest.SQL("file", lifecycletest.SQLiteDialect(), openFile),
		lifecycletest.SQL("file-no-returning", noReturning, openFile))
}

// TestInMemory checks in-memory databases on the runtime's SQLite driver.
func TestInMemory(t *testing.T) { lifecycletest.SQLiteInMemory(t, openMemory) }

// TestReaders checks the connections a store sets aside for its reads.
func TestReaders(t *testing.T) { lifecycletest.SQLiteReaders(t, openFile) }
