package lifecycletest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// PgxSchema is the PostgreSQL test table, shaped like a generated sessions
// table.
const PgxSchema = `
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

// Pgx is the PostgreSQL engine: a throwaway database per test
// (sessiontest.New), PgxBackend, and a traced pool.
func Pgx() Engine {
	return Engine{Name: "pgx", New: func(t testing.TB, cfg sessionrt.Config) *Env { return NewPgxEnv(t, cfg, nil) }}
}

// NewPgxEnv creates a database with PgxSchema and returns an env whose
// manager runs on a traced pool; mutate, if not nil, changes the pool's
// configuration.
func NewPgxEnv(t testing.TB, cfg sessionrt.Config, mutate func(*pgxpool.Config)) *Env {
	t.Helper()
	admin, dsn := sessiontest.New(t)
	if _, err := admin.Exec(context.Background(), PgxSchema); err != nil {
		t.Fatal(err)
	}
	return PgxEnvOn(t, cfg, admin, dsn, mutate)
}

// PgxEnvOn is NewPgxEnv on a database the caller made, its sessions table
// created: admin is its untraced pool, dsn its address.
func PgxEnvOn(t testing.TB, cfg sessionrt.Config, admin *pgxpool.Pool, dsn string, mutate func(*pgxpool.Config)) *Env {
	t.Helper()
	tr := &sessiontest.Recorder{}
	pool := sessiontest.TracedPool(t, dsn, tr, mutate)
	e := newEnv(t, cfg, sessionimpl.Pgx(pool), PgxBackend{}, pgxStorage{admin: admin, tr: tr})
	e.DSN, e.Admin, e.Pool, e.Tr = dsn, admin, pool, tr
	return e
}

// pgxStorage reads and changes the sessions table through the untraced
// pool.
type pgxStorage struct {
	admin *pgxpool.Pool
	tr    *sessiontest.Recorder
}

func (s pgxStorage) live(ctx context.Context) ([]Row, error) {
	rows, err := s.admin.Query(ctx, "SELECT name, counter, user_id FROM sessions WHERE expires_at > now()")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Row, error) {
		var x Row
		err := r.Scan(&x.Name, &x.Counter, &x.ID)
		return x, err
	})
}

func (s pgxStorage) metas(ctx context.Context) ([]sessionrt.Meta, error) {
	rows, err := s.admin.Query(ctx, "SELECT "+metaCols+" FROM sessions WHERE expires_at > now()")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (sessionrt.Meta, error) {
		return scanMeta(r)
	})
}

func (s pgxStorage) rows(ctx context.Context) (int, error) {
	var n int
	err := s.admin.QueryRow(ctx, "SELECT count(*) FROM sessions").Scan(&n)
	return n, err
}

func (s pgxStorage) clear(ctx context.Context) error {
	_, err := s.admin.Exec(ctx, "DELETE FROM sessions")
	return err
}

func (s pgxStorage) backdate(ctx context.Context, lastSeenAgo, expiresIn time.Duration) (bool, error) {
	var set []string
	var args []any
	if lastSeenAgo != 0 {
		args = append(args, us(lastSeenAgo))
		set = append(set, fmt.Sprintf("last_seen_at = now() - $%d::bigint * interval '1 microsecond'", len(args)))
	}
	if expiresIn != 0 {
		args = append(args, us(expiresIn))
		set = append(set, fmt.Sprintf("expires_at = now() + $%d::bigint * interval '1 microsecond'", len(args)))
	}
	if len(set) == 0 {
		return true, nil
	}
	_, err := s.admin.Exec(ctx, "UPDATE sessions SET "+strings.Join(set, ", "), args...)
	return true, err
}

func (s pgxStorage) list(ctx context.Context, uid int64) ([]sessionimpl.Listed, error) {
	rows, err := s.admin.Query(ctx, `SELECT token_hash, `+metaCols+` FROM sessions
WHERE user_id = $1 AND expires_at > now() ORDER BY last_seen_at DESC, token_hash`, uid)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (sessionimpl.Listed, error) {
		var l sessionimpl.Listed
		m := &l.Meta
		err := r.Scan(&l.Hash, &m.CreatedAt, &m.LastSeenAt, &m.ExpiresAt, &m.AbsoluteExpiresAt, &m.Remember)
		return l, err
	})
}

func (s pgxStorage) deleteUser(ctx context.Context, uid int64, except []byte) ([][]byte, error) {
	rows, err := s.admin.Query(ctx, `DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)
