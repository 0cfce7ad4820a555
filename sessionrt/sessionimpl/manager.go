package sessionimpl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// Manager runs the session lifecycle for one sessions table. It is safe for
// concurrent use.
type Manager struct {
	drv        Driver
	be         Backend
	cfg        sessionrt.Config
	cookieName string
	cache      *cache          // nil: off
	listen     *pgx.ConnConfig // the cache listener's connection
	readers    *readers        // nil: reads run on drv.conn()
}

// NewManager returns a Manager storing sessions with be through drv. The
// configuration is validated and completed with defaults.
func NewManager(drv Driver, be Backend, cfg sessionrt.Config) (*Manager, error) {
	if drv == nil || be == nil {
		return nil, errors.New("sessionrt: NewManager: nil Driver or Backend")
	}
	if n, ok := drv.(interface{ isNil() bool }); ok && n.isNil() {
		return nil, errors.New("sessionrt: NewManager: nil database")
	}
	c, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	if err := drv.check(c); err != nil {
		return nil, err
	}
	m := &Manager{drv: drv, be: be, cfg: c, cookieName: c.CookieName}
	m.attachReaders()
	if c.Cache.MaxEntries > 0 {
		if m.listen, err = drv.listenConfig(c); err != nil {
			return nil, fmt.Errorf("sessionrt: Config.Cache: %w", err)
		}
		if be.EvictChannel() == "" {
			return nil, fmt.Errorf("sessionrt: Config.Cache: %w", sessionrt.ErrCacheTrigger)
		}
		m.cache = newCache(c.Cache, c.TouchInterval)
	}
	if !c.Insecure && c.Path == "/" && c.Domain == "" {
		m.cookieName = "__Host-" + c.CookieName
	}
	if m.cfg.ErrorHandler == nil {
		m.cfg.ErrorHandler = m.defaultErrorHandler
	}
	return m, nil
}

// attachReaders sets up the readers of a driver that has them, given back
// to the pool once m is unreachable.
func (m *Manager) attachReaders() {
	if rs, ok := m.drv.(readerSource); ok {
		m.readers = rs.readers(m.cfg)
		runtime.AddCleanup(m, (*readers).close, m.readers)
	}
}

// CookieName returns the full name of the session cookie, including the
// __Host- prefix when it applies.
func (m *Manager) CookieName() string { return m.cookieName }

