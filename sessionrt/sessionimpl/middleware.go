package sessionimpl

import (
	"context"
	"net/http"
	"strings"
)

// Middleware makes the session available to next through the request
// context. It reads nothing from the database by itself: the first Load or
// Update does. The commit runs right before the first byte of the response,
// or after next returns if it wrote nothing.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &State{m: m}
		st.ncands = m.tokensFromRequest(r, &st.cands)
		st.hash = st.cands[0]
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		st.w = writer{ResponseWriter: w, st: st, r: r}
		next.ServeHTTP(&st.w, r)
		st.w.commit()
		// A handler behind http.TimeoutHandler may still run: read what it
		// reported under the lock.
		st.mu.Lock()
		corrupt, invalid, late, gone := st.corrupt, st.invalid, st.lateFields, st.goneFields
		id := ""
		if len(corrupt)+len(invalid)+len(late)+len(gone) > 0 {
			id = st.logID()
		}
		st.mu.Unlock()
		for _, err := range corrupt {
			m.cfg.Logger.ErrorContext(r.Context(), "sessionrt: stored session field could not be decoded; read as the zero value",
				"err", err, "session", id, "method", r.Method, "path", r.URL.Path)
		}
		for _, err := range invalid {
			m.cfg.Logger.WarnContext(r.Context(), "sessionrt: session field set to a value its column cannot store; field unchanged",
				"err", err, "session", id, "method", r.Method, "path", r.URL.Path)
		}
		if len(late) > 0 || len(gone) > 0 {
			m.cfg.Logger.ErrorContext(r.Context(), "sessionrt: session changed when it could no longer be saved; change lost",
				"late_fields", strings.Join(late, ","), "fields_after_session_ended", strings.Join(gone, ","),
				"session", id, "method", r.Method, "path", r.URL.Path)
		}
	})
}
