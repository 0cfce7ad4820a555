package sessionimpl

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// ctxKey is the context key of the request's *State.
type ctxKey struct{}

// State is one request's session lifecycle: the lazily loaded record, what
// the commit has to write, and the cookie the response carries.
//
// A State is normally used by the goroutine serving the request only, but
// the response writer may commit it from another one (http.TimeoutHandler
// inside Middleware answers from its own goroutine while the handler runs
// on). Every method therefore holds the State's lock, and generated code
// holds it (Lock, Unlock) around the changes it makes to the record.
type State struct {
	mu    sync.Mutex
	m     *Manager
	w     writer // the response writer wrapper, embedded to save an allocation
	rec   Record
	meta  sessionrt.Meta
	hash  [sha256.Size]byte // key of the stored session; before Load, the first candidate's
	token string            // cookie value to send with cookieSet

	cands  [maxCandidates][sha256.Size]byte // keys of the request's well-formed session cookies
	ncands int

	err        error    // commit error of this request
	lateFields []string // fields set after the response started
	goneFields []string // fields set after the session ended underneath the request
	corrupt    []error  // stored values that could not be decoded
	invalid    []error  // values setters refused (sessionrt.ErrInvalidValue)

	updating    int          // >0 while Update runs the caller's function
	cookie      cookieAction // what the response does with the cookie
	loaded      bool         // Load ran (rec is set)
	stored      bool         // a row with key hash exists (as far as we know)
	missed      bool         // the request's tokens named no live session at load
	detached    bool         // Destroy ended the request's session; a new one may start
	ended       bool         // the stored session vanished (renewed away or destroyed elsewhere): nothing more is saved
	renew       bool         // move the session to a new token at commit
	remember    bool         // wanted remember-me flag
	rememberSet bool         // SetRememberMe was called
	touchDue    bool         // the idle expiry should be extended at commit (decided by the database clock)
	started     bool         // the response started (the commit ran)
	handlerErr  bool         // the handler saw a failed Commit: its response is its own
	handedOut   bool         // UpgradeHeader handed the pending cookie to the caller
}

// stateFrom returns the request's state, or nil.
func stateFrom(ctx context.Context) *State {
	st, _ := ctx.Value(ctxKey{}).(*State)
	return st
}

// Lock locks the state, for generated code that changes the record. A nil
// State is not locked.
func (st *State) Lock() {
	if st != nil {
		st.mu.Lock()
	}
}

// Unlock unlocks the state locked by Lock.
func (st *State) Unlock() {
	if st != nil {
		st.mu.Unlock()
	}
}

// Record returns the session's typed payload handle (nil before Load).
func (st *State) Record() Record {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.rec
}

// Meta returns the session's lifecycle columns as last read or written.
func (st *State) Meta() sessionrt.Meta {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.meta
}

// IsNew reports whether the session is not stored (yet).
func (st *State) IsNew() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return !st.stored
}

// Changed is called by every generated setter, with the state locked. A
// change after the response started, or after the session ended underneath
// the request, cannot be saved: it is recorded as an error, logged at the
// end of the request and returned by Err.
func (st *State) Changed(field string) {
	if st == nil || st.updating > 0 {
		return
	}
	st.lateChange(field)
}

// lateChange records field as lost if nothing can save it any more.
func (st *State) lateChange(field string) {
	switch {
	case st.ended:
		st.goneFields = appendOnce(st.goneFields, field)
	case st.started:
		st.lateFields = appendOnce(st.lateFields, field)
	}
}

// Corrupt is called by generated getters, with the state locked, when a
// stored value cannot be decoded (a jsonb column edited by hand, or a type
// changed in an incompatible way): the getter returns the zero value, and
// the error is returned by Err and logged at the end of the request.
func (st *State) Corrupt(field string, err error) {
	if st == nil {
		return
	}
	st.corrupt = append(st.corrupt, fmt.Errorf("sessionrt: decoding stored field %s: %w", field, err))
}

// Renew moves the session to a new token at commit (session fixation
// defence, e.g. after login): one UPDATE writes the changed fields and the
// new key, and the old token stops working at once. Call it before the
// changes it protects (Renew, then SetUserID): should the response start in
// between, nothing is then saved under the old token.
func (st *State) Renew() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.renew = true
	st.lateChange("Renew")
}

// SetRememberMe switches the session to the remember-me lifetimes and a
// persistent cookie (or back). It implies Renew.
func (st *State) SetRememberMe(on bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.remember = on
	st.rememberSet = true
	st.renew = true
	st.lateChange("RememberMe")
}

