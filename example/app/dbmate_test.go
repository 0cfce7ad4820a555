package app_test

import (
	"context"
	"database/sql"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/example/app/appsqlite"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// dbmateEngine is one engine of TestDbmateCLI: a fresh database URL in
// dbmate's form, the engine's migrations directory, and a dump of the
// schema the migrations left (everything but dbmate's own table).
type dbmateEngine struct {
	name string
	dir  string // relative to example/app
	url  func(t *testing.T) string
	dump func(t *testing.T, url string) string
}

// TestDbmateCLI applies the committed migrations with the dbmate command,
// as a user who deploys by hand would (`dbmate -u <url> -d schema/<engine>
// up`, on SQLite, PostgreSQL and MySQL), and checks that it leaves exactly the schema app.Migrate leaves,
// which applies the same files with the dbmate library; a second `up` is a
// no-op.
func TestDbmateCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dbmate command")
	}
	bin := filepath.Join(t.TempDir(), "dbmate")
	build := exec.Command("go", "build", "-o", bin, "github.com/amacneil/dbmate/v2")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the dbmate command: %v\n%s", err, out)
	}
	engines := []dbmateEngine{
		{
			name: "sqlite", dir: "../../schema/sqlite",
			url:  func(t *testing.T) string { return app.SQLiteURL(filepath.Join(t.TempDir(), "sessions.db")) },
			dump: dumpSQLite,
		},
		{
			name: "postgresql", dir: "../../schema/postgresql",
			url:  func(t *testing.T) string { return sessiontest.NewDB(t) },
			dump: dumpPostgreSQL,
		},
		{
			name: "mysql", dir: "../../schema/mysql",
			url:  func(t *testing.T) string { return newMySQLDB(t) },
			dump: dumpMySQL,
		},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			cli, lib := e.url(t), e.url(t)
			dbmate := func(args ...string) string {
				t.Helper()
				cmd := exec.Command(bin, append([]string{"--url", cli, "--migrations-dir", e.dir, "--no-dump-schema"}, args...)...)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("dbmate %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			if out := dbmate("up"); !strings.Contains(out, "Applying:") {
				t.Fatalf("dbmate up applied nothing:\n%s", out)
			}
			if out := dbmate("up"); strings.Contains(out, "Applying:") {
				t.Errorf("a second dbmate up applied again:\n%s", out)
			}
			if out := dbmate("status"); !strings.Contains(out, "Pending: 0") {
				t.Errorf("dbmate status after up:\n%s", out)
			}
			if err := app.Migrate(lib, io.Discard); err != nil {
				t.Fatal(err)
			}
			got, want := e.dump(t, cli), e.dump(t, lib)
			if got != want {
				t.Errorf("dbmate's command left\n%s\nthe library left\n%s", got, want)
			}
			if !strings.Contains(got, "token_hash") {
				t.Errorf("no sessions table in the dump:\n%s", got)
			}
		})
	}
}

// dumpSQLite lists the schema objects of the SQLite database at a dbmate
// URL, but dbmate's own table.
func dumpSQLite(t *testing.T, url string) string {
	t.Helper()
	db, err := appsqlite.Open(strings.TrimPrefix(url, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return queryLines(t, db, `SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master
		WHERE name NOT LIKE 'schema_migrations%' ORDER BY type, name`)
}

// dumpPostgreSQL lists the columns, indexes and triggers of the
// PostgreSQL database at url, but dbmate's own table.
func dumpPostgreSQL(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var out []string
	for _, q := range []string{
		`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
		 FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position`,
		`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY indexname`,
		`SELECT tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`,
		`SELECT relname || ' ' || coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname = 'sessions'`,
	} {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines...)
	}
	return strings.Join(out, "\n")
}

// dumpMySQL lists the columns and indexes of the MySQL database at a
// dbmate URL, but dbmate's own table.
func dumpMySQL(t *testing.T, url string) string {
	t.Helper()
	db, err := app.OpenMySQL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return queryLines(t, db, `SELECT CONCAT_WS(' ', table_name, column_name, column_type, is_nullable, coalesce(column_default, 'none'))
		FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name <> 'schema_migrations'
		UNION ALL
		SELECT CONCAT_WS(' ', table_name, index_name, seq_in_index, column_name, non_unique)
		FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name <> 'schema_migrations'
		ORDER BY 1`)
}

// queryLines returns the one-column rows of q, one per line.
func queryLines(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}
