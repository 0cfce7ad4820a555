package app_test

import (
	"context"
	"database/sql"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/example/app"
	_ "github.com/sessiongen/sessiongen/example/app/appsqlite" // mattn/go-sqlite3
	"github.com/sessiongen/sessiongen/schema"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// inMemorySQLite returns an in-memory SQLite database with the example's
// SQLite migrations applied, on a pool of one connection (each connection
// of an in-memory database is a database of its own): the README's
// "Handler tests".
func inMemorySQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	files, err := fs.Glob(schema.SQLite(), "*.sql") // in name order: oldest first
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := fs.ReadFile(schema.SQLite(), f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(data), "-- migrate:down")
		if _, err := db.Exec(up); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return db
}

// TestHandlerOnInMemorySQLite drives a handler of the example, and the
// typed store's Update, on a real SQLite store in memory.
func TestHandlerOnInMemorySQLite(t *testing.T) {
	db := inMemorySQLite(t)
	a, err := app.New(app.DB{SQLite: db}, app.Config{BcryptCost: 4, Sessions: sessionrt.Config{Insecure: true}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Sessions.Create(context.Background(), app.Session{UserID: 1, Email: "alice@example.com", Roles: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.AddCookie(c)
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != `{"user_id":1,"email":"alice@example.com","roles":["admin"]}`+"\n" {
		t.Fatalf("GET /me = %d %q", rec.Code, rec.Body)
	}

	store, err := app.NewSessionStoreSQLite(db, sessionrt.Config{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
			if err := store.Update(r.Context(), func(s *app.SessionHandle) error {
				s.SetCounter(s.Counter() + 1)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
	var counter int64
	if err := db.QueryRow(`SELECT counter FROM sessions WHERE user_id = 1`).Scan(&counter); err != nil || counter != 2 {
		t.Fatalf("stored counter %d, %v; want 2", counter, err)
	}
}