// Load returns the request's session, reading it on the first call (one
// SELECT if the request carries a well-formed token, none otherwise).
func (m *Manager) Load(ctx context.Context) (*State, error) {
	st := stateFrom(ctx)
	if st == nil {
		return nil, sessionrt.ErrNoMiddleware
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.load(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// Commit saves the request's pending session changes now instead of at the
// first byte of the response. After the response started it can only save
// changes of a stored session that need no new cookie. An error it returns
// is the handler's to answer: the commit before the response does not
// retry the write or replace the handler's response.
func (m *Manager) Commit(ctx context.Context) error {
	st := stateFrom(ctx)
	if st == nil {
		return sessionrt.ErrNoMiddleware
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	err := st.save(ctx)
	st.handlerErr = err != nil && !errors.Is(err, sessionrt.ErrInUpdate)
	if err != nil {
		st.err = err
	}
	return err
}

// UpgradeHeader saves the request's session now and returns the headers
// the response must carry for it (Set-Cookie, Vary, Cache-Control), for a
// handler that hijacks the connection, such as a websocket upgrade: pass
// them to the upgrader (gorilla/websocket's Upgrade takes them as its
// responseHeader argument). Without it, a Hijack while the session has a
// cookie to set or expire fails with sessionrt.ErrHijackCookie. An upgrader that
// writes its 101 response through the ResponseWriter (coder/websocket)
// needs no UpgradeHeader: the cookie goes out with the 101.
func (m *Manager) UpgradeHeader(ctx context.Context) (http.Header, error) {
	st := stateFrom(ctx)
	if st == nil {
		return nil, sessionrt.ErrNoMiddleware
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.save(ctx); err != nil {
		st.handlerErr = true
		st.err = err
		return nil, err
	}
	h := http.Header{}
	if st.cookie != cookieKeep {
		m.writeCookie(h, st, time.Now())
		// Handed to the caller: Hijack may go ahead. Should the upgrade not
		// happen, the ordinary response still carries the cookie.
		st.handedOut = true
	} else if st.loaded && st.ncands > 0 {
		noSharedCache(h)
	}
	return h, nil
}

// Destroy deletes the request's session now (logout): the row goes, also
// when a concurrent request renewed it away from this request's token
// moments ago, and the response expires the cookie. The request goes on
// with a new, empty session: changes after Destroy start a new session
// with a new token.
func (m *Manager) Destroy(ctx context.Context) error {
	st := stateFrom(ctx)
	if st == nil {
		return sessionrt.ErrNoMiddleware
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.detached && !st.stored {
		return nil
	}
	if st.updating > 0 {
		return fmt.Errorf("sessionrt: destroy: %w", sessionrt.ErrInUpdate)
	}
	// The stored session, and every session cookie the browser presented
	// (a stale duplicate's session must not outlive the logout; a missed
	// token may have been renewed away by a concurrent login).
	var keys [][]byte
	if st.stored || st.ended {
		keys = append(keys, st.hash[:])
	}
	if !st.detached {
		for _, k := range st.candidates() {
			if !(st.stored || st.ended) || !bytes.Equal(k, st.hash[:]) {
				keys = append(keys, k)
			}
		}
	}
	for _, k := range keys {
		err := m.delete(ctx, k)
		m.cache.evict([sha256.Size]byte(k))
		if err != nil {
			return fmt.Errorf("sessionrt: destroy session %s: %w", hashPrefix(k), err)
		}
	}
	st.detach()
	return nil
}

// rollbackTimeout bounds the rollback of a failed Update transaction.
const rollbackTimeout = 100 * time.Millisecond

// Update runs fn as an atomic read-modify-write of the request's session.
// For a stored session it reads the row FOR UPDATE in a transaction into a
// fresh record, runs fn and saves the fields fn changed; the request's own
// record then absorbs the fresh values. On a *pgxpool.Pool that is two round
// trips, BEGIN pipelined with the SELECT and COMMIT with the UPDATE; on other
// pools, four. An error wrapping sessionrt.ErrCommitUnknown means the connection failed
// after COMMIT was sent: the change may be stored. It works after the
// response started. Without a stored session fn runs on the request's new record,
// which is inserted at once if fn changed it (this needs the cookie, so it
// fails with sessionrt.ErrResponseStarted after the response started). A request
// whose token was renewed away by a concurrent request gets
// sessionrt.ErrSessionRenewed and fn does not run.
func (m *Manager) Update(ctx context.Context, fn func(rec Record) error) error {
	st := stateFrom(ctx)
	if st == nil {
		return sessionrt.ErrNoMiddleware
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended {
		return fmt.Errorf("sessionrt: update: %w", sessionrt.ErrSessionGone)
	}
	if !st.loaded && st.ncands > 1 {
		// Several cookies: find out which one names the session first.
		if err := st.load(ctx); err != nil {
			return err
		}
	}
	if st.stored || (!st.loaded && st.ncands == 1) {
		found, err := m.updateStored(ctx, st, fn)
		if found || err != nil {
			return err
		}
		if st.loaded {
			return st.vanished(ctx, "update")
		}
		// The cookie named no live session: continue with a new one.
		st.rec = m.be.New(st)
		st.loaded = true
		st.missed = true
	}
	if err := st.load(ctx); err != nil {
		return err
	}
	if err := st.checkRenewed(ctx); err != nil {
		return err
	}
	// fn runs on a copy of the request's record, so that a failed insert
	// leaves no change behind for the commit to retry.
	fresh := m.be.New(st)
	fresh.Absorb(st.rec)
	if err := st.runUnlocked(fn, fresh); err != nil || !fresh.Changed() {
		return err
	}
	// The request's handle stays the one the handler holds: it takes
	// fresh's values once they are stored.
	prev := st.rec
	st.rec = fresh
	err := st.save(ctx)
	st.rec = prev
	if err != nil {
		return err
	}
	prev.Saved()
	prev.Absorb(fresh)
	return nil
}

// runUnlocked runs Update's fn on rec with the state unlocked (fn calls the
// generated setters, which lock it) and its changes not reported as late.
// A value a setter refused while fn ran fails the whole Update.
func (st *State) runUnlocked(fn func(rec Record) error, rec Record) error {
	st.updating++
	invalid := len(st.invalid)
	st.mu.Unlock()
	defer func() {
		// Also when fn panics: the caller's deferred Unlock needs the lock.
		st.mu.Lock()
		st.updating--
	}()
	err := fn(rec)
	if err == nil {
		st.mu.Lock()
		if len(st.invalid) > invalid {
			err = fmt.Errorf("sessionrt: update: %w", errors.Join(st.invalid[invalid:]...))
		}
		st.mu.Unlock()
	}
	return err
}

// updateStored is Update for a stored session, with the state locked. found
// is false when no live row has the key.
func (m *Manager) updateStored(ctx context.Context, st *State, fn func(rec Record) error) (found bool, err error) {
	tx, err := m.drv.beginUpdate(ctx, m.cfg.QueryTimeout)
	if err != nil {
		return true, fmt.Errorf("sessionrt: update: %w", m.drv.wrap(err))
	}
	defer func() {
		// A rollback is quick on a healthy connection; after a timeout the
		// connection is being closed anyway, so do not wait another full
		// QueryTimeout for it.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(m.cfg.QueryTimeout, rollbackTimeout))
		tx.end(rctx)
		cancel()
	}()
	fresh := m.be.New(st)
	l, err := m.get(ctx, tx.conn(), st.hash[:], true, fresh)
	meta, due := l.Meta, l.TouchDue
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("sessionrt: update: read session %s: %w", hashPrefix(st.hash[:]), err)
	}
	if err := st.runUnlocked(fn, fresh); err != nil {
		return true, err
	}
	if st.ended || st.detached {
		// The request's session ended while fn ran (a commit on another
		// goroutine found it gone, or fn destroyed it): write nothing.
		return true, fmt.Errorf("sessionrt: update: %w", sessionrt.ErrSessionGone)
	}
	if fresh.Changed() {
		if err := m.checkSize(fresh); err != nil {
			return true, err
		}
		lt := lifetimeOf(&m.cfg, meta.Remember)
		lt.Touch = due
		tx.commitWithNext()
		meta, err = m.saveRow(ctx, tx.conn(), st.hash[:], st.hash[:], false, fresh, lt, meta)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return true, fmt.Errorf("sessionrt: update: save session %s: %w", hashPrefix(st.hash[:]), err)
		}
		due = false
	}
	tctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	err = m.drv.wrap(tx.commit(tctx))
	cancel()
	m.cache.evict(st.hash)
	if err != nil {
		return true, fmt.Errorf("sessionrt: update: commit: %w", err)
	}
	fresh.Saved()
	if st.loaded {
		st.rec.Absorb(fresh)
		st.meta = meta
		st.touchDue = due
	} else {
		st.rec = fresh
		st.loaded = true
		st.found(meta, due)
	}
	return true, nil
}

// Run runs one generated statement with QueryTimeout and wraps its error.
func (m *Manager) Run(ctx context.Context, fn func(ctx context.Context, c Conn) error) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	if err := fn(ctx, m.drv.conn()); err != nil {
		return fmt.Errorf("sessionrt: query: %w", m.drv.wrap(err))
	}
	return nil
}

// Describe builds the sessionrt.Info of a stored session listed by generated code;
// Current tells whether it is the session of the request in ctx.
func (m *Manager) Describe(ctx context.Context, hash []byte, created, lastSeen, expires time.Time) sessionrt.Info {
	id := hash
	if len(id) > 8 {
		id = id[:8]
	}
	info := sessionrt.Info{ID: hex.EncodeToString(id), CreatedAt: created, LastSeenAt: lastSeen, ExpiresAt: expires}
	if st := stateFrom(ctx); st != nil {
		st.mu.Lock()
		if st.stored || (!st.loaded && st.ncands == 1) {
			info.Current = bytes.Equal(st.hash[:], hash)
		}
		st.mu.Unlock()
	}
	return info
}

// ForgetIfCurrent is called after generated code deleted sessions by a field
// value, with the keys of the deleted rows: if the request's stored session
// is among them, it is treated as destroyed (cookie expired at commit;
// later changes start a new session).
func (m *Manager) ForgetIfCurrent(ctx context.Context, deleted [][]byte) {
	st := stateFrom(ctx)
	if st == nil {
		return
	}
	for _, k := range deleted {
		m.cache.evict([sha256.Size]byte(k))
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.loaded || !st.stored {
		return
	}
	for _, k := range deleted {
		if bytes.Equal(k, st.hash[:]) {
			st.detach()
			return
		}
	}
}

// CurrentKey returns the key of the request's stored session, for
// generated code that deletes every session of a field value but the
// request's own (DestroyOthersBy<Field>). It loads the session first if the
// handler has not (one SELECT), so the key is the live row's and never a
// cookie that names no session. It returns nil when the request has no
// stored session (anonymous, new and unsaved, destroyed or ended) or ctx
// carries no session state.
func (m *Manager) CurrentKey(ctx context.Context) ([]byte, error) {
	st := stateFrom(ctx)
	if st == nil {
		return nil, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.load(ctx); err != nil {
		return nil, err
	}
	if !st.stored {
		return nil, nil
	}
	return bytes.Clone(st.hash[:]), nil
}

// Count reports the number of live sessions.
func (m *Manager) Count(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	n, err := m.be.Count(ctx, m.drv.conn())
	if err != nil {
		return 0, fmt.Errorf("sessionrt: count sessions: %w", m.drv.wrap(err))
	}
	return n, nil
}

// HandleError answers the request with the configured ErrorHandler, for
// handlers whose Load or Update failed.
func (m *Manager) HandleError(w http.ResponseWriter, r *http.Request, err error) {
	m.cfg.ErrorHandler(w, r, err)
}

// defaultErrorHandler answers with a short plain-text status and logs err.
func (m *Manager) defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	code := sessionrt.StatusCode(err)
	m.cfg.Logger.ErrorContext(r.Context(), "sessionrt: session error", "err", err, "status", code, "method", r.Method, "path", r.URL.Path)
	http.Error(w, http.StatusText(code), code)
}

// checkSize fails with sessionrt.ErrPayloadTooLarge when rec is over the limit.
func (m *Manager) checkSize(rec Record) error {
	if n := rec.Size(); n > m.cfg.MaxPayloadBytes {
		return fmt.Errorf("sessionrt: payload of %d bytes exceeds %d: %w", n, m.cfg.MaxPayloadBytes, sessionrt.ErrPayloadTooLarge)
	}
	return nil
}

// get runs Backend.Get with QueryTimeout.
func (m *Manager) get(ctx context.Context, c Conn, hash []byte, lock bool, rec Record) (Loaded, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	l, err := m.be.Get(ctx, c, hash, lock, m.cfg.TouchInterval, rec)
	return l, m.drv.wrap(err)
}

// read runs Backend.Get outside Update: on one of the Manager's readers
// when one is free, with no cancel channel and bounded as readers says;
// otherwise on the pool with QueryTimeout.
func (m *Manager) read(ctx context.Context, hash []byte, rec Record) (Loaded, error) {
	r := m.readers.take(ctx)
	if r == nil {
		return m.get(ctx, m.drv.conn(), hash, false, rec)
	}
	l, err := m.be.Get(context.WithoutCancel(ctx), r.conn, hash, false, m.cfg.TouchInterval, rec)
	m.readers.give(r, err)
	return l, m.drv.wrap(err)
}

// getAny runs Backend.GetAny with QueryTimeout.
func (m *Manager) getAny(ctx context.Context, hashes [][]byte, rec Record) ([]byte, Loaded, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	hash, l, err := m.be.GetAny(ctx, m.drv.conn(), hashes, m.cfg.TouchInterval, rec)
	return hash, l, m.drv.wrap(err)
}

// renewed runs Backend.Renewed with QueryTimeout.
func (m *Manager) renewed(ctx context.Context, hashes [][]byte) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	ok, err := m.be.Renewed(ctx, m.drv.conn(), hashes, m.cfg.RenewGrace)
	return ok, m.drv.wrap(err)
}

// insert runs Backend.Insert with QueryTimeout and returns the new row's
// lifecycle as of the app's clock (the row itself holds the database's
// now(); later loads read those). The INSERT returns no columns: nothing in
// them is unknown here, and reading them back costs every login.
func (m *Manager) insert(ctx context.Context, hash []byte, rec Record, lt Lifetime) (sessionrt.Meta, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	// In the form a load returns: no monotonic reading, microseconds.
	now := time.Now().Round(0).Truncate(time.Microsecond)
	if err := m.be.Insert(ctx, m.drv.conn(), hash, rec, lt); err != nil {
		return sessionrt.Meta{}, m.drv.wrap(err)
	}
	return sessionrt.Meta{
		CreatedAt:         now,
		LastSeenAt:        now,
		ExpiresAt:         now.Add(min(lt.Absolute, lt.Idle)),
		AbsoluteExpiresAt: now.Add(lt.Absolute),
		Remember:          lt.Remember,
	}, nil
}

// saveRow writes rec's changes with QueryTimeout. A change of one field that
// moves no lifecycle column (no renew, no touch due) goes through
// Backend.SaveOne, a single-column UPDATE, and the lifecycle stays cur;
// anything else through Backend.Save.
func (m *Manager) saveRow(ctx context.Context, c Conn, hash, newHash []byte, renew bool, rec Record, lt Lifetime, cur sessionrt.Meta) (sessionrt.Meta, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	if !renew && !lt.Touch {
		if done, err := m.be.SaveOne(ctx, c, hash, rec); done || err != nil {
			return cur, m.drv.wrap(err)
		}
	}
	meta, err := m.be.Save(ctx, c, hash, newHash, renew, rec, lt)
	return meta, m.drv.wrap(err)
}

// touch runs Backend.Touch with QueryTimeout.
func (m *Manager) touch(ctx context.Context, hash []byte, lt Lifetime) (sessionrt.Meta, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	meta, err := m.be.Touch(ctx, m.drv.conn(), hash, lt)
	return meta, m.drv.wrap(err)
}

// delete runs Backend.Delete with QueryTimeout.
func (m *Manager) delete(ctx context.Context, hash []byte) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.QueryTimeout)
	defer cancel()
	return m.drv.wrap(m.be.Delete(ctx, m.drv.conn(), hash, m.cfg.RenewGrace))
}

// Create stores a new session outside any request, with the record fill
// sets through its setters, and returns the cookie that carries it: for
// tests and tools that need a logged-in client. A value a setter refused
// fails it with an error wrapping sessionrt.ErrInvalidValue.
func (m *Manager) Create(ctx context.Context, fill func(rec Record)) (*http.Cookie, error) {
	tok, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	// A state of its own, outside any request, so that the setters fill
	// calls check and copy their values and report refusals.
	st := &State{m: m}
	rec := m.be.New(st)
	fill(rec)
	if len(st.invalid) > 0 {
		return nil, fmt.Errorf("sessionrt: create session: %w", errors.Join(st.invalid...))
	}
	if err := m.checkSize(rec); err != nil {
		return nil, err
	}
	lt := lifetimeOf(&m.cfg, false)
	if _, err := m.insert(ctx, hash[:], rec, lt); err != nil {
		return nil, fmt.Errorf("sessionrt: create session: %w", err)
	}
	return &http.Cookie{
		Name: m.cookieName, Value: tok, Path: m.cfg.Path, Domain: m.cfg.Domain,
		Secure: !m.cfg.Insecure, HttpOnly: true, SameSite: m.cfg.SameSite,
		MaxAge: int(lt.Absolute / time.Second),
	}, nil
}
