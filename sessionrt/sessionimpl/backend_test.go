package sessionimpl_test

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// schema is the test table, shaped like a generated sessions table.
const schema = `
CREATE TABLE sessions (
	token_hash bytea PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	absolute_expires_at timestamptz NOT NULL,
	remember boolean NOT NULL DEFAULT false,
	previous_token_hash bytea,
	renewed_at timestamptz,
	counter bigint NOT NULL DEFAULT 0,
	name text NOT NULL DEFAULT '',
	user_id bigint NOT NULL DEFAULT 0
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_previous_token_hash_idx ON sessions (previous_token_hash) WHERE previous_token_hash IS NOT NULL;
`

// rec is a hand-written stand-in for a generated record.
type rec struct {
	st                          *sessionimpl.State
	counter                     int64
	name                        string
	userID                      int64
	setCounter, setName, setUID bool
}

func (r *rec) Counter() int64 { return r.counter }
func (r *rec) Name() string   { return r.name }
func (r *rec) UserID() int64  { return r.userID }

// The setters lock the state, as generated setters do.
func (r *rec) SetCounter(v int64) {
	r.st.Lock()
	defer r.st.Unlock()
	r.counter, r.setCounter = v, true
	r.st.Changed("Counter")
}

func (r *rec) SetName(v string) {
	r.st.Lock()
	defer r.st.Unlock()
	r.name, r.setName = v, true
	r.st.Changed("Name")
}

func (r *rec) SetUserID(v int64) {
	r.st.Lock()
	defer r.st.Unlock()
	r.userID, r.setUID = v, true
	r.st.Changed("UserID")
}

func (r *rec) Changed() bool { return r.setCounter || r.setName || r.setUID }
func (r *rec) Saved()        { r.setCounter, r.setName, r.setUID = false, false, false }
func (r *rec) Size() int     { return len(r.name) }
func (r *rec) Zero()         { *r = rec{st: r.st} }
func (r *rec) Absorb(src sessionimpl.Record) {
	s := src.(*rec)
	if !r.setCounter {
		r.counter = s.counter
	}
	if !r.setName {
		r.name = s.name
	}
	if !r.setUID {
		r.userID = s.userID
	}
}

// Merge copies every field src changed, with no change mark.
func (r *rec) Merge(src sessionimpl.Record) {
	s := src.(*rec)
	if s.setCounter {
		r.counter = s.counter
	}
	if s.setName {
		r.name = s.name
	}
	if s.setUID {
		r.userID = s.userID
	}
}

// backend is a hand-written stand-in for a generated Backend: one statement
// per method, expiry enforced in SQL.
type backend struct{}

const metaCols = `created_at, last_seen_at, expires_at, absolute_expires_at, remember`

func us(d time.Duration) int64 { return d.Microseconds() }

func scanMeta(row pgx.Row, extra ...any) (sessionrt.Meta, error) {
	var m sessionrt.Meta
	dst := append([]any{&m.CreatedAt, &m.LastSeenAt, &m.ExpiresAt, &m.AbsoluteExpiresAt, &m.Remember}, extra...)
	err := row.Scan(dst...)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, sessionimpl.ErrNotFound
	}
	return m, err
}

func (backend) New(st *sessionimpl.State) sessionimpl.Record { return &rec{st: st} }

const touchDue = `last_seen_at <= now() - $2::bigint * interval '1 microsecond'`

func (backend) Get(ctx context.Context, c sessionimpl.Conn, hash []byte, lock bool, touchAfter time.Duration, r sessionimpl.Record) (sessionimpl.Loaded, error) {
	q := `SELECT ` + metaCols + `, ` + touchDue + `, now(), counter, name, user_id FROM sessions WHERE token_hash = $1 AND expires_at > now()`
	if lock {
		q += ` FOR UPDATE`
	}
	x := r.(*rec)
	var l sessionimpl.Loaded
	var err error
	l.Meta, err = scanMeta(c.Pgx().QueryRow(ctx, q, hash, us(touchAfter)), &l.TouchDue, &l.Now, &x.counter, &x.name, &x.userID)
	return l, err
}

func (backend) GetAny(ctx context.Context, c sessionimpl.Conn, hashes [][]byte, touchAfter time.Duration, r sessionimpl.Record) ([]byte, sessionimpl.Loaded, error) {
	x := r.(*rec)
	var l sessionimpl.Loaded
	var hash []byte
	var err error
	l.Meta, err = scanMeta(c.Pgx().QueryRow(ctx, `SELECT `+metaCols+`, `+touchDue+`, now(), token_hash, counter, name, user_id FROM sessions
WHERE token_hash = ANY($1::bytea[]) AND expires_at > now() ORDER BY last_seen_at DESC, token_hash LIMIT 1`, hashes, us(touchAfter)),
		&l.TouchDue, &l.Now, &hash, &x.counter, &x.name, &x.userID)
	return hash, l, err
}

// EvictChannel is the channel of the evict triggers in cacheSchema.
func (backend) EvictChannel() string { return "sessions_evict" }

