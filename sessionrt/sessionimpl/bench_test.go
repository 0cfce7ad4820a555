package sessionimpl_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// TestHotPathAllocs bounds the allocations of a request that never touches
// its session: the State, the request copy and its context value.
func TestHotPathAllocs(t *testing.T) {
	mem := sessionimpl.NewMemory(backend{}.New)
	m, err := sessionimpl.NewManager(mem, mem, sessionrt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", "__Host-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; other=1")
	w := httptest.NewRecorder()
	allocs := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, req) })
	t.Logf("allocations per untouched request: %.0f", allocs)
	if allocs > 3 {
		t.Fatalf("allocations per untouched request = %.0f, want <= 3", allocs)
	}
}

// BenchmarkMiddlewareUntouched measures the per-request overhead.
func BenchmarkMiddlewareUntouched(b *testing.B) {
	mem := sessionimpl.NewMemory(backend{}.New)
	m, err := sessionimpl.NewManager(mem, mem, sessionrt.Config{})
	if err != nil {
		b.Fatal(err)
	}
	h := m.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", "__Host-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

// BenchmarkReadOnly measures a request that loads an existing session.
func BenchmarkReadOnly(b *testing.B) {
	e := newEnv(b, sessionrt.Config{})
	tok := e.Create("bench")
	h := e.M.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := e.M.Load(r.Context()); err != nil {
			b.Fatal(err)
		}
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: e.M.CookieName(), Value: tok})
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}
