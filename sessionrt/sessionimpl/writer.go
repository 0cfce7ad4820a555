package sessionimpl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// writer wraps the handler's http.ResponseWriter so that the session commit
// runs exactly once, right before the first byte of the response, without
// buffering the body. It is embedded in State.
type writer struct {
	http.ResponseWriter
	st     *State
	r      *http.Request
	done   bool // the commit ran
	failed bool // the commit failed; the error handler answered
}

// commit runs the session commit once and reports whether the handler may
// write its response. It may run on another goroutine than the handler's
// (http.TimeoutHandler inside Middleware), so it holds the state's lock.
func (w *writer) commit() bool {
	st := w.st
	st.mu.Lock()
	if w.done {
		ok := !w.failed
		st.mu.Unlock()
		return ok
	}
	w.done = true
	m := st.m
	h := w.ResponseWriter.Header()
	var err error
	ctx := w.r.Context()
	switch {
	case st.handlerErr:
		// After a failed Commit the handler answers the error itself: no
		// retry, no second answer. Changes made since are reported.
		if st.loaded && (st.rec.Changed() || st.renew) {
			st.lateFields = appendOnce(st.lateFields, "(changes not saved after a failed Commit)")
		}
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && isTimeoutWriter(w.ResponseWriter):
		// http.TimeoutHandler outside Middleware has answered already and
		// discards this response: a new cookie could no longer reach the
		// client, so nothing is saved, and changes are reported instead.
		if st.loaded && (st.rec.Changed() || st.renew || st.rememberSet) {
			err = fmt.Errorf("sessionrt: http.TimeoutHandler answered before the response started; session changes not saved: %w", ctx.Err())
		}
	default:
		// The handler has finished deciding: a client that goes away now must
		// not cancel the save (each statement is still bounded by
		// QueryTimeout).
		if st.loaded {
			ctx = context.WithoutCancel(ctx)
		}
		err = st.save(ctx)
	}
	st.started = true
	if err != nil {
		st.err = err
		w.failed = true
		for _, k := range [...]string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Etag", "Last-Modified", "Location"} {
			h.Del(k)
		}
		h.Set("Cache-Control", "no-store")
		if st.cookie == cookieExpire {
			m.writeCookie(h, st, time.Now()) // Destroy happened; only a new session failed
		} else {
			noSharedCache(h)
		}
		st.mu.Unlock()
		m.cfg.ErrorHandler(w.ResponseWriter, w.r, err)
		return false
	}
	switch {
	case st.cookie != cookieKeep:
		m.writeCookie(h, st, time.Now())
	case st.loaded && st.ncands > 0:
		// The response may depend on the session the cookie named.
		noSharedCache(h)
	}
	st.mu.Unlock()
	return true
}

// WriteHeader commits the session, then sends the status. Informational
// 1xx statuses (other than 101) pass through without committing.
func (w *writer) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.st.mu.Lock()
		failed := w.failed
		w.st.mu.Unlock()
		if !failed {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write commits the session, then writes b. After a failed commit it writes
// nothing and returns sessionrt.ErrCommitFailed.
func (w *writer) Write(b []byte) (int, error) {
	if !w.commit() {
		return 0, sessionrt.ErrCommitFailed
	}
	return w.ResponseWriter.Write(b)
}

// WriteString is Write for strings, without a copy when the underlying
// writer supports it.
func (w *writer) WriteString(s string) (int, error) {
	if !w.commit() {
		return 0, sessionrt.ErrCommitFailed
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom commits the session, then copies from src, keeping the
// underlying writer's sendfile path.
func (w *writer) ReadFrom(src io.Reader) (int64, error) {
	if !w.commit() {
		return 0, sessionrt.ErrCommitFailed
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w.ResponseWriter}, src)
}

// writerOnly hides every method but Write, so io.Copy cannot loop back.
type writerOnly struct{ io.Writer }

// Flush commits the session, then flushes the underlying writer.
func (w *writer) Flush() { _ = w.FlushError() }

// FlushError commits the session, then flushes the underlying writer.
func (w *writer) FlushError() error {
	if !w.commit() {
		return sessionrt.ErrCommitFailed
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack commits the session, then hijacks the underlying connection. It
// fails with sessionrt.ErrHijackCookie, writing nothing, when the commit would set or
// expire the cookie: the hijacked connection would never send it. Take the
// cookie with Manager.UpgradeHeader first and send it with the upgrade.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.st.mu.Lock()
	lost := !w.done && w.st.needsCookie()
	w.st.mu.Unlock()
	if lost {
		return nil, nil, sessionrt.ErrHijackCookie
	}
	if !w.commit() {
		return nil, nil, sessionrt.ErrCommitFailed
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// isTimeoutWriter reports whether w is the writer http.TimeoutHandler gives
// its handler, which discards the response once the timeout answered.
func isTimeoutWriter(w http.ResponseWriter) bool {
	return reflect.TypeOf(w).String() == "*http.timeoutWriter"
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
