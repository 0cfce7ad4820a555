package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
	"golang.org/x/crypto/bcrypt"
)

// adminURL is the PostgreSQL server the suite works on: every run creates
// its own database there and drops it at the end.
func adminURL() string {
	if u := os.Getenv("SESSIONGEN_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// testDB is a scratch database of one engine: a database on the
// PostgreSQL admin server, or a SQLite file in a temporary directory.
type testDB struct {
	Engine *engine
	Name   string // PostgreSQL: the database's name; SQLite: the file's path
	URL    string // postgres://… (a direct connection) or sqlite:path (app.SQLiteURL): what migrateApp, dbmate and startApp take
	dir    string // SQLite: the temporary directory holding the file
}

// createDB creates a uniquely named PostgreSQL database; drop removes it.
func createDB(ctx context.Context, prefix string) (*testDB, error) {
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL is required: %w", err)
	}
	defer conn.Close(context.Background())
	var b [5]byte
	_, _ = rand.Read(b[:])
	name := prefix + "_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(adminURL())
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	return &testDB{Engine: postgresEngine(), Name: name, URL: u.String()}, nil
}

// drop removes the database, closing whatever is still connected.
func (d *testDB) drop() error { return d.Engine.drop(d) }

// withHostPort returns dsn pointing at addr (host:port) instead.
func withHostPort(dsn, addr string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Host = addr
	return u.String()
}

// withParam returns dsn with the query parameter k=v added.
func withParam(dsn, k, v string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// defaultPoolSize is the app's pool size unless a run sets another: pgxpool
// connections on PostgreSQL, database/sql open connections on SQLite.
const defaultPoolSize = 16

// appOptions configures one example application under test.
type appOptions struct {
	PoolURL      string        // where the app's pool connects: a testDB's URL, or for PostgreSQL a proxy or PgBouncer in front of it
	MaxConns     int32         // pool size (SQLite: database/sql's open connections); 0: defaultPoolSize
	QueryTimeout time.Duration // sessionrt.Config.QueryTimeout; 0: 1s
	MaxPayload   int           // sessionrt.Config.MaxPayloadBytes; 0: the default
	TxPooler     bool          // sessionrt.Config.TransactionPooler
	Cache        int           // sessionrt.Config.Cache.MaxEntries; the listener runs until Close
	ListenURL    string        // sessionrt.Config.Cache.ListenURL (a direct connection)
	Logger       *slog.Logger  // the app's and the store's log; nil: discarded
	Extra        func(mux *http.ServeMux, a *app.App)
}

// appServer is the example JSON API on a loopback HTTP server.
type appServer struct {
	URL    string
	App    *app.App
	DB     app.DB       // the engine's handle the app runs on
	Panics atomic.Int64 // handler panics recovered
	srv    *http.Server
	opt    appOptions
	stop   func() // stops the cache listener
	close  func() // closes DB
}

func startApp(ctx context.Context, opt appOptions) (*appServer, error) {
	if opt.MaxConns == 0 {
		opt.MaxConns = defaultPoolSize
	}
	if opt.QueryTimeout == 0 {
		opt.QueryTimeout = time.Second
	}
	e, err := engineForURL(opt.PoolURL)
	if err != nil {
		return nil, err
	}
	db, closeDB, err := e.open(ctx, opt.PoolURL, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Title, err)
	}
	quiet := opt.Logger
	if quiet == nil {
		quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a, err := app.New(db, app.Config{
		Sessions: sessionrt.Config{
			Insecure:          true,
			QueryTimeout:      opt.QueryTimeout,
			MaxPayloadBytes:   opt.MaxPayload,
			TransactionPooler: opt.TxPooler,
			Cache:             sessionrt.CacheConfig{MaxEntries: opt.Cache, ListenURL: opt.ListenURL},
		},
		BcryptCost: bcrypt.MinCost,
		Logger:     quiet,
	})
	if err != nil {
		closeDB()
		return nil, err
	}
	s := &appServer{App: a, DB: db, opt: opt, stop: func() {}, close: closeDB}
	if opt.Cache > 0 {
		lctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = a.Sessions.RunCacheListener(lctx)
		}()
		s.stop = func() { cancel(); <-done }
		for deadline := time.Now().Add(10 * time.Second); !a.Sessions.CacheStats().On; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				s.stop()
				closeDB()
				return nil, errors.New("the cache listener did not connect")
			}
		}
	}
	h := a.Handler()
	if opt.Extra != nil {
		extra := http.NewServeMux()
		opt.Extra(extra, a)
		mux := http.NewServeMux()
		mux.Handle("/", h)
		mux.Handle("/test/", a.Sessions.Middleware(extra))
		h = mux
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.stop()
		closeDB()
		return nil, err
	}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					s.Panics.Add(1)
					http.Error(w, fmt.Sprint("panic: ", v), http.StatusInternalServerError)
				}
			}()
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          nil,
	}
	s.URL = "http://" + ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *appServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	s.stop()
	s.close()
}

