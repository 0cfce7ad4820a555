package sessionrt

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors. ErrNotFound is declared in backend.go.
var (
	// ErrSessionGone reports a write that hit a session destroyed or expired
	// meanwhile. Such a session is never re-created.
	ErrSessionGone = errors.New("sessionrt: session was destroyed or expired meanwhile")
	// ErrSessionRenewed reports a write by a request whose token another
	// request renewed away moments ago (a login racing requests already in
	// flight). The write is refused and the response sets no cookie, so the
	// browser keeps the renewed one.
	ErrSessionRenewed = errors.New("sessionrt: session token was renewed by a concurrent request")
	// ErrHijackCookie reports a Hijack (a websocket upgrade) while the
	// session has a cookie change the response must carry: the hijacked
	// connection would never send it. Call the store's UpgradeHeader first
	// and pass its header to the upgrader.
	ErrHijackCookie = errors.New("sessionrt: hijack would drop the session cookie; pass the header from UpgradeHeader to the upgrader")
	// ErrInUpdate reports a Commit, Destroy or response write inside
	// Update's function: the row is locked by the Update's transaction, so
	// the write could only wait for it. Do it after Update returns.
	ErrInUpdate = errors.New("sessionrt: session written inside Update's function; write it after Update returns")
	// ErrResponseStarted reports a session change that needs a cookie (or was
	// made) after the response headers were sent.
	ErrResponseStarted = errors.New("sessionrt: response already started")
	// ErrPayloadTooLarge reports a payload larger than Config.MaxPayloadBytes.
	ErrPayloadTooLarge = errors.New("sessionrt: session payload too large")
	// ErrNoMiddleware reports a context that did not pass through
	// Manager.Middleware or Manager.TestContext.
	ErrNoMiddleware = errors.New("sessionrt: no session in context (missing Manager.Middleware?)")
	// ErrNoDatabase reports a database operation on a Manager created without
	// a database (test mode).
	ErrNoDatabase = errors.New("sessionrt: no database (test mode)")
	// ErrCommitUnknown reports that the connection failed (a timeout, a
	// reset) after Update's COMMIT was sent and before PostgreSQL answered
	// it: the change may or may not be stored. Do not retry a
	// non-idempotent change blindly after it.
	ErrCommitUnknown = errors.New("sessionrt: update outcome unknown: the connection failed after COMMIT was sent")
	// ErrCommitFailed is returned by the response writer after the session
	// commit failed; the error handler has answered the request instead.
	ErrCommitFailed = errors.New("sessionrt: session commit failed, response replaced by the error handler")
)

// IsUnavailable reports whether err means the database could not be reached
// or did not answer in time, as opposed to a bug or a bad request: connection
// refused or reset, connect failures, timeouts, and the PostgreSQL codes for
// shutdowns, cancellations, lock timeouts and connection exceptions.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "57014", "55P03", "53300":
			return true
		}
		return len(pgErr.Code) == 5 && pgErr.Code[:2] == "08"
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	return pgconn.SafeToRetry(err)
}

// StatusCode is the HTTP status the default error handler answers for err:
// 413 for ErrPayloadTooLarge, 400 for ErrInvalidValue, 409 for ErrSessionGone and ErrSessionRenewed, 503 when the database
// is unavailable (IsUnavailable), 500 otherwise. Custom error handlers use it
// to keep the same mapping with their own body format.
func StatusCode(err error) int {
	switch {
	case errors.Is(err, ErrPayloadTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrInvalidValue):
		return http.StatusBadRequest
	case errors.Is(err, ErrSessionGone), errors.Is(err, ErrSessionRenewed):
		return http.StatusConflict
	case IsUnavailable(err):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
