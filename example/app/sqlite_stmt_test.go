package app_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/example/app/appsqlite"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// countingConnector opens connections of a real driver and counts the
// statements prepared on them. Its connections have no QueryContext or
// ExecContext of their own, so database/sql prepares every statement it
// runs through them: an unprepared query counts too.
type countingConnector struct {
	drv      driver.Driver
	dsn      string
	prepares *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{conn, c.prepares}, nil
}

func (c countingConnector) Driver() driver.Driver { return c.drv }

// countingConn is a driver.Conn that counts Prepare calls.
type countingConn struct {
	driver.Conn
	prepares *atomic.Int64
}

func (c countingConn) Prepare(query string) (driver.Stmt, error) {
	c.prepares.Add(1)
	return c.Conn.Prepare(query)
}

// TestSQLitePreparedOnce checks that the SQLite store prepares each of its
// statements once per connection, not once per request: after a warm-up,
// reads and one-field writes prepare nothing, also after the schema changed
// under the prepared statements (SQLite recompiles them).
func TestSQLitePreparedOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sessions.db")
	if err := app.Migrate(app.SQLiteURL(file), io.Discard); err != nil {
		t.Fatal(err)
	}
	admin, err := appsqlite.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var prepares atomic.Int64
	db := sql.OpenDB(countingConnector{drv: admin.Driver(), dsn: appsqlite.DSN(file), prepares: &prepares})
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: each statement is prepared once in all
	store, err := app.NewSessionStoreSQLite(db, sessionrt.Config{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cookie, err := store.Create(ctx, app.Session{UserID: 7, Email: "u7@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := store.Load(w, r)
		if !ok {
			return
		}
		if s.UserID() != 7 || s.Email() != "u7@example.com" {
			t.Errorf("read user %d %q", s.UserID(), s.Email())
		}
		if r.Method == http.MethodPost {
			s.SetTheme(app.Theme(r.URL.Query().Get("v")))
		}
	}))
	serve := func(n int) {
		t.Helper()
		for i := range n {
			for _, r := range []*http.Request{
				httptest.NewRequest("GET", "/", nil),
				httptest.NewRequest("POST", "/?v=t"+string(rune('a'+i%26)), nil),
			} {
				r.AddCookie(cookie)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					t.Fatalf("%s: %d %s", r.Method, w.Code, w.Body)
				}
			}
		}
	}
	serve(3)
	if prepares.Load() == 0 {
		t.Fatal("the connector counted no statement: the test does not see the store's")
	}
	prepares.Store(0)
	serve(50)
	if n := prepares.Load(); n != 0 {
		t.Errorf("50 reads and 50 writes prepared %d statements after the warm-up, want 0", n)
	}
	for _, ddl := range []string{"ALTER TABLE sessions ADD COLUMN unrelated INTEGER", "CREATE INDEX sessions_theme_idx ON sessions (theme)"} {
		if _, err := admin.Exec(ddl); err != nil {
			t.Fatal(err)
		}
		serve(3)
	}
	if n := prepares.Load(); n != 0 {
		t.Errorf("requests after a schema change prepared %d statements, want 0", n)
	}
}
