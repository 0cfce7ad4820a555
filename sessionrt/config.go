package sessionrt

import (
	"log/slog"
	"net/http"
	"time"
)

// Defaults of Config and CacheConfig.
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
	DefaultCacheMaxStaleness   = 5 * time.Second
	DefaultCacheHeartbeat      = time.Second
	DefaultReapInterval        = 5 * time.Minute
	DefaultReapBatch           = 1000
)

// Config configures a session store. The zero value is a secure default.
type Config struct {
	// CookieName is the base cookie name. A Secure cookie with Path "/" and
	// no Domain is named "__Host-" + CookieName.
	CookieName string
	Domain     string // cookie Domain; empty (host-only) by default
	Path       string // cookie Path, default "/"
	// Insecure drops Secure and the __Host- prefix, for plain-http local
	// development only.
	Insecure bool
	SameSite http.SameSite // default http.SameSiteLaxMode
	// BrowserSession ends the cookie with the browser unless remember-me.
	BrowserSession bool
	// IdleTimeout and Lifetime end a session unused for that long and in
	// any case that long after login; the Remember ones apply with
	// remember-me. TouchInterval is how often at most a read extends the
	// idle expiry.
	IdleTimeout, Lifetime                 time.Duration
	RememberIdleTimeout, RememberLifetime time.Duration
	TouchInterval                         time.Duration
	// QueryTimeout bounds every statement; exceeding it answers 503.
	QueryTimeout time.Duration
	// RenewGrace is how long a token replaced by a renew is still known:
	// requests in flight with it read as anonymous, their writes fail with
	// ErrSessionRenewed and they set no cookie.
	RenewGrace time.Duration
	// MaxPayloadBytes bounds the variable-length payload of a row; larger
	// writes fail with ErrPayloadTooLarge before any query.
	MaxPayloadBytes int
	// ErrorHandler answers a request whose session failed; the default
	// writes StatusCode(err) with a short text and logs the error.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	Logger       *slog.Logger // default slog.Default()
	// TransactionPooler says PostgreSQL is reached through a pooler in
	// transaction mode (PgBouncer): pgx exec modes it breaks are refused at
	// start with ErrUnsafeExecMode.
	TransactionPooler bool
	Cache             CacheConfig // off by default
}

// CacheConfig configures the per-process read cache. It needs the table's
// evict triggers (sessiongen -cache) and a running RunCacheListener; while
// the listener is down the cache is flushed and bypassed.
type CacheConfig struct {
	MaxEntries int // sessions kept, least recently used go first; 0 is off
	// MaxStaleness bounds how long an entry is served without asking the
	// database; evictions normally arrive within milliseconds.
	MaxStaleness time.Duration
	// ListenURL is the listener's own PostgreSQL connection string, direct
	// (not through a transaction pooler); default the pool's settings.
	ListenURL string
	Heartbeat time.Duration // how often an idle listener checks its connection
}

// CacheStats counts what the cache did since the store was created.
type CacheStats struct {
	Hits, Misses int64 // reads answered from memory, reads that asked the database
	Bypassed     int64 // reads that asked the database while the listener was down
	Evictions    int64 // keys evicted by notifications and local writes
	Flushes      int64 // whole-cache flushes
	Entries      int   // sessions cached now
	On           bool  // the listener is connected and the cache serves
}

// Meta is the lifecycle of a stored session.
type Meta struct {
	CreatedAt, LastSeenAt time.Time
	ExpiresAt             time.Time // min(AbsoluteExpiresAt, last seen + idle timeout)
	AbsoluteExpiresAt     time.Time // reset only by a renew
	Remember              bool      // remember-me lifetimes and a persistent cookie
}

// Info describes one stored session for "active sessions" pages.
type Info struct {
	ID                               string // non-secret: hex of 8 bytes of the token hash
	Current                          bool   // the session of the request that asked
	CreatedAt, LastSeenAt, ExpiresAt time.Time
}
