package main

// In-process cost of loading, reading and saving one session, sessiongen
// next to scs:
//
//	go test -run '^$' -bench . -benchmem ./bench/
//
// "/fake" benchmarks replace the database by an in-memory stand-in that
// hands back the stored row (sessiongen) or blob (scs), isolating the pure
// in-process path: middleware, decode, getters; "/pg" benchmarks run the
// same against PostgreSQL (BENCH_DSN, default 127.0.0.1 test database), so
// their ns/op is dominated by the round trip but B/op and allocs/op are
// still the client's own. Gob is scs's codec on an equivalent map payload.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"

	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

var (
	payloadMFA   = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	payloadRoles = []string{"user", "admin"}
	payloadCart  = []app.CartItem{{SKU: "sku-1", Qty: 2}, {SKU: "sku-2", Qty: 1}}
)

func init() { gob.Register(time.Time{}) } // scs users register the types they store

// scsPayload is the scs equivalent of the example payload.
func scsPayload() map[string]any {
	return map[string]any{
		"user_id": int64(42), "email": "user42@example.com", "roles": payloadRoles,
		"cart": payloadCart, "theme": "dark", "mfa_at": payloadMFA, "counter": int64(7),
	}
}

// fakeDB is a sessionimpl.PgxPool answering GetSession and SaveSession/TouchSession
// from memory with the values pgx would scan.
type fakeDB struct{}

type fakeRow struct{}

func (fakeDB) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.NewCommandTag("DELETE 1"), nil
}
func (fakeDB) Query(context.Context, string, ...any) (pgx.Rows, error) {
	return nil, errors.New("fakeDB: Query")
}
func (fakeDB) QueryRow(context.Context, string, ...any) pgx.Row { return fakeRow{} }
func (fakeDB) Begin(context.Context) (pgx.Tx, error)            { return nil, errors.New("fakeDB: Begin") }

var (
	rowRoles = []byte(`["user","admin"]`)
	rowCart  = []byte(`[{"sku":"sku-1","qty":2},{"sku":"sku-2","qty":1}]`)
)

// Scan fills dest like pgx does: fresh copies of byte slices and strings.
func (fakeRow) Scan(dest ...any) error {
	now := time.Now()
	var vals []any
	switch len(dest) {
	case 15: // GetSession: db_now, touch_due, created, last_seen, expires, absolute, remember, user_id, email, roles, cart, theme, mfa_at, counter, notice
		mfa := payloadMFA
		vals = []any{now, false, now, now, now.Add(time.Hour), now.Add(8 * time.Hour), false,
			int64(42), "user42@example.com", rowRoles, rowCart, "dark", &mfa, int64(7), ""}
	case 5: // SaveSession/TouchSession RETURNING
		vals = []any{now, now, now.Add(time.Hour), now.Add(8 * time.Hour), false}
	default:
		return fmt.Errorf("fakeRow: %d columns", len(dest))
	}
	for i, d := range dest {
		switch d := d.(type) {
		case *[]byte:
			*d = append([]byte(nil), vals[i].([]byte)...)
		case *sessionimpl.JSON:
			*d = append(sessionimpl.JSON(nil), vals[i].([]byte)...)
		case *time.Time:
			*d = vals[i].(time.Time)
		case **time.Time:
			*d = vals[i].(*time.Time)
		case *bool:
			*d = vals[i].(bool)
		case *int64:
			*d = vals[i].(int64)
		case *string:
			*d = strings.Clone(vals[i].(string))
		default:
			return fmt.Errorf("fakeRow: column %d: %T", i, d)
		}
	}
	return nil
}

// discardWriter is a minimal ResponseWriter.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// fakeSCSStore is an scs.Store holding one encoded session in memory.
type fakeSCSStore struct{ b []byte }

func (s *fakeSCSStore) Find(string) ([]byte, bool, error)            { return s.b, true, nil }
func (s *fakeSCSStore) Commit(_ string, b []byte, _ time.Time) error { s.b = b; return nil }
func (s *fakeSCSStore) Delete(string) error                          { return nil }

var sink int64

// sgRead is the read handler: user id, email and the other fields.
func sgRead(s *app.SessionStore) http.Handler {
	return s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := s.FromContext(r.Context())
		if err != nil {
			panic(err)
		}
		sink += h.UserID() + int64(len(h.Email()))
	}))
}

func sgSave(s *app.SessionStore) http.Handler {
	return s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := s.FromContext(r.Context())
		if err != nil {
			panic(err)
		}
		h.SetTheme("light")
		w.WriteHeader(200)
		if err := h.Err(); err != nil {
			panic(err)
		}
	}))
}

func scsRead(sm *scs.SessionManager) http.Handler {
	return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sink += sm.GetInt64(r.Context(), "user_id") + int64(len(sm.GetString(r.Context(), "email")))
	}))
}

func scsSave(sm *scs.SessionManager) http.Handler {
	return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sm.Put(r.Context(), "theme", "light")
		w.WriteHeader(200)
	}))
}

