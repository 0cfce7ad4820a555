package mysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/mysql"
	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// server is a database server the tests run on: the SQL must run on both
// MariaDB and MySQL 8.
type server struct {
	name    string
	env     string // the variable that names its DSN (go-sql-driver form)
	dsn     string // the default DSN; "" skips the server unless env is set
	mariadb bool
}

var servers = []server{
	{name: "MariaDB", env: "SESSIONGEN_MARIADB_DSN", dsn: "root@tcp(127.0.0.1:3306)/", mariadb: true},
	{name: "MySQL", env: "SESSIONGEN_MYSQL_DSN"},
}

// database is a scratch database on a server, dropped when the test ends.
type database struct {
	server
	db  *sql.DB
	cfg *mysqldriver.Config // DSN of the scratch database
}

// forEachServer runs f on a fresh database of every server, as a subtest.
// A server without a DSN is skipped, and so is an unreachable one, with the
// variable that points the test at it.
func forEachServer(t *testing.T, f func(t *testing.T, d *database)) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			dsn := cmpOr(os.Getenv(s.env), s.dsn)
			if dsn == "" {
				t.Skipf("no %s server: set %s to a go-sql-driver DSN (user:pass@tcp(host:port)/) to run these tests on it", s.name, s.env)
			}
			d, err := newDatabase(s, dsn)
			if err != nil {
				t.Skipf("%s at %s is unreachable (%v): start it, or set %s to a go-sql-driver DSN", s.name, dsn, err, s.env)
			}
			t.Cleanup(d.drop)
			f(t, d)
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// newDatabase creates a scratch database on the server at dsn.
func newDatabase(s server, dsn string) (*database, error) {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("DSN %q: %w", dsn, err)
	}
	cfg.DBName = ""
	root, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	defer root.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := root.PingContext(ctx); err != nil {
		return nil, err
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	cfg.DBName = "sessiongen_mysql_" + hex.EncodeToString(b[:])
	if _, err := root.ExecContext(ctx, "CREATE DATABASE "+cfg.DBName); err != nil {
		return nil, err
	}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	return &database{server: s, db: db, cfg: cfg}, nil
}

func (d *database) drop() {
	d.db.Close()
	cfg := *d.cfg
	cfg.DBName = ""
	if root, err := sql.Open("mysql", cfg.FormatDSN()); err == nil {
		_, _ = root.Exec("DROP DATABASE IF EXISTS " + d.cfg.DBName)
		root.Close()
	}
}

