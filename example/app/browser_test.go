package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
	"golang.org/x/crypto/bcrypt"
)

// The browser tests drive a headless Chromium through the example's page
// (page.go, page.html): the cookie as the browser stores it, two devices,
// the back button, the renew race with the page's own polling, a
// cross-origin form and a websocket that renews the session. They need a
// Chromium binary: scripts/ensure-chromium.sh installs Debian's. CI runs
// them; SESSIONGEN_NO_BROWSER=1 skips them on a machine without one.
//
// The app is served on 127.0.0.1 and opened as http://localhost:PORT, a
// secure context for Chromium: the cookie is the production one (Secure,
// __Host-session), not the -insecure-cookie development one.

var screenshotPath = flag.String("screenshot", "", "TestBrowserScreenshot writes the page's screenshot (PNG) to this file; scripts/screenshot.sh sets it to docs/example-page.png")

// browserTimeout bounds each browser test, browser start included.
const browserTimeout = 3 * time.Minute

// chromium returns the browser binary: $SESSIONGEN_CHROMIUM, or the first
// of the usual names on PATH.
func chromium() (string, error) {
	if p := os.Getenv("SESSIONGEN_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (chromium, chromium-browser, google-chrome on PATH, or SESSIONGEN_CHROMIUM)")
}

// browserSite is the example served for a browser test.
type browserSite struct {
	base string // http://localhost:PORT
	pool *pgxpool.Pool
}

