package app

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// The browser page: GET / renders page.html from the session, and each form
// posts (application/x-www-form-urlencoded) to its own /form/... endpoint,
// which changes the session and answers 303 See Other to / (POST, redirect,
// GET), leaving a one-shot notice in the typed flash field. The page
// handlers stay as thin as the JSON ones: a.Sessions.Load (which answers its
// own errors) or a.Sessions.Update, and a.Sessions.HandleError for the
// others. The JSON API is unchanged.

//go:embed page.html
var pageHTML string

// pageRoutes adds the page, its form endpoints and its websocket to mux.
func (a *App) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", a.page)
	mux.HandleFunc("POST /form/login", a.formLogin)
	mux.HandleFunc("POST /form/cart", a.formCart)
	mux.HandleFunc("POST /form/counter", a.formCounter)
	mux.HandleFunc("POST /form/logout-others", a.formLogoutOthers)
	mux.HandleFunc("POST /form/logout", a.formLogout)
	mux.HandleFunc("GET /ws", a.renewSocket)
}

// pageTemplate is the page, parsed once at start; a template error is a
// build mistake caught by every test that starts the app.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
}).Parse(pageHTML))

// pageMessages are the messages of the anonymous states, which have no
// session to carry a flash notice (a failed login must not create a session
// row): the redirect names one by key in ?m=, and nothing from the query is
// ever shown as is.
var pageMessages = map[string]string{
	"credentials": "Wrong email or password.",
	"missing":     "Email and password are required.",
	"signed-out":  "You are not signed in (or this device was logged out).",
	"logged-out":  "Logged out.",
}

// errSignedOut aborts an Update of a form that needs a signed-in user.
var errSignedOut = errors.New("not signed in")

// pageData is what page.html renders.
type pageData struct {
	Notice    string // the flash notice, shown once
	Message   string // a fixed message named by ?m=
	UserID    int64  // 0 when anonymous
	Email     string
	Roles     []string
	Cart      []CartItem
	CartLines int
	Counter   int64
	Sessions  []sessionrt.Info // the user's sessions, Current marks this device
	PollMS    int              // how often the page's script polls GET /cart; 0: never
}

// defaultPollMS is how often the page refreshes its cart from GET /cart (a
// change made in another tab shows up); ?poll=MS overrides it between 10 ms
// and 60 s, which the browser tests use to race the polls with a login.
const defaultPollMS = 5000

