// Command example is the sessiongen showcase: a JSON API and a small browser
// page at / whose typed, server-side sessions are generated from the Session
// struct in app/.
//
//	go run ./example -insecure-cookie   # plain http on 127.0.0.1:8080, for curl
//	go run ./example                    # the production cookie; open http://localhost:8080 in a browser
//
// It connects to DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable), applies the
// emitted migrations with the dbmate library, and serves until SIGINT or
// SIGTERM, then shuts down gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

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
	flag.Parse()

	dbURL := os.Getenv("DATABASE_URL")
	if dbURL == "" {
		dbURL = defaultDatabaseURL
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("bad DATABASE_URL: %w", err)
	}
	defer pool.Close()
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = pool.Ping(pingCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("cannot reach PostgreSQL at %s: %w\n"+
			"  start it (for example: pg_ctlcluster 15 main start), or point DATABASE_URL at a running server", redact(dbURL), err)
	}
	if err := app.Migrate(dbURL, os.Stderr); err != nil {
		return err
	}

	a, err := app.New(pool, app.Config{Sessions: sessionrt.Config{
		Insecure:          *insecure,
		TransactionPooler: *txPooler,
		Cache:             sessionrt.CacheConfig{MaxEntries: *cacheEntries, ListenURL: *listenURL},
	}, Logger: log})
	if err != nil {
		return err
	}
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

// redact hides the password of a database URL in messages.
func redact(s string) string {
	cfg, err := pgxpool.ParseConfig(s)
	if err != nil {
		return "(unparsable DATABASE_URL)"
	}
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}
