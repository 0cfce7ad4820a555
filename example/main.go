// Command example is the sessiongen showcase: a JSON API and a small browser
// page at / whose typed, server-side sessions are generated from the Session
// struct in app/.
//
//	go run ./example -insecure-cookie   # plain http on 127.0.0.1:8080, for curl
//	go run ./example                    # the production cookie; open http://localhost:8080 in a browser
//
// Without DATABASE_URL it runs on the SQLite file named by -db (default
// sessions.db, created if missing): no database server needed. With
// DATABASE_URL=postgres://... (or postgresql://...) it runs on PostgreSQL,
// which the session cache (-cache) and -transaction-pooler need; with
// DATABASE_URL=mysql://user@host:port/database (dbmate's form) on MySQL 8
// or MariaDB. The HTTP contract is the same on all three. It applies the
// emitted migrations of the engine (schema/postgresql, schema/sqlite or
// schema/mysql) with the dbmate library, and
// serves until SIGINT or SIGTERM, then shuts down gracefully.
//
// The example links one SQLite implementation, mattn/go-sqlite3 (cgo):
// dbmate's SQLite driver is built on it, and the example's own *sql.DB uses
// the same driver.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/example/app/appsqlite"
	"github.com/sessiongen/sessiongen/sessionrt"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("example stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	insecure := flag.Bool("insecure-cookie", false, "plain-http local development: send the session cookie without Secure and without the __Host- prefix")
	cacheEntries := flag.Int("cache", 0, "cache up to this many sessions in memory (0: off); writes on any instance evict them through NOTIFY")
	listenURL := flag.String("cache-listen-url", "", "direct PostgreSQL URL for the cache's LISTEN connection (required behind a transaction pooler; default DATABASE_URL)")
	txPooler := flag.Bool("transaction-pooler", false, "DATABASE_URL goes through a pooler in transaction mode (PgBouncer pool_mode = transaction): refuse pgx exec modes it breaks; add default_query_exec_mode=cache_describe to the URL")
	dbFile := flag.String("db", "sessions.db", "SQLite file the sessions live in when DATABASE_URL is empty (created if missing)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, closeDB, err := setup(ctx, os.Getenv("DATABASE_URL"), *dbFile, app.Config{Sessions: sessionrt.Config{
		Insecure:          *insecure,
		TransactionPooler: *txPooler,
		Cache:             sessionrt.CacheConfig{MaxEntries: *cacheEntries, ListenURL: *listenURL},
	}, Logger: log}, os.Stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	go a.Sessions.RunReaper(ctx, time.Minute, 1000)
	if *cacheEntries > 0 {
		go func() {
			if err := a.Sessions.RunCacheListener(ctx); err != nil {
				log.Error("session cache listener stopped; the cache stays off", "err", err)
			}
		}()
	}

	srv := &http.Server{
		Addr:              *addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("example listening", "addr", "http://"+*addr, "insecure_cookie", *insecure, "page", "http://"+strings.Replace(*addr, "127.0.0.1", "localhost", 1)+"/")
	if !*insecure {
		log.Info("the session cookie is Secure: over plain http, browsers other than on localhost and curl will not send it back; use -insecure-cookie for local http")
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// setup opens the database the example runs on, applies its migrations
// (dbmate's progress goes to migrateLog) and builds the application: on
// PostgreSQL when databaseURL is a postgres:// or postgresql:// URL, on
// MySQL or MariaDB when it is a mysql:// URL (dbmate's form), on the SQLite
// file dbFile when it is empty. The session cache and -transaction-pooler
// are refused but on PostgreSQL (app.New). closeDB closes the
// database.
func setup(ctx context.Context, databaseURL, dbFile string, cfg app.Config, migrateLog io.Writer) (a *app.App, closeDB func(), err error) {
	var db app.DB
	switch {
	case databaseURL == "":
		if cfg.Sessions.Cache.MaxEntries > 0 {
			return nil, nil, errors.New("-cache needs PostgreSQL (the cache's evictions travel by LISTEN/NOTIFY): set DATABASE_URL=postgres://... or drop -cache; without DATABASE_URL the example runs on SQLite")
		}
		if cfg.Sessions.TransactionPooler {
			return nil, nil, errors.New("-transaction-pooler is about PgBouncer in front of PostgreSQL: set DATABASE_URL=postgres://...; without DATABASE_URL the example runs on SQLite")
		}
		if dbFile == "" {
			return nil, nil, errors.New("no database: set DATABASE_URL=postgres://... or name a SQLite file with -db")
		}
		if err := app.Migrate(app.SQLiteURL(dbFile), migrateLog); err != nil {
			return nil, nil, err
		}
		sqlDB, err := appsqlite.Open(dbFile)
		if err != nil {
			return nil, nil, err
		}
		db.SQLite = sqlDB
		closeDB = func() { sqlDB.Close() }
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		pool, err := pgxpool.New(ctx, databaseURL)
		if err != nil {
			return nil, nil, fmt.Errorf("bad DATABASE_URL: %w", err)
		}
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = pool.Ping(pingCtx)
		cancel()
		if err != nil {
			pool.Close()
			return nil, nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w\n"+
				"  start it (for example: pg_ctlcluster 15 main start), point DATABASE_URL at a running server, or unset it to run on SQLite", redact(databaseURL), err)
		}
		if err := app.Migrate(databaseURL, migrateLog); err != nil {
			pool.Close()
			return nil, nil, err
		}
		db.PostgreSQL = pool
		closeDB = pool.Close
	case strings.HasPrefix(databaseURL, "mysql://"):
		sqlDB, err := app.OpenMySQL(databaseURL)
		if err != nil {
			return nil, nil, fmt.Errorf("bad DATABASE_URL: %w", err)
		}
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = sqlDB.PingContext(pingCtx)
		cancel()
		if err != nil {
			sqlDB.Close()
			return nil, nil, fmt.Errorf("cannot reach MySQL at %s: %w\n"+
				"  start it, point DATABASE_URL at a running server, or unset it to run on SQLite", redact(databaseURL), err)
		}
		if err := app.Migrate(databaseURL, migrateLog); err != nil {
			sqlDB.Close()
			return nil, nil, err
		}
		db.MySQL = sqlDB
		closeDB = func() { sqlDB.Close() }
	default:
		return nil, nil, errors.New("DATABASE_URL: want a postgres://, postgresql:// or mysql:// URL, or nothing for the SQLite file named by -db")
	}
	a, err = app.New(db, cfg)
	if err != nil {
		closeDB()
		return nil, nil, err
	}
	if cfg.Logger != nil {
		cfg.Logger.Info("database", "engine", db.Engine())
	}
	return a, closeDB, nil
}

// redact hides the password of a database URL in messages.
func redact(s string) string {
	if strings.HasPrefix(s, "mysql://") {
		u, err := url.Parse(s)
		if err != nil {
			return "(unparsable DATABASE_URL)"
		}
		return u.User.Username() + "@" + u.Host + u.Path
	}
	cfg, err := pgxpool.ParseConfig(s)
	if err != nil {
		return "(unparsable DATABASE_URL)"
	}
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}