func (backend) Renewed(ctx context.Context, c sessionimpl.Conn, hashes [][]byte, grace time.Duration) (bool, error) {
	var ok bool
	err := c.Pgx().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sessions WHERE previous_token_hash = ANY($1::bytea[])
AND renewed_at > now() - $2::bigint * interval '1 microsecond' AND expires_at > now())`, hashes, us(grace)).Scan(&ok)
	return ok, err
}

func (backend) Insert(ctx context.Context, c sessionimpl.Conn, hash []byte, r sessionimpl.Record, lt sessionimpl.Lifetime) error {
	x := r.(*rec)
	_, err := c.Pgx().Exec(ctx, `
INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, remember, counter, name, user_id)
VALUES ($1, least(now() + $2::bigint * interval '1 microsecond', now() + $3::bigint * interval '1 microsecond'),
        now() + $3::bigint * interval '1 microsecond', $4, $5, $6, $7)`, hash, us(lt.Idle), us(lt.Absolute), lt.Remember, x.counter, x.name, x.userID)
	return err
}

func (backend) Save(ctx context.Context, c sessionimpl.Conn, hash, newHash []byte, renew bool, r sessionimpl.Record, lt sessionimpl.Lifetime) (sessionrt.Meta, error) {
	x := r.(*rec)
	return scanMeta(c.Pgx().QueryRow(ctx, `
UPDATE sessions SET
	previous_token_hash = CASE WHEN $10::bool THEN token_hash ELSE previous_token_hash END,
	renewed_at = CASE WHEN $10::bool THEN now() ELSE renewed_at END,
	token_hash = $2,
	counter = CASE WHEN $3::bool THEN $4::bigint ELSE counter END,
	name = CASE WHEN $5::bool THEN $6::text ELSE name END,
	user_id = CASE WHEN $7::bool THEN $8::bigint ELSE user_id END,
	remember = $9,
	last_seen_at = CASE WHEN $13::bool THEN now() ELSE last_seen_at END,
	absolute_expires_at = CASE WHEN $10::bool THEN now() + $11::bigint * interval '1 microsecond' ELSE absolute_expires_at END,
	expires_at = CASE WHEN $13::bool THEN least(CASE WHEN $10::bool THEN now() + $11::bigint * interval '1 microsecond' ELSE absolute_expires_at END,
	                   now() + $12::bigint * interval '1 microsecond') ELSE expires_at END
WHERE token_hash = $1 AND expires_at > now()
RETURNING `+metaCols,
		hash, newHash, x.setCounter, x.counter, x.setName, x.name, x.setUID, x.userID,
		lt.Remember, renew, us(lt.Absolute), us(lt.Idle), lt.Touch))
}

func (backend) SaveOne(ctx context.Context, c sessionimpl.Conn, hash []byte, r sessionimpl.Record) (bool, error) {
	x := r.(*rec)
	var col string
	var val any
	switch {
	case x.setCounter && !x.setName && !x.setUID:
		col, val = "counter", x.counter
	case x.setName && !x.setCounter && !x.setUID:
		col, val = "name", x.name
	case x.setUID && !x.setCounter && !x.setName:
		col, val = "user_id", x.userID
	default:
		return false, nil
	}
	tag, err := c.Pgx().Exec(ctx, `UPDATE sessions SET `+col+` = $2 WHERE token_hash = $1 AND expires_at > now()`, hash, val)
	if err == nil && tag.RowsAffected() == 0 {
		err = sessionimpl.ErrNotFound
	}
	return true, err
}

func (backend) Touch(ctx context.Context, c sessionimpl.Conn, hash []byte, lt sessionimpl.Lifetime) (sessionrt.Meta, error) {
	return scanMeta(c.Pgx().QueryRow(ctx, `
UPDATE sessions SET last_seen_at = now(),
	previous_token_hash = CASE WHEN renewed_at > now() - $3::bigint * interval '1 microsecond' THEN previous_token_hash END,
	expires_at = least(absolute_expires_at, now() + $2::bigint * interval '1 microsecond')
WHERE token_hash = $1 AND expires_at > now()
RETURNING `+metaCols, hash, us(lt.Idle), us(lt.Grace)))
}

func (backend) Delete(ctx context.Context, c sessionimpl.Conn, hash []byte, grace time.Duration) error {
	_, err := c.Pgx().Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1
OR (previous_token_hash = $1 AND renewed_at > now() - $2::bigint * interval '1 microsecond')`, hash, us(grace))
	return err
}

func (backend) DeleteExpired(ctx context.Context, c sessionimpl.Conn, limit int) (int64, error) {
	tag, err := c.Pgx().Exec(ctx, `
DELETE FROM sessions WHERE token_hash IN (
	SELECT token_hash FROM sessions WHERE expires_at <= now()
	ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)`, limit)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (backend) Count(ctx context.Context, c sessionimpl.Conn) (int64, error) {
	var n int64
	err := c.Pgx().QueryRow(ctx, `SELECT count(*) FROM sessions WHERE expires_at > now()`).Scan(&n)
	return n, err
}
