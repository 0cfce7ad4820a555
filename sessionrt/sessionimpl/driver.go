package sessionimpl

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// Conn is what one Backend call runs its statement on: a pool, a
// connection or Update's transaction. The runtime owns it; a backend takes
// its engine's handle from it (Pgx for sqlc's pgx/v5 code, SQL for its
// database/sql code). The in-memory engine's Conn is empty.
type Conn struct {
	pgx PgxDB
	sql SQLDB
}

// Pgx returns the handle for sqlc's pgx/v5 code.
func (c Conn) Pgx() PgxDB { return c.pgx }

// SQL returns the handle for sqlc's database/sql code.
func (c Conn) SQL() SQLDB { return c.sql }

// Driver is an engine's half of the runtime: where statements run, how
// Update's transaction begins and commits, what its errors mean. Only this
// package implements it (Pgx, SQLite, MySQL, NewMemory); generated code picks one by the
// handle the application passes.
type Driver interface {
	// conn is where single statements run.
	conn() Conn
	// beginUpdate starts Update's transaction.
	beginUpdate(ctx context.Context, timeout time.Duration) (updateTx, error)
	// check refuses a configuration the engine cannot honour.
	check(cfg sessionrt.Config) error
	// listenConfig is the cache listener's connection, or an error when the
	// engine cannot notify (sessionrt.ErrNoCache).
	listenConfig(cfg sessionrt.Config) (*pgx.ConnConfig, error)
	// wrap gives an error from the engine the meaning
	// sessionrt.IsUnavailable reads.
	wrap(err error) error
}

// readerSource is a Driver that sets connections aside for a Manager's
// reads (SQLite: readers).
type readerSource interface {
	readers(cfg sessionrt.Config) *readers
}

// updateTx is the transaction Manager.Update reads, changes and writes a
// session in.
type updateTx interface {
	// conn is where the transaction's statements run.
	conn() Conn
	// commitWithNext asks for COMMIT to go out with the next statement
	// where the transaction can pipeline it.
	commitWithNext()
	// commit ends the transaction, unless COMMIT already went out, and
	// succeeded, with the last statement.
	commit(ctx context.Context) error
	// end rolls back what was not committed and gives the connection back.
	end(ctx context.Context)
}