// Err returns the commit error and late-change errors of this request.
func (st *State) Err() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	var errs []error
	if st.err != nil {
		errs = append(errs, st.err)
	}
	errs = append(errs, st.corrupt...)
	errs = append(errs, st.invalid...)
	if len(st.lateFields) > 0 {
		errs = append(errs, fmt.Errorf("sessionrt: session field(s) %s changed after the response started and not saved: %w",
			strings.Join(st.lateFields, ", "), sessionrt.ErrResponseStarted))
	}
	if len(st.goneFields) > 0 {
		errs = append(errs, fmt.Errorf("sessionrt: session field(s) %s changed after the session ended and ignored: %w",
			strings.Join(st.goneFields, ", "), sessionrt.ErrSessionGone))
	}
	return errors.Join(errs...)
}

// logID is the loggable short identifier of the session.
func (st *State) logID() string {
	if !st.stored && st.ncands == 0 {
		return ""
	}
	return hashPrefix(st.hash[:])
}

// candidates returns the keys of the request's session cookies.
func (st *State) candidates() [][]byte {
	out := make([][]byte, st.ncands)
	for i := range out {
		out[i] = st.cands[i][:]
	}
	return out
}

// load reads the session on first use: one SELECT when the request carries
// well-formed tokens, none otherwise. A token that names no live session
// (unknown, expired, or renewed away by another request) makes the request
// anonymous; its cookie is left alone.
func (st *State) load(ctx context.Context) error {
	if st.loaded {
		return nil
	}
	m := st.m
	rec := m.be.New(st)
	if st.ncands > 0 {
		var (
			l   Loaded
			err error
		)
		if st.ncands == 1 {
			if st.fromCache(rec) {
				return nil
			}
			seq, caching := m.cache.begin()
			l, err = m.read(ctx, st.hash[:], rec)
			if err == nil && caching {
				m.cache.put(st.hash, m.be, rec, l, seq)
			}
		} else {
			var hash []byte
			hash, l, err = m.getAny(ctx, st.candidates(), rec)
			if err == nil {
				copy(st.hash[:], hash)
			}
		}
		switch {
		case err == nil:
			st.found(l.Meta, l.TouchDue)
		case errors.Is(err, ErrNotFound):
			rec = m.be.New(st)
			st.missed = true
		default:
			return fmt.Errorf("sessionrt: load session %s: %w", hashPrefix(st.hash[:]), err)
		}
	}
	st.rec = rec
	st.loaded = true
	return nil
}

// fromCache loads the session from the manager's cache into rec if it
// holds a live entry for the request's key.
func (st *State) fromCache(rec Record) bool {
	e, ok := st.m.cache.get(st.hash)
	if !ok {
		return false
	}
	rec.Absorb(e.rec)
	st.rec = rec
	st.loaded = true
	st.found(e.meta, !time.Now().Before(e.touchAt))
	return true
}

// found records a successful read of the stored session.
func (st *State) found(meta sessionrt.Meta, touchDue bool) {
	st.meta = meta
	st.stored = true
	if !st.rememberSet {
		st.remember = meta.Remember
	}
	st.touchDue = touchDue
}

// detach makes the request go on with a new, empty, unsaved session after
// its own was destroyed: the response expires the cookie unless a change
// starts a new session, whose cookie then replaces it.
func (st *State) detach() {
	if st.rec == nil {
		st.rec = st.m.be.New(st)
	} else {
		st.rec.Zero()
	}
	st.loaded = true
	st.stored = false
	st.missed = false
	st.ended = false
	st.detached = true
	st.renew = false
	st.rememberSet = false
	st.remember = false
	st.touchDue = false
	st.meta = sessionrt.Meta{}
	if st.ncands > 0 || st.cookie == cookieSet {
		st.cookie = cookieExpire
	} else {
		st.cookie = cookieKeep
	}
	st.handedOut = false
}

// vanished records that the stored session is no longer there when the
// request tried to write it, and returns the error for the write: renewed
// away by a concurrent request, or destroyed or expired. The cookie is left
// alone either way.
func (st *State) vanished(ctx context.Context, op string) error {
	id := hashPrefix(st.hash[:])
	st.stored = false
	st.ended = true
	st.renew = false
	sentinel := sessionrt.ErrSessionGone
	if renewed, err := st.m.renewed(ctx, [][]byte{st.hash[:]}); err == nil && renewed {
		sentinel = sessionrt.ErrSessionRenewed
	}
	return fmt.Errorf("sessionrt: %s session %s: %w", op, id, sentinel)
}

