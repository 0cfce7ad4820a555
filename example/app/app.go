package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// maxBody bounds request bodies; the API's bodies are tiny.
const maxBody = 1 << 14

// Config configures the example application.
type Config struct {
	Sessions   sessionrt.Config // session cookie and lifetimes
	BcryptCost int              // bcrypt cost of the demo password hashes; 0 means bcrypt.DefaultCost
	Logger     *slog.Logger     // default slog.Default()
}

// DB is the database the example's sessions live in: set one field, the
// engine in use, or none for sessions in memory (handler tests without a
// database). The session layer is generated for three engines
// (-engine postgresql,sqlite,mysql); the HTTP contract is the same on all.
type DB struct {
	// PostgreSQL: several instances can share it; the read cache
	// (Config.Sessions.Cache) and transaction poolers need it.
	PostgreSQL *pgxpool.Pool
	// SQLite: one process, an embedded file, no server. Open it with
	// example/app/appsqlite.Open (WAL and busy_timeout in the DSN, which the
	// store requires).
	SQLite *sql.DB
	// MySQL: MySQL 8.0.29+ or MariaDB 10.6+, several instances can share
	// it. Open it with OpenMySQL (interpolateParams, strict mode).
	MySQL *sql.DB
}

// Engine names the engine in use: "postgresql", "sqlite", "mysql" or
// "memory".
func (d DB) Engine() string {
	switch {
	case d.PostgreSQL != nil:
		return "postgresql"
	case d.SQLite != nil:
		return "sqlite"
	case d.MySQL != nil:
		return "mysql"
	}
	return "memory"
}

// ping checks that the database answers.
func (d DB) ping(ctx context.Context) error {
	switch {
	case d.PostgreSQL != nil:
		return d.PostgreSQL.Ping(ctx)
	case d.SQLite != nil:
		return d.SQLite.PingContext(ctx)
	case d.MySQL != nil:
		return d.MySQL.PingContext(ctx)
	}
	return errors.New("no database configured")
}

// App is the example application: its handlers and session store.
type App struct {
	db       DB
	Sessions *SessionStore
	users    *users
	log      *slog.Logger
}

// New builds the application over db, whose migrations are applied
// (Migrate). A zero DB gives an application whose sessions live in memory,
// for handler tests without a database. The session cache and the
// transaction-pooler mode need PostgreSQL: New refuses them on the others.
func New(db DB, cfg Config) (*App, error) {
	set := 0
	for _, on := range []bool{db.PostgreSQL != nil, db.SQLite != nil, db.MySQL != nil} {
		if on {
			set++
		}
	}
	if set > 1 {
		return nil, errors.New("app.New: set one engine of DB, not several")
	}
	if db.PostgreSQL == nil {
		if cfg.Sessions.Cache.MaxEntries > 0 {
			return nil, fmt.Errorf("the session cache needs PostgreSQL (its evictions travel by LISTEN/NOTIFY between instances); the example runs on %s: drop -cache or set DATABASE_URL to a postgres:// URL", db.Engine())
		}
		if cfg.Sessions.TransactionPooler {
			return nil, fmt.Errorf("-transaction-pooler is about PgBouncer in front of PostgreSQL; the example runs on %s", db.Engine())
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Sessions.Logger == nil {
		cfg.Sessions.Logger = cfg.Logger
	}
	if cfg.Sessions.ErrorHandler == nil {
		log := cfg.Logger
		cfg.Sessions.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			code := sessionrt.StatusCode(err)
			log.ErrorContext(r.Context(), "session error", "err", err, "status", code, "method", r.Method, "path", r.URL.Path)
			writeError(w, code, strings.ToLower(http.StatusText(code)))
		}
	}
	cost := cfg.BcryptCost
	if cost == 0 {
		cost = 10
	}
	us, err := newUsers(cost)
	if err != nil {
		return nil, err
	}
	var store *SessionStore
	switch {
	case db.PostgreSQL != nil:
		store, err = NewSessionStore(db.PostgreSQL, cfg.Sessions)
	case db.SQLite != nil:
		store, err = NewSessionStoreSQLite(db.SQLite, cfg.Sessions)
	case db.MySQL != nil:
		store, err = NewSessionStoreMySQL(db.MySQL, cfg.Sessions)
	default:
		store, err = NewMemorySessionStore(cfg.Sessions)
	}
	if err != nil {
		return nil, err
	}
	return &App{db: db, Sessions: store, users: us, log: cfg.Logger}, nil
}

// Handler returns the HTTP API and the browser page (page.go), wrapped in
// the session middleware and, outside it, in net/http's
// CrossOriginProtection: a browser's cross-origin POST
// (Sec-Fetch-Site cross-site or same-site, or an Origin that does not match
// the Host) is answered 403 before the session is read or written. Requests
// without those headers (curl, server-to-server) pass.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /me", a.me)
	mux.HandleFunc("POST /cart", a.addToCart)
	mux.HandleFunc("GET /cart", a.cart)
	mux.HandleFunc("POST /counter", a.counter)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /logout-all", a.logoutAll)
	mux.HandleFunc("POST /logout-others", a.logoutOthers)
	mux.HandleFunc("GET /notice", a.notice)
	mux.HandleFunc("GET /sessions", a.sessions)
	mux.HandleFunc("GET /healthz", a.healthz)
	a.pageRoutes(mux) // the browser page and its forms: page.go
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return cop.Handler(a.Sessions.Middleware(mux))
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type userResponse struct {
	UserID int64    `json:"user_id"`
	Email  string   `json:"email"`
	Roles  []string `json:"roles,omitempty"`
}

type cartResponse struct {
	Items []CartItem `json:"items"`
}

type sessionInfo struct {
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	Current    bool      `json:"current"`
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Email == "" || req.Password == "" {
		writeError(w, http.StatusBadRequest, "email and password are required")
		return
	}
	u, ok := a.users.authenticate(req.Email, req.Password)
	if !ok {
		writeError(w, http.StatusUnauthorized, "wrong email or password")
		return
	}
	s, ok := a.Sessions.Load(w, r)
	if !ok {
		return
	}
	signIn(s, u)
	writeJSON(w, http.StatusOK, userResponse{UserID: u.ID, Email: u.Email})
}

// signIn makes s the session of u: the login steps of POST /login and of
// the page's login form.
func signIn(s *SessionHandle, u user) {
	s.Renew() // new token at login: the pre-login token dies (session fixation)
	if prev := s.UserID(); prev != 0 && prev != u.ID {
		// Another user logs in on this browser: nothing of the previous
		// user's session (cart, counter, theme, MFA time) carries over. An
		// anonymous visitor's cart does.
		s.Reset()
	}
	s.SetUserID(u.ID)
	s.SetEmail(u.Email)
	s.SetRoles(u.Roles)
	s.SetNotice("Signed in as " + u.Email)
}

func (a *App) me(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, userResponse{UserID: s.UserID(), Email: s.Email(), Roles: nonNil(s.Roles())})
}