// migrateApp applies the example's migrations to dsn, a testDB's URL,
// with app.Migrate (dbmate): schema/postgresql for postgres://, and
// schema/sqlite for sqlite: through the dbmate driver of sqlitedbmate.go.
func migrateApp(dsn string) error { return app.Migrate(dsn, io.Discard) }

// memStats is a snapshot of the process for the soak's flatness check.
type memStats struct {
	Goroutines int
	HeapAlloc  uint64
	HeapInuse  uint64
	Sys        uint64
}

func readMem() memStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memStats{Goroutines: runtime.NumGoroutine(), HeapAlloc: m.HeapAlloc, HeapInuse: m.HeapInuse, Sys: m.Sys}
}

func (m memStats) String() string {
	return fmt.Sprintf("%d goroutines, heap %.1f MiB", m.Goroutines, float64(m.HeapAlloc)/(1<<20))
}

// tcpProxy forwards loopback TCP connections to a target; Cut closes the
// listener and every connection (the database "disappears": connects are
// refused, open connections are reset), Restore listens again on the same
// address.
type tcpProxy struct {
	target string
	Addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newTCPProxy(target string) (*tcpProxy, error) {
	p := &tcpProxy{target: target, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.Addr = ln.Addr().String()
	p.serve(ln)
	return p, nil
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.handle(c)
		}
	}()
}

func (p *tcpProxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		if p.ln == nil {
			return false
		}
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
	return true
}

func (p *tcpProxy) handle(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, true) || !p.track(up, true) {
		c.Close()
		up.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	c.Close()
	up.Close()
	<-done
	p.track(c, false)
	p.track(up, false)
}

// Cut drops every connection and refuses new ones.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST, like a crashed server
		}
		c.Close()
	}
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	p.wg.Wait()
}

// Restore accepts connections again on the same address.
func (p *tcpProxy) Restore() error {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", p.Addr); err == nil {
			p.serve(ln)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

func (p *tcpProxy) Close() { p.Cut() }

// waitFor polls cond every 50ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

var errSkip = errors.New("skipped")

// errClassLockWait is the class of MySQL's lock wait timeout (error 1205).
const errClassLockWait = "MySQL error 1205 (lock wait timeout)"

var (
	mysqlErrRE = regexp.MustCompile(`Error (\d{4}) \(`)
	sqlstateRE = regexp.MustCompile(`SQLSTATE (\w{5})`)
)

// errorClass sorts an error the app logged by what caused it: the
// server's error number (MySQL) or SQLSTATE (PostgreSQL), the store's
// QueryTimeout, or a connection that could not be made or was lost.
func errorClass(msg string) string {
	if m := mysqlErrRE.FindStringSubmatch(msg); m != nil {
		switch m[1] {
		case "1205":
			return errClassLockWait
		case "1213":
			return "MySQL error 1213 (deadlock)"
		case "1927":
			return "MySQL error 1927 (connection killed)"
		case "1053":
			return "MySQL error 1053 (server shutdown)"
		case "1040":
			return "MySQL error 1040 (too many connections)"
		case "1317":
			return "MySQL error 1317 (query interrupted)"
		}
		return "MySQL error " + m[1]
	}
	if m := sqlstateRE.FindStringSubmatch(msg); m != nil {
		return "SQLSTATE " + m[1]
	}
	switch {
	case strings.Contains(msg, "deadline exceeded"):
		return "QueryTimeout (context deadline exceeded)"
	case strings.Contains(msg, "connection refused"):
		return "connection refused"
	case strings.Contains(msg, "invalid connection"), strings.Contains(msg, "bad connection"), strings.Contains(msg, "broken pipe"),
		strings.Contains(msg, "connection reset"), strings.Contains(msg, "EOF"), strings.Contains(msg, "closed"):
		return "connection lost"
	}
	return "other"
}

// errorLog counts the errors the app logs (the store's "session error"
// lines, the health check's), by errorClass, and keeps a few of the
// unclassified ones.
type errorLog struct {
	mu     sync.Mutex
	byKind map[string]int
	other  []string
}

// logger is a slog.Logger that feeds l.
func (l *errorLog) logger() *slog.Logger { return slog.New(errorHandler{l}) }

// counts returns the errors logged so far, by class, and the first few
// of class "other".
func (l *errorLog) counts() (map[string]int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.byKind), slices.Clone(l.other)
}

// errorHandler is errorLog's slog.Handler: the records with an err
// attribute, at Warn and above.
type errorHandler struct{ l *errorLog }

func (h errorHandler) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (h errorHandler) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h errorHandler) WithGroup(string) slog.Handler                 { return h }

func (h errorHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "err" {
			return true
		}
		msg := a.Value.String()
		c := errorClass(msg)
		h.l.mu.Lock()
		if h.l.byKind == nil {
			h.l.byKind = map[string]int{}
		}
		h.l.byKind[c]++
		if c == "other" && len(h.l.other) < 3 {
			h.l.other = append(h.l.other, msg)
		}
		h.l.mu.Unlock()
		return false
	})
	return nil
}
