package sessionrt

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
)

// Errors the store returns. StatusCode maps them to HTTP statuses.
var (
	// ErrSessionGone: a write hit a session destroyed or expired meanwhile;
	// it is never re-created.
	ErrSessionGone = errors.New("sessionrt: session was destroyed or expired meanwhile")
	// ErrSessionRenewed: a write came with a token another request renewed
	// away moments ago (a login racing requests in flight).
	ErrSessionRenewed = errors.New("sessionrt: session token was renewed by a concurrent request")
	// ErrInvalidValue: a setter got a value its column cannot store exactly
	// (NUL or invalid UTF-8 in a string, NaN in JSON); the field is unchanged.
	ErrInvalidValue    = errors.New("sessionrt: value cannot be stored")
	ErrPayloadTooLarge = errors.New("sessionrt: session payload too large")
	// ErrResponseStarted: a change needing a cookie came after the headers.
	ErrResponseStarted = errors.New("sessionrt: response already started")
	// ErrInUpdate: a Commit, Destroy or response write inside Update's function.
	ErrInUpdate = errors.New("sessionrt: session written inside Update's function; write it after Update returns")
	// ErrHijackCookie: a hijack (websocket upgrade) would drop a cookie
	// change; pass the store's UpgradeHeader to the upgrader.
	ErrHijackCookie = errors.New("sessionrt: hijack would drop the session cookie; pass the header from UpgradeHeader to the upgrader")
	ErrNoMiddleware = errors.New("sessionrt: no session in context (missing the store's Middleware?)")
	// ErrCommitUnknown: the connection failed after COMMIT was sent; the
	// change may or may not be stored.
	ErrCommitUnknown = errors.New("sessionrt: update outcome unknown: the connection failed after COMMIT was sent")
	// ErrCommitFailed: the response writer's error after a failed commit;
	// the error handler has answered instead.
	ErrCommitFailed = errors.New("sessionrt: session commit failed, response replaced by the error handler")
	// ErrUnsafeExecMode: Config.TransactionPooler with a pgx exec mode such
	// a pooler breaks; use cache_describe, exec or simple_protocol.
	ErrUnsafeExecMode = errors.New("sessionrt: pgx query exec mode is unsafe behind a transaction pooler")
	// ErrCacheTrigger: the cache is on but the table publishes no evictions.
	ErrCacheTrigger = errors.New("sessionrt: the sessions table publishes no evictions (generate with sessiongen -cache and migrate)")
	// ErrNoCache: Config.Cache on an engine without notifications.
	ErrNoCache = errors.New("sessionrt: this engine has no session cache")
)

// unavailable is implemented by the errors of an engine that knows its own
// codes for "the database cannot answer now".
type unavailable interface{ Unavailable() bool }

// IsUnavailable reports whether err means the database could not be reached
// or did not answer in time (refused or reset connections, timeouts,
// shutdowns, lock timeouts), as opposed to a bug or a bad request.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var u unavailable
	if errors.As(err, &u) {
		return u.Unavailable()
	}
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// StatusCode is the HTTP status the default error handler answers: 413,
// 400 (ErrInvalidValue), 409 (ErrSessionGone, ErrSessionRenewed), 503
// (IsUnavailable) or 500.
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