func serve(b *testing.B, h http.Handler, cookie string) {
	r, _ := http.NewRequest("GET", "http://bench/", nil)
	r.Header.Set("Cookie", cookie)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// sgToken is a well-formed sessiongen cookie for the fake database.
const sgToken = "session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func sessiongenStore(b *testing.B, db sessionimpl.PgxPool) *app.SessionStore {
	s, err := app.NewSessionStore(db, sessiongenConfig(0))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkLoadRead(b *testing.B) {
	b.Run("sessiongen/fake", func(b *testing.B) {
		serve(b, sgRead(sessiongenStore(b, fakeDB{})), sgToken)
	})
	b.Run("scs/fake", func(b *testing.B) {
		sm := scs.New()
		enc, _ := scs.GobCodec{}.Encode(time.Now().Add(time.Hour), scsPayload())
		sm.Store = &fakeSCSStore{b: enc}
		serve(b, scsRead(sm), "session=token")
	})
	b.Run("sessiongen/pg", func(b *testing.B) {
		e := pgEnv(b)
		serve(b, sgRead(e.sg), e.sgCookie)
	})
	b.Run("scs/pg", func(b *testing.B) {
		e := pgEnv(b)
		serve(b, scsRead(e.scs), e.scsCookie)
	})
}

func BenchmarkSave(b *testing.B) {
	b.Run("sessiongen/fake", func(b *testing.B) {
		serve(b, sgSave(sessiongenStore(b, fakeDB{})), sgToken)
	})
	b.Run("scs/fake", func(b *testing.B) {
		sm := scs.New()
		enc, _ := scs.GobCodec{}.Encode(time.Now().Add(time.Hour), scsPayload())
		sm.Store = &fakeSCSStore{b: enc}
		serve(b, scsSave(sm), "session=token")
	})
	b.Run("sessiongen/pg", func(b *testing.B) {
		e := pgEnv(b)
		serve(b, sgSave(e.sg), e.sgCookie)
	})
	b.Run("scs/pg", func(b *testing.B) {
		e := pgEnv(b)
		serve(b, scsSave(e.scs), e.scsCookie)
	})
}

// BenchmarkGob is scs's codec alone on the equivalent payload.
func BenchmarkGob(b *testing.B) {
	deadline := time.Now().Add(time.Hour)
	enc, err := scs.GobCodec{}.Encode(deadline, scsPayload())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Encode", func(b *testing.B) {
		v := scsPayload()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (scs.GobCodec{}).Encode(deadline, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := (scs.GobCodec{}).Decode(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// pg is the PostgreSQL environment shared by the /pg benchmarks.
type pg struct {
	pool                *pgxpool.Pool // the sessiongen database
	sgHash              []byte        // key of the stored sessiongen session
	sg                  *app.SessionStore
	scs                 *scs.SessionManager
	sgCookie, scsCookie string
	err                 error
}

var (
	pgOnce sync.Once
	pgE    pg
	pgDB   = fmt.Sprintf("sgbench_gotest_%d", os.Getpid())
)

func pgEnv(b *testing.B) *pg {
	pgOnce.Do(func() { pgE.err = pgE.setup() })
	if pgE.err != nil {
		b.Fatalf("PostgreSQL: %v", pgE.err)
	}
	return &pgE
}

func (e *pg) setup() error {
	ctx := context.Background()
	base := envOr("BENCH_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	adm, err := newAdmin(ctx, base)
	if err != nil {
		return err
	}
	defer adm.close()
	if err := adm.recreate(ctx, pgDB); err != nil {
		return err
	}
	dsn, _ := dbURL(base, pgDB)
	if err := app.Migrate(dsn, io.Discard); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	cfg, _ := pgxpool.ParseConfig(dsn)
	cfg.ConnConfig.RuntimeParams["search_path"] = "scs"
	if _, err := pool.Exec(ctx, "CREATE SCHEMA scs"); err != nil {
		return err
	}
	scsPool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	if _, err := scsPool.Exec(ctx, scsSchema); err != nil {
		return err
	}
	// Store one session of each with the full payload.
	e.sg, err = app.NewSessionStore(pool, sessiongenConfig(0))
	if err != nil {
		return err
	}
	login := e.sg.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _ := e.sg.FromContext(r.Context())
		h.SetUserID(42)
		h.SetEmail("user42@example.com")
		h.SetRoles(payloadRoles)
		h.SetCart(payloadCart)
		h.SetTheme("dark")
		h.SetMFAAt(&payloadMFA)
		h.SetCounter(7)
		w.WriteHeader(200)
	}))
	w := &discardWriter{h: http.Header{}}
	r, _ := http.NewRequest("POST", "http://bench/", nil)
	login.ServeHTTP(w, r)
	e.sgCookie, _, _ = strings.Cut(w.h.Get("Set-Cookie"), ";")
	_, tok, _ := strings.Cut(e.sgCookie, "=")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return fmt.Errorf("session cookie %q: %w", e.sgCookie, err)
	}
	sum := sha256.Sum256(raw)
	e.pool, e.sgHash = pool, sum[:]
	e.scs = scs.New()
	e.scs.Store = pgxstore.NewWithCleanupInterval(scsPool, 0)
	scsLogin := e.scs.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range scsPayload() {
			e.scs.Put(r.Context(), k, v)
		}
		w.WriteHeader(200)
	}))
	w = &discardWriter{h: http.Header{}}
	scsLogin.ServeHTTP(w, r)
	e.scsCookie, _, _ = strings.Cut(w.h.Get("Set-Cookie"), ";")
	if e.sgCookie == "" || e.scsCookie == "" {
		return errors.New("could not create the benchmark sessions")
	}
	return nil
}

// TestMain drops the /pg benchmarks' database at the end.
// A test binary re-executed by the scale run is an app instance instead.
func TestMain(m *testing.M) {
	if child, err := childMode(); child {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if pgE.sg != nil {
		ctx := context.Background()
		if adm, err := newAdmin(ctx, envOr("BENCH_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")); err == nil {
			adm.drop(ctx, pgDB)
			adm.close()
		}
	}
	os.Exit(code)
}
