package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/dialect/mysql"
	"github.com/sessiongen/sessiongen/generator/dialect/postgresql"
	"github.com/sessiongen/sessiongen/generator/dialect/sqlite"
	"github.com/sessiongen/sessiongen/schema"
)

// engine is one database engine the engine-neutral runs (inputs, soak,
// writers, corpus, deploy, index) drive the example on, and the fault runs
// (restart, terminate, lock) when it has a server to fault. Adding an
// engine is one more entry in engines: how to make and drop a scratch
// database, how the example opens it, its migrations and dialect, the few
// statements the schema runs need in its SQL, and its faults.
type engine struct {
	Name  string // the -engine value: postgresql, sqlite, mysql
	Title string // the Engine column of the table: PostgreSQL, SQLite, MySQL
	// Schemes are the URL schemes of its databases (testDB.URL): startApp
	// and the dbmate library pick the engine by them.
	Schemes []string
	// Migrations are the example's committed migrations for the engine,
	// Dialect the generator's dialect that wrote them.
	Migrations fs.FS
	Dialect    dialect.Dialect
	// Where says where its scratch databases live, Lock how concurrent
	// writers meet on it: both for the table's header.
	Where, Lock string

	create  func(ctx context.Context, prefix string) (*testDB, error)
	drop    func(db *testDB) error
	open    func(ctx context.Context, url string, opt appOptions) (app.DB, func(), error)
	sqlDB   func(db *testDB) (*sql.DB, error) // a database/sql handle for the schema runs' own statements
	version func(ctx context.Context) string

	// The schema runs' statements in the engine's SQL: rows live sessions
	// of the example's table (index run); whether an index exists and is
	// usable; n live sessions with every payload column set, and every
	// row as token -> column -> value (corpus).
	fillSessions func(ctx context.Context, db *sql.DB, rows int) error
	indexValid   func(ctx context.Context, db *sql.DB, name string) (bool, error)
	liveRows     func(ctx context.Context, db *sql.DB, n int) error
	snapshotRows func(ctx context.Context, db *sql.DB) (map[string]map[string]string, error)

	// For the table: the index migration's statement and what it blocks,
	// and what the additive migration runs.
	indexBuild, indexNote, addColumnNote string

	// defaultPort is the server's port when a URL names none (the fault
	// runs' proxy); "" for an engine without a server.
	defaultPort string
	// faults are the engine's fault runs (restart, terminate, lock), in
	// table order; none for an engine without a server to fault.
	faults []faultRun
}

// engines lists the engines the suite knows, in table order.
func engines() []*engine { return []*engine{postgresEngine(), sqliteEngine(), mysqlEngine()} }

// faultsOf returns e's fault runs named run (lock has two on MySQL).
func (e *engine) faultsOf(run string) []faultRun {
	var out []faultRun
	for _, f := range e.faults {
		if f.Run == run {
			out = append(out, f)
		}
	}
	return out
}

// serverAddr is the host:port of the server of a database URL of e.
func (e *engine) serverAddr(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parsing database URL: %w", err)
	}
	if e.defaultPort == "" {
		return "", fmt.Errorf("%s has no server", e.Title)
	}
	if u.Port() != "" {
		return u.Host, nil
	}
	return net.JoinHostPort(u.Hostname(), e.defaultPort), nil
}

// engineNames is the -engine flag's list.
func engineNames() []string {
	var out []string
	for _, e := range engines() {
		out = append(out, e.Name)
	}
	return out
}

// selectEngines parses a comma-separated -engine value.
func selectEngines(list string) ([]*engine, error) {
	var out []*engine
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		i := slices.IndexFunc(engines(), func(e *engine) bool { return e.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown engine %q; known: %s", n, strings.Join(engineNames(), ","))
		}
		if !slices.ContainsFunc(out, func(e *engine) bool { return e.Name == n }) {
			out = append(out, engines()[i])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no engine selected; known: %s", strings.Join(engineNames(), ","))
	}
	return out, nil
}

// engineForURL is the engine whose databases have url's scheme.
func engineForURL(raw string) (*engine, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing database URL: %w", err)
	}
	for _, e := range engines() {
		if slices.Contains(e.Schemes, u.Scheme) {
			return e, nil
		}
	}
	return nil, fmt.Errorf("database URL %q: no engine for scheme %q", u.Redacted(), u.Scheme)
}

