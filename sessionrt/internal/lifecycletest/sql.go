package lifecycletest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// SQLDialect is what SQLBackend and the tests need to know of a
// database/sql engine. Its statements take positional ? parameters, each
// passed in order (none is numbered or reused), and its time columns hold
// INTEGER microseconds since the Unix epoch, as sessiongen's SQLite schema
// stores them; the statements say {now} and {least} where the dialect's
// fragments go. Each engine is one value of this type: SQLiteDialect,
// MySQLDialect.
type SQLDialect struct {
	// Name names the dialect.
	Name string
	// Driver is the runtime's driver of the engine (sessionimpl.SQLite).
	Driver func(*sql.DB) sessionimpl.Driver
	// Schema creates the sessions table and its indexes, a statement each.
	Schema []string
	// Now is the database clock in microseconds since the Unix epoch, the
	// same value throughout one statement.
	Now string
	// Least is the function of two integers that returns the smaller.
	Least string
	// ForUpdate ends Update's read of the row: empty where beginning the
	// transaction already took the write lock (SQLite's BEGIN IMMEDIATE).
	ForUpdate string
	// Returning reports UPDATE ... RETURNING. Without it Save and Touch run
	// the UPDATE, then read the row back by its key: two statements, traced
	// as one entry.
	Returning bool
	// DeleteExpired is the reaper's statement: it deletes at most ? rows
	// whose expires_at <= {now}, soonest expiry first.
	DeleteExpired string
}

// sqliteNow is sessiongen's SQLite clock: unixepoch('subsec') (SQLite 3.42
// or later) in whole milliseconds, as microseconds.
const sqliteNow = `CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)`

// SQLiteDialect is SQLite through any database/sql driver, on the runtime's
// sessionimpl.SQLite: the table as sessiongen generates it for SQLite, its
// clock, and RETURNING (SQLite 3.35 or later).
func SQLiteDialect() SQLDialect {
	return SQLDialect{
		Name:   "sqlite",
		Driver: sessionimpl.SQLite,
		Schema: []string{`CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY NOT NULL,
	created_at INTEGER NOT NULL DEFAULT (` + sqliteNow + `),
	last_seen_at INTEGER NOT NULL DEFAULT (` + sqliteNow + `),
	expires_at INTEGER NOT NULL,
	absolute_expires_at INTEGER NOT NULL,
	remember INTEGER NOT NULL DEFAULT (0),
	previous_token_hash BLOB,
	renewed_at INTEGER,
	counter INTEGER NOT NULL DEFAULT (0),
	name TEXT NOT NULL DEFAULT (''),
	user_id INTEGER NOT NULL DEFAULT (0)
)`,
			`CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`,
			`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`,
			`CREATE INDEX sessions_previous_token_hash_idx ON sessions (previous_token_hash) WHERE previous_token_hash IS NOT NULL`,
		},
		Now:       sqliteNow,
		Least:     "MIN",
		Returning: true,
		DeleteExpired: `DELETE FROM sessions WHERE token_hash IN (
	SELECT token_hash FROM sessions WHERE expires_at <= {now} ORDER BY expires_at LIMIT ?)`,
	}
}

// expand puts the dialect's fragments into q.
func (d SQLDialect) expand(q string) string {
	return strings.NewReplacer("{now}", d.Now, "{least}", d.Least).Replace(q)
}

// SQL returns the engine of dialect d on the databases open returns: open
// gives each test a fresh, empty database and closes it in the test's
// Cleanup. name names the engine's subtests.
func SQL(name string, d SQLDialect, open func(t testing.TB) *sql.DB) Engine {
	return Engine{Name: name, New: func(t testing.TB, cfg sessionrt.Config) *Env {
		return NewSQLEnv(t, cfg, d, open(t))
	}}
}

// NewSQLEnv creates the sessions table of dialect d in db and returns an
// env whose manager runs on db with SQLBackend, its statements traced.
func NewSQLEnv(t testing.TB, cfg sessionrt.Config, d SQLDialect, db *sql.DB) *Env {
	t.Helper()
	for _, q := range d.Schema {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s schema: %v", d.Name, err)
		}
	}
	tr := &Trace{}
	e := newEnv(t, cfg, d.Driver(db), NewSQLBackend(d, tr), sqlStorage{db: db, d: d, tr: tr})
	e.DB = db
	return e
}

// Trace records the statements an SQLBackend runs, one entry per backend
// call. It is safe for concurrent use.
type Trace struct {
	mu    sync.Mutex
	stmts []string
}

func (t *Trace) add(q string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stmts = append(t.stmts, q)
}

// Reset returns and clears the entries recorded so far.
func (t *Trace) Reset() (int, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stmts
	t.stmts = nil
	return len(s), s
}

