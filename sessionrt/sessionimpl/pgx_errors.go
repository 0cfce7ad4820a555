package sessionimpl

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// pgxError is an error from PostgreSQL or pgx that knows whether it means
// the database is unavailable, so sessionrt.IsUnavailable and sessionrt.StatusCode
// need no knowledge of pgx.
type pgxError struct{ err error }

func (e pgxError) Error() string { return e.err.Error() }
func (e pgxError) Unwrap() error { return e.err }

// Unavailable reports connect failures, timeouts, and the PostgreSQL codes
// for shutdowns, cancellations, lock timeouts, too many connections and
// connection exceptions (class 08).
func (e pgxError) Unavailable() bool {
	err := e.err
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
	return pgconn.SafeToRetry(err) || sessionrt.IsUnavailable(err)
}