// postgresEngine is PostgreSQL: a scratch database per run on the admin
// server, the example's pool a pgxpool.
func postgresEngine() *engine {
	return &engine{
		Name: "postgresql", Title: "PostgreSQL", Schemes: []string{"postgres", "postgresql"},
		Migrations: schema.PostgreSQL(), Dialect: postgresql.Dialect{},
		Where:         "on 127.0.0.1 (same machine), a database per run",
		Lock:          "row locks (`SELECT … FOR UPDATE` in `Update`)",
		create:        createDB,
		drop:          dropPostgres,
		open:          openPostgres,
		sqlDB:         func(db *testDB) (*sql.DB, error) { return openPostgresSQL(db.URL) },
		version:       serverVersion,
		fillSessions:  fillPostgres,
		indexValid:    indexValidPostgres,
		liveRows:      liveRowsPostgres,
		snapshotRows:  snapshotPostgres,
		indexBuild:    "CREATE INDEX CONCURRENTLY",
		indexNote:     "PostgreSQL builds it without blocking reads or writes.",
		addColumnNote: "ADD COLUMN with a default, then CREATE INDEX CONCURRENTLY",
		defaultPort:   "5432",
		faults:        postgresFaults(),
	}
}

// openPostgres opens the example's pgx pool on url.
func openPostgres(ctx context.Context, url string, opt appOptions) (app.DB, func(), error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return app.DB{}, nil, err
	}
	cfg.MaxConns = opt.MaxConns
	cfg.ConnConfig.ConnectTimeout = opt.QueryTimeout
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return app.DB{}, nil, err
	}
	return app.DB{PostgreSQL: pool}, pool.Close, nil
}

// openPostgresSQL is a database/sql handle on dsn through pgx's stdlib.
func openPostgresSQL(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}

// sqliteBusyTimeout is the busy_timeout of every SQLite connection the
// suite opens, the example's (appsqlite.DSN): a writer waits this long for
// the write lock before SQLite answers SQLITE_BUSY.
const sqliteBusyTimeout = 5 * time.Second

// sqliteDSN is the DSN of the SQLite file at path for the driver
// registered as "sqlite3" in this binary, ncruces/go-sqlite3 (linked by the
// generator's sqlc; mattn/go-sqlite3, the example's, registers the same
// name and cannot be linked beside it): WAL and busy_timeout, as the store
// requires. immediate makes database/sql's own transactions (dbmate's)
// BEGIN IMMEDIATE; the store's Update runs BEGIN IMMEDIATE itself.
func sqliteDSN(path string, immediate bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(wal)")
	if immediate {
		q.Set("_txlock", "immediate")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// sqlitePath is the file of a sqlite: URL (app.SQLiteURL).
func sqlitePath(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme != "sqlite" {
		return "", fmt.Errorf("%q is not a sqlite: URL", raw)
	}
	p := u.Opaque
	if p == "" {
		p = u.Path
	}
	if p == "" {
		return "", fmt.Errorf("%q names no file", raw)
	}
	return p, nil
}

// sqliteEngine is SQLite: a file in a temporary directory per run.
func sqliteEngine() *engine {
	return &engine{
		Name: "sqlite", Title: "SQLite", Schemes: []string{"sqlite"},
		Migrations: schema.SQLite(), Dialect: sqlite.Dialect{},
		Where: "a file per run in the temporary directory, in the suite's process",
		Lock:  fmt.Sprintf("the database's one write lock (`BEGIN IMMEDIATE` in `Update`, WAL, `busy_timeout` %s)", sqliteBusyTimeout),
		create: func(_ context.Context, prefix string) (*testDB, error) {
			dir, err := os.MkdirTemp("", prefix+"-sqlite-")
			if err != nil {
				return nil, err
			}
			path := filepath.Join(dir, "sessions.db")
			return &testDB{Engine: sqliteEngine(), Name: path, URL: app.SQLiteURL(path), dir: dir}, nil
		},
		drop: func(db *testDB) error { return os.RemoveAll(db.dir) },
		open: func(ctx context.Context, raw string, opt appOptions) (app.DB, func(), error) {
			path, err := sqlitePath(raw)
			if err != nil {
				return app.DB{}, nil, err
			}
			db, err := sql.Open("sqlite3", sqliteDSN(path, false))
			if err != nil {
				return app.DB{}, nil, fmt.Errorf("opening SQLite %s: %w", path, err)
			}
			// The same pool size as PostgreSQL's, so that the rows compare.
			db.SetMaxOpenConns(int(opt.MaxConns))
			db.SetMaxIdleConns(int(opt.MaxConns))
			return app.DB{SQLite: db}, func() { _ = db.Close() }, nil
		},
		sqlDB: func(db *testDB) (*sql.DB, error) {
			return sql.Open("sqlite3", sqliteDSN(db.Name, true))
		},
		version:       sqliteVersion,
		fillSessions:  fillSQLite,
		indexValid:    indexValidSQLite,
		liveRows:      liveRowsSQLite,
		snapshotRows:  snapshotSQLite,
		indexBuild:    "CREATE INDEX",
		indexNote:     "SQLite builds it holding the write lock: writers wait for it (busy_timeout), readers go on (WAL).",
		addColumnNote: "ADD COLUMN with a default, then CREATE INDEX",
	}
}

// sqliteVersion is the SQLite library's version and the driver the runs
// use.
func sqliteVersion(ctx context.Context) string {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v + " (ncruces/go-sqlite3)"
}

// dropPostgres drops a scratch PostgreSQL database.
func dropPostgres(d *testDB) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var conn *pgx.Conn
	var err error
	for i := 0; i < 20; i++ { // the server may be coming back from a restart
		if conn, err = pgx.Connect(ctx, adminURL()); err == nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.Name}.Sanitize()+" WITH (FORCE)")
	return err
}

