package sessionimpl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// listenerName is the application_name of the cache listener's connection,
// as pg_stat_activity shows it.
const listenerName = "sessionrt cache listener"

// listenConfig returns the connection settings of the cache listener.
func (d pgxDriver) listenConfig(cfg sessionrt.Config) (*pgx.ConnConfig, error) {
	var c *pgx.ConnConfig
	switch p, ok := d.db.(*pgxpool.Pool); {
	case cfg.Cache.ListenURL != "":
		var err error
		if c, err = pgx.ParseConfig(cfg.Cache.ListenURL); err != nil {
			return nil, fmt.Errorf("Cache.ListenURL: %w", err)
		}
	case cfg.TransactionPooler:
		return nil, errors.New("Cache.ListenURL is required with TransactionPooler: LISTEN needs a direct connection to PostgreSQL, which a transaction pooler cannot carry")
	case ok && p != nil:
		c = p.Config().ConnConfig.Copy()
	default:
		return nil, errors.New("Cache.ListenURL is required when the pool is not a *pgxpool.Pool")
	}
	if c.RuntimeParams == nil {
		c.RuntimeParams = map[string]string{}
	}
	c.RuntimeParams["application_name"] = listenerName
	return c, nil
}

// RunCacheListener keeps the cache's invalidation listener connected until
// ctx is done: it LISTENs on its own connection for the keys every
// instance's writes publish and evicts them. The cache serves only while
// the listener is connected, listening and has flushed after connecting;
// when the connection fails it is flushed and bypassed, and the listener
// reconnects with backoff. Run it in its own goroutine next to the server:
// without it the cache never serves. It returns nil when ctx is done, or
// an error wrapping sessionrt.ErrCacheTrigger when the table publishes nothing.
func (m *Manager) RunCacheListener(ctx context.Context) error {
	if m.cache == nil {
		return errors.New("sessionrt: RunCacheListener: the cache is off (Config.Cache.MaxEntries is 0)")
	}
	backoff := 50 * time.Millisecond
	for {
		err := m.listenOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, sessionrt.ErrCacheTrigger) {
			return err
		}
		m.cfg.Logger.WarnContext(ctx, "sessionrt: cache listener lost; cache bypassed until it reconnects", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// listenOnce runs one listener connection until it fails or ctx is done.
// The cache is on only between its LISTEN (plus a flush) and its end.
func (m *Manager) listenOnce(ctx context.Context) (err error) {
	channel := m.be.EvictChannel()
	cctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	conn, err := pgx.ConnectConfig(cctx, m.listen.Copy())
	cancel()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		m.cache.setOn(false)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		_ = conn.Close(cctx)
		cancel()
	}()
	cctx, cancel = context.WithTimeout(ctx, m.cfg.QueryTimeout)
	var triggers int
	err = conn.QueryRow(cctx, `SELECT count(*) FROM pg_trigger WHERE tgname IN ($1, $2) AND NOT tgisinternal`,
		channel+"_update", channel+"_delete").Scan(&triggers)
	if err == nil && triggers < 2 {
		err = fmt.Errorf("%w: triggers %s_update and %s_delete not found", sessionrt.ErrCacheTrigger, channel, channel)
	}
	if err == nil {
		_, err = conn.Exec(cctx, "LISTEN "+pgx.Identifier{channel}.Sanitize())
	}
	cancel()
	if err != nil {
		return fmt.Errorf("listen on %s: %w", channel, err)
	}
	// Anything committed before LISTEN took effect was never heard:
	// setOn flushes before serving.
	m.cache.setOn(true)
	m.cfg.Logger.DebugContext(ctx, "sessionrt: cache listener connected", "channel", channel)
	for {
		wctx, cancel := context.WithTimeout(ctx, m.cfg.Cache.Heartbeat)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			m.evictPayload(n.Payload)
			continue
		case ctx.Err() != nil:
			return nil
		case !errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("wait for notification: %w", err)
		}
		// Idle for a heartbeat: make sure the connection still answers.
		pctx, cancel := context.WithTimeout(ctx, m.cfg.Cache.Heartbeat)
		_, err = conn.Exec(pctx, "SELECT 1")
		cancel()
		if err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
	}
}

// evictPayload evicts the keys of one notification: hex token hashes
// separated by commas, or "*" for everything.
func (m *Manager) evictPayload(p string) {
	if p == "*" {
		m.cache.flush()
		return
	}
	for p != "" {
		var h string
		h, p, _ = strings.Cut(p, ",")
		var key [sha256.Size]byte
		if n, err := hex.Decode(key[:], []byte(h)); err != nil || n != sha256.Size {
			m.cache.flush() // not ours to guess: evict everything
			return
		}
		m.cache.evict(key)
	}
}