// checkRenewed refuses to start a new session for a request whose token was
// renewed away moments ago: the response would replace the browser's
// renewed cookie. It queries only when the request's tokens missed.
func (st *State) checkRenewed(ctx context.Context) error {
	if !st.missed || st.detached || st.ncands == 0 {
		return nil
	}
	renewed, err := st.m.renewed(ctx, st.candidates())
	if err != nil {
		return fmt.Errorf("sessionrt: create session: %w", err)
	}
	if renewed {
		return fmt.Errorf("sessionrt: create session: %w", sessionrt.ErrSessionRenewed)
	}
	st.missed = false // checked: a later save need not ask again
	return nil
}

// save writes what the request changed: an INSERT for a new session with
// changes, one UPDATE for changes or a renew of a stored session, or a touch
// when the idle expiry is due. It is a no-op when nothing is pending. The
// state is locked.
func (st *State) save(ctx context.Context) error {
	if !st.loaded {
		return nil
	}
	if st.updating > 0 {
		return sessionrt.ErrInUpdate
	}
	m := st.m
	if st.ended {
		if st.rec.Changed() || st.renew {
			return fmt.Errorf("sessionrt: save session %s: %w", hashPrefix(st.hash[:]), sessionrt.ErrSessionGone)
		}
		return nil
	}
	if !st.stored {
		if !st.rec.Changed() && !st.rememberSet {
			return nil
		}
		if st.started {
			return fmt.Errorf("sessionrt: create session: %w", sessionrt.ErrResponseStarted)
		}
		if err := m.checkSize(st.rec); err != nil {
			return err
		}
		if err := st.checkRenewed(ctx); err != nil {
			return err
		}
		token, hash, err := newToken()
		if err != nil {
			return err
		}
		meta, err := m.insert(ctx, hash[:], st.rec, lifetimeOf(&m.cfg, st.remember))
		if err != nil {
			return fmt.Errorf("sessionrt: insert session: %w", err)
		}
		st.hash, st.meta, st.token, st.cookie = hash, meta, token, cookieSet
		st.handedOut = false
		st.stored = true
		st.saved()
		return nil
	}
	if st.rec.Changed() || st.renew {
		if st.renew && st.started {
			return fmt.Errorf("sessionrt: renew session: %w", sessionrt.ErrResponseStarted)
		}
		if err := m.checkSize(st.rec); err != nil {
			return err
		}
		newHash, token := st.hash, ""
		if st.renew {
			var err error
			if token, newHash, err = newToken(); err != nil {
				return err
			}
		}
		lt := lifetimeOf(&m.cfg, st.remember)
		lt.Touch = st.touchDue || st.renew
		meta, err := m.saveRow(ctx, m.drv.conn(), st.hash[:], newHash[:], st.renew, st.rec, lt, st.meta)
		m.cache.evict(st.hash) // at once here; other instances by notification
		if errors.Is(err, ErrNotFound) {
			return st.vanished(ctx, "save")
		}
		if err != nil {
			return fmt.Errorf("sessionrt: save session %s: %w", hashPrefix(st.hash[:]), err)
		}
		if st.renew {
			st.token, st.cookie = token, cookieSet
			st.handedOut = false
		}
		st.hash, st.meta = newHash, meta
		st.saved()
		return nil
	}
	if st.touchDue {
		meta, err := m.touch(ctx, st.hash[:], lifetimeOf(&m.cfg, st.remember))
		m.cache.evict(st.hash)
		if errors.Is(err, ErrNotFound) {
			// Ended meanwhile; the read itself already happened.
			st.stored = false
			st.ended = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("sessionrt: touch session %s: %w", hashPrefix(st.hash[:]), err)
		}
		st.meta = meta
		st.touchDue = false
	}
	return nil
}

// saved clears what a successful write made pending.
func (st *State) saved() {
	st.rec.Saved()
	st.renew = false
	st.rememberSet = false
	st.touchDue = false
}

// needsCookie reports whether committing now would set or expire the
// cookie, before anything is written.
func (st *State) needsCookie() bool {
	if st.cookie != cookieKeep && !st.handedOut {
		return true
	}
	if !st.loaded || st.ended {
		return false
	}
	if st.stored {
		return st.renew
	}
	return st.rec.Changed() || st.rememberSet
}

// appendOnce appends s to list unless it is there already.
func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