// mysqlAdminURL is the MySQL or MariaDB server the suite works on, in
// dbmate's form: every run creates its own database there and drops it at
// the end. SESSIONGEN_MYSQL_URL, as the example's tests.
func mysqlAdminURL() string {
	if u := os.Getenv("SESSIONGEN_MYSQL_URL"); u != "" {
		return u
	}
	return "mysql://root@127.0.0.1:3306/test"
}

// mysqlEngine is MySQL (MariaDB 10.11 here): a scratch database per run on
// the admin server, the example's pool a database/sql pool of
// go-sql-driver/mysql connections opened as app.OpenMySQL opens them.
func mysqlEngine() *engine {
	return &engine{
		Name: "mysql", Title: "MySQL", Schemes: []string{"mysql"},
		Migrations: schema.MySQL(), Dialect: mysql.Dialect{},
		Where:         "on 127.0.0.1 (same machine), a database per run",
		Lock:          "row locks (`SELECT … FOR UPDATE` in `Update`, InnoDB)",
		create:        createMySQL,
		drop:          dropMySQL,
		open:          openMySQL,
		sqlDB:         func(db *testDB) (*sql.DB, error) { return openMySQLSQL(db.URL, true) },
		version:       mysqlVersion,
		fillSessions:  fillMySQL,
		indexValid:    indexValidMySQL,
		liveRows:      liveRowsMySQL,
		snapshotRows:  snapshotMySQL,
		indexBuild:    "ALTER TABLE … ADD INDEX, ALGORITHM=INPLACE, LOCK=NONE",
		indexNote:     "InnoDB builds it online: reads and writes go on, and the ALTER takes its metadata lock only briefly at the start and the end.",
		addColumnNote: "ADD COLUMN with a default, ALGORITHM=INSTANT, then ADD INDEX, ALGORITHM=INPLACE, LOCK=NONE",
		defaultPort:   "3306",
		faults:        mysqlFaults(),
	}
}

// openMySQLSQL opens the database at raw, dbmate's mysql:// URL, as
// app.OpenMySQL does (interpolateParams, strict sql_mode; the URL's query
// parameters are session variables, e.g. innodb_lock_wait_timeout), with a
// dial timeout; multi lets one Exec run several statements (the schema
// runs' own SQL).
func openMySQLSQL(raw string, multi bool) (*sql.DB, error) {
	return openMySQLWith(raw, func(c *gomysql.Config) { c.MultiStatements = multi })
}

