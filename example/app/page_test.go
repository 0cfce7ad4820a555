package app_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// form posts an application/x-www-form-urlencoded body as the page's forms
// do (same-origin) without following the redirect, and returns the status
// and Location.
func (c *client) form(path string, values url.Values) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.srv.URL+path, strings.NewReader(values.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	hc := *c.c
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// contractPageForms checks the page's form endpoints over HTTP, without a
// browser: each answers 303 to the page; a failed login names its message
// in ?m= and creates no session; a JSON body is refused (415); the
// websocket endpoint refuses a plain GET before touching the session; the
// page itself is never stored (no-store) and shows the flash notice once.
func contractPageForms(t *testing.T, server serverFunc) {
	srv, db := server(t)
	c := newClient(t, srv)
	for _, tt := range []struct {
		values url.Values
		want   string
	}{
		{url.Values{"email": {"alice@example.com"}, "password": {"nope"}}, "/?m=credentials"},
		{url.Values{"email": {"eve@example.com"}, "password": {"wonderland"}}, "/?m=credentials"},
		{url.Values{"email": {"alice@example.com"}}, "/?m=missing"},
	} {
		if code, loc := c.form("/form/login", tt.values); code != http.StatusSeeOther || loc != tt.want {
			t.Errorf("login %v: %d %q, want 303 %q", tt.values, code, loc, tt.want)
		}
	}
	if c.cookie() != "" || db.digest(t) != "0:" {
		t.Fatal("a failed form login created a session")
	}
	if code, loc := c.form("/form/counter", nil); code != http.StatusSeeOther || loc != "/?m=signed-out" {
		t.Errorf("anonymous counter: %d %q", code, loc)
	}
	if code, loc := c.form("/form/logout-others", nil); code != http.StatusSeeOther || loc != "/?m=signed-out" {
		t.Errorf("anonymous logout-others: %d %q", code, loc)
	}
	if code := c.do("POST", "/form/cart", `{"sku":"x","qty":1}`, nil); code != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body to a form endpoint: %d, want 415", code)
	}
	if code, loc := c.form("/form/login", url.Values{"email": {"alice@example.com"}, "password": {"wonderland"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("login: %d %q", code, loc)
	}
	if code, loc := c.form("/form/cart", url.Values{"sku": {"tea"}, "qty": {"2"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("cart: %d %q", code, loc)
	}
	var got cart
	if c.do("GET", "/cart", "", &got); len(got.Items) != 1 || got.Items[0].SKU != "tea" || got.Items[0].Qty != 2 {
		t.Fatalf("cart after the form: %+v", got.Items)
	}
	cookie := c.cookie()
	if code := c.do("GET", "/ws", "", nil); code != http.StatusBadRequest || c.cookie() != cookie {
		t.Errorf("plain GET /ws: %d, cookie changed %v; want 400 and no renew", code, c.cookie() != cookie)
	}
	page := func() (string, http.Header) {
		t.Helper()
		resp, err := c.c.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		if _, err := io.Copy(&b, resp.Body); err != nil {
			t.Fatal(err)
		}
		return b.String(), resp.Header
	}
	body, h := page()
	if h.Get("Cache-Control") != "no-store" || !strings.Contains(body, "Added 2 × tea to the cart.") || !strings.Contains(body, "alice@example.com") {
		t.Fatalf("page: Cache-Control %q, body %q", h.Get("Cache-Control"), body)
	}
	if body, _ := page(); strings.Contains(body, "Added 2 × tea") {
		t.Error("the notice was shown twice")
	}
	if code, loc := c.form("/form/logout", nil); code != http.StatusSeeOther || loc != "/?m=logged-out" || c.cookie() != "" {
		t.Errorf("logout: %d %q, cookie %q", code, loc, c.cookie())
	}
}
