package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/example/app/appsqlite"
	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
	"golang.org/x/crypto/bcrypt"
)

// server starts the example on a fresh PostgreSQL database over real HTTP.
func server(t *testing.T) (*httptest.Server, testDB) {
	t.Helper()
	pool, dsn := sessiontest.New(t)
	return serve(t, pool, dsn)
}

// sqliteServer starts the example on a fresh SQLite file in t.TempDir()
// (mattn/go-sqlite3, WAL, busy_timeout: appsqlite.Open) over real HTTP.
func sqliteServer(t *testing.T) (*httptest.Server, testDB) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "sessions.db")
	if err := app.Migrate(app.SQLiteURL(file), io.Discard); err != nil {
		t.Fatal(err)
	}
	db, err := appsqlite.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// The tests read the table on a connection of their own: one, kept
	// open, so that PRAGMA data_version sees every commit of the app's.
	probe, err := sql.Open("sqlite3", appsqlite.DSN(file))
	if err != nil {
		t.Fatal(err)
	}
	probe.SetMaxOpenConns(1)
	t.Cleanup(func() { probe.Close() })
	a, err := app.New(app.DB{SQLite: db}, app.Config{Sessions: sessionrt.Config{Insecure: true}, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv, testDB{sqlite: probe}
}

// serverFunc starts the example for one contract test, on one engine.
type serverFunc func(t *testing.T) (*httptest.Server, testDB)

// cachedServer is server with the session cache on and its listener
// running (PostgreSQL only).
func cachedServer(t *testing.T) (*httptest.Server, testDB) {
	t.Helper()
	pool, dsn := sessiontest.New(t)
	return serveWith(t, pool, dsn, sessionrt.Config{Insecure: true, Cache: sessionrt.CacheConfig{MaxEntries: 1000}})
}

// TestContract runs the example's HTTP contract on each engine, and on
// PostgreSQL with the session cache off and on.
func TestContract(t *testing.T) {
	cases := []struct {
		name string
		run  func(*testing.T, serverFunc)
	}{
		{"Login", contractLogin}, {"Me", contractMe}, {"Cart", contractCart}, {"Counter", contractCounter},
		{"LogoutReplay", contractLogoutReplay}, {"Fixation", contractFixation},
		{"LogoutAllAndSessions", contractLogoutAllAndSessions}, {"AccountSwitch", contractAccountSwitch},
		{"LogoutOthers", contractLogoutOthers}, {"Flash", contractFlash},
		{"Healthz", contractHealthz}, {"MethodsAndBodies", contractMethodsAndBodies},
		{"CorruptColumn", contractCorruptColumn}, {"CrossOriginWrites", contractCrossOriginWrites},
		{"PageForms", contractPageForms},
	}
	for _, mode := range []struct {
		name   string
		server serverFunc
	}{{"postgresql/cache_off", server}, {"postgresql/cache_on", cachedServer}, {"sqlite", sqliteServer}, {"mysql", mysqlServer}} {
		for _, c := range cases {
			t.Run(mode.name+"/"+c.name, func(t *testing.T) { c.run(t, mode.server) })
		}
	}
}

// testDB reads the sessions table of a test server, on its engine: pool on
// PostgreSQL, sqlite (a connection of the test's own) on SQLite, mysql (a
// pool of the test's own) on MySQL.
type testDB struct {
	pool   *pgxpool.Pool
	sqlite *sql.DB
	mysql  *sql.DB
}

// exec runs one statement.
func (d testDB) exec(t *testing.T, query string) {
	t.Helper()
	var err error
	switch {
	case d.pool != nil:
		_, err = d.pool.Exec(context.Background(), query)
	case d.mysql != nil:
		_, err = d.mysql.Exec(query)
	default:
		_, err = d.sqlite.Exec(query)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// digest is "<rows>:<hash of every row>": it changes when any row of the
// sessions table changes ("0:" when the table is empty).
func (d testDB) digest(t *testing.T) string {
	t.Helper()
	if d.mysql != nil {
		return mysqlDigest(t, d.mysql)
	}
	var v string
	var err error
	if d.pool != nil {
		err = d.pool.QueryRow(context.Background(),
			`SELECT count(*)::text || ':' || coalesce(md5(string_agg(s::text, ',' ORDER BY token_hash)), '') FROM sessions s`).Scan(&v)
	} else {
		err = d.sqlite.QueryRow(`SELECT count(*) || ':' || coalesce((SELECT group_concat(r, ',') FROM (SELECT quote(token_hash) || quote(created_at) ||
			quote(last_seen_at) || quote(expires_at) || quote(absolute_expires_at) || quote(remember) || quote(previous_token_hash) ||
			quote(renewed_at) || quote(user_id) || quote(email) || quote(roles) || quote(cart) || quote(theme) || quote(mfa_at) ||
			quote(counter) || quote(notice) AS r FROM sessions ORDER BY token_hash)), '') FROM sessions`).Scan(&v)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// writes returns a value that changes whenever the row of user 1 is
// written, even with the same values: its xmin on PostgreSQL; on SQLite,
// PRAGMA data_version, which changes when another connection commits any
// write.
func (d testDB) writes(t *testing.T) string {
	t.Helper()
	if d.mysql != nil {
		return mysqlWrites(t, d.mysql)
	}
	var v string
	if d.pool != nil {
		if err := d.pool.QueryRow(context.Background(), `SELECT xmin::text || ':' || notice FROM sessions WHERE user_id = 1`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	var version int64
	if err := d.sqlite.QueryRow(`PRAGMA data_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := d.sqlite.QueryRow(`SELECT notice FROM sessions WHERE user_id = 1`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(version, ":", v)
}

func serve(t *testing.T, pool *pgxpool.Pool, dsn string) (*httptest.Server, testDB) {
	t.Helper()
	return serveWith(t, pool, dsn, sessionrt.Config{Insecure: true})
}

// serveWith is serve with a session configuration; with the cache on it
// runs the cache listener and waits until the cache serves.
func serveWith(t *testing.T, pool *pgxpool.Pool, dsn string, cfg sessionrt.Config) (*httptest.Server, testDB) {
	t.Helper()
	if err := app.Migrate(dsn, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.DB{PostgreSQL: pool}, app.Config{Sessions: cfg, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cache.MaxEntries > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Sessions.RunCacheListener(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("cache listener: %v", err)
			}
		})
		waitCacheOn(t, a.Sessions)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv, testDB{pool: pool}
}

// waitCacheOn waits until the cache listener has connected and flushed.
func waitCacheOn(t *testing.T, m *app.SessionStore) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !m.CacheStats().On; {
		if time.Now().After(deadline) {
			t.Fatal("the cache listener did not connect")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// client is one browser: its own cookie jar.
type client struct {
	t   *testing.T
	srv *httptest.Server
	c   *http.Client
}

func newClient(t *testing.T, srv *httptest.Server) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, srv: srv, c: &http.Client{Jar: jar}}
}

// do sends a request, with a body as application/json, and decodes a JSON
// answer into out (if not nil).
func (c *client) do(method, path, body string, out any) int {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: decoding %q: %v", method, path, data, err)
		}
	}
	if resp.StatusCode >= 400 {
		var e struct{ Error string }
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			c.t.Errorf("%s %s: error answer %d without {\"error\"}: %q", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}

// cookie returns the session cookie value the client holds.
func (c *client) cookie() string {
	for _, k := range c.c.Jar.Cookies(mustURL(c.t, c.srv.URL)) {
		if k.Name == "session" {
			return k.Value
		}
	}
	return ""
}

func (c *client) login(email string) {
	c.t.Helper()
	if code := c.do("POST", "/login", `{"email":"`+email+`","password":"wonderland"}`, nil); code != 200 {
		c.t.Fatalf("login %s: %d", email, code)
	}
}

type me struct {
	UserID int64    `json:"user_id"`
	Email  string   `json:"email"`
	Roles  []string `json:"roles"`
}

type cart struct {
	Items []app.CartItem `json:"items"`
}

func contractLogin(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	tests := []struct {
		name, body string
		want       int
	}{
		{"alice", `{"email":"alice@example.com","password":"wonderland"}`, 200},
		{"bob", `{"email":"bob@example.com","password":"wonderland"}`, 200},
		{"wrong password", `{"email":"alice@example.com","password":"alice"}`, 401},
		{"unknown user", `{"email":"eve@example.com","password":"wonderland"}`, 401},
		{"malformed", `{"email":`, 400},
		{"not an object", `[1,2]`, 400},
		{"unknown field", `{"email":"alice@example.com","password":"wonderland","admin":true}`, 400},
		{"missing password", `{"email":"alice@example.com"}`, 400},
		{"trailing data", `{"email":"alice@example.com","password":"wonderland"} {}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, srv)
			var got me
			if code := c.do("POST", "/login", tt.body, &got); code != tt.want {
				t.Fatalf("status %d, want %d", code, tt.want)
			}
			if tt.want == 200 && (got.UserID == 0 || got.Email == "") {
				t.Fatalf("login answer %+v", got)
			}
			if tt.want != 200 && c.cookie() != "" {
				t.Fatalf("failed login set a session cookie")
			}
		})
	}
}

func contractMe(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	c := newClient(t, srv)
	if code := c.do("GET", "/me", "", nil); code != 401 {
		t.Fatalf("anonymous /me: %d, want 401", code)
	}
	if c.cookie() != "" {
		t.Fatal("reading the session of an anonymous visitor created one")
	}
	c.login("alice@example.com")
	var got me
	if code := c.do("GET", "/me", "", &got); code != 200 {
		t.Fatalf("/me: %d", code)
	}
	if got.UserID != 1 || got.Email != "alice@example.com" || strings.Join(got.Roles, ",") != "admin,user" {
		t.Fatalf("/me = %+v", got)
	}
}

func contractCart(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	c := newClient(t, srv)
	var got cart
	if code := c.do("GET", "/cart", "", &got); code != 200 || got.Items == nil || len(got.Items) != 0 {
		t.Fatalf("empty cart: %d %+v", code, got)
	}
	if code := c.do("POST", "/cart", `{"sku":"book-1","qty":2}`, &got); code != 200 {
		t.Fatalf("add: %d", code)
	}
	if c.cookie() == "" {
		t.Fatal("the first write of an anonymous visitor did not create a session")
	}
	c.do("POST", "/cart", `{"sku":"pen","qty":99}`, &got)
	want := []app.CartItem{{SKU: "book-1", Qty: 2}, {SKU: "pen", Qty: 99}}
	var again cart
	if code := c.do("GET", "/cart", "", &again); code != 200 || !equalItems(again.Items, want) || !equalItems(got.Items, want) {
		t.Fatalf("cart = %+v / %+v, want %+v", got.Items, again.Items, want)
	}
	for _, bad := range []string{
		`{"sku":"x","qty":0}`, `{"sku":"x","qty":100}`, `{"sku":"","qty":1}`,
		`{"sku":"` + strings.Repeat("s", 65) + `","qty":1}`, `{"sku":"x"`, `{"sku":"x","qty":"1"}`,
	} {
		if code := c.do("POST", "/cart", bad, nil); code != 400 {
			t.Errorf("POST /cart %s: %d, want 400", bad, code)
		}
	}
	if code := c.do("POST", "/cart", `{"sku":"`+strings.Repeat("s", 64)+`","qty":1}`, nil); code != 200 {
		t.Errorf("64-character sku: %d, want 200", code)
	}
}

func equalItems(a, b []app.CartItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contractCounter(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	c := newClient(t, srv)
	var got map[string]int64
	c.do("POST", "/counter", "", &got) // creates the session
	const workers, each = 8, 10
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if code := c.do("POST", "/counter", "", nil); code != 200 {
					t.Errorf("counter: %d", code)
				}
			}
		}()
	}
	wg.Wait()
	c.do("POST", "/counter", "", &got)
	if want := int64(workers*each + 2); got["counter"] != want {
		t.Fatalf("counter = %d, want %d (lost updates)", got["counter"], want)
	}
}

func contractLogoutReplay(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	c := newClient(t, srv)
	c.login("alice@example.com")
	old := c.cookie()
	if code := c.do("POST", "/logout", "", nil); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	if c.cookie() != "" {
		t.Fatal("logout did not expire the cookie")
	}
	replay := replayer(t, srv, old)
	if code := replay.do("GET", "/me", "", nil); code != 401 {
		t.Fatalf("replayed cookie after logout: /me %d, want 401", code)
	}
	if code := c.do("POST", "/logout", "", nil); code != 204 {
		t.Fatalf("anonymous logout: %d", code)
	}
}

// replayer is a client that sends a saved cookie value.
func replayer(t *testing.T, srv *httptest.Server, value string) *client {
	c := newClient(t, srv)
	c.c.Jar.SetCookies(mustURL(t, srv.URL), []*http.Cookie{{Name: "session", Value: value, Path: "/"}})
	return c
}

func contractFixation(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	c := newClient(t, srv)
	c.do("POST", "/cart", `{"sku":"before-login","qty":1}`, nil)
	anon := c.cookie()
	if anon == "" {
		t.Fatal("no anonymous session")
	}
	c.login("bob@example.com")
	if c.cookie() == anon || c.cookie() == "" {
		t.Fatal("login did not issue a new token")
	}
	var got cart
	c.do("GET", "/cart", "", &got)
	if len(got.Items) != 1 || got.Items[0].SKU != "before-login" {
		t.Fatalf("login lost the cart: %+v", got)
	}
	attacker := replayer(t, srv, anon)
	if code := attacker.do("GET", "/me", "", nil); code != 401 {
		t.Fatalf("pre-login token after login: /me %d, want 401", code)
	}
	attacker.do("GET", "/cart", "", &got)
	if len(got.Items) != 0 {
		t.Fatalf("pre-login token still reads the session: %+v", got)
	}
}

func contractLogoutAllAndSessions(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	laptop, phone, bob := newClient(t, srv), newClient(t, srv), newClient(t, srv)
	if code := laptop.do("POST", "/logout-all", "", nil); code != 401 {
		t.Fatalf("anonymous logout-all: %d, want 401", code)
	}
	if code := laptop.do("GET", "/sessions", "", nil); code != 401 {
		t.Fatalf("anonymous sessions: %d, want 401", code)
	}
	laptop.login("alice@example.com")
	phone.login("alice@example.com")
	bob.login("bob@example.com")

	var list struct {
		Sessions []struct {
			CreatedAt  string `json:"created_at"`
			LastSeenAt string `json:"last_seen_at"`
			Current    bool   `json:"current"`
		} `json:"sessions"`
	}
	if code := laptop.do("GET", "/sessions", "", &list); code != 200 {
		t.Fatalf("sessions: %d", code)
	}
	current := 0
	for _, s := range list.Sessions {
		if s.CreatedAt == "" || s.LastSeenAt == "" {
			t.Fatalf("session without times: %+v", s)
		}
		if s.Current {
			current++
		}
	}
	if len(list.Sessions) != 2 || current != 1 {
		t.Fatalf("alice's sessions = %+v, want 2 with exactly one current", list.Sessions)
	}

	if code := laptop.do("POST", "/logout-all", "", nil); code != 204 {
		t.Fatalf("logout-all: %d", code)
	}
	if code := phone.do("GET", "/me", "", nil); code != 401 {
		t.Fatalf("other browser after logout-all: %d, want 401", code)
	}
	if code := laptop.do("GET", "/me", "", nil); code != 401 {
		t.Fatalf("same browser after logout-all: %d, want 401", code)
	}
	if code := bob.do("GET", "/me", "", nil); code != 200 {
		t.Fatalf("bob after alice's logout-all: %d, want 200", code)
	}
}

// contractHealthz: /healthz pings the engine in use.
func contractHealthz(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	var got map[string]string
	if code := newClient(t, srv).do("GET", "/healthz", "", &got); code != 200 || got["status"] != "ok" || got["engine"] == "" {
		t.Fatalf("healthz: %d %v", code, got)
	}
}

// TestHealthzDatabaseDown: with PostgreSQL unreachable, /healthz and the
// requests that need the session answer 503.
func TestHealthzDatabaseDown(t *testing.T) {
	down, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	a, err := app.New(app.DB{PostgreSQL: down}, app.Config{Sessions: sessionrt.Config{Insecure: true}, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	dsrv := httptest.NewServer(a.Handler())
	defer dsrv.Close()
	c := newClient(t, dsrv)
	if code := c.do("GET", "/healthz", "", nil); code != 503 {
		t.Fatalf("healthz with the database down: %d, want 503", code)
	}
	// A request that needs the session gets 503, never a panic or a 200.
	if code := c.do("POST", "/cart", `{"sku":"x","qty":1}`, nil); code != 503 {
		t.Fatalf("cart with the database down: %d, want 503", code)
	}
	// A forged cookie is an anonymous request: no database query, so even with
	// the database down /cart answers 200 with an empty cart.
	forged := replayer(t, dsrv, "forged!!")
	var got cart
	if code := forged.do("GET", "/cart", "", &got); code != 200 || len(got.Items) != 0 {
		t.Fatalf("forged cookie with the database down: %d %+v, want 200 and an empty cart", code, got)
	}
}

func contractMethodsAndBodies(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	c := newClient(t, srv)
	req, _ := http.NewRequest("POST", srv.URL+"/login", bytes.NewReader(bytes.Repeat([]byte("a"), 1<<20)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("1 MiB login body: %d, want 400", resp.StatusCode)
	}
}

// TestQueryExecModes runs the core flow under every pgx query exec mode:
// PgBouncer in transaction mode needs cache_describe (or exec /
// simple_protocol), and jsonb must survive each.
func TestQueryExecModes(t *testing.T) {
	for _, mode := range []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			dsn := sessiontest.NewDB(t) + "&default_query_exec_mode=" + mode
			pool, err := pgxpool.New(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			srv, _ := serve(t, pool, dsn)
			c := newClient(t, srv)
			c.login("alice@example.com")
			var got cart
			if code := c.do("POST", "/cart", `{"sku":"x","qty":3}`, &got); code != 200 || len(got.Items) != 1 {
				t.Fatalf("cart: %d %+v", code, got)
			}
			var m me
			if code := c.do("GET", "/me", "", &m); code != 200 || len(m.Roles) != 2 {
				t.Fatalf("/me: %d %+v", code, m)
			}
		})
	}
}

// contractCorruptColumn: a JSON value (jsonb on PostgreSQL, TEXT on
// SQLite) that no longer decodes (edited by hand) reads as the zero value
// instead of failing every request of the session.
func contractCorruptColumn(t *testing.T, server serverFunc) {
	srv, db := server(t)
	c := newClient(t, srv)
	c.login("alice@example.com")
	c.do("POST", "/cart", `{"sku":"x","qty":1}`, nil)
	db.exec(t, `UPDATE sessions SET cart = '{"not":"a list"}'`)
	var got cart
	if code := c.do("GET", "/cart", "", &got); code != 200 || len(got.Items) != 0 {
		t.Fatalf("corrupt cart: %d %+v, want 200 and an empty cart", code, got)
	}
	if code := c.do("GET", "/me", "", nil); code != 200 {
		t.Fatalf("/me with a corrupt cart column: %d", code)
	}
	if code := c.do("POST", "/cart", `{"sku":"y","qty":2}`, &got); code != 200 || len(got.Items) != 1 || got.Items[0].SKU != "y" {
		t.Fatalf("cart after corruption: %d %+v, want a fresh cart with y", code, got)
	}
}

// TestAccountSwitch covers issue 10 item 2: logging in as another user on
// the same browser keeps nothing of the previous user's session, while an
// anonymous visitor's cart survives login.
func contractAccountSwitch(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	c := newClient(t, srv)
	// Anonymous cart, then login: the cart is kept.
	c.do("POST", "/cart", `{"sku":"guest-book","qty":1}`, nil)
	c.login("alice@example.com")
	var got cart
	if c.do("GET", "/cart", "", &got); !equalItems(got.Items, []app.CartItem{{SKU: "guest-book", Qty: 1}}) {
		t.Fatalf("anonymous cart lost at login: %+v", got.Items)
	}
	c.do("POST", "/cart", `{"sku":"alice-only","qty":2}`, nil)
	c.do("POST", "/counter", "", nil)
	// alice logs in again: same user, the cart stays.
	c.login("alice@example.com")
	if c.do("GET", "/cart", "", &got); len(got.Items) != 2 {
		t.Fatalf("re-login as the same user lost the cart: %+v", got.Items)
	}
	// bob logs in on the same browser: nothing of alice's carries over.
	c.login("bob@example.com")
	var m me
	if code := c.do("GET", "/me", "", &m); code != 200 || m.UserID != 2 || m.Email != "bob@example.com" || len(m.Roles) != 1 {
		t.Fatalf("me after switching: %d %+v", code, m)
	}
	if c.do("GET", "/cart", "", &got); len(got.Items) != 0 {
		t.Fatalf("alice's cart shows up for bob: %+v", got.Items)
	}
	var counter map[string]int64
	if c.do("POST", "/counter", "", &counter); counter["counter"] != 1 {
		t.Fatalf("bob's counter = %d, want 1 (alice's carried over)", counter["counter"])
	}
}

// contractLogoutOthers covers issue 11 item 9: POST /logout-others ends
// every other session of the user at its next request, while the current
// one keeps working under the same cookie; anonymous requests get 401.
func contractLogoutOthers(t *testing.T, server serverFunc) {
	srv, _ := server(t)
	laptop, phone, tablet, bob := newClient(t, srv), newClient(t, srv), newClient(t, srv), newClient(t, srv)
	if code := laptop.do("POST", "/logout-others", "", nil); code != 401 {
		t.Fatalf("anonymous logout-others: %d, want 401", code)
	}
	if laptop.cookie() != "" {
		t.Fatal("anonymous logout-others created a session")
	}
	for _, c := range []*client{laptop, phone, tablet} {
		c.login("alice@example.com")
	}
	bob.login("bob@example.com")
	for _, c := range []*client{laptop, phone, tablet, bob} {
		c.do("GET", "/notice", "", nil) // shown; and, with the cache on, each session is now cached
		if code := c.do("GET", "/me", "", nil); code != 200 {
			t.Fatalf("/me before logout-others: %d", code)
		}
	}
	cookie := laptop.cookie()
	if code := laptop.do("POST", "/logout-others", "", nil); code != 204 {
		t.Fatalf("logout-others: %d, want 204", code)
	}
	if laptop.cookie() != cookie {
		t.Fatal("logout-others changed the current session's cookie")
	}
	var got me
	if code := laptop.do("GET", "/me", "", &got); code != 200 || got.Email != "alice@example.com" {
		t.Fatalf("current session after logout-others: /me %d %+v, want alice", code, got)
	}
	for name, c := range map[string]*client{"phone": phone, "tablet": tablet} {
		if code := c.do("GET", "/me", "", nil); code != 401 {
			t.Fatalf("%s after logout-others: /me %d, want 401", name, code)
		}
		if code := c.do("POST", "/logout-others", "", nil); code != 401 {
			t.Fatalf("%s, logged out, POST /logout-others: %d, want 401", name, code)
		}
	}
	if code := bob.do("GET", "/me", "", nil); code != 200 {
		t.Fatalf("bob after alice's logout-others: %d, want 200", code)
	}
	var notice map[string]string
	if laptop.do("GET", "/notice", "", &notice); notice["notice"] != "Logged out 2 other session(s)" {
		t.Fatalf("notice after logout-others = %q", notice["notice"])
	}
	var list struct {
		Sessions []struct {
			Current bool `json:"current"`
		} `json:"sessions"`
	}
	if code := laptop.do("GET", "/sessions", "", &list); code != 200 || len(list.Sessions) != 1 || !list.Sessions[0].Current {
		t.Fatalf("alice's sessions after logout-others: %d %+v, want only the current one", code, list.Sessions)
	}
	// Again, with nothing left to end.
	if code := laptop.do("POST", "/logout-others", "", nil); code != 204 {
		t.Fatalf("second logout-others: %d", code)
	}
	if laptop.do("GET", "/notice", "", &notice); notice["notice"] != "Logged out 0 other session(s)" {
		t.Fatalf("notice after the second logout-others = %q", notice["notice"])
	}
	if code := laptop.do("GET", "/me", "", nil); code != 200 {
		t.Fatalf("current session after the second logout-others: %d", code)
	}
}

// contractFlash covers issue 11 item 10: a notice set by login, the cart
// or logout-others is shown by exactly one GET /notice, and showing an
// empty notice writes nothing (the row is not updated, no cookie is set).
func contractFlash(t *testing.T, server serverFunc) {
	srv, db := server(t)
	c, bob := newClient(t, srv), newClient(t, srv)
	notice := func(c *client) string {
		t.Helper()
		var got map[string]string
		if code := c.do("GET", "/notice", "", &got); code != 200 {
			t.Fatalf("GET /notice: %d", code)
		}
		return got["notice"]
	}
	if got := notice(c); got != "" || c.cookie() != "" {
		t.Fatalf("anonymous notice %q, cookie %q; want none and no session", got, c.cookie())
	}
	c.do("POST", "/cart", `{"sku":"book","qty":2}`, nil)
	if got := notice(c); got != "Added 2 x book to the cart" {
		t.Fatalf("notice after adding to the cart = %q", got)
	}
	if got := notice(c); got != "" {
		t.Fatalf("the cart notice was shown twice: %q", got)
	}
	c.login("alice@example.com")
	bob.login("bob@example.com")
	if got := notice(c); got != "Signed in as alice@example.com" {
		t.Fatalf("notice after login = %q", got)
	}
	// Popping the empty notice is no change: the row is not written.
	row := func() string { t.Helper(); return db.writes(t) }
	before := row()
	for range 3 {
		if got := notice(c); got != "" {
			t.Fatalf("the login notice was shown twice: %q", got)
		}
	}
	if after := row(); after != before {
		t.Fatalf("showing an empty notice wrote the row: %s -> %s", before, after)
	}
	// Each session has its own notice.
	if got := notice(bob); got != "Signed in as bob@example.com" {
		t.Fatalf("bob's notice = %q", got)
	}
}
