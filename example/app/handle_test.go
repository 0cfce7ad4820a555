package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// TestHandleCopies: values returned by getters (and passed to setters) are
// copies, so changing them never changes the session behind the dirty
// tracking; Edit methods change the stored value and mark it. It runs
// without a database, the way users unit-test their own handlers.
func TestHandleCopies(t *testing.T) {
	store, err := app.NewSessionStore(nil, sessionrt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	_, s := store.TestContext(context.Background(), app.Session{
		UserID: 7, Roles: []string{"user"}, Cart: []app.CartItem{{SKU: "a", Qty: 1}}, MFAAt: &at,
	})

	roles := s.Roles()
	roles[0] = "admin"
	cart := s.Cart()
	cart[0].Qty = 99
	*s.MFAAt() = time.Time{}
	if s.Roles()[0] != "user" || s.Cart()[0].Qty != 1 || !s.MFAAt().Equal(at) || s.Changed() {
		t.Fatalf("a returned value changed the session: roles %v cart %v mfa %v changed %v", s.Roles(), s.Cart(), s.MFAAt(), s.Changed())
	}

	mine := []string{"user", "beta"}
	s.SetRoles(mine)
	mine[1] = "admin"
	if got := s.Roles(); got[1] != "beta" {
		t.Fatalf("the caller's slice changed the session after SetRoles: %v", got)
	}

	s.Saved()
	s.EditCart(func(c *[]app.CartItem) { (*c)[0].Qty = 5 })
	if !s.Changed() || s.Cart()[0].Qty != 5 {
		t.Fatalf("EditCart: changed %v cart %v", s.Changed(), s.Cart())
	}
}

// TestHandlerWithoutDatabase drives a handler of the example with a session
// from TestContext: no database, no cookie.
func TestHandlerWithoutDatabase(t *testing.T) {
	a, err := app.New(nil, app.Config{BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx, _ := a.Sessions.TestContext(context.Background(), app.Session{UserID: 1, Email: "alice@example.com", Roles: []string{"admin"}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/me", nil).WithContext(ctx)
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != `{"user_id":1,"email":"alice@example.com","roles":["admin"]}`+"\n" {
		t.Fatalf("GET /me = %d %q", rec.Code, rec.Body)
	}
}

// TestPopWithoutDatabase: PopNotice returns the flash once and marks the
// clear as a change; popping the empty flash is no change.
func TestPopWithoutDatabase(t *testing.T) {
	store, err := app.NewSessionStore(nil, sessionrt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, s := store.TestContext(context.Background(), app.Session{UserID: 7, Notice: "saved"})
	if got := s.PopNotice(); got != "saved" || !s.Changed() || s.Notice() != "" {
		t.Fatalf("PopNotice = %q, changed %v, Notice() %q; want saved, true, empty", got, s.Changed(), s.Notice())
	}
	s.Saved()
	if got := s.PopNotice(); got != "" || s.Changed() {
		t.Fatalf("second PopNotice = %q, changed %v; want empty and no change", got, s.Changed())
	}
	s.SetNotice("again")
	if s.Notice() != "again" || s.PopNotice() != "again" {
		t.Fatal("SetNotice after a pop")
	}
}