// openMySQLWith opens raw with app.MySQLDSN's configuration changed by
// tweak.
func openMySQLWith(raw string, tweak func(*gomysql.Config)) (*sql.DB, error) {
	dsn, err := app.MySQLDSN(raw)
	if err != nil {
		return nil, err
	}
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("parsing the MySQL DSN: %w", err)
	}
	cfg.Timeout = 5 * time.Second
	// The driver logs every connection it finds broken; the runs count
	// what the app sees instead (errorLog).
	cfg.Logger = log.New(io.Discard, "", 0)
	tweak(cfg)
	c, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("MySQL connector: %w", err)
	}
	return sql.OpenDB(c), nil
}

// openMySQL opens the example's pool on raw: opt.MaxConns connections, a
// dial timeout of opt.QueryTimeout (as PostgreSQL's ConnectTimeout).
func openMySQL(_ context.Context, raw string, opt appOptions) (app.DB, func(), error) {
	db, err := openMySQLWith(raw, func(c *gomysql.Config) { c.Timeout = opt.QueryTimeout })
	if err != nil {
		return app.DB{}, nil, err
	}
	db.SetMaxOpenConns(int(opt.MaxConns))
	db.SetMaxIdleConns(int(opt.MaxConns))
	return app.DB{MySQL: db}, func() { _ = db.Close() }, nil
}

// mysqlAdmin opens the admin server (mysqlAdminURL), retrying for a while:
// the server may be coming back from a restart.
func mysqlAdmin(ctx context.Context, wait time.Duration) (*sql.DB, error) {
	db, err := openMySQLSQL(mysqlAdminURL(), false)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(2)
	deadline := time.Now().Add(wait)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = db.PingContext(pctx)
		cancel()
		if err == nil {
			return db, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			db.Close()
			return nil, fmt.Errorf("MySQL is required at %s (SESSIONGEN_MYSQL_URL; scripts/ensure-mariadb.sh starts the machine's MariaDB): %w", mysqlAdminURL(), err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// createMySQL creates a uniquely named database on the MySQL server.
func createMySQL(ctx context.Context, prefix string) (*testDB, error) {
	admin, err := mysqlAdmin(ctx, 0)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	var b [5]byte
	_, _ = rand.Read(b[:])
	name := prefix + "_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+mysqlIdent(name)); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(mysqlAdminURL())
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	u.RawQuery = ""
	return &testDB{Engine: mysqlEngine(), Name: name, URL: u.String()}, nil
}

// dropMySQL kills what is still connected to a scratch MySQL database (as
// PostgreSQL's DROP DATABASE … WITH (FORCE): an open transaction's
// metadata lock would hold DROP DATABASE) and drops it.
func dropMySQL(d *testDB) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := mysqlAdmin(ctx, 30*time.Second)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := killMySQLConnections(ctx, admin, d.Name); err != nil {
		return err
	}
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+mysqlIdent(d.Name))
	return err
}

// killMySQLConnections runs KILL on every connection whose current
// database is name, other than admin's own, and returns how many it killed.
func killMySQLConnections(ctx context.Context, admin *sql.DB, name string) (int, error) {
	c, err := admin.Conn(ctx) // CONNECTION_ID() must be the connection that kills
	if err != nil {
		return 0, err
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", name)
	if err != nil {
		return 0, fmt.Errorf("listing the connections to %s: %w", name, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		// A connection that ended meanwhile answers 1094 (unknown thread).
		if _, err := c.ExecContext(ctx, fmt.Sprintf("KILL %d", id)); err == nil {
			n++
		} else if !strings.Contains(err.Error(), "1094") {
			return n, fmt.Errorf("KILL %d: %w", id, err)
		}
	}
	return n, nil
}

// mysqlIdent quotes a MySQL identifier.
func mysqlIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// mysqlVersion is the server's VERSION() (MariaDB says so in it).
func mysqlVersion(ctx context.Context) string {
	admin, err := mysqlAdmin(ctx, 0)
	if err != nil {
		return "unknown"
	}
	defer admin.Close()
	var v string
	if err := admin.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return "unknown"
	}
	if strings.Contains(v, "MariaDB") {
		return "(MariaDB " + v + ")"
	}
	return v
}
