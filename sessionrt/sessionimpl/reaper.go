package sessionimpl

import (
	"context"
	"fmt"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// Reap deletes expired sessions in batches of at most batch rows until a
// batch comes back short, and returns how many it deleted. Several instances
// may reap at once: rows locked by another reaper are skipped.
func (m *Manager) Reap(ctx context.Context, batch int) (int64, error) {
	if batch <= 0 {
		batch = sessionrt.DefaultReapBatch
	}
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("sessionrt: reap: %w", err)
		}
		tctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
		n, err := m.be.DeleteExpired(tctx, m.drv.conn(), batch)
		err = m.drv.wrap(err)
		cancel()
		total += n
		if err != nil {
			return total, fmt.Errorf("sessionrt: reap: %w", err)
		}
		if n < int64(batch) {
			return total, nil
		}
	}
}

// RunReaper reaps expired sessions right away and then every interval until
// ctx is done. Errors are logged, not returned.
func (m *Manager) RunReaper(ctx context.Context, every time.Duration, batch int) {
	if every <= 0 {
		every = sessionrt.DefaultReapInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := m.Reap(ctx, batch)
		switch {
		case err != nil && ctx.Err() == nil:
			m.cfg.Logger.ErrorContext(ctx, "sessionrt: reaping expired sessions failed", "err", err, "deleted", n)
		case n > 0:
			m.cfg.Logger.DebugContext(ctx, "sessionrt: reaped expired sessions", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
