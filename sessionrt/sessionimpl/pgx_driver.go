package sessionimpl

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PgxDB is sqlc's pgx/v5 DBTX: *pgxpool.Pool, *pgx.Conn and pgx.Tx have it.
type PgxDB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PgxPool is a PgxDB that begins transactions, as *pgxpool.Pool and
// *pgx.Conn do. On a *pgxpool.Pool, Update pipelines its transaction.
type PgxPool interface {
	PgxDB
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Pgx is the PostgreSQL driver over a pgx pool or connection. Everything
// the runtime knows of pgx is in this package's pgx_*.go files.
func Pgx(db PgxPool) Driver { return pgxDriver{db: db} }

// pgxDriver runs statements on a pgx pool or connection.
type pgxDriver struct{ db PgxPool }

func (d pgxDriver) conn() Conn { return Conn{pgx: d.db} }

// isNil reports a nil pool, typed or not, which NewManager refuses.
func (d pgxDriver) isNil() bool {
	switch p := d.db.(type) {
	case nil:
		return true
	case *pgxpool.Pool:
		return p == nil
	case *pgx.Conn:
		return p == nil
	}
	return false
}

func (d pgxDriver) wrap(err error) error {
	if err == nil {
		return nil
	}
	return pgxError{err}
}

// PgxConn returns the Conn of a pgx handle, for tools and tests that call a
// generated Backend directly.
func PgxConn(db PgxDB) Conn { return Conn{pgx: db} }