// page renders the single page: the login form and cart when anonymous;
// when signed in, the user, cart, counter, sessions and logout buttons. It
// is never stored by the browser (Cache-Control: no-store), so the back
// button after a logout cannot show the signed-in page again.
func (a *App) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s, ok := a.Sessions.Load(w, r)
	if !ok {
		return
	}
	d := pageData{
		Notice:  s.PopNotice(),
		Message: pageMessages[r.URL.Query().Get("m")],
		Cart:    s.Cart(),
		PollMS:  defaultPollMS,
	}
	if ms, err := strconv.Atoi(r.URL.Query().Get("poll")); err == nil && ms >= 10 && ms <= 60_000 {
		d.PollMS = ms
	}
	d.CartLines = len(d.Cart)
	if id := s.UserID(); id != 0 {
		d.UserID, d.Email, d.Roles, d.Counter = id, s.Email(), s.Roles(), s.Counter()
		list, err := a.Sessions.ListByUserID(r.Context(), id)
		if err != nil {
			a.Sessions.HandleError(w, r, err)
			return
		}
		d.Sessions = list
	}
	var b strings.Builder
	if err := pageTemplate.Execute(&b, d); err != nil {
		a.Sessions.HandleError(w, r, fmt.Errorf("rendering the page: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// seeOther ends a form post: 303 to the page, with an optional ?m= key.
func seeOther(w http.ResponseWriter, r *http.Request, msg string) {
	to := "/"
	if msg != "" {
		to += "?m=" + msg
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// form parses an application/x-www-form-urlencoded body or answers 415 or
// 400. Cross-origin posts never get here: CrossOriginProtection, outside
// the session middleware, refuses them (Sec-Fetch-Site, Origin) first.
func form(w http.ResponseWriter, r *http.Request) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		writeError(w, http.StatusUnsupportedMediaType, "the body must be application/x-www-form-urlencoded")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "malformed form body")
		return false
	}
	return true
}

// formLogin signs in like POST /login. A failed login changes no session.
func (a *App) formLogin(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	if email == "" || password == "" {
		seeOther(w, r, "missing")
		return
	}
	u, ok := a.users.authenticate(email, password)
	if !ok {
		seeOther(w, r, "credentials")
		return
	}
	s, ok := a.Sessions.Load(w, r)
	if !ok {
		return
	}
	signIn(s, u)
	seeOther(w, r, "")
}

// formCart adds a line to the cart; anonymous visitors have a cart too,
// which their login keeps.
func (a *App) formCart(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	sku := strings.TrimSpace(r.PostForm.Get("sku"))
	qty, err := strconv.Atoi(r.PostForm.Get("qty"))
	valid, notice := false, ""
	switch {
	case len(sku) < 1 || len(sku) > 64:
		notice = "The item must be 1 to 64 characters."
	case err != nil || qty < 1 || qty > 99:
		notice = "The quantity must be 1 to 99."
	default:
		valid, notice = true, fmt.Sprintf("Added %d × %s to the cart.", qty, sku)
	}
	err = a.Sessions.Update(r.Context(), func(s *SessionHandle) error {
		if valid {
			s.EditCart(func(c *[]CartItem) { *c = append(*c, CartItem{SKU: sku, Qty: qty}) })
		}
		s.SetNotice(notice)
		return nil
	})
	if err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	seeOther(w, r, "")
}

// formCounter adds one to the counter of a signed-in user.
func (a *App) formCounter(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	err := a.Sessions.Update(r.Context(), func(s *SessionHandle) error {
		if s.UserID() == 0 {
			return errSignedOut
		}
		s.SetCounter(s.Counter() + 1)
		s.SetNotice(fmt.Sprintf("The counter is now %d.", s.Counter()))
		return nil
	})
	switch {
	case errors.Is(err, errSignedOut):
		seeOther(w, r, "signed-out")
	case err != nil:
		a.Sessions.HandleError(w, r, err)
	default:
		seeOther(w, r, "")
	}
}

// formLogoutOthers ends the user's other sessions ("log out other
// devices"); this one keeps its cookie.
func (a *App) formLogoutOthers(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	s, ok := a.Sessions.Load(w, r)
	if !ok {
		return
	}
	if s.UserID() == 0 {
		seeOther(w, r, "signed-out")
		return
	}
	n, err := a.Sessions.DestroyOthersByUserID(r.Context(), s.UserID())
	if err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	devices := "devices"
	if n == 1 {
		devices = "device"
	}
	s.SetNotice(fmt.Sprintf("Logged out %d other %s.", n, devices))
	seeOther(w, r, "")
}

// formLogout ends this session. The notice is a fixed ?m= message: the
// session that would carry a flash is gone.
func (a *App) formLogout(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	if err := a.Sessions.Destroy(r.Context()); err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	seeOther(w, r, "logged-out")
}

// upgrader accepts websockets from the page's own origin only: a handshake
// is a GET, which CrossOriginProtection lets through, and it carries the
// cookie.
var upgrader = websocket.Upgrader{HandshakeTimeout: 10 * time.Second, CheckOrigin: sameOrigin}

// sameOrigin reports whether a websocket handshake comes from a page of
// this host (gorilla's default check), or from a client that sends no
// Origin (not a browser).
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// renewSocket is the page's hijacking endpoint: a websocket that renews the
// session token (as a long-lived connection would rotate it) and reports
// it. The new cookie must go out with the 101, so the header comes from
// UpgradeHeader; without it the hijack fails with sessionrt.ErrHijackCookie.
// A request the upgrader would refuse (not a websocket handshake, another
// origin) is refused before the session is touched: the refusal would
// otherwise commit the renew.
func (a *App) renewSocket(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, http.StatusBadRequest, "websocket handshake expected")
		return
	}
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "cross-origin websocket refused")
		return
	}
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	s.Renew()
	hdr, err := a.Sessions.UpgradeHeader(r.Context())
	if err != nil {
		a.Sessions.HandleError(w, r, err)
		return
	}
	conn, err := upgrader.Upgrade(w, r, hdr)
	if err != nil {
		a.log.WarnContext(r.Context(), "websocket upgrade failed", "err", err)
		return // the upgrader has answered
	}
	defer conn.Close()
	msg := "Session renewed over a websocket for " + s.Email() + "."
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		a.log.WarnContext(r.Context(), "websocket write failed", "err", err)
		return
	}
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
}
