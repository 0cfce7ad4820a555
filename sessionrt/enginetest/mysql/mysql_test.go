package mysql_test

import (
	"cmp"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"

	"github.com/sessiongen/sessiongen/sessionrt/internal/lifecycletest"
)

// server is the MySQL or MariaDB server the tests create their databases
// on, a go-sql-driver DSN without a database: SESSIONGEN_MYSQL_DSN, by
// default the machines' MariaDB.
func server() string { return cmp.Or(os.Getenv("SESSIONGEN_MYSQL_DSN"), "root@tcp(127.0.0.1:3306)/") }

// openDB returns a fresh database on the server, dropped when the test
// ends, opened with one round trip per query (interpolateParams), strict
// mode, and affected rows counting the rows found (see
// lifecycletest.MySQLDialect).
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	admin, err := sql.Open("mysql", server())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sessiongen_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("MySQL is required at %s (set SESSIONGEN_MYSQL_DSN; scripts/ensure-mariadb.sh starts the machines' MariaDB): %v", server(), err)
	}
	db, err := sql.Open("mysql", server()+name+"?interpolateParams=true&clientFoundRows=true&sql_mode=%27STRICT_TRANS_TABLES%27")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return db
}

// TestLifecycle runs the suite on MySQL (MariaDB here).
func TestLifecycle(t *testing.T) {
	lifecycletest.Run(t, lifecycletest.SQL("server", lifecycletest.MySQLDialect(), openDB))
}