RETURNING token_hash`, uid, except)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}

func (s pgxStorage) traced() bool { return true }

func (s pgxStorage) trace() (int, []string) { return s.tr.Reset() }

// PgxBackend is a hand-written stand-in for a generated Backend on
// PostgreSQL: one statement per method, expiry enforced in SQL.
type PgxBackend struct{}

const metaCols = `created_at, last_seen_at, expires_at, absolute_expires_at, remember`

func us(d time.Duration) int64 { return d.Microseconds() }

// scanMeta scans metaCols, then extra; no row is sessionimpl.ErrNotFound.
func scanMeta(row pgx.Row, extra ...any) (sessionrt.Meta, error) {
	var m sessionrt.Meta
	dst := append([]any{&m.CreatedAt, &m.LastSeenAt, &m.ExpiresAt, &m.AbsoluteExpiresAt, &m.Remember}, extra...)
	err := row.Scan(dst...)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, sessionimpl.ErrNotFound
	}
	return m, err
}

// New returns an empty record bound to st.
func (PgxBackend) New(st *sessionimpl.State) sessionimpl.Record { return NewRec(st) }

const touchDue = `last_seen_at <= now() - $2::bigint * interval '1 microsecond'`

// Get reads the live session of hash, FOR UPDATE with lock.
func (PgxBackend) Get(ctx context.Context, c sessionimpl.Conn, hash []byte, lock bool, touchAfter time.Duration, r sessionimpl.Record) (sessionimpl.Loaded, error) {
	q := `SELECT ` + metaCols + `, ` + touchDue + `, now(), counter, name, user_id FROM sessions WHERE token_hash = $1 AND expires_at > now()`
	if lock {
		q += ` FOR UPDATE`
	}
	x := r.(*Rec)
	var l sessionimpl.Loaded
	var err error
	l.Meta, err = scanMeta(c.Pgx().QueryRow(ctx, q, hash, us(touchAfter)), &l.TouchDue, &l.Now, &x.counter, &x.name, &x.userID)
	return l, err
}

// GetAny reads the most recently used live session among hashes.
func (PgxBackend) GetAny(ctx context.Context, c sessionimpl.Conn, hashes [][]byte, touchAfter time.Duration, r sessionimpl.Record) ([]byte, sessionimpl.Loaded, error) {
	x := r.(*Rec)
	var l sessionimpl.Loaded
	var hash []byte
	var err error
	l.Meta, err = scanMeta(c.Pgx().QueryRow(ctx, `SELECT `+metaCols+`, `+touchDue+`, now(), token_hash, counter, name, user_id FROM sessions
WHERE token_hash = ANY($1::bytea[]) AND expires_at > now() ORDER BY last_seen_at DESC, token_hash LIMIT 1`, hashes, us(touchAfter)),
		&l.TouchDue, &l.Now, &hash, &x.counter, &x.name, &x.userID)
	return hash, l, err
}

// EvictChannel is the channel of the evict triggers the cache tests add
// (sessionimpl's testdata/evict_sessions.sql).
func (PgxBackend) EvictChannel() string { return "sessions_evict" }

// Renewed reports whether a live session was renewed away from one of
// hashes less than grace ago.
func (PgxBackend) Renewed(ctx context.Context, c sessionimpl.Conn, hashes [][]byte, grace time.Duration) (bool, error) {
	var ok bool
	err := c.Pgx().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sessions WHERE previous_token_hash = ANY($1::bytea[])
AND renewed_at > now() - $2::bigint * interval '1 microsecond' AND expires_at > now())`, hashes, us(grace)).Scan(&ok)
	return ok, err
}

// Insert stores a new session whose lifetimes start now.
func (PgxBackend) Insert(ctx context.Context, c sessionimpl.Conn, hash []byte, r sessionimpl.Record, lt sessionimpl.Lifetime) error {
	x := r.(*Rec)
	_, err := c.Pgx().Exec(ctx, `
INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, remember, counter, name, user_id)
VALUES ($1, least(now() + $2::bigint * interval '1 microsecond', now() + $3::bigint * interval '1 microsecond'),
        now() + $3::bigint * interval '1 microsecond', $4, $5, $6, $7)`, hash, us(lt.Idle), us(lt.Absolute), lt.Remember, x.counter, x.name, x.userID)
	return err
}

// Save writes the changed fields, moves the row to newHash, touches it with
// lt.Touch and restarts its absolute lifetime with renew.
func (PgxBackend) Save(ctx context.Context, c sessionimpl.Conn, hash, newHash []byte, renew bool, r sessionimpl.Record, lt sessionimpl.Lifetime) (sessionrt.Meta, error) {
	x := r.(*Rec)
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

// SaveOne writes the only changed field with a single-column UPDATE.
func (PgxBackend) SaveOne(ctx context.Context, c sessionimpl.Conn, hash []byte, r sessionimpl.Record) (bool, error) {
	x := r.(*Rec)
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

// Touch refreshes last_seen_at and the idle expiry.
func (PgxBackend) Touch(ctx context.Context, c sessionimpl.Conn, hash []byte, lt sessionimpl.Lifetime) (sessionrt.Meta, error) {
	return scanMeta(c.Pgx().QueryRow(ctx, `
UPDATE sessions SET last_seen_at = now(),
	previous_token_hash = CASE WHEN renewed_at > now() - $3::bigint * interval '1 microsecond' THEN previous_token_hash END,
	expires_at = least(absolute_expires_at, now() + $2::bigint * interval '1 microsecond')
WHERE token_hash = $1 AND expires_at > now()
RETURNING `+metaCols, hash, us(lt.Idle), us(lt.Grace)))
}

// Delete deletes the session of hash, or the one renewed away from it
// less than grace ago.
func (PgxBackend) Delete(ctx context.Context, c sessionimpl.Conn, hash []byte, grace time.Duration) error {
	_, err := c.Pgx().Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1
OR (previous_token_hash = $1 AND renewed_at > now() - $2::bigint * interval '1 microsecond')`, hash, us(grace))
	return err
}

// DeleteExpired deletes at most limit expired rows, skipping locked ones.
func (PgxBackend) DeleteExpired(ctx context.Context, c sessionimpl.Conn, limit int) (int64, error) {
	tag, err := c.Pgx().Exec(ctx, `
DELETE FROM sessions WHERE token_hash IN (
	SELECT token_hash FROM sessions WHERE expires_at <= now()
	ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)`, limit)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// Count counts the live sessions.
func (PgxBackend) Count(ctx context.Context, c sessionimpl.Conn) (int64, error) {
	var n int64
	err := c.Pgx().QueryRow(ctx, `SELECT count(*) FROM sessions WHERE expires_at > now()`).Scan(&n)
	return n, err
}