type cartRequest struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

func (a *App) addToCart(w http.ResponseWriter, r *http.Request) {
	var req cartRequest
	if !decode(w, r, &req) {
		return
	}
	if n := len(req.SKU); n < 1 || n > 64 {
		writeError(w, http.StatusBadRequest, "sku must be 1 to 64 characters")
		return
	}
	if req.Qty < 1 || req.Qty > 99 {
		writeError(w, http.StatusBadRequest, "qty must be 1 to 99")
		return
	}
	var items []CartItem
	err := a.Sessions.Update(r.Context(), func(s *SessionHandle) error {
		s.EditCart(func(c *[]CartItem) { *c = append(*c, CartItem{SKU: req.SKU, Qty: req.Qty}) })
		s.SetNotice(fmt.Sprintf("Added %d x %s to the cart", req.Qty, req.SKU))
		items = s.Cart()
		return nil
	})
	if err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cartResponse{Items: nonNil(items)})
}

func (a *App) cart(w http.ResponseWriter, r *http.Request) {
	s, ok := a.Sessions.Load(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, cartResponse{Items: nonNil(s.Cart())})
}

func (a *App) counter(w http.ResponseWriter, r *http.Request) {
	var n int64
	err := a.Sessions.Update(r.Context(), func(s *SessionHandle) error {
		n = s.Counter() + 1
		s.SetCounter(n)
		return nil
	})
	if err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"counter": n})
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.Sessions.Destroy(r.Context()); err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) logoutAll(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	if _, err := a.Sessions.DestroyByUserID(r.Context(), s.UserID()); err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// logoutOthers ends every other session of the user ("log out my other
// devices"); the request's own keeps working.
func (a *App) logoutOthers(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	n, err := a.Sessions.DestroyOthersByUserID(r.Context(), s.UserID())
	if err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	s.SetNotice(fmt.Sprintf("Logged out %d other session(s)", n))
	w.WriteHeader(http.StatusNoContent)
}

// notice shows the one-shot notice an earlier request left (login, adding
// to the cart, logging out other devices) and clears it: the next GET
// /notice shows "" until another notice is set. Showing an empty notice
// writes nothing.
func (a *App) notice(w http.ResponseWriter, r *http.Request) {
	s, ok := a.Sessions.Load(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"notice": s.PopNotice()})
}

func (a *App) sessions(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	list, err := a.Sessions.ListByUserID(r.Context(), s.UserID())
	if err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	out := make([]sessionInfo, len(list))
	for i, x := range list {
		out[i] = sessionInfo{CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, Current: x.Current}
	}
	writeJSON(w, http.StatusOK, map[string][]sessionInfo{"sessions": out})
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if a.db.Engine() == "memory" {
		writeError(w, http.StatusServiceUnavailable, "no database configured")
		return
	}
	if err := a.db.ping(ctx); err != nil {
		a.log.Warn("health check: database unreachable", "err", err)
		writeError(w, http.StatusServiceUnavailable, "database unreachable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "engine": a.db.Engine()})
}

// loggedIn returns the session of a logged-in user or answers 401.
func (a *App) loggedIn(w http.ResponseWriter, r *http.Request) (*SessionHandle, bool) {
	s, ok := a.Sessions.Load(w, r)
	if !ok {
		return nil, false
	}
	if s.UserID() == 0 {
		writeError(w, http.StatusUnauthorized, "not logged in")
		return nil, false
	}
	return s, true
}

// decode reads a JSON body into v or answers 415 (not application/json) or
// 400. Requiring application/json keeps out the bodies a browser sends
// cross-origin without a CORS preflight (text/plain, forms).
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "the body must be application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON body")
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "malformed JSON body: trailing data")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// nonNil turns a nil slice into an empty one, so JSON shows [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
