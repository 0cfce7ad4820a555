package generator

import (
	"cmp"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	"github.com/ncruces/go-sqlite3"

	"github.com/sessiongen/sessiongen/generator/dialect"
)

// TestStoreEndToEnd generates a fresh module per engine (-engine sqlite,
// -engine mysql), builds and vets it, applies its migrations to a real
// database (a SQLite file in WAL mode; a fresh database on the MySQL test
// server), and runs in the generated module a test of the typed store
// through net/http and its Middleware (testdata/storee2e/store_test.go.txt):
// create, read, a one-field write, renew, destroy, Update under 32
// concurrent clients, ListBy and DestroyOthersBy, idle expiry and Reap,
// and the store's refusal of a database its engine's rules forbid. SQLite
// runs over the ncruces database/sql driver and, where the module proxy and
// cgo are available, mattn/go-sqlite3; MySQL over go-sql-driver/mysql.
func TestStoreEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	src := filepath.Join("testdata", "storee2e")
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(string(data), "´", "`")
	}
	// module generates a module for engine with files (testdata names) in
	// its app package, builds and vets it, and checks the constructor.
	module := func(t *testing.T, engine, ctor string, files ...string) (string, *Output) {
		srcs := map[string]string{"app/session.go": read("session.go.txt"), "app/store_test.go": read("store_test.go.txt")}
		for _, f := range files {
			srcs["app/"+strings.TrimSuffix(f, ".txt")] = read(f)
		}
		mod := newModule(t, "example.com/store"+engine, srcs)
		out, _ := generateAndWrite(t, Options{Dir: filepath.Join(mod, "app"), Type: "Session", Engines: []string{engine}, Now: fixedNow})
		gen, err := os.ReadFile(filepath.Join(mod, "app", "session_gen.go"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(gen), "jackc/pgx") || !strings.Contains(string(gen), "func "+ctor+"(db *sql.DB, cfg sessionrt.Config) (*SessionStore, error)") {
			t.Fatalf("the typed layer of %s alone imports pgx or lacks %s", engine, ctor)
		}
		if out, err := goCmd(t, mod, nil, "vet", "./..."); err != nil {
			t.Fatalf("go vet: %v\n%s", err, out)
		}
		return mod, out
	}
	run := func(t *testing.T, mod, target string, env []string, args ...string) {
		env = append(env, "STORE_TARGET="+target)
		args = append([]string{"test", "-count=1", "-run", "^TestStore$", "-v"}, args...)
		res, err := goCmd(t, mod, env, append(args, "./app")...)
		if err != nil || !strings.Contains(res, "--- PASS: TestStore") {
			t.Fatalf("the store test in the generated module failed: %v\n%s", err, res)
		}
	}

	t.Run("sqlite", func(t *testing.T) {
		mod, out := module(t, "sqlite", "NewSessionStoreSQLite", "engine_sqlite_test.go.txt", "driver_ncruces_test.go.txt")
		// migrated returns a new SQLite file in WAL mode with the migrations applied.
		migrated := func(t *testing.T) string {
			file := filepath.Join(t.TempDir(), "sessions.db")
			conn, err := sqlite3.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := conn.Exec("PRAGMA journal_mode=wal"); err != nil {
				t.Fatal(err)
			}
			applySQLite(t, conn, filepath.Join(mod, "schema"), out.NewMigrations)
			if err := conn.Close(); err != nil {
				t.Fatal(err)
			}
			return file
		}
		t.Run("ncruces", func(t *testing.T) { run(t, mod, migrated(t), nil) })

		// The same test over another database/sql driver: mattn/go-sqlite3,
		// with cgo. It needs the module proxy and a C compiler.
		t.Run("mattn", func(t *testing.T) {
			if _, err := exec.LookPath("gcc"); err != nil {
				t.Skip("no C compiler for mattn/go-sqlite3")
			}
			// Only this requirement: go get would resolve the others' too.
			if res, err := goCmd(t, mod, nil, "mod", "edit", "-require="+mattnSQLite); err != nil {
				t.Fatalf("go mod edit: %v\n%s", err, res)
			}
			if res, err := goCmd(t, mod, nil, "mod", "download", mattnSQLite); err != nil {
				t.Skipf("go mod download %s (needs the module proxy): %v\n%s", mattnSQLite, err, res)
			}
			writeFile(t, filepath.Join(mod, "app", "driver_mattn_test.go"), read("driver_mattn_test.go.txt"))
			run(t, mod, migrated(t), []string{"CGO_ENABLED=1"}, "-tags", "mattn", "-mod=mod")
		})
	})

	t.Run("mysql", func(t *testing.T) {
		mod, out := module(t, "mysql", "NewSessionStoreMySQL", "engine_mysql_test.go.txt")
		run(t, mod, migratedMySQL(t, filepath.Join(mod, "schema"), out.NewMigrations), nil)
	})
}

// migratedMySQL creates a fresh database on the MySQL test server
// (SESSIONGEN_MYSQL_DSN, default the machines' MariaDB), applies the up
// sections of the migrations names in dir, and returns its DSN for
// go-sql-driver/mysql, without parameters. The database is dropped when
// the test ends.
func migratedMySQL(t *testing.T, dir string, names []string) string {
	t.Helper()
	server := cmp.Or(os.Getenv("SESSIONGEN_MYSQL_DSN"), "root@tcp(127.0.0.1:3306)/")
	admin, err := sql.Open("mysql", server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sessiongen_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("MySQL is required at %s (set SESSIONGEN_MYSQL_DSN; scripts/ensure-mariadb.sh starts the machines' MariaDB): %v", server, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	target := strings.TrimSuffix(server, "/") + "/" + name
	db, err := sql.Open("mysql", target+"?multiStatements=true")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range dialect.UpSections(string(data)) {
			if _, err := db.Exec(sec); err != nil {
				t.Fatalf("applying %s: %v", n, err)
			}
		}
	}
	return target
}

// mattnSQLite is the cgo SQLite driver TestStoreEndToEnd also runs on.
const mattnSQLite = "github.com/mattn/go-sqlite3@v1.14.32"

// TestDeletedMigrationEngine checks that the typed layer's header is
// compared with the migrations of its own engine only: SQLite's ("as of
// sqlite migration") with SQLite's, PostgreSQL's (no engine named) with
// PostgreSQL's.
func TestDeletedMigrationEngine(t *testing.T) {
	dir := t.TempDir()
	goFile := filepath.Join(dir, "session_gen.go")
	lite := "// Code generated by sessiongen. DO NOT EDIT.\n// Schema: table sessions as of sqlite migration 1_create_sessions.sql.\n"
	pg := "// Code generated by sessiongen. DO NOT EDIT.\n// Schema: table sessions as of migration 1_create_sessions.sql.\n"
	have := []MigrationFile{{Name: "1_create_sessions.sql"}}
	for _, c := range []struct {
		header, engine string
		existing       []MigrationFile
		refused        bool
	}{
		{lite, EngineSQLite, nil, true},
		{lite, EnginePostgreSQL, nil, false},
		{lite, EngineSQLite, have, false},
		{pg, EnginePostgreSQL, nil, true},
		{pg, EngineSQLite, nil, false},
		{pg, EnginePostgreSQL, have, false},
	} {
		writeFile(t, goFile, c.header)
		err := checkDeletedMigrations(c.existing, dir, goFile, c.engine)
		if (err != nil) != c.refused {
			t.Errorf("%q on %s with %d migrations: %v, want refused %v", strings.Split(c.header, "\n")[1], c.engine, len(c.existing), err, c.refused)
		}
	}
}