// SQLBackend is a hand-written stand-in for a generated Backend on a
// database/sql engine of one SQLDialect: one statement per method (two for
// Save and Touch without RETURNING), expiry enforced in SQL.
type SQLBackend struct {
	d  SQLDialect
	tr *Trace // nil: untraced
}

// NewSQLBackend returns the backend of dialect d, recording its statements
// in tr unless tr is nil.
func NewSQLBackend(d SQLDialect, tr *Trace) SQLBackend { return SQLBackend{d: d, tr: tr} }

func (b SQLBackend) queryRow(ctx context.Context, c sessionimpl.Conn, q string, args ...any) *sql.Row {
	q = b.d.expand(q)
	b.tr.add(q)
	return c.SQL().QueryRowContext(ctx, q, args...)
}

func (b SQLBackend) exec(ctx context.Context, c sessionimpl.Conn, q string, args ...any) (int64, error) {
	q = b.d.expand(q)
	b.tr.add(q)
	res, err := c.SQL().ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sqlMeta receives metaCols as SQL integers.
type sqlMeta struct{ created, seen, expires, absolute, remember int64 }

func (m *sqlMeta) dst(extra ...any) []any {
	return append([]any{&m.created, &m.seen, &m.expires, &m.absolute, &m.remember}, extra...)
}

func (m sqlMeta) meta() sessionrt.Meta {
	return sessionrt.Meta{
		CreatedAt:         sessionimpl.UnixMicro(m.created),
		LastSeenAt:        sessionimpl.UnixMicro(m.seen),
		ExpiresAt:         sessionimpl.UnixMicro(m.expires),
		AbsoluteExpiresAt: sessionimpl.UnixMicro(m.absolute),
		Remember:          m.remember != 0,
	}
}

// notFound turns no row into sessionimpl.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return sessionimpl.ErrNotFound
	}
	return err
}

