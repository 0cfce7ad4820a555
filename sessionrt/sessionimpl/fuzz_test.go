package sessionimpl_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// wellFormed reports whether the request carries a session cookie that a
// strict, independent decoder accepts as a 32-byte token.
func wellFormed(r *http.Request, name string) bool {
	for _, c := range r.CookiesNamed(name) {
		if len(c.Value) != 43 {
			continue
		}
		if b, err := base64.RawURLEncoding.Strict().DecodeString(c.Value); err == nil && len(b) == 32 {
			return true
		}
	}
	return false
}

// FuzzCookie feeds arbitrary Cookie headers through the middleware and Load:
// it never panics, malformed input never reaches the database, and any
// unknown token is an anonymous request.
func FuzzCookie(f *testing.F) {
	e := newEnv(f, sessionrt.Config{})
	name := e.M.CookieName()
	for _, s := range []string{
		"",
		name + "=",
		name + "=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		name + "=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
		name + "=" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		name + "=a; " + name + "=b",
		`__Host-session="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"`,
		"session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		name + "=\x00\xff;;;==",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["Cookie"] = []string{header}
		h := e.M.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st, err := e.M.Load(r.Context())
			if err != nil {
				t.Errorf("Load: %v", err)
				return
			}
			if !st.IsNew() {
				t.Errorf("fuzzed cookie %q loaded a session", header)
			}
		}))
		e.Tr.Reset()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		n, stmts := e.Tr.Reset()
		if !wellFormed(req, name) && n != 0 {
			t.Fatalf("malformed cookie %q reached the database: %q", header, stmts)
		}
		if n > 1 {
			t.Fatalf("cookie %q: %d queries", header, n)
		}
		if w.Code != http.StatusOK {
			t.Fatalf("cookie %q: status %d", header, w.Code)
		}
	})
}
