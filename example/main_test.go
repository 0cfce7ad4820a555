package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
	"golang.org/x/crypto/bcrypt"
)

// startup runs the example's setup as `go run ./example` does with the
// given DATABASE_URL, and serves it.
func startup(t *testing.T, databaseURL, dbFile string) *httptest.Server {
	t.Helper()
	a, closeDB, err := setup(context.Background(), databaseURL, dbFile,
		app.Config{Sessions: sessionrt.Config{Insecure: true}, BcryptCost: bcrypt.MinCost}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeDB)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// get answers the status and body of one request.
func get(t *testing.T, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestStartup: with no DATABASE_URL the example runs on the SQLite file
// named by -db (created, migrated), with postgres:// on PostgreSQL; both
// serve /healthz and /login.
func TestStartup(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sessions.db")
	for _, tt := range []struct {
		engine, url string
	}{{"sqlite", ""}, {"postgresql", sessiontest.NewDB(t)}} {
		t.Run(tt.engine, func(t *testing.T) {
			srv := startup(t, tt.url, file)
			c := srv.Client()
			if code, body := get(t, c, "GET", srv.URL+"/healthz", ""); code != 200 || !strings.Contains(body, `"engine":"`+tt.engine+`"`) {
				t.Fatalf("healthz: %d %s", code, body)
			}
			if code, body := get(t, c, "POST", srv.URL+"/login", `{"email":"alice@example.com","password":"wonderland"}`); code != 200 || !strings.Contains(body, "alice@example.com") {
				t.Fatalf("login: %d %s", code, body)
			}
		})
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the SQLite file was not created: %v", err)
	}
	// A second start on the same file finds its migrations applied.
	srv := startup(t, "", file)
	if code, _ := get(t, srv.Client(), "GET", srv.URL+"/healthz", ""); code != 200 {
		t.Fatalf("healthz after a restart: %d", code)
	}
}

// TestStartupRefusals: the PostgreSQL-only flags are refused on SQLite
// with a message that says what to do, and so is an unknown URL.
func TestStartupRefusals(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sessions.db")
	for _, tt := range []struct {
		name string
		url  string
		cfg  sessionrt.Config
		want string
	}{
		{"cache on SQLite", "", sessionrt.Config{Cache: sessionrt.CacheConfig{MaxEntries: 10}}, "-cache needs PostgreSQL"},
		{"pooler on SQLite", "", sessionrt.Config{TransactionPooler: true}, "-transaction-pooler"},
		{"sqlserver URL", "sqlserver://localhost/x", sessionrt.Config{}, "want a postgres://"},
		{"mysql down", "mysql://root@127.0.0.1:1/x", sessionrt.Config{}, "cannot reach MySQL at root@127.0.0.1:1/x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := setup(context.Background(), tt.url, file, app.Config{Sessions: tt.cfg}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := app.New(app.DB{}, app.Config{Sessions: sessionrt.Config{Cache: sessionrt.CacheConfig{MaxEntries: 10}}}); err == nil || !strings.Contains(err.Error(), "needs PostgreSQL") {
		t.Fatalf("app.New with the cache and no PostgreSQL: %v", err)
	}
}

// TestDbmateOnTheFiles: what `dbmate -d schema/sqlite -u sqlite:FILE up`
// does (the dbmate library reading the directory, not the embedded FS)
// applies the same migrations: the example then starts on that file with
// nothing left to apply.
func TestDbmateOnTheFiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cli.db")
	u, err := url.Parse(app.SQLiteURL(file))
	if err != nil {
		t.Fatal(err)
	}
	db := dbmate.New(u)
	db.MigrationsDir = []string{filepath.Join("..", "schema", "sqlite")}
	db.AutoDumpSchema = false
	db.Log = io.Discard
	if err := db.CreateAndMigrate(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	a, closeDB, err := setup(context.Background(), "", file, app.Config{Sessions: sessionrt.Config{Insecure: true}, BcryptCost: bcrypt.MinCost}, &log)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	if strings.Contains(log.String(), "Applying") {
		t.Fatalf("the example applied migrations dbmate had applied:\n%s", log.String())
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	if code, body := get(t, srv.Client(), "POST", srv.URL+"/login", `{"email":"alice@example.com","password":"wonderland"}`); code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
}

// TestOneSQLite: the example binary links exactly one SQLite
// implementation, mattn/go-sqlite3, the one dbmate's SQLite driver is built
// on (not ncruces/go-sqlite3 or modernc.org/sqlite besides).
func TestOneSQLite(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := "\n" + string(out)
	for _, want := range []string{"\ngithub.com/mattn/go-sqlite3\n"} {
		if !strings.Contains(deps, want) {
			t.Errorf("the example does not link %s", strings.TrimSpace(want))
		}
	}
	for _, other := range []string{"\ngithub.com/ncruces/go-sqlite3", "\nmodernc.org/sqlite"} {
		if strings.Contains(deps, other) {
			t.Errorf("the example links a second SQLite: %s", strings.TrimSpace(other))
		}
	}
}