// dbmate is a dbmate of the scratch database over the migration files,
// as sessiongen's users apply them.
func (d *database) dbmate(t testing.TB, files []schema.MigrationFile) *dbmate.DB {
	t.Helper()
	mustURL := func(s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	u := fmt.Sprintf("mysql://%s@%s/%s", d.cfg.User, d.cfg.Addr, d.cfg.DBName)
	if d.cfg.Passwd != "" {
		u = fmt.Sprintf("mysql://%s:%s@%s/%s", d.cfg.User, d.cfg.Passwd, d.cfg.Addr, d.cfg.DBName)
	}
	db := dbmate.New(mustURL(u))
	fsys := fstest.MapFS{}
	for _, f := range files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	db.FS = fsys
	db.MigrationsDir = []string{"."}
	db.AutoDumpSchema = false
	db.Log = testWriter{t}
	return db
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// serverTable reads a table as the server holds it, in the form Replay
// gives: columns (type and default canonical), plain indexes, and the
// unique keys as foreign constraints (names only: checks are named
// differently by each server, and the migrations' files are unknown here).
func (d *database) serverTable(t testing.TB, name string) *schema.TableSchema {
	t.Helper()
	ctx := context.Background()
	jsonCols := map[string]bool{}
	if d.mariadb {
		// MariaDB's JSON is LONGTEXT with a CHECK (json_valid(column)).
		rows, err := d.db.QueryContext(ctx, `SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var clause string
			if err := rows.Scan(&clause); err != nil {
				t.Fatal(err)
			}
			if c, ok := strings.CutPrefix(clause, "json_valid(`"); ok {
				jsonCols[strings.TrimSuffix(c, "`)")] = true
			}
		}
		rows.Close()
	}
	out := &schema.TableSchema{Name: name}
	rows, err := d.db.QueryContext(ctx, `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var col, typ, nullable, extra string
		var def sql.NullString
		if err := rows.Scan(&col, &typ, &nullable, &def, &extra); err != nil {
			t.Fatal(err)
		}
		c := schema.Column{Name: col, Nullable: nullable == "YES", Type: serverType(t, typ)}
		if jsonCols[col] && c.Type == TypeText {
			c.Type = TypeJSON
		}
		c.Default = d.serverDefault(t, c.Type, def, extra)
		out.Columns = append(out.Columns, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = d.db.QueryContext(ctx, `SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ix, col string
		var nonUnique int
		if err := rows.Scan(&ix, &col, &nonUnique); err != nil {
			t.Fatal(err)
		}
		if nonUnique == 0 {
			if !slices.ContainsFunc(out.Foreign, func(o schema.ForeignObject) bool { return o.Name == ix }) {
				out.Foreign = append(out.Foreign, schema.ForeignObject{Kind: "constraint", Name: ix})
			}
			continue
		}
		if n := len(out.Indexes); n > 0 && out.Indexes[n-1].Name == ix {
			out.Indexes[n-1].Columns = append(out.Indexes[n-1].Columns, col)
			continue
		}
		out.Indexes = append(out.Indexes, schema.Index{Name: ix, Columns: []string{col}})
	}
	return out
}

// serverTables are the tables of the scratch database but dbmate's.
func (d *database) serverTables(t testing.TB) []string {
	t.Helper()
	rows, err := d.db.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'schema_migrations' ORDER BY TABLE_NAME")
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
	return out
}

// serverType is a COLUMN_TYPE of information_schema in canonical form.
func serverType(t testing.TB, typ string) string {
	t.Helper()
	stmts, _, err := parser.New().ParseSQL("CREATE TABLE x (c " + typ + ")")
	if err != nil {
		t.Fatalf("column type %q: %v", typ, err)
	}
	s, err := canonicalType(stmts[0].(*ast.CreateTableStmt).Cols[0].Tp)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serverDefault is a COLUMN_DEFAULT of information_schema in canonical
// form. MariaDB quotes string literals and writes NULL for none; MySQL
// writes literals bare and marks expressions DEFAULT_GENERATED (not run
// here: no MySQL 8 server was at hand).
func (d *database) serverDefault(t testing.TB, typ string, def sql.NullString, extra string) string {
	t.Helper()
	if !def.Valid || def.String == "NULL" && d.mariadb {
		return ""
	}
	text := def.String
	if !d.mariadb && !strings.Contains(extra, "DEFAULT_GENERATED") && !(typ == TypeBigint || typ == TypeDouble || typ == TypeBoolean) {
		text = "'" + strings.ReplaceAll(text, "'", "''") + "'"
	}
	c, err := Dialect{}.CanonicalDefault(text)
	if err != nil {
		t.Fatalf("default %q: %v", def.String, err)
	}
	// Both servers print NOW(6) as current_timestamp(6).
	return strings.ReplaceAll(c, "CURRENT_TIMESTAMP(", "NOW(")
}

// comparable is a replayed table cut to what serverTable can see: no Go
// types, no foreign marks, indexes by name, unique keys as constraints by
// name.
func comparable(t *schema.TableSchema) *schema.TableSchema {
	out := &schema.TableSchema{Name: t.Name}
	for _, c := range t.Columns {
		out.Columns = append(out.Columns, schema.Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable, Default: c.Default})
	}
	for _, x := range t.Indexes {
		out.Indexes = append(out.Indexes, schema.Index{Name: x.Name, Columns: x.Columns})
	}
	sort.Slice(out.Indexes, func(i, j int) bool { return out.Indexes[i].Name < out.Indexes[j].Name })
	for _, o := range t.Foreign {
		if o.Kind == "constraint" && !strings.Contains(o.Name, "_chk_") && !strings.HasPrefix(o.Name, "chk_") {
			out.Foreign = append(out.Foreign, schema.ForeignObject{Kind: "constraint", Name: o.Name})
		}
	}
	sort.Slice(out.Foreign, func(i, j int) bool { return out.Foreign[i].Name < out.Foreign[j].Name })
	return out
}

// mine is a migration of the user's own: a column, an index over a
// prefix, a unique key and a check.
var mine = schema.MigrationFile{Name: "00000000000005_mine.sql", Data: []byte(`-- migrate:up
ALTER TABLE sessions ADD COLUMN note TEXT AFTER nick, ADD INDEX mine_idx (nick(10), note(10)),
    ADD CONSTRAINT uniq_email_score UNIQUE (email, score), ADD CONSTRAINT chk_score CHECK (score >= 0);
-- migrate:down
ALTER TABLE sessions DROP CONSTRAINT chk_score, DROP INDEX uniq_email_score, DROP INDEX mine_idx, DROP COLUMN note;
`)}

// TestServerReplay applies the migrations of the evolutions (create, a
// migration of the user's own, add and rename columns and build an index,
// drop a column and an index, rename the table) to a real server with
// dbmate, and compares Replay with information_schema after each; then
// rolls them back one by one and compares again. Every statement asserts
// its ALGORITHM, so a change the server cannot make online fails here.
func TestServerReplay(t *testing.T) {
	forEachServer(t, func(t *testing.T, d *database) {
		// The steps: migrations planned from the replay of those before.
		var files []schema.MigrationFile
		var cur *schema.TableSchema
		for i, ev := range evolutions() {
			files = append(files, migrate(t, cur, ev.model, ev.opt, 10*i+1)...)
			if i == 0 {
				files = append(files, mine)
			}
			cur = replay(t, files)
		}
		m, _, err := plan.Rename(cur, "web_sessions", Dialect{})
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, migrationFile(t, m, 99))

		// check compares the server with the replay of files[:n]; after a
		// rollback, columns in any order (a column dropped and re-added
		// comes back last).
		check := func(n int, after string, anyOrder bool) {
			t.Helper()
			r, err := Dialect{}.Replay(files[:n])
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for name := range r.Tables {
				names = append(names, name)
			}
			sort.Strings(names)
			if got := d.serverTables(t); !slices.Equal(got, names) {
				t.Fatalf("after %s, the server has tables %v, the replay %v", after, got, names)
			}
			for name, tab := range r.Tables {
				got, want := d.serverTable(t, name), comparable(tab)
				if anyOrder {
					for _, x := range []*schema.TableSchema{got, want} {
						sort.Slice(x.Columns, func(i, j int) bool { return x.Columns[i].Name < x.Columns[j].Name })
					}
				}
				if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
					t.Fatalf("after %s, table %s\non the server: %+v\nreplayed:      %+v\nmigrations:\n%s", after, name, got, want, dump(files[:n]))
				}
			}
		}
		for i, f := range files {
			if err := d.dbmate(t, files[:i+1]).Migrate(); err != nil {
				t.Fatalf("applying %s: %v\n%s", f.Name, err, f.Data)
			}
			if i == 0 {
				// Rows, so that the changes run on a table with data.
				for _, k := range []string{"a", "b", "c"} {
					if _, err := d.db.Exec("INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, email) VALUES (?, 1, 1, ?)", []byte(strings.Repeat(k, 32)), k); err != nil {
						t.Fatal(err)
					}
				}
			}
			check(i+1, "applying "+f.Name, false)
		}
		for i := len(files) - 1; i >= 0; i-- {
			if err := d.dbmate(t, files[:i+1]).Rollback(); err != nil {
				t.Fatalf("rolling back %s: %v\n%s", files[i].Name, err, files[i].Data)
			}
			check(i, "rolling back "+files[i].Name, true)
		}
	})
}

