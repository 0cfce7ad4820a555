package main

// In-process cost of the SQLite modes' handlers, served directly (no
// network, no load generator), each on its own SQLite file set up as the
// bench sets it up (createSQLite, buildSQLite):
//
//	go test -run '^$' -bench SQLite -benchmem ./bench/
//
// ns/op includes SQLite's own work; compare the two modes of one run.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/example/app/sessiondbsqlite"
)

// sqliteMode builds mode on a fresh SQLite file, logs one user in through
// its /login handler and returns the handler with the session's Cookie
// header value.
func sqliteMode(b *testing.B, mode string) (http.Handler, string) {
	in, cookie := sqliteInstance(b, mode)
	return in.srv.Handler, cookie
}

// sqliteInstance is sqliteMode with the mode's instance (its *sql.DB).
func sqliteInstance(b *testing.B, mode string) (*instance, string) {
	o := options{dbPrefix: "sgbenchtest", conns: 8}
	in, err := createSQLite(o, mode)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(filepath.Dir(in.sqlitePath)) })
	if err := buildSQLite(context.Background(), o, in); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.srv.Close()
		in.sqlite.Close()
	})
	h := in.srv.Handler
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/login?uid=7", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: login: %d %s", mode, rec.Code, rec.Body)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		b.Fatalf("%s: login set %d cookies", mode, len(cookies))
	}
	return in, cookies[0].Name + "=" + cookies[0].Value
}

// BenchmarkSQLiteRead is the read scenario (GET /read) of floor-sqlite and
// sessiongen-sqlite, one request at a time and in parallel.
func BenchmarkSQLiteRead(b *testing.B) {
	for _, mode := range []string{"floor-sqlite", "sessiongen-sqlite"} {
		b.Run(mode, func(b *testing.B) {
			h, cookie := sqliteMode(b, mode)
			r := httptest.NewRequest("GET", "/read", nil)
			r.Header.Set("Cookie", cookie)
			w := &statusWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				serveCancelable(h, w, r)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
		})
		b.Run(mode+"/parallel", func(b *testing.B) {
			h, cookie := sqliteMode(b, mode)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest("GET", "/read", nil)
				r.Header.Set("Cookie", cookie)
				w := &statusWriter{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					serveCancelable(h, w, r)
					if w.code != http.StatusOK {
						b.Errorf("status %d", w.code)
						return
					}
				}
			})
		})
	}
}

// serveCancelable serves r with a cancelable context, as net/http's server
// gives every request: with one, database/sql and mattn/go-sqlite3 watch
// the context in goroutines of their own, which a Background context
// skips.
func serveCancelable(h http.Handler, w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	h.ServeHTTP(w, r.WithContext(ctx))
	cancel()
}

// statusWriter is a ResponseWriter that keeps the status code only.
type statusWriter struct {
	h    http.Header
	code int
}

func (w *statusWriter) Header() http.Header         { return w.h }
func (w *statusWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *statusWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkSQLiteColumns is the cost of the typed row: the generated
// GetSession (sqlc's code, 14 columns) against a SELECT of the 2 columns
// the floor reads, with GetSession's WHERE clause, both prepared on one
// connection of a sessiongen-sqlite file, on a context without a cancel
// channel:
//
//	go test -run '^$' -bench SQLiteColumns -benchmem ./bench/
func BenchmarkSQLiteColumns(b *testing.B) {
	in, cookie := sqliteInstance(b, "sessiongen-sqlite")
	_, value, _ := strings.Cut(cookie, "=")
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		b.Fatal(err)
	}
	hash := sha256.Sum256(raw)
	ctx := context.Background()
	c, err := in.sqlite.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.Run("GetSession-14-columns", func(b *testing.B) {
		q := sessiondbsqlite.New(&preparedConn{Conn: c, stmts: map[string]*sql.Stmt{}})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := q.GetSession(ctx, hash[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("2-columns", func(b *testing.B) {
		s, err := c.PrepareContext(ctx, "SELECT CAST(user_id AS INTEGER), CAST(email AS TEXT) FROM sessions "+
			"WHERE token_hash = ?1 AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)")
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		b.ReportAllocs()
		var uid int64
		var email string
		for b.Loop() {
			if err := s.QueryRowContext(ctx, hash[:]).Scan(&uid, &email); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// preparedConn is sqlc's DBTX on one connection whose queries run prepared,
// each prepared on first use, as the runtime's readers run them.
type preparedConn struct {
	*sql.Conn
	stmts map[string]*sql.Stmt
}

// QueryRowContext runs query prepared.
func (c *preparedConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, ok := c.stmts[query]
	if !ok {
		var err error
		if s, err = c.PrepareContext(ctx, query); err != nil {
			return c.Conn.QueryRowContext(ctx, query, args...)
		}
		c.stmts[query] = s
	}
	return s.QueryRowContext(ctx, args...)
}
