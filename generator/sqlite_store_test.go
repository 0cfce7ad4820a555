package generator

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// TestSQLiteStoreEndToEnd generates a fresh module with -engine sqlite,
// builds and vets it, applies the migration to a real SQLite file in WAL
// mode, and runs in the generated module a test of the typed store through
// net/http and its Middleware (testdata/sqlitee2e): create, read, a
// one-field write, renew, destroy, Update under 32 concurrent clients,
// ListBy and DestroyOthersBy, idle expiry and Reap, over the ncruces
// database/sql driver and, where the module proxy and cgo are available,
// mattn/go-sqlite3.
func TestSQLiteStoreEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	src := filepath.Join("testdata", "sqlitee2e")
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(string(data), "´", "`")
	}
	mod := newModule(t, "example.com/litestore", map[string]string{
		"app/session.go":             read("session.go.txt"),
		"app/driver_ncruces_test.go": read("driver_ncruces_test.go.txt"),
		"app/store_sqlite_test.go":   read("store_sqlite_test.go.txt"),
	})
	out, _ := generateAndWrite(t, Options{Dir: filepath.Join(mod, "app"), Type: "Session", Engines: []string{"sqlite"}, Now: fixedNow})
	gen, err := os.ReadFile(filepath.Join(mod, "app", "session_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(gen), "jackc/pgx") || !strings.Contains(string(gen), "func NewSessionStoreSQLite(db *sql.DB, cfg sessionrt.Config) (*SessionStore, error)") {
		t.Fatalf("the typed layer of SQLite alone imports pgx or lacks NewSessionStoreSQLite")
	}
	if out, err := goCmd(t, mod, nil, "vet", "./..."); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}

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
	run := func(t *testing.T, env []string, args ...string) {
		env = append(env, "SQLITE_FILE="+migrated(t))
		args = append([]string{"test", "-count=1", "-run", "^TestSQLiteStore$", "-v"}, args...)
		res, err := goCmd(t, mod, env, append(args, "./app")...)
		if err != nil || !strings.Contains(res, "--- PASS: TestSQLiteStore") {
			t.Fatalf("the store test in the generated module failed: %v\n%s", err, res)
		}
	}
	t.Run("ncruces", func(t *testing.T) { run(t, nil) })

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
		run(t, []string{"CGO_ENABLED=1"}, "-tags", "mattn", "-mod=mod")
	})
}

// mattnSQLite is the cgo SQLite driver TestSQLiteStoreEndToEnd also runs on.
const mattnSQLite = "github.com/mattn/go-sqlite3@v1.14.32"