// TestServerClock: NowMicros is TIMESTAMPDIFF(MICROSECOND, epoch,
// UTC_TIMESTAMP(6)) to the microsecond whatever the session's time zone,
// within a second of this machine's clock, and DefaultNow is the same
// value.
func TestServerClock(t *testing.T) {
	forEachServer(t, func(t *testing.T, d *database) {
		ctx := context.Background()
		conn, err := d.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "CREATE TABLE clock (id INT PRIMARY KEY, at BIGINT NOT NULL DEFAULT ("+DefaultNow+"))"); err != nil {
			t.Fatal(err)
		}
		for i, tz := range []string{"+00:00", "+05:45", "-09:30", "SYSTEM"} {
			if _, err := conn.ExecContext(ctx, "SET time_zone = ?", tz); err != nil {
				t.Fatal(err)
			}
			for j := range 200 {
				var now, utc int64
				if err := conn.QueryRowContext(ctx, "SELECT "+NowMicros+", TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))").Scan(&now, &utc); err != nil {
					t.Fatal(err)
				}
				if now != utc {
					t.Fatalf("time_zone %s: NowMicros %d, UTC_TIMESTAMP(6) %d", tz, now, utc)
				}
				if j == 0 {
					if diff := time.Since(time.UnixMicro(now)); diff > time.Second || diff < -time.Second {
						t.Errorf("time_zone %s: the server's clock is %v from this machine's", tz, diff)
					}
				}
			}
			var at, now int64
			if _, err := conn.ExecContext(ctx, "INSERT INTO clock (id) VALUES (?)", i); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, "SELECT at, "+NowMicros+" FROM clock WHERE id = ?", i).Scan(&at, &now); err != nil {
				t.Fatal(err)
			}
			if at > now || now-at > int64(time.Second/time.Microsecond) {
				t.Errorf("time_zone %s: the default is %d, the clock %d", tz, at, now)
			}
		}
	})
}
