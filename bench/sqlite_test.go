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
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// sqliteMode builds mode on a fresh SQLite file, logs one user in through
// its /login handler and returns the handler with the session's Cookie
// header value.
func sqliteMode(b *testing.B, mode string) (http.Handler, string) {
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
	return h, cookies[0].Name + "=" + cookies[0].Value
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
