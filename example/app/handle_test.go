package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// memStore is an in-memory store with a session holding v, and the cookie
// that carries it: the way users unit-test their own handlers, without a
// database.
func memStore(t *testing.T, v app.Session) (*app.SessionStore, *http.Cookie) {
	t.Helper()
	store, err := app.NewMemorySessionStore(sessionrt.Config{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := store.Create(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return store, c
}

// serveWithSession runs h through the store's middleware with cookie c and
// fails the test on a response other than 200.
func serveWithSession(t *testing.T, store *app.SessionStore, c *http.Cookie, h func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle)) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := store.Load(w, r); ok {
			h(w, r, s)
		}
	})).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// TestHandleCopies: values returned by getters (and passed to setters) are
// copies, so changing them never changes the stored session; Edit methods
// change the stored value.
func TestHandleCopies(t *testing.T) {
	at := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	store, c := memStore(t, app.Session{UserID: 7, Roles: []string{"user"}, Cart: []app.CartItem{{SKU: "a", Qty: 1}}, MFAAt: &at})
	serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
		roles := s.Roles()
		roles[0] = "admin"
		cart := s.Cart()
		cart[0].Qty = 99
		*s.MFAAt() = time.Time{}
	})
	serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
		if s.Roles()[0] != "user" || s.Cart()[0].Qty != 1 || !s.MFAAt().Equal(at) {
			t.Fatalf("a returned value changed the session: roles %v cart %v mfa %v", s.Roles(), s.Cart(), s.MFAAt())
		}
		mine := []string{"user", "beta"}
		s.SetRoles(mine)
		mine[1] = "admin"
		s.EditCart(func(c *[]app.CartItem) { (*c)[0].Qty = 5 })
	})
	serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
		if got := s.Roles(); got[1] != "beta" {
			t.Fatalf("the caller's slice changed the session after SetRoles: %v", got)
		}
		if s.Cart()[0].Qty != 5 {
			t.Fatalf("EditCart was not saved: %v", s.Cart())
		}
	})
}

// TestHandlerWithoutDatabase drives a handler of the example on an in-memory
// store: no database, the cookie of a session made with Create.
func TestHandlerWithoutDatabase(t *testing.T) {
	a, err := app.New(app.DB{}, app.Config{BcryptCost: 4, Sessions: sessionrt.Config{Insecure: true}})
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
	rec = httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/me", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("GET /me without a cookie = %d, want 401", rec.Code)
	}
}

// TestPopWithoutDatabase: PopNotice returns the flash once and the clear is
// saved; popping the empty flash writes nothing.
func TestPopWithoutDatabase(t *testing.T) {
	store, c := memStore(t, app.Session{UserID: 7, Notice: "saved"})
	serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
		if got := s.PopNotice(); got != "saved" || s.Notice() != "" {
			t.Fatalf("PopNotice = %q, Notice() %q; want saved, empty", got, s.Notice())
		}
	})
	serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
		if got := s.PopNotice(); got != "" {
			t.Fatalf("second PopNotice = %q; want empty", got)
		}
		s.SetNotice("again")
	})
	serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
		if s.Notice() != "again" || s.PopNotice() != "again" {
			t.Fatal("SetNotice was not saved")
		}
	})
}

// TestCreateChecksAndCopies: Create stores the values through the setters:
// a value a column cannot store is refused with ErrInvalidValue, and the
// caller's slices are copied.
func TestCreateChecksAndCopies(t *testing.T) {
	store, err := app.NewMemorySessionStore(sessionrt.Config{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(context.Background(), app.Session{UserID: 1, Email: "a\x00b"}); !errors.Is(err, sessionrt.ErrInvalidValue) {
		t.Fatalf("Create with a NUL in a string: %v, want ErrInvalidValue", err)
	}
	roles := []string{"user"}
	c, err := store.Create(context.Background(), app.Session{UserID: 2, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	roles[0] = "admin"
	serveWithSession(t, store, c, func(w http.ResponseWriter, r *http.Request, s *app.SessionHandle) {
		if got := s.Roles(); len(got) != 1 || got[0] != "user" {
			t.Fatalf("the caller's slice changed the stored session: %v", got)
		}
	})
}
