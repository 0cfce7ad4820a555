package sessionrt

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
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
// write its response.
func (w *writer) commit() bool {
	if w.done {
		return !w.failed
	}
	w.done = true
	st := w.st
	m := st.m
	// The handler has finished deciding: a client that goes away now must not
	// cancel the save (each statement is still bounded by QueryTimeout).
	ctx := w.r.Context()
	if st.loaded {
		ctx = context.WithoutCancel(ctx)
	}
	err := st.save(ctx)
	st.started = true
	if err != nil {
		st.err = err
		w.failed = true
		h := w.ResponseWriter.Header()
		for _, k := range [...]string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Etag", "Last-Modified", "Location"} {
			h.Del(k)
		}
		h.Set("Cache-Control", "no-store")
		if st.cookie != cookieKeep && errors.Is(err, ErrSessionGone) {
			m.writeCookie(h, st, time.Now())
		}
		m.cfg.ErrorHandler(w.ResponseWriter, w.r, err)
		return false
	}
	if st.cookie != cookieKeep {
		m.writeCookie(w.ResponseWriter.Header(), st, time.Now())
	}
	return true
}

// WriteHeader commits the session, then sends the status. Informational
// 1xx statuses (other than 101) pass through without committing.
func (w *writer) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		if !w.failed {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write commits the session, then writes b. After a failed commit it writes
// nothing and returns ErrCommitFailed.
func (w *writer) Write(b []byte) (int, error) {
	if !w.commit() {
		return 0, ErrCommitFailed
	}
	return w.ResponseWriter.Write(b)
}

// WriteString is Write for strings, without a copy when the underlying
// writer supports it.
func (w *writer) WriteString(s string) (int, error) {
	if !w.commit() {
		return 0, ErrCommitFailed
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom commits the session, then copies from src, keeping the
// underlying writer's sendfile path.
func (w *writer) ReadFrom(src io.Reader) (int64, error) {
	if !w.commit() {
		return 0, ErrCommitFailed
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
		return ErrCommitFailed
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack commits the session, then hijacks the underlying connection. The
// session cookie, if any, is only sent if the caller writes the headers.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, ErrCommitFailed
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
