package sessionimpl

import (
	"crypto/sha256"
	"net/http"
	"slices"
	"strings"
	"time"
)

// cookieAction is what the committed response does with the session cookie.
type cookieAction uint8

const (
	cookieKeep   cookieAction = iota // send no Set-Cookie
	cookieSet                        // send the new token
	cookieExpire                     // expire the cookie
)

// maxCandidates bounds how many cookies of the session's name a request may
// offer; more are ignored. Several happen when a stale cookie with another
// Path or Domain sits beside the current one (possible without the __Host-
// prefix).
const maxCandidates = 4

// tokensFromRequest stores in c the database keys of the distinct,
// well-formed session tokens among the request's cookies with the session
// cookie's name, in header order, and returns how many. Malformed values are
// ignored: a request with none is anonymous. It does not allocate.
func (m *Manager) tokensFromRequest(r *http.Request, c *[maxCandidates][sha256.Size]byte) int {
	n := 0
	for _, line := range r.Header["Cookie"] {
		for line != "" && n < maxCandidates {
			var part string
			part, line, _ = strings.Cut(line, ";")
			name, val, ok := strings.Cut(trimOWS(part), "=")
			if !ok || name != m.cookieName {
				continue
			}
			if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
				val = val[1 : len(val)-1]
			}
			hash, ok := parseToken(val)
			if !ok || slices.Contains(c[:n], hash) {
				continue
			}
			c[n] = hash
			n++
		}
	}
	return n
}

// trimOWS removes the optional whitespace around a cookie pair: the bytes
// net/http's own cookie parser trims (space, tab, CR, LF). strings.TrimSpace
// would also trim \v and \f and so accept a cookie name net/http and
// browsers treat as a different one.
func trimOWS(s string) string {
	return strings.Trim(s, " \t\r\n")
}

// writeCookie adds the Set-Cookie header the state asks for, with the cache
// headers that keep shared caches from storing it.
func (m *Manager) writeCookie(h http.Header, st *State, now time.Time) {
	c := http.Cookie{
		Name:     m.cookieName,
		Path:     m.cfg.Path,
		Domain:   m.cfg.Domain,
		Secure:   !m.cfg.Insecure,
		HttpOnly: true,
		SameSite: m.cfg.SameSite,
	}
	switch st.cookie {
	case cookieSet:
		c.Value = st.token
		if !m.cfg.BrowserSession || st.meta.Remember {
			left := st.meta.AbsoluteExpiresAt.Sub(now)
			secs := int((left + time.Second - 1) / time.Second)
			if secs < 1 {
				secs = 1
			}
			c.MaxAge = secs
		}
	case cookieExpire:
		c.MaxAge = -1
	default:
		return
	}
	if v := c.String(); v != "" {
		h.Add("Set-Cookie", v)
	}
	noSharedCache(h)
}

// noSharedCache adds "Vary: Cookie" and makes Cache-Control private, so a
// response carrying a session cookie is never stored by a shared cache.
func noSharedCache(h http.Header) {
	vary := false
	for _, v := range h.Values("Vary") {
		if hasToken(v, "cookie") || hasToken(v, "*") {
			vary = true
			break
		}
	}
	if !vary {
		h.Add("Vary", "Cookie")
	}
	cc := strings.Join(h.Values("Cache-Control"), ", ")
	switch {
	case cc == "":
		h.Set("Cache-Control", `private, no-cache="Set-Cookie"`)
	case hasToken(cc, "private") || hasToken(cc, "no-store"):
	default:
		h.Set("Cache-Control", "private, "+dropToken(cc, "public"))
	}
}

// hasToken reports whether the comma-separated header value v has a
// directive named tok (case-insensitive, arguments ignored).
func hasToken(v, tok string) bool {
	for v != "" {
		var part string
		part, v, _ = strings.Cut(v, ",")
		name, _, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(strings.TrimSpace(name), tok) {
			return true
		}
	}
	return false
}

// dropToken removes the directive tok from a comma-separated header value.
func dropToken(v, tok string) string {
	var b strings.Builder
	for v != "" {
		var part string
		part, v, _ = strings.Cut(v, ",")
		part = strings.TrimSpace(part)
		if part == "" || strings.EqualFold(part, tok) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(part)
	}
	return b.String()
}
