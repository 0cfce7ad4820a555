package sessionrt

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Default configuration values.
const (
	DefaultCookieName          = "session"
	DefaultIdleTimeout         = 30 * time.Minute
	DefaultLifetime            = 8 * time.Hour
	DefaultRememberIdleTimeout = 7 * 24 * time.Hour
	DefaultRememberLifetime    = 30 * 24 * time.Hour
	DefaultTouchInterval       = time.Minute
	DefaultQueryTimeout        = 3 * time.Second
	DefaultMaxPayloadBytes     = 1 << 20
	DefaultRenewGrace          = time.Minute
)

// Config configures a Manager. The zero value is a secure default.
type Config struct {
	// CookieName is the base cookie name, default "session". The cookie is
	// named "__Host-"+CookieName when it is Secure, Path is "/" and Domain
	// is "".
	CookieName string
	// Domain is the cookie Domain attribute; empty (host-only) by default.
	Domain string
	// Path is the cookie Path attribute, default "/".
	Path string
	// Insecure is the plain-http local development mode: the cookie is not
	// Secure and has no __Host- prefix. Never use it in production.
	Insecure bool
	// SameSite is the cookie SameSite attribute, default http.SameSiteLaxMode.
	SameSite http.SameSite
	// BrowserSession makes the cookie end with the browser (no Max-Age)
	// unless the session has remember-me.
	BrowserSession bool
	// IdleTimeout ends a session unused for this long, default 30m.
	IdleTimeout time.Duration
	// Lifetime is the absolute lifetime of a session, default 8h.
	Lifetime time.Duration
	// RememberIdleTimeout is IdleTimeout for remember-me sessions, default 7 days.
	RememberIdleTimeout time.Duration
	// RememberLifetime is Lifetime for remember-me sessions, default 30 days.
	RememberLifetime time.Duration
	// TouchInterval is how often at most a read request extends the idle
	// expiry, default 1m.
	TouchInterval time.Duration
	// QueryTimeout bounds every database statement, default 3s; exceeding it
	// makes the default error handler answer 503.
	QueryTimeout time.Duration
	// RenewGrace is how long a token replaced by Renew is still recognised,
	// default 1m. Requests already in flight with it read as anonymous and
	// their writes are refused with ErrSessionRenewed, without a Set-Cookie
	// that would undo the login in the browser; Destroy with it still ends
	// the renewed session. It never reads the renewed session's data.
	RenewGrace time.Duration
	// MaxPayloadBytes bounds Record.Size(), the variable-length payload the
	// row holds after a write (all of it, not only what the write changes),
	// default 1 MiB; larger writes fail with ErrPayloadTooLarge without a
	// database round trip.
	MaxPayloadBytes int
	// ErrorHandler answers a request whose session commit failed. The default
	// answers 503 (database unavailable), 409 (ErrSessionGone), 413
	// (ErrPayloadTooLarge) or 500 with a short plain text and logs the error.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the runtime's logs, default slog.Default().
	Logger *slog.Logger
	// TransactionPooler says the pool reaches PostgreSQL through a pooler in
	// transaction mode (PgBouncer pool_mode = transaction, and the like).
	// NewManager then refuses a *pgxpool.Pool or *pgx.Conn whose pgx query
	// exec mode such a pooler breaks (cache_statement, pgx's default, and
	// describe_exec) with an error wrapping ErrUnsafeExecMode; use
	// default_query_exec_mode=cache_describe, exec or simple_protocol.
	TransactionPooler bool
	// Cache turns on the per-process session cache (off by default); see
	// CacheConfig and Manager.RunCacheListener.
	Cache CacheConfig
}

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.CookieName == "" {
		c.CookieName = DefaultCookieName
	}
	if !validCookieName(c.CookieName) {
		errs = append(errs, fmt.Errorf("CookieName %q is not a valid cookie name", c.CookieName))
	}
	if strings.HasPrefix(strings.ToLower(c.CookieName), "__host-") || strings.HasPrefix(strings.ToLower(c.CookieName), "__secure-") {
		errs = append(errs, fmt.Errorf("CookieName %q must not carry a __Host-/__Secure- prefix: it is added automatically", c.CookieName))
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if !strings.HasPrefix(c.Path, "/") || strings.ContainsAny(c.Path, ";\r\n") {
		errs = append(errs, fmt.Errorf("Path %q must start with / and contain no ';'", c.Path))
	}
	if strings.ContainsAny(c.Domain, "; \r\n") {
		errs = append(errs, fmt.Errorf("Domain %q is not a valid cookie domain", c.Domain))
	}
	switch c.SameSite {
	case 0, http.SameSiteDefaultMode:
		c.SameSite = http.SameSiteLaxMode
	case http.SameSiteLaxMode, http.SameSiteStrictMode:
	case http.SameSiteNoneMode:
		if c.Insecure {
			errs = append(errs, errors.New("SameSite=None requires a Secure cookie and cannot be combined with Insecure"))
		}
	default:
		errs = append(errs, fmt.Errorf("SameSite %d is not a valid mode", c.SameSite))
	}
	dur := []struct {
		name string
		p    *time.Duration
		def  time.Duration
	}{
		{"IdleTimeout", &c.IdleTimeout, DefaultIdleTimeout},
		{"Lifetime", &c.Lifetime, DefaultLifetime},
		{"RememberIdleTimeout", &c.RememberIdleTimeout, DefaultRememberIdleTimeout},
		{"RememberLifetime", &c.RememberLifetime, DefaultRememberLifetime},
		{"TouchInterval", &c.TouchInterval, DefaultTouchInterval},
		{"QueryTimeout", &c.QueryTimeout, DefaultQueryTimeout},
		{"RenewGrace", &c.RenewGrace, DefaultRenewGrace},
		{"Cache.MaxStaleness", &c.Cache.MaxStaleness, DefaultCacheMaxStaleness},
		{"Cache.Heartbeat", &c.Cache.Heartbeat, DefaultCacheHeartbeat},
	}
	for _, d := range dur {
		switch {
		case *d.p < 0:
			errs = append(errs, fmt.Errorf("%s must not be negative (got %s)", d.name, *d.p))
		case *d.p == 0:
			*d.p = d.def
		}
	}
	if c.Lifetime < c.IdleTimeout {
		errs = append(errs, fmt.Errorf("Lifetime (%s) must not be shorter than IdleTimeout (%s)", c.Lifetime, c.IdleTimeout))
	}
	if c.RememberLifetime < c.RememberIdleTimeout {
		errs = append(errs, fmt.Errorf("RememberLifetime (%s) must not be shorter than RememberIdleTimeout (%s)", c.RememberLifetime, c.RememberIdleTimeout))
	}
	if c.TouchInterval >= c.IdleTimeout {
		errs = append(errs, fmt.Errorf("TouchInterval (%s) must be shorter than IdleTimeout (%s)", c.TouchInterval, c.IdleTimeout))
	}
	if c.Cache.MaxEntries < 0 {
		errs = append(errs, fmt.Errorf("Cache.MaxEntries must not be negative (got %d)", c.Cache.MaxEntries))
	}
	if c.MaxPayloadBytes < 0 {
		errs = append(errs, fmt.Errorf("MaxPayloadBytes must not be negative (got %d)", c.MaxPayloadBytes))
	} else if c.MaxPayloadBytes == 0 {
		c.MaxPayloadBytes = DefaultMaxPayloadBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("sessionrt: invalid config: %w", err)
	}
	return c, nil
}

// validCookieName reports whether s is an RFC 6265 cookie-name token.
func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// lifetime returns the timeouts that apply to a session with or without
// remember-me.
func (c *Config) lifetime(remember bool) Lifetime {
	if remember {
		return Lifetime{Idle: c.RememberIdleTimeout, Absolute: c.RememberLifetime, Remember: true, Grace: c.RenewGrace}
	}
	return Lifetime{Idle: c.IdleTimeout, Absolute: c.Lifetime, Grace: c.RenewGrace}
}
