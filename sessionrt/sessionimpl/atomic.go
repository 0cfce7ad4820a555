package sessionimpl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Atomic runs fn on a Conn whose statements are one transaction, at the
// database's default isolation level, for a backend whose engine has no
// RETURNING (MySQL): it pairs a write with the read of what the write left
// (Save, Touch), which the write's row lock keeps as it was. On a pool it
// begins a transaction, commits when fn returns nil and rolls back
// otherwise; on a Conn that is already a transaction (Update's) or that
// cannot begin one (pgx, the in-memory engine, whose backends never call
// it) it runs fn on c itself. A transaction InnoDB rolls back as a
// deadlock's victim runs again, up to three times.
func (c Conn) Atomic(ctx context.Context, fn func(c Conn) error) error {
	return c.atomic(ctx, nil, fn)
}

// AtomicRange is Atomic at REPEATABLE READ, where InnoDB's locking reads
// lock the index range they scan, so that no row joins it before the
// transaction ends: for the locking read of the keys a delete by an
// indexed field then removes. (Asking for the level costs a statement,
// which Atomic saves.)
func (c Conn) AtomicRange(ctx context.Context, fn func(c Conn) error) error {
	return c.atomic(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, fn)
}

// poolOf returns the pool c runs on, or nil when c is a transaction's
// connection (Update's *sql.Conn, a *sql.Tx) or not database/sql's. A
// *sql.Conn has BeginTx too, but Update's already runs a transaction
// begun with a statement: beginning another would commit it (MySQL) and
// release its locks.
func poolOf(c Conn) *sql.DB {
	switch db := c.sql.(type) {
	case *sql.DB:
		return db
	case retryDB:
		return db.DB
	}
	return nil
}

// deadlockRetries is how many times atomic runs a transaction that InnoDB
// chose as a deadlock's victim: it rolled the whole transaction back, so
// running it again is safe.
const deadlockRetries = 3

func (c Conn) atomic(ctx context.Context, opts *sql.TxOptions, fn func(c Conn) error) error {
	db := poolOf(c)
	if db == nil {
		return fn(c)
	}
	var err error
	for range deadlockRetries {
		if err = transact(ctx, db, opts, fn); !isDeadlock(err) {
			return err
		}
	}
	return err
}

// transact runs fn in one transaction on db.
func transact(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(c Conn) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(Conn{sql: tx}); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
