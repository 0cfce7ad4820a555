package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// raw sends one request with exactly the given headers and the cookies the
// client holds, the way a browser sends a cross-origin form or fetch.
func (c *client) raw(method, path, body string, header map[string]string) (int, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header
}

// contractCrossOriginWrites: a browser's cross-origin POST (login CSRF, a cart
// change, a forced logout) is answered 403, and a body that is not
// application/json 415, before the session is read: the sessions table does
// not change and no cookie is set. Same-origin browser requests and clients
// without Origin/Sec-Fetch-Site (curl) still work.
func contractCrossOriginWrites(t *testing.T, server serverFunc) {
	srv, db := server(t)
	const evil = "https://evil.example"
	loginBody := `{"email":"alice@example.com","password":"wonderland"}`
	cartBody := `{"sku":"csrf","qty":1}`
	tests := []struct {
		name        string
		loggedIn    bool // the client holds alice's session cookie
		path, body  string
		header      map[string]string
		want        int
		wantChanged bool // the request may change the sessions table
	}{
		{"login, cross-site text/plain", false, "/login", loginBody,
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil, "Content-Type": "text/plain"}, 403, false},
		{"login, cross-site application/json", false, "/login", loginBody,
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil, "Content-Type": "application/json"}, 403, false},
		{"login, foreign Origin without Sec-Fetch-Site (older browser)", false, "/login", loginBody,
			map[string]string{"Origin": evil, "Content-Type": "text/plain"}, 403, false},
		{"cart, cross-site text/plain", true, "/cart", cartBody,
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil, "Content-Type": "text/plain"}, 403, false},
		{"cart, same-site (sibling subdomain)", true, "/cart", cartBody,
			map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://other.example", "Content-Type": "application/json"}, 403, false},
		{"cart, foreign Origin without Sec-Fetch-Site", true, "/cart", cartBody,
			map[string]string{"Origin": evil, "Content-Type": "application/x-www-form-urlencoded"}, 403, false},
		{"counter, cross-site", true, "/counter", "",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil}, 403, false},
		{"logout, cross-site", true, "/logout", "",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil}, 403, false},
		{"logout-all, cross-site", true, "/logout-all", "",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil}, 403, false},
		{"logout-others, cross-site", true, "/logout-others", "",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil}, 403, false},
		{"login, same-origin text/plain", false, "/login", loginBody,
			map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain"}, 415, false},
		{"login, no Content-Type (curl -d without -H)", false, "/login", loginBody, nil, 415, false},
		{"cart, same-origin form body", true, "/cart", cartBody,
			map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded"}, 415, false},
		{"cart, no Content-Type", true, "/cart", cartBody, nil, 415, false},
		{"login, same-origin JSON", false, "/login", loginBody,
			map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": srv.URL, "Content-Type": "application/json"}, 200, true},
		{"cart, matching Origin, JSON with charset", true, "/cart", cartBody,
			map[string]string{"Origin": srv.URL, "Content-Type": "application/json; charset=utf-8"}, 200, true},
		{"cart, curl (no Origin, no Sec-Fetch-Site), JSON", true, "/cart", cartBody,
			map[string]string{"Content-Type": "application/json"}, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, srv)
			if tt.loggedIn {
				c.login("alice@example.com")
			}
			before, cookie := db.digest(t), c.cookie()
			code, h := c.raw("POST", tt.path, tt.body, tt.header)
			if code != tt.want {
				t.Fatalf("status %d, want %d", code, tt.want)
			}
			if tt.wantChanged {
				return
			}
			if got := h.Values("Set-Cookie"); len(got) > 0 {
				t.Errorf("refused request set cookies: %q", got)
			}
			if after := db.digest(t); after != before {
				t.Errorf("refused request changed the sessions table: %s -> %s", before, after)
			}
			if c.cookie() != cookie {
				t.Errorf("refused request changed the client's session cookie")
			}
			if tt.loggedIn {
				var got me
				if code := c.do("GET", "/me", "", &got); code != 200 || got.Email != "alice@example.com" {
					t.Errorf("after the refused request: /me %d %+v, want alice still logged in", code, got)
				}
				var items cart
				c.do("GET", "/cart", "", &items)
				if len(items.Items) != 0 {
					t.Errorf("refused request changed the cart: %+v", items.Items)
				}
			}
		})
	}
}
