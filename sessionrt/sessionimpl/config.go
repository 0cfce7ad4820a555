package sessionimpl

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// withDefaults validates c and fills in the defaults.
func withDefaults(c sessionrt.Config) (sessionrt.Config, error) {
	var errs []error
	if c.CookieName == "" {
		c.CookieName = sessionrt.DefaultCookieName
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
		{"IdleTimeout", &c.IdleTimeout, sessionrt.DefaultIdleTimeout},
		{"Lifetime", &c.Lifetime, sessionrt.DefaultLifetime},
		{"RememberIdleTimeout", &c.RememberIdleTimeout, sessionrt.DefaultRememberIdleTimeout},
		{"RememberLifetime", &c.RememberLifetime, sessionrt.DefaultRememberLifetime},
		{"TouchInterval", &c.TouchInterval, sessionrt.DefaultTouchInterval},
		{"QueryTimeout", &c.QueryTimeout, sessionrt.DefaultQueryTimeout},
		{"RenewGrace", &c.RenewGrace, sessionrt.DefaultRenewGrace},
		{"Cache.MaxStaleness", &c.Cache.MaxStaleness, sessionrt.DefaultCacheMaxStaleness},
		{"Cache.Heartbeat", &c.Cache.Heartbeat, sessionrt.DefaultCacheHeartbeat},
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
		c.MaxPayloadBytes = sessionrt.DefaultMaxPayloadBytes
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
func lifetimeOf(c *sessionrt.Config, remember bool) Lifetime {
	if remember {
		return Lifetime{Idle: c.RememberIdleTimeout, Absolute: c.RememberLifetime, Remember: true, Grace: c.RenewGrace}
	}
	return Lifetime{Idle: c.IdleTimeout, Absolute: c.Lifetime, Grace: c.RenewGrace}
}
