package sessionimpl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// Memory is the in-memory engine: a Driver and a Backend in one, keeping
// records in a map for handler tests without a database. It follows the
// lifecycle rules of the SQL engines (idle and absolute expiry, throttled
// touch, renew grace, no resurrection) by the process clock, and its Update
// transactions run one at a time. Sessions live as long as the value. It
// is built for tests, not for load: lookups by key are map reads, but
// renewal checks, listings and bulk deletes scan every session.
type Memory struct {
	newRecord func(st *State) Record
	tx        chan struct{} // one slot, held by the running Update transaction
	mu        sync.Mutex    // guards rows
	rows      map[[sha256.Size]byte]*memRow
}

// memRow is one stored session.
type memRow struct {
	rec       Record // detached snapshot (no State), never handed out
	meta      sessionrt.Meta
	prev      []byte // the key renewed away from, or nil
	renewedAt time.Time
}

// Listed is one session a Memory listing matched.
type Listed struct {
	Hash []byte
	Meta sessionrt.Meta
}

// NewMemory returns an empty in-memory engine for records made by
// newRecord (the generated backend's New).
func NewMemory(newRecord func(st *State) Record) *Memory {
	return &Memory{newRecord: newRecord, tx: make(chan struct{}, 1), rows: map[[sha256.Size]byte]*memRow{}}
}

// now is the clock of the in-memory engine, in the form a load returns.
func memNow() time.Time { return time.Now().Round(0).Truncate(time.Microsecond) }

// live returns the unexpired row of hash, or nil. m.mu is held.
func (m *Memory) live(hash []byte, now time.Time) *memRow {
	if len(hash) != sha256.Size {
		return nil
	}
	r := m.rows[[sha256.Size]byte(hash)]
	if r == nil || !now.Before(r.meta.ExpiresAt) {
		return nil
	}
	return r
}

// snapshot copies rec into a new detached record.
func (m *Memory) snapshot(rec Record) Record {
	s := m.newRecord(nil)
	s.Absorb(rec)
	return s
}

// New returns an empty record bound to st.
func (m *Memory) New(st *State) Record { return m.newRecord(st) }

// Get reads the live session of hash into rec.
func (m *Memory) Get(_ context.Context, _ Conn, hash []byte, _ bool, touchAfter time.Duration, rec Record) (Loaded, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	r := m.live(hash, now)
	if r == nil {
		return Loaded{}, ErrNotFound
	}
	rec.Absorb(r.rec)
	return Loaded{Meta: r.meta, TouchDue: now.Sub(r.meta.LastSeenAt) >= touchAfter, Now: now}, nil
}

// GetAny reads the most recently used live session among hashes.
func (m *Memory) GetAny(ctx context.Context, c Conn, hashes [][]byte, touchAfter time.Duration, rec Record) ([]byte, Loaded, error) {
	m.mu.Lock()
	now := memNow()
	var best []byte
	var bestSeen time.Time
	for _, h := range hashes {
		if r := m.live(h, now); r != nil && (best == nil || r.meta.LastSeenAt.After(bestSeen)) {
			best, bestSeen = h, r.meta.LastSeenAt
		}
	}
	m.mu.Unlock()
	if best == nil {
		return nil, Loaded{}, ErrNotFound
	}
	l, err := m.Get(ctx, c, best, false, touchAfter, rec)
	return best, l, err
}

// Renewed reports whether a live session was renewed away from one of
// hashes less than grace ago.
func (m *Memory) Renewed(_ context.Context, _ Conn, hashes [][]byte, grace time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	for _, r := range m.rows {
		if r.prev != nil && now.Before(r.meta.ExpiresAt) && now.Sub(r.renewedAt) < grace &&
			slices.ContainsFunc(hashes, func(h []byte) bool { return bytes.Equal(h, r.prev) }) {
			return true, nil
		}
	}
	return false, nil
}

