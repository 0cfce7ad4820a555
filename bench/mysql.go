package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/example/app"
)

// The -mysql modes run on the MySQL or MariaDB server at -mysql (dbmate's
// URL form, mysql://user@host:port/database; the database in it is only
// where the admin connection lands), each in a fresh database of its own
// that the run creates and drops: sessiongen-mysql is the example's
// generated store on MySQL (app.NewSessionStoreMySQL over the emitted
// schema/mysql migrations, applied by app.Migrate), floor-mysql the
// floor's plain table and statements (floor_mysql.go). Both open their
// pool as the example does (app.MySQLDSN: go-sql-driver/mysql with
// interpolateParams and a strict sql_mode), through a connector that
// counts the round trips each connection makes (countingConnector).

// mysqlAdmin runs the create and drop statements of the -mysql modes'
// databases on the server at the admin URL.
type mysqlAdmin struct {
	db  *sql.DB
	url string // the admin URL, dbmate's form
}

// newMySQLAdmin connects to the server at adminURL.
func newMySQLAdmin(ctx context.Context, adminURL string) (*mysqlAdmin, error) {
	db, err := app.OpenMySQL(adminURL)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to MySQL at %s (scripts/ensure-mariadb.sh starts the machine's MariaDB; -mysql names another server): %w", redactURL(adminURL), err)
	}
	return &mysqlAdmin{db: db, url: adminURL}, nil
}

func (a *mysqlAdmin) close() { a.db.Close() }

// recreate drops the database name if it exists and creates it empty.
func (a *mysqlAdmin) recreate(ctx context.Context, name string) error {
	if err := a.drop(ctx, name); err != nil {
		return err
	}
	if _, err := a.db.ExecContext(ctx, "CREATE DATABASE "+quoteMySQL(name)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// drop drops the database name if it exists.
func (a *mysqlAdmin) drop(ctx context.Context, name string) error {
	if _, err := a.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteMySQL(name)); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// version is the server's version string ("10.11.19-MariaDB-...").
func (a *mysqlAdmin) version(ctx context.Context) string {
	var v string
	if err := a.db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// dbURL is the admin URL with its database replaced by name.
func (a *mysqlAdmin) dbURL(name string) (string, error) { return dbURL(a.url, name) }

// quoteMySQL quotes an identifier with backticks.
func quoteMySQL(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// redactURL hides the password of a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// createMySQL creates the mode's database, with the emitted migrations
// applied for sessiongen-mysql.
func createMySQL(ctx context.Context, o options, adm *mysqlAdmin, name string) (*instance, error) {
	if adm == nil {
		return nil, fmt.Errorf("%s: no MySQL server", name)
	}
	in := &instance{name: name, dbName: o.dbPrefix + "_" + sanitize(name), tr: &counter{}}
	if err := adm.recreate(ctx, in.dbName); err != nil {
		return nil, err
	}
	u, err := adm.dbURL(in.dbName)
	if err != nil {
		return nil, err
	}
	in.mysqlURL = u
	if name == "sessiongen-mysql" {
		if err := app.Migrate(u, io.Discard); err != nil {
			return nil, fmt.Errorf("%s: migrate: %w", name, err)
		}
	}
	return in, nil
}

// openMySQLCounted opens the database at dbmate's URL u as the example
// does (app.MySQLDSN), through a connector that counts every round trip of
// its connections in tr.
func openMySQLCounted(u string, tr *counter) (*sql.DB, error) {
	dsn, err := app.MySQLDSN(u)
	if err != nil {
		return nil, err
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("parsing MySQL DSN: %w", err)
	}
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("MySQL connector: %w", err)
	}
	return sql.OpenDB(countingConnector{Connector: c, tr: tr}), nil
}

// buildMySQL opens the mode's database and starts its server. The
// database/sql pool keeps o.conns connections open, as the PostgreSQL
// modes' pgxpool does.
func buildMySQL(ctx context.Context, o options, in *instance) error {
	db, err := openMySQLCounted(in.mysqlURL, in.tr)
	if err != nil {
		return fmt.Errorf("%s: %w", in.name, err)
	}
	in.mysql = db
	db.SetMaxOpenConns(o.conns)
	db.SetMaxIdleConns(o.conns)
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("%s: connect to %s: %w", in.name, redactURL(in.mysqlURL), err)
	}
	var h http.Handler
	switch in.name {
	case "floor-mysql":
		h, err = newFloorMySQL(ctx, db)
	case "sessiongen-mysql":
		var store *app.SessionStore
		store, err = app.NewSessionStoreMySQL(db, sessiongenConfig(0))
		if err == nil {
			h = sessiongenHandler(store)
		}
	default:
		err = fmt.Errorf("unknown MySQL mode %q", in.name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in.name, err)
	}
	return in.start(h)
}

// countingConnector opens go-sql-driver/mysql connections that count, in
// tr, every exchange with the server a request waits for: each query and
// statement (with interpolateParams, one COM_QUERY each; a server-side
// prepared statement's execution), each preparation, BEGIN (plus the SET
// TRANSACTION ISOLATION LEVEL the driver sends before it when the
// transaction names a level), COMMIT, ROLLBACK and ping. Opening a
// connection (handshake, the DSN's session variables) is not counted, as
// pgx's tracer does not count it either; closing a prepared statement
// sends a packet the server does not answer, so it is not a round trip.
type countingConnector struct {
	driver.Connector
	tr *counter
}

// Connect opens a counting connection.
func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	m, ok := conn.(mysqlConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("bench: %T lacks the database/sql interfaces of go-sql-driver/mysql's connection", conn)
	}
	return &countingConn{m: m, tr: c.tr}, nil
}

// mysqlConn is the set of database/sql interfaces go-sql-driver/mysql's
// connection implements; countingConn forwards each.
type mysqlConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// mysqlStmt is the set of interfaces go-sql-driver/mysql's prepared
// statement implements; countingStmt forwards each.
type mysqlStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
	driver.NamedValueChecker
}