// in returns n comma-separated placeholders.
func in(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// New returns an empty record bound to st.
func (b SQLBackend) New(st *sessionimpl.State) sessionimpl.Record { return NewRec(st) }

// Get reads the live session of hash; with lock it ends in the dialect's
// ForUpdate.
func (b SQLBackend) Get(ctx context.Context, c sessionimpl.Conn, hash []byte, lock bool, touchAfter time.Duration, r sessionimpl.Record) (sessionimpl.Loaded, error) {
	x := r.(*Rec)
	q := `SELECT ` + metaCols + `, last_seen_at <= {now} - ?, {now}, counter, name, user_id FROM sessions
WHERE token_hash = ? AND expires_at > {now}`
	if lock {
		q += b.d.ForUpdate
	}
	var m sqlMeta
	var due, now int64
	if err := b.queryRow(ctx, c, q, us(touchAfter), hash).Scan(m.dst(&due, &now, &x.counter, &x.name, &x.userID)...); err != nil {
		return sessionimpl.Loaded{}, notFound(err)
	}
	return sessionimpl.Loaded{Meta: m.meta(), TouchDue: due != 0, Now: sessionimpl.UnixMicro(now)}, nil
}

// GetAny reads the most recently used live session among hashes.
func (b SQLBackend) GetAny(ctx context.Context, c sessionimpl.Conn, hashes [][]byte, touchAfter time.Duration, r sessionimpl.Record) ([]byte, sessionimpl.Loaded, error) {
	x := r.(*Rec)
	args := []any{us(touchAfter)}
	for _, h := range hashes {
		args = append(args, h)
	}
	var m sqlMeta
	var due, now int64
	var hash []byte
	err := b.queryRow(ctx, c, `SELECT `+metaCols+`, last_seen_at <= {now} - ?, {now}, token_hash, counter, name, user_id FROM sessions
WHERE token_hash IN (`+in(len(hashes))+`) AND expires_at > {now} ORDER BY last_seen_at DESC, token_hash LIMIT 1`, args...).
		Scan(m.dst(&due, &now, &hash, &x.counter, &x.name, &x.userID)...)
	if err != nil {
		return nil, sessionimpl.Loaded{}, notFound(err)
	}
	return hash, sessionimpl.Loaded{Meta: m.meta(), TouchDue: due != 0, Now: sessionimpl.UnixMicro(now)}, nil
}

// EvictChannel is empty: no cache on these engines.
func (b SQLBackend) EvictChannel() string { return "" }

// Renewed reports whether a live session was renewed away from one of
// hashes less than grace ago.
func (b SQLBackend) Renewed(ctx context.Context, c sessionimpl.Conn, hashes [][]byte, grace time.Duration) (bool, error) {
	var args []any
	for _, h := range hashes {
		args = append(args, h)
	}
	var ok int64
	err := b.queryRow(ctx, c, `SELECT EXISTS (SELECT 1 FROM sessions WHERE previous_token_hash IN (`+in(len(hashes))+`)
AND renewed_at > {now} - ? AND expires_at > {now})`, append(args, us(grace))...).Scan(&ok)
	return ok != 0, err
}

// Insert stores a new session whose lifetimes start now.
func (b SQLBackend) Insert(ctx context.Context, c sessionimpl.Conn, hash []byte, r sessionimpl.Record, lt sessionimpl.Lifetime) error {
	x := r.(*Rec)
	_, err := b.exec(ctx, c, `INSERT INTO sessions (token_hash, created_at, last_seen_at, expires_at, absolute_expires_at, remember, counter, name, user_id)
VALUES (?, {now}, {now}, {now} + {least}(?, ?), {now} + ?, ?, ?, ?, ?)`,
		hash, us(lt.Idle), us(lt.Absolute), us(lt.Absolute), sessionimpl.BoolInt(lt.Remember), x.counter, x.name, x.userID)
	return err
}

// Save writes the changed fields, moves the row to newHash, touches it with
// lt.Touch and restarts its absolute lifetime with renew.
func (b SQLBackend) Save(ctx context.Context, c sessionimpl.Conn, hash, newHash []byte, renew bool, r sessionimpl.Record, lt sessionimpl.Lifetime) (sessionrt.Meta, error) {
	x := r.(*Rec)
	var set []string
	var args []any
	add := func(s string, a ...any) {
		set = append(set, s)
		args = append(args, a...)
	}
	// Some engines (MySQL) assign left to right, each assignment seeing
	// those before it; others (SQLite, PostgreSQL) read the old row
	// throughout. This order, and expiries computed from parameters rather
	// than from columns set here, give both the same row.
	if renew {
		add("previous_token_hash = token_hash")
		add("renewed_at = {now}")
		add("absolute_expires_at = {now} + ?", us(lt.Absolute))
	}
	add("token_hash = ?", newHash)
	if x.setCounter {
		add("counter = ?", x.counter)
	}
	if x.setName {
		add("name = ?", x.name)
	}
	if x.setUID {
		add("user_id = ?", x.userID)
	}
	add("remember = ?", sessionimpl.BoolInt(lt.Remember))
	if lt.Touch {
		add("last_seen_at = {now}")
		if renew {
			add("expires_at = {least}({now} + ?, {now} + ?)", us(lt.Absolute), us(lt.Idle))
		} else {
			add("expires_at = {least}(absolute_expires_at, {now} + ?)", us(lt.Idle))
		}
	}
	q := `UPDATE sessions SET ` + strings.Join(set, ", ") + ` WHERE token_hash = ? AND expires_at > {now}`
	return b.writeMeta(ctx, c, q, newHash, append(args, hash)...)
}

// writeMeta runs q, an UPDATE of one live row, and returns the row's
// lifecycle after it: RETURNING it where the dialect can, otherwise read
// back by its key.
func (b SQLBackend) writeMeta(ctx context.Context, c sessionimpl.Conn, q string, key []byte, args ...any) (sessionrt.Meta, error) {
	var m sqlMeta
	if b.d.Returning {
		if err := b.queryRow(ctx, c, q+` RETURNING `+metaCols, args...).Scan(m.dst()...); err != nil {
			return sessionrt.Meta{}, notFound(err)
		}
		return m.meta(), nil
	}
	q = b.d.expand(q)
	read := `SELECT ` + metaCols + ` FROM sessions WHERE token_hash = ?`
	b.tr.add(q + "; " + read)
	res, err := c.SQL().ExecContext(ctx, q, args...)
	if err != nil {
		return sessionrt.Meta{}, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return sessionrt.Meta{}, err
	}
	if n == 0 {
		return sessionrt.Meta{}, sessionimpl.ErrNotFound
	}
	if err := c.SQL().QueryRowContext(ctx, read, key).Scan(m.dst()...); err != nil {
		return sessionrt.Meta{}, notFound(err)
	}
	return m.meta(), nil
}

// SaveOne writes the only changed field with a single-column UPDATE.
func (b SQLBackend) SaveOne(ctx context.Context, c sessionimpl.Conn, hash []byte, r sessionimpl.Record) (bool, error) {
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
	n, err := b.exec(ctx, c, `UPDATE sessions SET `+col+` = ? WHERE token_hash = ? AND expires_at > {now}`, val, hash)
	if err == nil && n == 0 {
		err = sessionimpl.ErrNotFound
	}
	return true, err
}

// Touch refreshes last_seen_at and the idle expiry.
func (b SQLBackend) Touch(ctx context.Context, c sessionimpl.Conn, hash []byte, lt sessionimpl.Lifetime) (sessionrt.Meta, error) {
	return b.writeMeta(ctx, c, `UPDATE sessions SET
	previous_token_hash = CASE WHEN renewed_at > {now} - ? THEN previous_token_hash END,
	last_seen_at = {now},
	expires_at = {least}(absolute_expires_at, {now} + ?)
WHERE token_hash = ? AND expires_at > {now}`, hash, us(lt.Grace), us(lt.Idle), hash)
}

// Delete deletes the session of hash, or the one renewed away from it less
// than grace ago.
func (b SQLBackend) Delete(ctx context.Context, c sessionimpl.Conn, hash []byte, grace time.Duration) error {
	_, err := b.exec(ctx, c, `DELETE FROM sessions WHERE token_hash = ?
OR (previous_token_hash = ? AND renewed_at > {now} - ?)`, hash, hash, us(grace))
	return err
}

// DeleteExpired deletes at most limit expired rows with the dialect's
// statement.
func (b SQLBackend) DeleteExpired(ctx context.Context, c sessionimpl.Conn, limit int) (int64, error) {
	return b.exec(ctx, c, b.d.DeleteExpired, limit)
}

// Count counts the live sessions.
func (b SQLBackend) Count(ctx context.Context, c sessionimpl.Conn) (int64, error) {
	var n int64
	err := b.queryRow(ctx, c, `SELECT count(*) FROM sessions WHERE expires_at > {now}`).Scan(&n)
	return n, err
}

// sqlStorage reads and changes the sessions table of a database/sql
// engine, untraced.
type sqlStorage struct {
	db *sql.DB
	d  SQLDialect
	tr *Trace
}

// sqlQuery runs q and scans each row with scan.
func sqlQuery[T any](ctx context.Context, s sqlStorage, q string, scan func(*sql.Rows) (T, error), args ...any) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, s.d.expand(q), args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s sqlStorage) live(ctx context.Context) ([]Row, error) {
	return sqlQuery(ctx, s, `SELECT name, counter, user_id FROM sessions WHERE expires_at > {now}`, func(r *sql.Rows) (Row, error) {
		var x Row
		err := r.Scan(&x.Name, &x.Counter, &x.ID)
		return x, err
	})
}