// Insert stores rec as a new session.
func (m *Memory) Insert(_ context.Context, _ Conn, hash []byte, rec Record, lt Lifetime) error {
	if len(hash) != sha256.Size {
		return fmt.Errorf("sessionrt: memory: key of %d bytes", len(hash))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [sha256.Size]byte(hash)
	if _, ok := m.rows[key]; ok {
		return errors.New("sessionrt: memory: duplicate session key")
	}
	now := memNow()
	m.rows[key] = &memRow{rec: m.snapshot(rec), meta: sessionrt.Meta{
		CreatedAt: now, LastSeenAt: now,
		ExpiresAt:         now.Add(min(lt.Absolute, lt.Idle)),
		AbsoluteExpiresAt: now.Add(lt.Absolute),
		Remember:          lt.Remember,
	}}
	return nil
}

// Save writes the changed fields of rec to the live row of hash, moves it
// to newHash, and touches or renews it as lt and renew say.
func (m *Memory) Save(_ context.Context, _ Conn, hash, newHash []byte, renew bool, rec Record, lt Lifetime) (sessionrt.Meta, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	r := m.live(hash, now)
	if r == nil {
		return sessionrt.Meta{}, ErrNotFound
	}
	next := m.snapshot(r.rec)
	next.Merge(rec)
	r.rec = next
	if renew {
		r.meta.AbsoluteExpiresAt = now.Add(lt.Absolute)
		r.meta.Remember = lt.Remember
		r.prev, r.renewedAt = bytes.Clone(hash), now
		delete(m.rows, [sha256.Size]byte(hash))
		m.rows[[sha256.Size]byte(newHash)] = r
	}
	if renew || lt.Touch {
		r.meta.LastSeenAt = now
		r.meta.ExpiresAt = minTime(r.meta.AbsoluteExpiresAt, now.Add(lt.Idle))
	}
	return r.meta, nil
}

// SaveOne runs nothing: Save is as cheap in memory.
func (m *Memory) SaveOne(context.Context, Conn, []byte, Record) (bool, error) { return false, nil }

// Touch refreshes last_seen_at and the idle expiry of a live session.
func (m *Memory) Touch(_ context.Context, _ Conn, hash []byte, lt Lifetime) (sessionrt.Meta, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	r := m.live(hash, now)
	if r == nil {
		return sessionrt.Meta{}, ErrNotFound
	}
	r.meta.LastSeenAt = now
	r.meta.ExpiresAt = minTime(r.meta.AbsoluteExpiresAt, now.Add(lt.Idle))
	return r.meta, nil
}

// Delete removes the session of hash, or the one renewed away from it less
// than grace ago.
func (m *Memory) Delete(_ context.Context, _ Conn, hash []byte, grace time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	for k, r := range m.rows {
		if bytes.Equal(k[:], hash) || (r.prev != nil && bytes.Equal(r.prev, hash) && now.Sub(r.renewedAt) < grace) {
			delete(m.rows, k)
		}
	}
	return nil
}

// DeleteExpired deletes at most limit expired sessions.
func (m *Memory) DeleteExpired(_ context.Context, _ Conn, limit int) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	var n int64
	for k, r := range m.rows {
		if n < int64(limit) && !now.Before(r.meta.ExpiresAt) {
			delete(m.rows, k)
			n++
		}
	}
	return n, nil
}

// Count reports the number of live sessions.
func (m *Memory) Count(context.Context, Conn) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	var n int64
	for _, r := range m.rows {
		if now.Before(r.meta.ExpiresAt) {
			n++
		}
	}
	return n, nil
}

// EvictChannel is empty: the in-memory engine has no cache to keep fresh.
func (m *Memory) EvictChannel() string { return "" }

// List returns the live sessions whose record matches, most recently used
// first: the generated ListBy methods of the in-memory engine.
func (m *Memory) List(match func(Record) bool) []Listed {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := memNow()
	var out []Listed
	for k, r := range m.rows {
		if now.Before(r.meta.ExpiresAt) && match(r.rec) {
			out = append(out, Listed{Hash: bytes.Clone(k[:]), Meta: r.meta})
		}
	}
	slices.SortFunc(out, func(a, b Listed) int {
		if c := b.Meta.LastSeenAt.Compare(a.Meta.LastSeenAt); c != 0 {
			return c
		}
		return bytes.Compare(a.Hash, b.Hash)
	})
	return out
}

// DeleteWhere deletes every session whose record matches, except the one
// of except, and returns their keys: the generated DestroyBy methods.
func (m *Memory) DeleteWhere(match func(Record) bool, except []byte) [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out [][]byte
	for k, r := range m.rows {
		if match(r.rec) && !bytes.Equal(k[:], except) {
			delete(m.rows, k)
			out = append(out, bytes.Clone(k[:]))
		}
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Driver side.

func (m *Memory) conn() Conn                   { return Conn{} }
func (m *Memory) check(sessionrt.Config) error { return nil }
func (m *Memory) wrap(err error) error         { return err }

func (m *Memory) listenConfig(sessionrt.Config) (*pgx.ConnConfig, error) {
	return nil, sessionrt.ErrNoCache
}

// beginUpdate waits for the transaction slot at most timeout, as a SQL
// engine waits for the row lock: an Update behind a stuck one (or inside
// another Update's function) fails instead of hanging.
func (m *Memory) beginUpdate(ctx context.Context, timeout time.Duration) (updateTx, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case m.tx <- struct{}{}:
		return &memTx{m: m}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, fmt.Errorf("memory: waiting for another update: %w", context.DeadlineExceeded)
	}
}

// memTx is Update's transaction on the in-memory engine: it holds the
// engine's transaction lock, so Updates run one at a time.
type memTx struct {
	m    *Memory
	done bool
}

func (t *memTx) conn() Conn                   { return Conn{} }
func (t *memTx) commitWithNext()              {}
func (t *memTx) commit(context.Context) error { t.end(nil); return nil }

func (t *memTx) end(context.Context) {
	if !t.done {
		t.done = true
		<-t.m.tx
	}
}