// newBrowserSite serves the example on a fresh database with the default,
// production cookie configuration; wrap (if not nil) wraps its handler.
func newBrowserSite(t *testing.T, wrap func(http.Handler) http.Handler) *browserSite {
	t.Helper()
	pool, dsn := sessiontest.New(t)
	if err := app.Migrate(dsn, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.DB{PostgreSQL: pool}, app.Config{Sessions: sessionrt.Config{}, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &browserSite{base: "http://localhost:" + port(t, srv), pool: pool}
}

// port returns the port a test server listens on.
func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newBrowser starts a headless Chromium for one test and returns its root
// context; the browser exits when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := chromium()
	if err != nil {
		if os.Getenv("SESSIONGEN_NO_BROWSER") == "1" {
			t.Skipf("SESSIONGEN_NO_BROWSER=1: %v", err)
		}
		t.Fatalf("%v\n  install it with: bash scripts/ensure-chromium.sh (or set SESSIONGEN_NO_BROWSER=1 to skip the browser tests)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.WindowSize(1000, 1000),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return bctx
}

// device is one browser profile (a browser context: its own cookies and
// cache, like another device) with one tab on site.
type device struct {
	t    *testing.T
	ctx  context.Context
	site *browserSite
}

func newDevice(t *testing.T, browser context.Context, site *browserSite) *device {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a browser context: %v", err)
	}
	return &device{t: t, ctx: ctx, site: site}
}

// open navigates to path on the site and wants a 200.
func (d *device) open(path string) {
	d.t.Helper()
	d.openURL(d.site.base + path)
}

// openURL navigates to url and wants a 200.
func (d *device) openURL(url string) {
	d.t.Helper()
	resp, err := chromedp.Run(d.ctx, chromedp.NavigateResponse(url))
	if err != nil {
		d.t.Fatalf("navigating to %s: %v", url, err)
	}
	if resp.Status != 200 {
		d.t.Fatalf("navigating to %s: status %d", url, resp.Status)
	}
}

// submit clicks the button of the form with this id and waits for the page
// the post leads to (after the redirect); it returns that response.
func (d *device) submit(form string) *network.Response {
	d.t.Helper()
	resp, err := chromedp.RunResponse(d.ctx, chromedp.Click(chromedp.CSS("#"+form+" button")))
	if err != nil {
		d.t.Fatalf("submitting #%s: %v", form, err)
	}
	return resp
}

// submitOK is submit wanting the page (200) at /.
func (d *device) submitOK(form string) {
	d.t.Helper()
	if resp := d.submit(form); resp.Status != 200 || !strings.HasPrefix(resp.URL, d.site.base+"/") {
		d.t.Fatalf("submitting #%s led to %d %s, want 200 on the page", form, resp.Status, resp.URL)
	}
}

// fill sets the value of the input named name in the form with this id.
func (d *device) fill(form, name, value string) {
	d.t.Helper()
	if err := chromedp.Do(d.ctx, chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#%s [name=%s]", form, name)), value)); err != nil {
		d.t.Fatalf("filling %s in #%s: %v", name, form, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](d *device, expr string) T {
	d.t.Helper()
	v, err := chromedp.Run(d.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		d.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// text returns the text of the element with this id, "" when there is none.
func (d *device) text(id string) string {
	d.t.Helper()
	q, _ := json.Marshal(id)
	return eval[string](d, fmt.Sprintf(`(document.getElementById(%s) || {innerText: ""}).innerText`, q))
}

// body returns the page's text.
func (d *device) body() string {
	d.t.Helper()
	return eval[string](d, `document.body ? document.body.innerText : ""`)
}

// login signs in through the page's form.
func (d *device) login(email string) {
	d.t.Helper()
	d.open("/")
	d.fill("login-form", "email", email)
	d.fill("login-form", "password", app.DemoPassword)
	d.submitOK("login-form")
	if got := d.text("whoami"); !strings.Contains(got, email) {
		d.t.Fatalf("after signing in as %s the page shows %q (body %q)", email, got, d.body())
	}
}

// cookies returns the cookies the browser holds for the site.
func (d *device) cookies() []*network.Cookie {
	d.t.Helper()
	res, err := chromedp.Call(d.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{d.site.base + "/"}})
	if err != nil {
		d.t.Fatalf("reading cookies: %v", err)
	}
	return res.Cookies
}

// sessionCookie returns the browser's session cookie, nil when it has none.
func (d *device) sessionCookie() *network.Cookie {
	d.t.Helper()
	for _, c := range d.cookies() {
		if strings.HasSuffix(c.Name, "session") {
			return c
		}
	}
	return nil
}

// countRows counts the sessions of a user.
func (s *browserSite) countRows(t *testing.T, userID int64) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE user_id = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrowserLoginCartLogout signs in, adds to the cart, counts and logs
// out through the page, and checks the cookie as Chromium stores it: named
// __Host-session, HttpOnly (invisible to document.cookie), Secure although
// the page is plain http://localhost, SameSite=Lax, host-only (no Domain),
// Path=/, and gone after the logout, together with the session row.
func TestBrowserLoginCartLogout(t *testing.T) {
	browser := newBrowser(t)
	site := newBrowserSite(t, nil)
	d := newDevice(t, browser, site)

	d.open("/")
	if d.text("login-form") == "" || d.text("whoami") != "" {
		t.Fatalf("anonymous page: %q", d.body())
	}
	if d.sessionCookie() != nil {
		t.Fatal("showing the page to an anonymous visitor set a session cookie")
	}
	d.login("alice@example.com")
	if got := d.text("notice"); got != "Signed in as alice@example.com" {
		t.Errorf("notice after login = %q", got)
	}
	if got := d.text("whoami"); !strings.Contains(got, "user 1") || !strings.Contains(got, "admin, user") {
		t.Errorf("whoami = %q", got)
	}

	cookies := d.cookies()
	if len(cookies) != 1 {
		t.Fatalf("the browser holds %d cookies for the site, want 1: %+v", len(cookies), cookies)
	}
	c := cookies[0]
	switch {
	case c.Name != "__Host-session":
		t.Errorf("cookie name %q, want __Host-session", c.Name)
	case !c.HTTPOnly:
		t.Error("cookie is not HttpOnly")
	case !c.Secure:
		t.Error("cookie is not Secure")
	case c.SameSite != network.CookieSameSiteLax:
		t.Errorf("cookie SameSite %q, want Lax", c.SameSite)
	case c.Domain != "localhost": // a Domain attribute would show as ".localhost"
		t.Errorf("cookie domain %q, want host-only localhost", c.Domain)
	case c.Path != "/":
		t.Errorf("cookie path %q, want /", c.Path)
	case c.Session:
		t.Error("cookie is a browser-session cookie, want Max-Age (the default configuration)")
	}
	if got := eval[string](d, `document.cookie`); got != "" {
		t.Errorf("document.cookie = %q: the session cookie is readable by scripts", got)
	}

	d.open("/")
	if got := d.text("notice"); got != "" {
		t.Errorf("the login notice was shown twice: %q", got)
	}

	d.fill("cart-form", "sku", "book")
	d.fill("cart-form", "qty", "2")
	d.submitOK("cart-form")
	if got := d.text("notice"); got != "Added 2 × book to the cart." {
		t.Errorf("notice after adding = %q", got)
	}
	if got := d.text("cart"); !strings.Contains(got, "book\t2") {
		t.Errorf("cart = %q, want book 2", got)
	}
	if got := d.text("cart-count"); got != "1" {
		t.Errorf("cart count = %q", got)
	}
	d.fill("cart-form", "sku", "pen")
	d.fill("cart-form", "qty", "100")
	// The input's max=99 would stop the browser from sending it: the server's check is tested.
	d.do(chromedp.SetAttributeValue(chromedp.CSS("#cart-form [name=qty]"), "max", "1000"))
	d.submitOK("cart-form")
	if got := d.text("notice"); got != "The quantity must be 1 to 99." {
		t.Errorf("notice after a bad quantity = %q", got)
	}
	if got := d.text("cart-count"); got != "1" {
		t.Errorf("a refused line reached the cart: count %q", got)
	}

	d.submitOK("counter-form")
	d.submitOK("counter-form")
	if got, n := d.text("counter"), d.text("notice"); got != "2" || n != "The counter is now 2." {
		t.Errorf("counter %q, notice %q after two clicks", got, n)
	}
	if got := d.text("sessions"); strings.Count(got, "this device") != 1 || strings.Count(got, "UTC") != 2 {
		t.Errorf("sessions table = %q, want one row, this device", got)
	}

	d.submitOK("logout-form")
	if got := d.text("message"); got != "Logged out." {
		t.Errorf("message after logout = %q", got)
	}
	if d.text("login-form") == "" || d.text("whoami") != "" || strings.Contains(d.body(), "book") {
		t.Errorf("page after logout: %q", d.body())
	}
	if c := d.sessionCookie(); c != nil {
		t.Errorf("the browser kept the session cookie after logout: %+v", c)
	}
	if n := site.countRows(t, 1); n != 0 {
		t.Errorf("%d sessions of alice after logout, want 0", n)
	}
}

// do runs actions that return nothing.
func (d *device) do(actions ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	if err := chromedp.Do(d.ctx, actions...); err != nil {
		d.t.Fatal(err)
	}
}

// TestBrowserLogoutOtherDevices: alice on a laptop and a phone (two browser
// contexts); "log out other devices" on the laptop logs the phone out at
// its next navigation, a form post from its stale page included, while the
// laptop stays signed in under the same cookie.
func TestBrowserLogoutOtherDevices(t *testing.T) {
	browser := newBrowser(t)
	site := newBrowserSite(t, nil)
	laptop, phone := newDevice(t, browser, site), newDevice(t, browser, site)
	laptop.login("alice@example.com")
	phone.login("alice@example.com")
	laptop.open("/")
	if got := laptop.text("sessions"); strings.Count(got, "UTC") != 4 || strings.Count(got, "this device") != 1 {
		t.Fatalf("laptop's sessions table = %q, want two rows, one this device", got)
	}
	cookie := laptop.sessionCookie().Value

	laptop.submitOK("logout-others-form")
	if got := laptop.text("notice"); got != "Logged out 1 other device." {
		t.Errorf("notice = %q", got)
	}
	if got := laptop.text("sessions"); strings.Count(got, "UTC") != 2 || !strings.Contains(got, "this device") {
		t.Errorf("laptop's sessions after logging out the others = %q, want only this device", got)
	}

	// The phone still shows its signed-in page; its next request finds the
	// session gone.
	phone.submitOK("counter-form")
	if phone.text("whoami") != "" || phone.text("login-form") == "" {
		t.Fatalf("phone after logout-others: %q", phone.body())
	}
	if got := phone.text("message"); !strings.Contains(got, "not signed in") {
		t.Errorf("phone's message = %q", got)
	}
	phone.open("/")
	if phone.text("whoami") != "" {
		t.Fatalf("phone signed in again: %q", phone.body())
	}

	laptop.open("/")
	if got := laptop.text("whoami"); !strings.Contains(got, "alice@example.com") {
		t.Fatalf("laptop after logout-others: %q", laptop.body())
	}
	if laptop.sessionCookie().Value != cookie {
		t.Error("logout-others changed the laptop's cookie")
	}
	if n := site.countRows(t, 1); n != 1 {
		t.Errorf("%d sessions of alice, want 1", n)
	}
}

// TestBrowserBackAfterLogout: after logging out, the back button shows no
// user data. The signed-in page is sent with Cache-Control: no-store, so
// Chromium fetches it again (and gets the login form) instead of showing it
// from its HTTP or back/forward cache.
func TestBrowserBackAfterLogout(t *testing.T) {
	browser := newBrowser(t)
	site := newBrowserSite(t, nil)
	d := newDevice(t, browser, site)
	d.login("alice@example.com")
	d.fill("cart-form", "sku", "secret-gift")
	d.submitOK("cart-form")
	d.open("/")
	if !strings.Contains(d.body(), "secret-gift") {
		t.Fatalf("signed-in page: %q", d.body())
	}
	d.submitOK("logout-form")
	if d.text("whoami") != "" || strings.Contains(d.body(), "secret-gift") {
		t.Fatalf("page after logout: %q", d.body())
	}
	for i := range 2 { // back to the signed-in page, then the one before it
		d.back()
		if body := d.body(); strings.Contains(body, "Signed in as") || strings.Contains(body, "secret-gift") || d.text("whoami") != "" {
			t.Fatalf("back #%d after logout shows user data: %q", i+1, body)
		}
	}
}

// back is the back button: history.back(), then wait for another document
// to be complete. It does not wait for a load event, which a page restored
// from the back/forward cache never fires.
func (d *device) back() {
	d.t.Helper()
	d.do(chromedp.Evaluate[chromedp.Void](`window.beforeBack = true; history.back()`))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		done, err := chromedp.Run(d.ctx, chromedp.Evaluate[bool](`window.beforeBack === undefined && document.readyState === "complete"`))
		if err == nil && done {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the back button led to no page within 10 s (last error: %v)", err)
		}
	}
}

// TestBrowserLoginRace is the renew race in a real browser: the page's own
// script polls GET /cart with fetch every 10 ms while the login form is
// submitted, 20 times over. The login renews the token; polls in flight
// with the pre-login token must not undo it, so the browser always ends
// signed in, with the anonymous cart carried over.
func TestBrowserLoginRace(t *testing.T) {
	browser := newBrowser(t)
	// overlaps counts the polls that were in flight at some moment of a
	// login: in flight when it started, or started before it ended. Each
	// poll is held 5 ms (a slow network) before the app reads it, so a
	// poll sent with the pre-login token often reaches the app after the
	// login has renewed it.
	// stale counts the polls that reached the app with a token a login had
	// already renewed: the race itself.
	var inflight, loggingIn, overlaps, polls, stale atomic.Int64
	var renewed sync.Map // pre-login tokens, once their login has answered
	site := newBrowserSite(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == "GET" && r.URL.Path == "/cart":
				polls.Add(1)
				inflight.Add(1)
				defer inflight.Add(-1)
				if loggingIn.Load() > 0 {
					overlaps.Add(1)
				}
				time.Sleep(5 * time.Millisecond)
				if c, err := r.Cookie("__Host-session"); err == nil {
					if _, ok := renewed.Load(c.Value); ok {
						stale.Add(1)
					}
				}
			case r.URL.Path == "/form/login":
				loggingIn.Add(1)
				defer loggingIn.Add(-1)
				overlaps.Add(inflight.Load())
				if c, err := r.Cookie("__Host-session"); err == nil {
					defer renewed.Store(c.Value, true)
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	d := newDevice(t, browser, site)
	const rounds = 20
	for i := range rounds {
		d.open("/")
		sku := fmt.Sprintf("round-%d", i)
		d.fill("cart-form", "sku", sku) // an anonymous session: the token the login renews
		d.submitOK("cart-form")
		anon := d.sessionCookie()
		if anon == nil {
			t.Fatalf("round %d: no anonymous session cookie", i)
		}
		d.open("/?poll=10")
		before := polls.Load()
		for deadline := time.Now().Add(10 * time.Second); polls.Load() < before+3; { // the script is polling
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the page's script did not poll GET /cart", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		d.fill("login-form", "email", "alice@example.com")
		d.fill("login-form", "password", app.DemoPassword)
		d.submitOK("login-form")
		time.Sleep(50 * time.Millisecond) // let the polls in flight land
		d.open("/")
		if got := d.text("whoami"); !strings.Contains(got, "alice@example.com") {
			t.Fatalf("round %d: logged out after the login (%d polls overlapped logins so far): %q", i, overlaps.Load(), d.body())
		}
		if got := d.text("cart"); !strings.Contains(got, sku) {
			t.Fatalf("round %d: the anonymous cart was lost at login: %q", i, got)
		}
		if c := d.sessionCookie(); c == nil || c.Value == anon.Value {
			t.Fatalf("round %d: the login did not renew the token", i)
		}
		d.submitOK("logout-form")
	}
	t.Logf("%d polls of GET /cart; %d were in flight during a login; %d reached the app with a token the login had renewed", polls.Load(), overlaps.Load(), stale.Load())
	if stale.Load() == 0 {
		t.Errorf("no poll reached the app with a renewed token in %d logins: the test did not race", rounds)
	}
}

// TestBrowserCrossOriginForm: a page on another origin posts forms to the
// example, from another port of localhost (same-site: the SameSite=Lax
// cookie goes along, so only CrossOriginProtection stands in the way) and
// from 127.0.0.1 (cross-site). Each is answered 403 before the session is
// read: the table does not change and alice stays signed in with an empty
// cart. A websocket opened from there to the renewing /ws is refused too,
// before the renew.
func TestBrowserCrossOriginForm(t *testing.T) {
	browser := newBrowser(t)
	site := newBrowserSite(t, nil)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>elsewhere</title>
<form id="cart" method="post" action="%[1]s/form/cart"><input name="sku" value="planted"><input name="qty" value="1"><button>win a prize</button></form>
<form id="logout" method="post" action="%[1]s/form/logout"><button>log out</button></form>
<form id="login" method="post" action="%[1]s/form/login"><input name="email" value="bob@example.com"><input name="password" value="wonderland"><button>log in as bob</button></form>
<button id="ws" onclick="const s = new WebSocket('%[2]s/ws'); s.onopen = () => { document.getElementById('ws-status').innerText = 'open'; }; s.onerror = () => { document.getElementById('ws-status').innerText = 'refused'; };">live</button>
<span id="ws-status"></span>`, site.base, "ws"+strings.TrimPrefix(site.base, "http"))
	}))
	t.Cleanup(evil.Close)
	d := newDevice(t, browser, site)
	d.login("alice@example.com")
	d.open("/") // shows the login notice
	for _, origin := range []string{"http://localhost:" + port(t, evil), evil.URL} {
		for _, form := range []string{"cart", "logout", "login"} {
			before := (testDB{pool: site.pool}).digest(t)
			d.openURL(origin + "/")
			resp := d.submit(form)
			if resp.Status != http.StatusForbidden || !strings.Contains(d.body(), "cross-origin request refused") {
				t.Errorf("%s posting #%s: %d %q, want 403", origin, form, resp.Status, d.body())
			}
			if after := (testDB{pool: site.pool}).digest(t); after != before {
				t.Errorf("%s posting #%s changed the sessions table", origin, form)
			}
		}
		// A websocket is a GET, which CrossOriginProtection passes: the
		// handshake's Origin is checked before the session is renewed.
		before, cookie := (testDB{pool: site.pool}).digest(t), d.sessionCookie().Value
		d.openURL(origin + "/")
		d.do(chromedp.Click(chromedp.ID("ws")))
		d.do(chromedp.Poll[chromedp.Void](`document.getElementById("ws-status").innerText !== ""`,
			chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
		if got := d.text("ws-status"); got != "refused" {
			t.Errorf("%s opening the websocket: %q, want refused", origin, got)
		}
		if after := (testDB{pool: site.pool}).digest(t); after != before {
			t.Errorf("%s opening the websocket changed the sessions table", origin)
		}
		if d.sessionCookie().Value != cookie {
			t.Errorf("%s opening the websocket changed the cookie", origin)
		}
	}
	d.open("/")
	if got := d.text("whoami"); !strings.Contains(got, "alice@example.com") {
		t.Fatalf("after the cross-origin posts: %q", d.body())
	}
	if got := d.text("cart-count"); got != "0" {
		t.Errorf("a cross-origin post reached the cart: %q", d.body())
	}
	// The same forms from the page's own origin work: the refusal was the origin.
	d.fill("cart-form", "sku", "mine")
	d.submitOK("cart-form")
	if got := d.text("cart-count"); got != "1" {
		t.Errorf("same-origin add: count %q", got)
	}
}

// TestBrowserWebsocketRenew: the page's websocket (a hijacking endpoint)
// renews the session; the new cookie arrives with the 101, Chromium stores
// it, and the browser stays signed in under the new token while the old one
// no longer reads the session.
func TestBrowserWebsocketRenew(t *testing.T) {
	browser := newBrowser(t)
	site := newBrowserSite(t, nil)
	d := newDevice(t, browser, site)
	d.login("alice@example.com")
	old := d.sessionCookie().Value
	d.do(chromedp.Click(chromedp.ID("ws")))
	d.do(chromedp.Poll[chromedp.Void](`document.getElementById("ws-status").innerText !== ""`,
		chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if got := d.text("ws-status"); got != "Session renewed over a websocket for alice@example.com." {
		t.Fatalf("websocket status %q", got)
	}
	c := d.sessionCookie()
	if c == nil || c.Value == old || c.Name != "__Host-session" || !c.HTTPOnly || !c.Secure {
		t.Fatalf("cookie after the websocket renew: %+v (old value %q)", c, old)
	}
	d.open("/")
	if got := d.text("whoami"); !strings.Contains(got, "alice@example.com") {
		t.Fatalf("after the websocket renew: %q", d.body())
	}
	if n := site.countRows(t, 1); n != 1 {
		t.Errorf("%d sessions of alice after the renew, want 1", n)
	}
	// The token before the renew reads as anonymous.
	req, err := http.NewRequest("GET", site.base+"/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "__Host-session", Value: old})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /me with the pre-renew token: %d, want 401", resp.StatusCode)
	}
}

// TestBrowserScreenshot renders the page as the README shows it: alice
// signed in on two devices, with a cart, a counter and a notice. With
// -screenshot FILE (scripts/screenshot.sh) it writes the PNG there;
// otherwise it only checks that one is produced.
func TestBrowserScreenshot(t *testing.T) {
	browser := newBrowser(t)
	site := newBrowserSite(t, nil)
	phone, d := newDevice(t, browser, site), newDevice(t, browser, site)
	phone.login("alice@example.com")
	d.login("alice@example.com")
	for _, item := range []struct{ sku, qty string }{{"tea", "2"}, {"teapot", "1"}} {
		d.fill("cart-form", "sku", item.sku)
		d.fill("cart-form", "qty", item.qty)
		d.submitOK("cart-form")
	}
	for range 3 {
		d.submitOK("counter-form")
	}
	d.fill("cart-form", "sku", "biscuits")
	d.fill("cart-form", "qty", "3")
	d.submitOK("cart-form")
	img, err := chromedp.Run(d.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width < 500 || cfg.Height < 400 {
		t.Fatalf("screenshot: %v, %dx%d", err, cfg.Width, cfg.Height)
	}
	if *screenshotPath == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(*screenshotPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*screenshotPath, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%dx%d)", *screenshotPath, cfg.Width, cfg.Height)
}
