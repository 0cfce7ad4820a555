package sessionrt

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ctxKey is the context key of the request's *State.
type ctxKey struct{}

// State is one request's session lifecycle: the lazily loaded record, what
// the commit has to write, and the cookie the response carries. Like the
// http.ResponseWriter, it belongs to the goroutine serving the request.
type State struct {
	m     *Manager
	w     writer // the response writer wrapper, embedded to save an allocation
	rec   Record
	meta  Meta
	hash  [sha256.Size]byte // key of the stored session, or of the cookie's token before Load
	token string            // cookie value to send with cookieSet

	err        error    // commit error of this request
	lateFields []string // fields set after the response started
	goneFields []string // fields set after the session was destroyed
	corrupt    []error  // stored values that could not be decoded

	updating    int          // >0 while Update runs the caller's function
	cookie      cookieAction // what the response does with the cookie
	hasToken    bool         // the request carried a well-formed token
	loaded      bool         // Load ran (rec is set)
	stored      bool         // a row with key hash exists (as far as we know)
	renew       bool         // move the session to a new token at commit
	remember    bool         // wanted remember-me flag
	rememberSet bool         // SetRememberMe was called
	destroyed   bool         // the session was destroyed or found gone
	touchDue    bool         // the idle expiry should be extended at commit
	started     bool         // the response started (the commit ran)
	test        bool         // no database: commits are no-ops
}

// stateFrom returns the request's state, or nil.
func stateFrom(ctx context.Context) *State {
	st, _ := ctx.Value(ctxKey{}).(*State)
	return st
}

// Record returns the session's typed payload handle (nil before Load).
func (st *State) Record() Record { return st.rec }

// Meta returns the session's lifecycle columns as last read or written.
func (st *State) Meta() Meta { return st.meta }

// IsNew reports whether the session is not stored (yet).
func (st *State) IsNew() bool { return !st.stored }

// Changed is called by every generated setter. A change after the response
// started, or after the session was destroyed, cannot be saved: it is
// recorded as an error, logged at the end of the request and returned by Err.
func (st *State) Changed(field string) {
	if st == nil || st.updating > 0 {
		return
	}
	switch {
	case st.destroyed:
		st.goneFields = appendOnce(st.goneFields, field)
	case st.started:
		st.lateFields = appendOnce(st.lateFields, field)
	}
}

// Corrupt is called by generated getters when a stored value cannot be
// decoded (a jsonb column edited by hand, or a type changed in an
// incompatible way): the getter returns the zero value, and the error is
// returned by Err and logged at the end of the request.
func (st *State) Corrupt(field string, err error) {
	if st == nil {
		return
	}
	st.corrupt = append(st.corrupt, fmt.Errorf("sessionrt: decoding stored field %s: %w", field, err))
}

// Renew moves the session to a new token at commit (session fixation
// defence, e.g. after login): one UPDATE writes the changed fields and the
// new key, and the old token stops working at once.
func (st *State) Renew() { st.renew = true }

// SetRememberMe switches the session to the remember-me lifetimes and a
// persistent cookie (or back). It implies Renew.
func (st *State) SetRememberMe(on bool) {
	st.remember = on
	st.rememberSet = true
	st.renew = true
}

// Err returns the commit error and late-change errors of this request.
func (st *State) Err() error {
	var errs []error
	if st.err != nil {
		errs = append(errs, st.err)
	}
	errs = append(errs, st.corrupt...)
	if len(st.lateFields) > 0 {
		errs = append(errs, fmt.Errorf("sessionrt: session field(s) %s changed after the response started and not saved: %w",
			strings.Join(st.lateFields, ", "), ErrResponseStarted))
	}
	if len(st.goneFields) > 0 {
		errs = append(errs, fmt.Errorf("sessionrt: session field(s) %s changed after the session was destroyed and ignored: %w",
			strings.Join(st.goneFields, ", "), ErrSessionGone))
	}
	return errors.Join(errs...)
}

// logID is the loggable short identifier of the session.
func (st *State) logID() string {
	if !st.stored && !st.hasToken {
		return ""
	}
	return hashPrefix(st.hash[:])
}

// load reads the session on first use: one SELECT when the request carries a
// well-formed token, none otherwise.
func (st *State) load(ctx context.Context) error {
	if st.loaded {
		return nil
	}
	m := st.m
	rec := m.be.New(st)
	if st.hasToken && !st.test {
		meta, err := m.get(ctx, m.db, st.hash[:], false, rec)
		switch {
		case err == nil:
			st.found(meta)
		case errors.Is(err, ErrNotFound):
			rec = m.be.New(st)
			st.cookie = cookieExpire // stale cookie: expire it if the response goes out anyway
		default:
			return fmt.Errorf("sessionrt: load session %s: %w", hashPrefix(st.hash[:]), err)
		}
	}
	st.rec = rec
	st.loaded = true
	return nil
}

// found records a successful read of the stored session.
func (st *State) found(meta Meta) {
	st.meta = meta
	st.stored = true
	if !st.rememberSet {
		st.remember = meta.Remember
	}
	st.touchDue = time.Since(meta.LastSeenAt) >= st.m.cfg.TouchInterval
}

// gone records that the stored session no longer exists.
func (st *State) gone() {
	st.stored = false
	st.destroyed = true
	st.renew = false
	st.cookie = cookieExpire
}

// save writes what the request changed: an INSERT for a new session with
// changes, one UPDATE for changes or a renew of a stored session, or a touch
// when the idle expiry is due. It is a no-op when nothing is pending.
func (st *State) save(ctx context.Context) error {
	if st.test || !st.loaded || st.destroyed {
		return nil
	}
	m := st.m
	if !st.stored {
		if !st.rec.Changed() && !st.rememberSet {
			return nil
		}
		if st.started {
			return fmt.Errorf("sessionrt: create session: %w", ErrResponseStarted)
		}
		if err := m.checkSize(st.rec); err != nil {
			return err
		}
		token, hash, err := newToken()
		if err != nil {
			return err
		}
		meta, err := m.insert(ctx, hash[:], st.rec, m.cfg.lifetime(st.remember))
		if err != nil {
			return fmt.Errorf("sessionrt: insert session: %w", err)
		}
		st.hash, st.meta, st.token, st.cookie = hash, meta, token, cookieSet
		st.stored = true
		st.saved()
		return nil
	}
	if st.rec.Changed() || st.renew {
		if st.renew && st.started {
			return fmt.Errorf("sessionrt: renew session: %w", ErrResponseStarted)
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
		lt := m.cfg.lifetime(st.remember)
		lt.Touch = st.touchDue || st.renew
		meta, err := m.saveRow(ctx, m.db, st.hash[:], newHash[:], st.renew, st.rec, lt, st.meta)
		if errors.Is(err, ErrNotFound) {
			id := hashPrefix(st.hash[:])
			st.gone()
			return fmt.Errorf("sessionrt: save session %s: %w", id, ErrSessionGone)
		}
		if err != nil {
			return fmt.Errorf("sessionrt: save session %s: %w", hashPrefix(st.hash[:]), err)
		}
		if st.renew {
			st.token, st.cookie = token, cookieSet
		}
		st.hash, st.meta = newHash, meta
		st.saved()
		return nil
	}
	if st.touchDue {
		meta, err := m.touch(ctx, st.hash[:], m.cfg.lifetime(st.remember))
		if errors.Is(err, ErrNotFound) {
			st.gone() // ended meanwhile; the read itself already happened
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

// appendOnce appends s to list unless it is there already.
func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
