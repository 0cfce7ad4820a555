package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// inputCase is one hostile input and what it got.
type inputCase struct {
	Name   string
	Want   string
	Got    string
	Took   time.Duration
	Failed string
}

// bigCart builds a cart of about n bytes of JSON.
func bigCart(n int) []app.CartItem {
	sku := strings.Repeat("x", 64)
	items := make([]app.CartItem, n/80+1)
	for i := range items {
		items[i] = app.CartItem{SKU: sku, Qty: 1}
	}
	return items
}

// hostileRoutes adds handlers that set a JSON field (jsonb on PostgreSQL,
// TEXT on SQLite) to mib MiB, through the response commit and through
// Update.
func hostileRoutes(mux *http.ServeMux, a *app.App) {
	mux.HandleFunc("POST /test/big-cart", func(w http.ResponseWriter, r *http.Request) {
		mib, _ := strconv.ParseFloat(r.URL.Query().Get("mib"), 64)
		s, err := a.Sessions.FromContext(r.Context())
		if err != nil {
			a.Sessions.HandleError(w, r, err)
			return
		}
		s.SetCart(bigCart(int(mib * (1 << 20))))
		w.WriteHeader(http.StatusOK) // the commit runs here and may answer instead
	})
	mux.HandleFunc("POST /test/big-cart-update", func(w http.ResponseWriter, r *http.Request) {
		mib, _ := strconv.ParseFloat(r.URL.Query().Get("mib"), 64)
		err := a.Sessions.Update(r.Context(), func(s *app.SessionHandle) error {
			s.SetCart(bigCart(int(mib * (1 << 20))))
			return nil
		})
		if err != nil {
			w.Header().Set("X-Error", err.Error())
			if errors.Is(err, sessionrt.ErrPayloadTooLarge) {
				a.Sessions.HandleError(w, r, err)
				return
			}
			a.Sessions.HandleError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// runInputs throws oversized inputs at the example on engine e over real
// HTTP.
func runInputs(ctx context.Context, e *engine) ([]inputCase, error) {
	db, err := e.create(ctx, "reliability_inputs")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	a, err := startApp(ctx, appOptions{PoolURL: db.URL, QueryTimeout: 2 * time.Second, Extra: hostileRoutes})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	base, _ := url.Parse(a.URL)

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := hc.Post(a.URL+"/login", "application/json", strings.NewReader(`{"email":"alice@example.com","password":"wonderland"}`))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("login: %d", resp.StatusCode)
	}
	var token string
	for _, c := range jar.Cookies(base) {
		if c.Name == "session" {
			token = c.Value
		}
	}
	if token == "" {
		return nil, fmt.Errorf("no session cookie after login")
	}
	if r, err := hc.Post(a.URL+"/cart", "application/json", strings.NewReader(`{"sku":"keep","qty":3}`)); err == nil {
		r.Body.Close()
	}

	plain := &http.Client{Timeout: 30 * time.Second}
	send := func(method, path, cookie string) (int, string, http.Header, time.Duration, error) {
		req, _ := http.NewRequest(method, a.URL+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		t := time.Now()
		resp, err := plain.Do(req)
		if err != nil {
			return 0, "", nil, time.Since(t), err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return resp.StatusCode, strings.TrimSpace(string(b)), resp.Header, time.Since(t), nil
	}
	valid := "session=" + token
	junk64 := "session=" + strings.Repeat("A", 64<<10)
	var many, manySession strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&many, "c%d=v%d; ", i, i)
		manySession.WriteString("session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; ")
	}

	var out []inputCase
	add := func(name, want string, ok func(code int, body string) bool, method, path, cookie string) {
		code, body, _, took, err := send(method, path, cookie)
		c := inputCase{Name: name, Want: want, Took: took}
		if err != nil {
			c.Got = err.Error()
			c.Failed = "no answer"
		} else {
			c.Got = fmt.Sprintf("%d %.80s", code, body)
			if !ok(code, body) {
				c.Failed = "unexpected answer"
			}
		}
		out = append(out, c)
	}
	is := func(want int) func(int, string) bool { return func(c int, _ string) bool { return c == want } }

	add("Cookie header of 64 KiB (one huge session cookie)", "401 anonymous, no database error", is(401), "GET", "/me", junk64)
	add("64 KiB of junk cookies before a valid session cookie", "200, the valid cookie is found", is(200), "GET", "/me", junk64+"; "+valid)
	add("10,000 cookies in one request, valid session cookie last", "200", is(200), "GET", "/me", many.String()+valid)
	add("10,000 malformed session cookies", "401 anonymous", is(401), "GET", "/me", manySession.String())
	add("Cookie header of 1.1 MiB (over net/http's 1 MiB header limit)", "431 from net/http", is(431), "GET", "/me", "session="+strings.Repeat("A", 1100<<10))

	for _, mib := range []float64{0.9, 4, 16} {
		want := "413 Request Entity Too Large, no database round trip"
		okf := is(413)
		if mib < 1 {
			want, okf = "200 (under the 1 MiB default limit)", is(200)
		}
		add(fmt.Sprintf("JSON field (cart) set to %g MiB, saved at the response commit", mib), want, okf, "POST", "/test/big-cart?mib="+fmt.Sprint(mib), valid)
	}
	code, body, h, took, err := send("POST", "/test/big-cart-update?mib=8", valid)
	c := inputCase{Name: "JSON field (cart) set to 8 MiB inside Update", Want: "413, error wraps sessionrt.ErrPayloadTooLarge", Took: took}
	if err != nil {
		c.Got, c.Failed = err.Error(), "no answer"
	} else {
		c.Got = fmt.Sprintf("%d %s; error: %s", code, body, h.Get("X-Error"))
		if code != 413 || !strings.Contains(h.Get("X-Error"), "exceeds 1048576") {
			c.Failed = "unexpected answer"
		}
	}
	out = append(out, c)

	// The session is intact: the rejected writes wrote nothing, and the
	// 0.9 MiB one replaced the cart as acknowledged.
	code, body, _, took, err = send("GET", "/me", valid)
	c = inputCase{Name: "the session after the oversized writes", Want: "200, still logged in", Took: took}
	c.Got = fmt.Sprintf("%d %.80s", code, body)
	if err != nil || code != 200 {
		c.Failed = "session damaged"
	}
	out = append(out, c)
	if p := a.Panics.Load(); p > 0 {
		out = append(out, inputCase{Name: "panics", Want: "0", Got: fmt.Sprint(p), Failed: "panic"})
	}
	return out, nil
}
