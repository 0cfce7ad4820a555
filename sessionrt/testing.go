package sessionrt

import (
	"context"
	"time"
)

// TestContext returns a context carrying a loaded, existing session for
// unit tests of handlers, without a database: fill sets its initial values
// (not counted as changes), and commits are no-ops.
func (m *Manager) TestContext(ctx context.Context, fill func(rec Record)) (context.Context, *State) {
	st := &State{m: m, test: true, loaded: true, stored: true, ncands: 1}
	if _, hash, err := newToken(); err == nil {
		st.hash, st.cands[0] = hash, hash
	}
	now := time.Now()
	st.meta = Meta{
		CreatedAt:         now,
		LastSeenAt:        now,
		ExpiresAt:         now.Add(m.cfg.IdleTimeout),
		AbsoluteExpiresAt: now.Add(m.cfg.Lifetime),
	}
	st.rec = m.be.New(st)
	if fill != nil {
		st.updating++
		fill(st.rec)
		st.updating--
	}
	st.rec.Saved()
	return context.WithValue(ctx, ctxKey{}, st), st
}