func (s sqlStorage) metas(ctx context.Context) ([]sessionrt.Meta, error) {
	return sqlQuery(ctx, s, `SELECT `+metaCols+` FROM sessions WHERE expires_at > {now}`, func(r *sql.Rows) (sessionrt.Meta, error) {
		var m sqlMeta
		err := r.Scan(m.dst()...)
		return m.meta(), err
	})
}

func (s sqlStorage) rows(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n)
	return n, err
}

func (s sqlStorage) clear(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions`)
	return err
}

func (s sqlStorage) backdate(ctx context.Context, lastSeenAgo, expiresIn time.Duration) (bool, error) {
	var set []string
	var args []any
	if lastSeenAgo != 0 {
		set = append(set, "last_seen_at = {now} - ?")
		args = append(args, us(lastSeenAgo))
	}
	if expiresIn != 0 {
		set = append(set, "expires_at = {now} + ?")
		args = append(args, us(expiresIn))
	}
	if len(set) == 0 {
		return true, nil
	}
	_, err := s.db.ExecContext(ctx, s.d.expand("UPDATE sessions SET "+strings.Join(set, ", ")), args...)
	return true, err
}

func (s sqlStorage) list(ctx context.Context, uid int64) ([]sessionimpl.Listed, error) {
	return sqlQuery(ctx, s, `SELECT token_hash, `+metaCols+` FROM sessions
WHERE user_id = ? AND expires_at > {now} ORDER BY last_seen_at DESC, token_hash`, func(r *sql.Rows) (sessionimpl.Listed, error) {
		var l sessionimpl.Listed
		var m sqlMeta
		err := r.Scan(append([]any{&l.Hash}, m.dst()...)...)
		l.Meta = m.meta()
		return l, err
	}, uid)
}

// deleteUser reads the keys, then deletes their rows, in one transaction:
// no RETURNING needed.
func (s sqlStorage) deleteUser(ctx context.Context, uid int64, except []byte) (keys [][]byte, err error) {
	cond, args := `user_id = ?`, []any{uid}
	if except != nil {
		cond, args = cond+` AND token_hash <> ?`, append(args, except)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	rows, err := tx.QueryContext(ctx, `SELECT token_hash FROM sessions WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			_ = rows.Close()
			return nil, err
		}
		keys = append(keys, k)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE `+cond, args...); err != nil {
		return nil, err
	}
	return keys, tx.Commit()
}

func (s sqlStorage) traced() bool           { return true }
func (s sqlStorage) trace() (int, []string) { return s.tr.Reset() }
