package app_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
	"golang.org/x/crypto/bcrypt"
)

// mysqlAdminURL is the MySQL or MariaDB server the tests create their
// databases on: SESSIONGEN_MYSQL_URL, by default the machines' MariaDB.
func mysqlAdminURL() string {
	if u := os.Getenv("SESSIONGEN_MYSQL_URL"); u != "" {
		return u
	}
	return "mysql://root@127.0.0.1:3306/test"
}

// newMySQLDB creates a fresh database on the test server and returns its
// dbmate URL; the database is dropped when the test ends.
func newMySQLDB(t testing.TB) string {
	t.Helper()
	admin, err := app.OpenMySQL(mysqlAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sessiongen_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("MySQL is required and unreachable at %s (set SESSIONGEN_MYSQL_URL; scripts/ensure-mariadb.sh starts the machines' MariaDB): %v", mysqlAdminURL(), err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	u, err := url.Parse(mysqlAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// mysqlServer starts the example on a fresh MySQL database over real
// HTTP. The tests read the table on a pool of their own, and count the
// writes to it with a trigger: MySQL has no row version to read.
func mysqlServer(t *testing.T) (*httptest.Server, testDB) {
	t.Helper()
	dbURL := newMySQLDB(t)
	if err := app.Migrate(dbURL, io.Discard); err != nil {
		t.Fatal(err)
	}
	db, err := app.OpenMySQL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	probe, err := app.OpenMySQL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { probe.Close() })
	for _, q := range []string{
		"CREATE TABLE test_writes (n BIGINT NOT NULL)",
		"INSERT INTO test_writes VALUES (0)",
		"CREATE TRIGGER test_count_writes AFTER UPDATE ON sessions FOR EACH ROW UPDATE test_writes SET n = n + 1",
	} {
		if _, err := probe.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	a, err := app.New(app.DB{MySQL: db}, app.Config{Sessions: sessionrt.Config{Insecure: true}, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv, testDB{mysql: probe}
}

// mysqlDigest is testDB.digest on MySQL.
func mysqlDigest(t *testing.T, db *sql.DB) string {
	t.Helper()
	var v string
	err := db.QueryRow(`SELECT CONCAT(count(*), ':', coalesce(md5(group_concat(CONCAT_WS('|', hex(token_hash), created_at, last_seen_at,
		expires_at, absolute_expires_at, remember, coalesce(hex(previous_token_hash), 'n'), coalesce(renewed_at, 'n'), user_id, email, roles,
		cart, theme, coalesce(mfa_at, 'n'), counter, notice) ORDER BY token_hash SEPARATOR ',')), '')) FROM sessions`).Scan(&v)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// mysqlWrites is testDB.writes on MySQL: the trigger's count of updated
// rows, and user 1's notice.
func mysqlWrites(t *testing.T, db *sql.DB) string {
	t.Helper()
	var n int64
	var notice string
	if err := db.QueryRow(`SELECT n FROM test_writes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT notice FROM sessions WHERE user_id = 1`).Scan(&notice); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(n, ":", notice)
}