// countingConn is one counting connection.
type countingConn struct {
	m  mysqlConn
	tr *counter
}

// count adds n round trips unless err says the driver sent nothing
// (driver.ErrSkip: database/sql falls back to a prepared statement, which
// is counted on its own).
func (c *countingConn) count(n int64, err error) {
	if !errors.Is(err, driver.ErrSkip) {
		c.tr.stmts.Add(n)
	}
}

func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.m.PrepareContext(ctx, query)
	c.tr.prepares.Add(1)
	if err != nil {
		return nil, err
	}
	ms, ok := s.(mysqlStmt)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("bench: %T lacks the database/sql interfaces of go-sql-driver/mysql's statement", s)
	}
	return &countingStmt{s: ms, tr: c.tr}, nil
}

func (c *countingConn) Close() error { return c.m.Close() }

func (c *countingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.m.BeginTx(ctx, opts)
	n := int64(1)
	if sql.IsolationLevel(opts.Isolation) != sql.LevelDefault {
		n++ // SET TRANSACTION ISOLATION LEVEL, then START TRANSACTION
	}
	c.count(n, err)
	if err != nil {
		return nil, err
	}
	return countingTx{tx: tx, tr: c.tr}, nil
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	r, err := c.m.ExecContext(ctx, query, args)
	c.count(1, err)
	return r, err
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.m.QueryContext(ctx, query, args)
	c.count(1, err)
	return r, err
}

func (c *countingConn) Ping(ctx context.Context) error {
	c.tr.stmts.Add(1)
	return c.m.Ping(ctx)
}

func (c *countingConn) ResetSession(ctx context.Context) error { return c.m.ResetSession(ctx) }
func (c *countingConn) IsValid() bool                          { return c.m.IsValid() }
func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.m.CheckNamedValue(nv)
}

// countingTx counts COMMIT and ROLLBACK.
type countingTx struct {
	tx driver.Tx
	tr *counter
}

func (t countingTx) Commit() error   { t.tr.stmts.Add(1); return t.tx.Commit() }
func (t countingTx) Rollback() error { t.tr.stmts.Add(1); return t.tx.Rollback() }

// countingStmt counts each execution of a server-side prepared statement.
type countingStmt struct {
	s  mysqlStmt
	tr *counter
}

func (s *countingStmt) Close() error  { return s.s.Close() }
func (s *countingStmt) NumInput() int { return s.s.NumInput() }

// Exec and Query are driver.Stmt's methods; database/sql calls the
// Context ones.
func (s *countingStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.tr.stmts.Add(1)
	return s.s.Exec(args)
}

func (s *countingStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.tr.stmts.Add(1)
	return s.s.Query(args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.tr.stmts.Add(1)
	return s.s.ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.tr.stmts.Add(1)
	return s.s.QueryContext(ctx, args)
}

func (s *countingStmt) CheckNamedValue(nv *driver.NamedValue) error {
	return s.s.CheckNamedValue(nv)
}
